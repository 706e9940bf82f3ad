package trxserver

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/dsp/gmsk"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/dsp/radio/radiotest"
	"github.com/gsmbox/gsmbox/dsp/trx"
	"github.com/gsmbox/gsmbox/gsm/tdma"
	"github.com/gsmbox/gsmbox/gsm/trxproto"
)

func newQueueServer(t testing.TB, log *slog.Logger) *Server {
	t.Helper()
	tr, err := trx.NewTransceiver(trx.TransceiverConfig{Tx: trx.TxConfig{Modulator: gmsk.Config{SPS: 4}}, FillC0: true, Queue: 16})
	if err != nil {
		t.Fatal(err)
	}
	return New(Config{Transceiver: tr, Log: log})
}

// downlinkPDU encodes a downlink PDU for frame fn, timeslot tn.
func downlinkPDU(fn tdma.FN, tn tdma.TN, att uint8) []byte {
	p := trxproto.DownlinkPDU{Version: 1, TN: tn, FN: fn, Att: att}
	for i := range p.Bits {
		p.Bits[i] = byte(i & 1)
	}
	b := make([]byte, trxproto.DownlinkLen)
	p.MarshalTo(b)
	return b
}

// Whatever datagrams arrive on the data socket, the transceiver never
// panics: each is queued at its frame, or dropped and counted as late,
// early or unreadable; the frames it writes hold only the bursts queued
// for them, and every written frame is whole.
func FuzzQueueDownlink(f *testing.F) {
	f.Add(downlinkPDU(3, 0, 0), uint8(1), uint8(4))
	f.Add(downlinkPDU(2715647, 7, 255), uint8(0), uint8(2))
	f.Add(downlinkPDU(20, 1, 10), uint8(3), uint8(8))
	f.Add([]byte{0x10, 0, 0, 0, 3, 0}, uint8(1), uint8(1))
	f.Add(append(downlinkPDU(5, 2, 0), 0), uint8(2), uint8(6))
	f.Add(bytes.Repeat([]byte{0xff}, 154), uint8(0), uint8(1))
	f.Fuzz(func(t *testing.T, b []byte, copies, frames uint8) {
		s := newQueueServer(t, nil)
		tr := s.cfg.Transceiver
		st := radiotest.New(radio.SampleRate4)
		if _, err := tr.WriteFrame(st, 0, 0, false); err != nil {
			t.Fatal(err)
		}
		var p trxproto.DownlinkPDU
		good := p.Unmarshal(b) == nil
		n := int(copies%8) + 1
		for range n {
			s.queue(b)
		}
		ts := tr.Stats()
		if good && ts.Submitted+ts.Late+ts.Early != uint64(n) || !good && s.BadData() != uint64(n) {
			t.Fatalf("%d copies of %q: stats %+v, %d unreadable", n, b, ts, s.BadData())
		}
		for fn := tdma.FN(1); fn <= tdma.FN(frames%32)+1; fn++ {
			if _, err := tr.WriteFrame(st, fn, 0, false); err != nil {
				t.Fatalf("WriteFrame(%d) = %v", fn, err)
			}
		}
		if got := tr.Stats().Frames; got != uint64(frames%32)+2 {
			t.Fatalf("%d frames written, want %d", got, frames%32+2)
		}
	})
}

// A flood of unreadable PDUs is counted and gives a bounded log.
func TestQueueFloodLogsBounded(t *testing.T) {
	var logs bytes.Buffer
	s := newQueueServer(t, slog.New(slog.NewTextHandler(&logs, nil)))
	const n = 40000
	for i := range n {
		s.queue([]byte{byte(i), 1, 2})
	}
	s.queue(downlinkPDU(3, 0, 0))
	s.badData.Flush()
	if s.BadData() != n || s.cfg.Transceiver.Stats().Submitted != 1 {
		t.Errorf("BadData() = %d, submitted %d; want %d and 1", s.BadData(), s.cfg.Transceiver.Stats().Submitted, n)
	}
	if lines := strings.Count(logs.String(), "\n"); lines > 8 {
		t.Errorf("%d unreadable PDUs gave %d log lines, want at most 8", n, lines)
	}
}
