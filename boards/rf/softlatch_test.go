package rf_test

import (
	"io"
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/boards/rf/gpspps"
	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/boards/rf/lime/limetest"
	"github.com/gsmbox/gsmbox/boards/rf/lms7002m"
	"github.com/gsmbox/gsmbox/boards/rf/rftest"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// hostLike is the dry run as the real host opener is for a USB radio:
// no sample-counter driver, and the PPS on a pin the test drives.
type hostLike struct {
	*rftest.DryRun
	pps *gpiotest.Pin
}

func (hostLike) Counter() gpspps.Counter { return nil }

func (o hostLike) Pin(name string) (gpio.PinIO, error) {
	if name == rf.LimeNETMicro.Pins.PPS {
		return o.pps, nil
	}
	return o.DryRun.Pin(name)
}

// The LimeNET Micro brought up on a host without a latch gets the
// software latch: its clock service reads PPS edges against the fit the
// sample stream feeds (Frontend.Arrivals). With the fake board paced at
// its nominal rate in real time, the count read at an edge must be the
// board's counter then, to within a few transfers.
func TestLimeNETSoftLatchBringup(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	pin := &gpiotest.Pin{N: "GPIO4", EdgesChan: make(chan gpio.Level, 1)}
	op := hostLike{DryRun: &rftest.DryRun{W: io.Discard, Chain: rf.LimeNETMicro, LimeConfig: limetest.Config{}}, pps: pin}
	fe, err := rf.Open(rf.LimeNETMicro, op, rf.BringupOpts{Band: tdma.GSM900, ARFCN: 62, BoardMaxDBm: 10, Log: log, Sleep: func(time.Duration) {}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fe.Close()
	last := fe.Steps[len(fe.Steps)-1]
	if fe.ClockSvc == nil || fe.Arrivals == nil || !strings.Contains(last.Detail, "software latch: GPIO edge") {
		t.Fatalf("clock service %v, arrivals %v, step %q: want the software latch", fe.ClockSvc != nil, fe.Arrivals != nil, last.Detail)
	}
	plan, err := lms7002m.PlanStream(rf.LimeNETMicro.RefClock, 4, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := fe.LMS.ConfigureStream(plan); err != nil {
		t.Fatal(err)
	}
	pacer := limetest.NewPacer()
	op.Lime.SetRX(pacer)
	st, err := lime.NewStream(fe.Lime, lime.StreamConfig{SampleRate: plan.RateHz, Log: log, Arrivals: fe.Arrivals, PacketsPerTransfer: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { pacer.Close(); st.Close() }()
	// Pace the board in real time at its nominal rate for 2.5 s.
	start := time.Now()
	for time.Since(start) < 2500*time.Millisecond {
		pacer.Allow(radio.Timestamp(time.Since(start).Seconds() * plan.RateHz))
		time.Sleep(time.Millisecond)
	}
	head := float64(op.Lime.Counter())
	pin.EdgesChan <- gpio.High
	ev, err := fe.ClockSvc.PPS.Next()
	if err != nil || ev.Timeout {
		t.Fatalf("PPS Next() = %+v, %v", ev, err)
	}
	got := float64(ev.Ticks) * plan.RateHz / 30.72e6
	fs := fe.Arrivals.Stats()
	t.Logf("edge at stream sample %.0f (board counter %.0f); fit over %d arrivals, %d bins, residual %.1f µs, rate %.0f Hz", got, head, fs.Points, fs.Bins, fs.ResidualNs/1e3, fs.RateHz)
	// A few ms of scheduling on a shared host: 50 ms either way; the
	// rate the fit measured is the pacing's, nominal to within 2 %.
	if math.Abs(fs.RateHz/plan.RateHz-1) > 0.02 {
		t.Errorf("fit rate %.0f Hz, want %.0f ± 2 %%", fs.RateHz, plan.RateHz)
	}
	if d := got - head; math.Abs(d) > 0.05*plan.RateHz {
		t.Errorf("count at the edge %.0f, board counter %.0f (off by %.1f ms)", got, head, d/plan.RateHz*1e3)
	}
}
