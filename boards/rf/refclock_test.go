package rf_test

import (
	"io"
	"log/slog"
	"math"
	"math/cmplx"
	"sync"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/boards/rf/lime/limetest"
	"github.com/gsmbox/gsmbox/boards/rf/lms7002m"
	"github.com/gsmbox/gsmbox/boards/rf/rftest"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

type txCapture struct {
	mu sync.Mutex
	x  []complex64
}

func (c *txCapture) Write(src []complex64, ts radio.Timestamp) (int, radio.Flags, error) {
	c.mu.Lock()
	c.x = append(c.x, src...)
	c.mu.Unlock()
	return len(src), 0, nil
}

// The Lime fake models its reference error on what it transmits: a
// constant baseband leaves the board y·f_SXT above the carrier, and
// moving the trim DAC (as the calibration does) moves it by the fake's
// slope — the board side of TestClockCalibratedFromCells, checked here
// on the TX path, which that test cannot hear.
func TestFakeReferenceErrorOnTX(t *testing.T) {
	const ppb = 1500.0
	capt := &txCapture{}
	log := slog.New(slog.DiscardHandler)
	dry := &rftest.DryRun{W: io.Discard, Chain: rf.LimeSDRMini, LimeConfig: limetest.Config{RefErrorPPB: ppb, TX: capt}}
	fe, err := rf.Open(rf.LimeSDRMini, dry, rf.BringupOpts{Band: tdma.GSM900, ARFCN: 62, BoardMaxDBm: 10, Log: log, Sleep: func(time.Duration) {}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fe.Close()
	plan, err := lms7002m.PlanStream(rf.LimeSDRMini.RefClock, 4, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := fe.LMS.ConfigureStream(plan); err != nil {
		t.Fatal(err)
	}
	measure := func() float64 {
		capt.mu.Lock()
		capt.x = nil
		capt.mu.Unlock()
		pacer := limetest.NewPacer()
		dry.Lime.SetRX(pacer)
		st, err := lime.NewStream(fe.Lime, lime.StreamConfig{SampleRate: plan.RateHz, Log: log, TXLead: 1})
		if err != nil {
			t.Fatal(err)
		}
		dc := make([]complex64, 4080)
		for i := range dc {
			dc[i] = 0.5
		}
		// The board's counter stays at 0 (the pacer allows nothing): the
		// samples stamped 4080 on are early, never late.
		if _, _, err := st.Write(dc, radio.Timestamp(len(dc))); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			capt.mu.Lock()
			n := len(capt.x)
			capt.mu.Unlock()
			if n >= len(dc) {
				break
			}
		}
		pacer.Close()
		st.Close()
		capt.mu.Lock()
		defer capt.mu.Unlock()
		if len(capt.x) < 1000 {
			t.Fatalf("the fake sent %d TX samples on, want %d", len(capt.x), len(dc))
		}
		// Mean phase step per sample → frequency.
		var acc complex128
		for i := 1; i < len(capt.x); i++ {
			acc += complex128(capt.x[i]) * cmplx.Conj(complex128(capt.x[i-1]))
		}
		return cmplx.Phase(acc) / (2 * math.Pi) * plan.RateHz
	}
	tx := dry.Lime.TXFrequency()
	got := measure()
	t.Logf("SXT %.1f Hz: TX tone at midscale %+.2f Hz", tx, got)
	if want := ppb * 1e-9 * tx; math.Abs(got-want) > 1 {
		t.Errorf("TX tone at midscale: %.2f Hz, want y·f_SXT = %.2f Hz", got, want)
	}
	if _, err := fe.TrimBy(-4096); err != nil {
		t.Fatal(err)
	}
	got = measure()
	want := (ppb - 4096*10000.0/65536) * 1e-9 * tx
	if math.Abs(got-want) > 1 || math.Abs(dry.Lime.RefError()*1e9-(ppb-4096*10000.0/65536)) > 1e-6 {
		t.Errorf("TX tone after trimming 4096 codes down: %.2f Hz, want %.2f Hz", got, want)
	}
}
