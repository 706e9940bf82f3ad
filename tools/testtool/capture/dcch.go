// Package capture writes GSMTAP captures of layer 3 messages for tests
// that have tshark dissect them. It is apart from tools/testtool because
// it imports gsm/gsmtap, whose own tests use testtool.
package capture

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/gsmtap"
	"github.com/gsmbox/gsmbox/gsm/tdma"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

// n201 is the LAPDm information field length on an SDCCH (TS 44.006
// §5.8.3), for SAPI 0 as for SAPI 3.
const n201 = 20

// DCCHMessage is one layer 3 message on a dedicated control channel, for
// a capture that tshark dissects.
type DCCHMessage struct {
	Uplink bool  // sent by the MS
	SAPI   uint8 // 0 (RR, MM, CC, SS) or 3 (SMS)
	L3     []byte
}

// LAPDmI wraps an L3 message in LAPDm I frames of sapi on an SDCCH
// (TS 44.006 §3.2–3.6): the address (SAPI, C/R 1 for a network command
// and 0 for an MS command, EA 1), the control field (N(S) from *ns, which
// it advances, N(R) 0), the length indicator (L, M for all but the last
// segment, EL 1), the information field and 0x2B fill to 23 octets. A
// message longer than N201 is segmented.
func LAPDmI(l3 []byte, sapi uint8, uplink bool, ns *int) [][]byte {
	var out [][]byte
	for len(l3) > 0 {
		n := min(len(l3), n201)
		f := bytes.Repeat([]byte{0x2b}, 23)
		f[0] = sapi<<2 | 1
		if !uplink {
			f[0] |= 0x02
		}
		f[1] = byte(*ns&7) << 1
		f[2] = byte(n)<<2 | 1
		if len(l3) > n {
			f[2] |= 2
		}
		copy(f[3:], l3[:n])
		out = append(out, f)
		l3 = l3[n:]
		*ns++
	}
	return out
}

// WriteDCCH writes msgs to a pcap file at path as GSMTAP SDCCH frames,
// each message in LAPDm I frames with its own N(S) per direction and
// SAPI. It returns, for each message, the index of the packet on which
// tshark shows it (its last segment), and the number of packets written.
func WriteDCCH(t testing.TB, path string, msgs []DCCHMessage) (last []int, packets int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := gsmtap.NewPcapWriter(f)
	if err != nil {
		t.Fatal(err)
	}
	var ns [2][4]int // [uplink][SAPI]
	for i, m := range msgs {
		up := 0
		if m.Uplink {
			up = 1
		}
		for _, s := range LAPDmI(m.L3, m.SAPI, m.Uplink, &ns[up][m.SAPI&3]) {
			hd := gsmtap.Um(gsmtap.ChanSDCCH, 10, 0, tdma.FN(51*i+packets), 0)
			hd.Uplink = m.Uplink
			if err := w.WritePacket(time.Unix(1765000000, int64(packets)*1e6), &hd, s); err != nil {
				t.Fatal(err)
			}
			packets++
		}
		last = append(last, packets-1)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return last, packets
}

// DissectClean runs tshark on the capture at path (Dissect), fails the
// test unless it read packets packets, and reports every malformed or
// expert problem tshark found. It returns the packets.
func DissectClean(t testing.TB, path string, packets int) []testtool.Packet {
	t.Helper()
	pk := testtool.Dissect(t, path)
	if len(pk) != packets {
		t.Fatalf("tshark read %d packets, want %d", len(pk), packets)
	}
	for i, p := range pk {
		for _, pr := range p.Problems() {
			t.Errorf("packet %d: %s:\n%s", i+1, pr, p.Text)
		}
	}
	return pk
}
