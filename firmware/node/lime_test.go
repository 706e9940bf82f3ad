package node

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/boards/rf/lime/limetest"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/dsp/sim"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/node/simphones"
)

// pacedTX is the fake board's TX sink: the samples go onto the air at
// the cell's endpoint, and the board's clock is let run to one frame
// behind the newest of them, as a real board's clock runs behind a host
// that keeps its TX lead (in virtual time nothing else would stop the
// board's RX from running ahead of the cell).
type pacedTX struct {
	bts   *sim.Endpoint
	pacer *limetest.Pacer
	frame int
}

func (w *pacedTX) Write(src []complex64, ts radio.Timestamp) (int, radio.Flags, error) {
	n, fl, err := w.bts.Write(src, ts)
	if end := ts + radio.Timestamp(n); end > radio.Timestamp(w.frame) {
		w.pacer.Allow(end - radio.Timestamp(w.frame))
	}
	return n, fl, err
}

// Issue 17: the cell reaches the simulated air through the LimeSDR
// driver (lime.Stream over the FT601/LMS64C protocol) talking to the
// limetest fake board, whose antenna is the cell's endpoint; ten
// provisioned virtual phones on the same air register, authenticated and
// ciphered, in virtual time, and the stream stays healthy with no lost,
// late or underrun samples.
func TestLimeStreamRegistersSimPhones(t *testing.T) {
	const phones = 10
	cfg := config.Default()
	cfg.Subscribers.DB = filepath.Join(t.TempDir(), "subscribers.db")
	log := slog.New(slog.DiscardHandler)
	air, err := NewSimAir(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer air.Close()
	tx := air.Transmitter()
	if tx.SampleRate() != radio.SampleRate4 {
		t.Fatalf("sim air at %v S/s, the Lime stream runs at %v", tx.SampleRate(), radio.SampleRate4)
	}
	const delay = 96
	pacer := limetest.NewPacer()
	bts := air.BTS
	pacer.Src = func(dst []complex64, ts radio.Timestamp) {
		if _, _, err := bts.Read(dst, ts); err != nil {
			clear(dst)
		}
	}
	// The stream alone (no bring-up tunes or routes the chip; the
	// routed variants are firmware's Lime tests).
	fake := limetest.New(limetest.Config{RX: pacer, TX: &pacedTX{bts: bts, pacer: pacer, frame: tx.FrameLen()}, Delay: delay, IgnoreRouting: true})
	board, err := lime.Open(fake, nil)
	if err != nil {
		t.Fatal(err)
	}
	var unhealthy atomic.Int32
	st, err := lime.NewStream(board, lime.StreamConfig{DeviceDelay: delay, TXLead: 500, PacketsPerTransfer: 1,
		StallTimeout: 20 * time.Second, Log: log, OnHealth: func(h bool) {
			if !h {
				unhealthy.Add(1)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if err := air.OnStream(st); err != nil {
		t.Fatal(err)
	}
	watchdog := time.AfterFunc(55*time.Second, func() { air.Close(); pacer.Close() })
	defer watchdog.Stop()

	var ps *simphones.Phones
	nd, err := New(Config{Config: cfg, Log: log, Frames: 26 * 51 * 24, VirtualTime: true, OnFrame: func(k int64) error {
		if k%26 == 0 && (ps.Done() || ps.Registered() == phones) {
			return ErrStop
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer nd.Close()
	if ps, err = air.StartPhones(context.Background(), PhoneOptions{N: phones, Seed: 5, Registry: nd.Registry(), Log: log}); err != nil {
		t.Fatal(err)
	}
	serveErr := nd.Serve(context.Background(), air.Carrier)
	frames := nd.Frames()
	air.BTS.Close()
	ps.Stop()
	air.Close()
	pacer.Close()
	stats := st.Stats()
	st.Close()
	fake.Close()
	if serveErr != nil {
		t.Fatalf("Serve() = %v (stream %+v, board %+v)", serveErr, stats, fake.Stats())
	}

	t.Logf("%d frames; stream %+v; board %+v", frames, stats, fake.Stats())
	ok := 0
	for _, r := range ps.Rows() {
		t.Logf("phone %d %s TMSI %s %s authenticated=%v cipher=%s air %.2f s", r.Phone, r.IMSI, r.TMSI, r.Result, r.Authenticated, r.Cipher, r.AirTimeS)
		if r.TMSI != "" && r.Authenticated && r.Cipher != "" {
			ok++
		} else {
			t.Errorf("phone %d (%s): result %q reached %s, TMSI %q, authenticated %v, cipher %q", r.Phone, r.IMSI, r.Result, r.Reached, r.TMSI, r.Authenticated, r.Cipher)
		}
	}
	if ok != phones {
		t.Errorf("%d of %d phones registered, authenticated and ciphered through the Lime stream", ok, phones)
	}
	// The one underrun allowed is the head of frame 0: written for
	// timestamp 0 before the board's clock started, it is stamped
	// DeviceDelay early, before the first sample the board has.
	if stats.RXLost != 0 || stats.Late != 0 || stats.Underruns > 1 || !stats.Healthy || unhealthy.Load() != 0 {
		t.Errorf("Lime stream %+v, %d unhealthy turns; want no lost, late or underrun samples", stats, unhealthy.Load())
	}
	if bs := fake.Stats(); bs.TXLate != 0 || bs.RXDropped != 0 || bs.TXGood == 0 {
		t.Errorf("board %+v: want TX packets on time and no RX dropped", bs)
	}
	if snap := nd.Snapshot().Cell; snap.Dedicated.Ciphered < phones {
		t.Errorf("cell: %d channels ciphered, want ≥ %d", snap.Dedicated.Ciphered, phones)
	}
}
