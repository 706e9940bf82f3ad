package chanscan_test

import (
	"io"
	"log/slog"
	"math"
	"testing"
	"time"

	"periph.io/x/conn/v3/physic"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/boards/rf/lime/limetest"
	"github.com/gsmbox/gsmbox/boards/rf/lms7002m"
	"github.com/gsmbox/gsmbox/boards/rf/rftest"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/firmware/chanscan"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// TestFCCHOffsets measures a foreign cell's FCCH through a LimeSDR Mini
// fake whose reference runs 1.2 ppm fast, with the cell itself 25 Hz
// high: every burst must read −1.2 ppm × f + 25 Hz (to a few Hz), and a
// CW interferer must give no burst at all.
func TestFCCHOffsets(t *testing.T) {
	const ppb = 1200.0
	cell := foreign(t, 20, 3, 5, "262", "01", 4711, 301, -30)
	cell.Hz += 25
	cw, _ := tdma.GSM900.DownlinkHz(80)
	board, err := boards.Lookup("rpi4-limesdr")
	if err != nil {
		t.Fatal(err)
	}
	chain := board.RF.Chain
	log := slog.New(slog.DiscardHandler)
	dry := &rftest.DryRun{W: io.Discard, Chain: chain, LimeConfig: limetest.Config{NoiseDBFS: -70, Seed: 2, RefErrorPPB: ppb,
		Transmitters: []limetest.Transmitter{cell}, Carriers: []limetest.Carrier{{Hz: float64(cw), DBFS: -30}}}}
	fe, err := rf.Open(chain, dry, rf.BringupOpts{Band: tdma.GSM900, BoardMaxDBm: board.RF.MaxPowerDBm, Log: log, Sleep: func(time.Duration) {}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := lms7002m.PlanStream(chain.RefClock, 4, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := fe.LMS.ConfigureStream(plan); err != nil {
		t.Fatal(err)
	}
	pacer := limetest.NewPacer()
	pacer.Src = dry.Lime.Render
	dry.Lime.SetRX(pacer)
	s, err := lime.NewStream(fe.Lime, lime.StreamConfig{SampleRate: plan.RateHz, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pacer.Close(); s.Close(); fe.Close() })
	r := &chanscan.Lime{LMS: fe.LMS, S: s, Allow: pacer.Allow}

	// The LO lands on the 20-bit fraction's grid: its error is part of
	// the offset (corrected here as the calibration does).
	hz, _ := tdma.GSM900.DownlinkHz(20)
	sx, err := fe.LMS.Tune(lms7002m.RX, physic.Frequency(hz)*physic.Hertz)
	if err != nil {
		t.Fatal(err)
	}
	fl := radio.Timestamp(5000)
	offs, err := chanscan.FCCHOffsets(r.Stream(), r.Next()+fl, 4, 102)
	if err != nil {
		t.Fatal(err)
	}
	want := -ppb*1e-9*cell.Hz + 25 - sx.ErrorHz()
	var sum, ss float64
	for _, o := range offs {
		sum += o
	}
	mean := sum / float64(len(offs))
	for _, o := range offs {
		ss += (o - mean) * (o - mean)
	}
	sd := math.Sqrt(ss / float64(max(len(offs)-1, 1)))
	t.Logf("%d FCCH bursts in 102 frames: mean %.1f Hz (want %.1f), sd %.1f Hz", len(offs), mean, want, sd)
	// 102 frames hold 10 FCCH bursts (frames 0, 10, 20, 30, 40 of each
	// 51-multiframe).
	if len(offs) < 9 || len(offs) > 11 {
		t.Errorf("FCCHOffsets found %d bursts in 102 frames, want 10", len(offs))
	}
	if math.Abs(mean-want) > 1 {
		t.Errorf("mean FCCH offset %.1f Hz, want %.1f ± 1", mean, want)
	}
	if err := r.TuneDownlink(tdma.GSM900, 80); err != nil {
		t.Fatal(err)
	}
	offs, err = chanscan.FCCHOffsets(r.Stream(), r.Next()+fl, 4, 51)
	if err != nil {
		t.Fatal(err)
	}
	if len(offs) != 0 {
		t.Errorf("FCCHOffsets on a CW interferer = %v, want none", offs)
	}
}
