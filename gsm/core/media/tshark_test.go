package media

import (
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/codec/rtp"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

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
	if len(r.captured) < 40 { // about 100 on a quiet host; a stalled host skips ticks
		t.Fatalf("captured %d datagrams", len(r.captured))
	}
	pcap := filepath.Join(t.TempDir(), "call.pcap")
	testtool.WriteUDPPcap(t, pcap, r.captured)
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
