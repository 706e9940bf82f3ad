package media

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/codec/rtp"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

// writePcap writes UDP datagrams to port 40000 as a raw-IPv4 pcap
// (LINKTYPE_RAW), one per 20 ms.
func writePcap(t *testing.T, path string, dgrams [][]byte) {
	t.Helper()
	var b bytes.Buffer
	le := binary.LittleEndian
	hdr := make([]byte, 24)
	le.PutUint32(hdr[0:], 0xa1b2c3d4)
	le.PutUint16(hdr[4:], 2)
	le.PutUint16(hdr[6:], 4)
	le.PutUint32(hdr[16:], 65535)
	le.PutUint32(hdr[20:], 101)
	b.Write(hdr)
	for i, d := range dgrams {
		ip := make([]byte, 28, 28+len(d))
		ip[0] = 0x45
		binary.BigEndian.PutUint16(ip[2:], uint16(28+len(d)))
		ip[8], ip[9] = 64, 17
		copy(ip[12:], []byte{127, 0, 0, 1, 127, 0, 0, 1})
		var sum uint32
		for j := 0; j < 20; j += 2 {
			sum += uint32(binary.BigEndian.Uint16(ip[j:]))
		}
		for sum > 0xffff {
			sum = sum&0xffff + sum>>16
		}
		binary.BigEndian.PutUint16(ip[10:], ^uint16(sum))
		binary.BigEndian.PutUint16(ip[20:], 40000)
		binary.BigEndian.PutUint16(ip[22:], 40000)
		binary.BigEndian.PutUint16(ip[24:], uint16(8+len(d)))
		ip = append(ip, d...)
		rec := make([]byte, 16)
		us := uint32(i) * 20000
		le.PutUint32(rec[0:], 1700000000+us/1000000)
		le.PutUint32(rec[4:], us%1000000)
		le.PutUint32(rec[8:], uint32(len(ip)))
		le.PutUint32(rec[12:], uint32(len(ip)))
		b.Write(rec)
		b.Write(ip)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Wireshark's RTP dissector reads the stream a session sends in a call
// (G.711 with a DTMF digit in it): nothing malformed, sequence numbers
// continuous, the audio timestamps 160 apart, the events carrying the
// timestamp of their start.
func TestTsharkCall(t *testing.T) {
	testtool.Need(t, "tshark")
	if testing.Short() {
		t.Skip("real-time")
	}
	r := callWith(t, nil, []uint8{rtp.PTPCMA}, 0, 0, 2*time.Second, func(a *Session) {
		if err := a.SendDTMF('5', 100*time.Millisecond); err != nil {
			t.Error(err)
		}
	})
	if len(r.captured) < 80 {
		t.Fatalf("captured %d datagrams", len(r.captured))
	}
	pcap := filepath.Join(t.TempDir(), "call.pcap")
	writePcap(t, pcap, r.captured)
	pkts := testtool.Dissect(t, pcap, "-d", "udp.port==40000,rtp")
	var lastSeq, lastTS, evTS int
	events := 0
	for i, p := range pkts {
		if pr := p.Problems(); len(pr) > 0 {
			t.Errorf("packet %d: %v", i, pr)
		}
		seq, _ := strconv.Atoi(p.Get("rtp.seq"))
		ts, _ := strconv.Atoi(p.Get("rtp.timestamp"))
		pt := p.Get("rtp.p_type")
		if i > 0 && seq != (lastSeq+1)&0xffff {
			t.Errorf("packet %d: seq %d after %d", i, seq, lastSeq)
		}
		switch pt {
		case "8":
			if i > 0 && lastTS != 0 && ts-lastTS != 160 && !(evTS != 0 && ts > lastTS) {
				t.Errorf("packet %d: timestamp %d after %d", i, ts, lastTS)
			}
			lastTS, evTS = ts, 0
		case strconv.Itoa(DefaultEventPT):
			events++
			if p.Get("rtpevent.event_id") != "5" {
				t.Errorf("packet %d: event %q, want 5", i, p.Get("rtpevent.event_id"))
			}
			if evTS == 0 {
				evTS = ts
			} else if ts != evTS {
				t.Errorf("packet %d: event timestamp %d, want the event's start %d", i, ts, evTS)
			}
		default:
			t.Errorf("packet %d: payload type %s", i, pt)
		}
		lastSeq = seq
	}
	if events < 5+3 {
		t.Errorf("%d event packets, want ≥ 8 (100 ms and three end packets)", events)
	}
	if r.sb.DTMFReceived != 1 {
		t.Errorf("B received %d digits, want 1", r.sb.DTMFReceived)
	}
}
