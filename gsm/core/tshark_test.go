package core

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/gsmtap"
	"github.com/gsmbox/gsmbox/gsm/tdma"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

// lapdmI wraps a short L3 message in one downlink LAPDm I frame of sapi
// (TS 44.006 §3): address (SAPI, C/R 1 for a network command, EA 1),
// control (N(S) ns, N(R) 0), length indicator (EL 1) and fill.
func lapdmI(sapi uint8, ns int, l3msg []byte) []byte {
	f := bytes.Repeat([]byte{0x2b}, 23)
	f[0] = sapi<<2 | 0x02 | 0x01
	f[1] = byte(ns&7) << 1
	f[2] = byte(len(l3msg))<<2 | 1
	copy(f[3:], l3msg)
	return f
}

// The answers to what the network does not serve are what Wireshark's
// DTAP dissector expects: RELEASE COMPLETE with the cause (TS 24.008
// §9.3.19, §10.5.4.11) and CP-ERROR with the CP-Cause (TS 24.011
// §7.2.3, §8.1.4.2), nothing malformed.
func TestTsharkUnserved(t *testing.T) {
	testtool.Need(t, "tshark")
	var buf [16]byte
	type msg struct {
		sapi  uint8
		b     []byte
		field string
		value string
	}
	var msgs []msg
	n := unservedCC(buf[:], []byte{0x03, 0x45, 0x04})
	msgs = append(msgs, msg{0, append([]byte(nil), buf[:n]...), "gsm_a.dtap.cause", "0x4f"})
	n = unservedCC(buf[:], []byte{0x13, 0x25, 0x02, 0xe0, 0x90})
	msgs = append(msgs, msg{0, append([]byte(nil), buf[:n]...), "gsm_a.dtap.cause", "0x51"})
	n = unservedSMS(buf[:], []byte{0x09, 0x01, 0x00})
	msgs = append(msgs, msg{3, append([]byte(nil), buf[:n]...), "gsm_a.dtap.cp_cause", "97"})
	path := filepath.Join(t.TempDir(), "unserved.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := gsmtap.NewPcapWriter(f)
	if err != nil {
		t.Fatal(err)
	}
	var ns [4]int
	for i, m := range msgs {
		fr := lapdmI(m.sapi, ns[m.sapi], m.b)
		ns[m.sapi]++
		hd := gsmtap.Um(gsmtap.ChanSDCCH, 10, 0, tdma.FN(102*i), 0)
		if err := w.WritePacket(time.Unix(1763784000, int64(i)*1e6), &hd, fr); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	pk := testtool.Dissect(t, path)
	if len(pk) != len(msgs) {
		t.Fatalf("tshark read %d packets, want %d", len(pk), len(msgs))
	}
	for i, p := range pk {
		for _, pr := range p.Problems() {
			t.Errorf("packet %d: %s:\n%s", i+1, pr, p.Text)
		}
		got := p.Values(msgs[i].field)
		ok := false
		for _, g := range got {
			ok = ok || strings.HasPrefix(g, msgs[i].value)
		}
		if !ok {
			t.Errorf("packet %d: tshark %s = %q, want %q:\n%s", i+1, msgs[i].field, got, msgs[i].value, p.Text)
		}
	}
}
