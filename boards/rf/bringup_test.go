package rf_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/boards/rf/discipline"
	"github.com/gsmbox/gsmbox/boards/rf/gpspps"
	"github.com/gsmbox/gsmbox/boards/rf/rftest"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)) }

func TestOpenRPi4HATDryRun(t *testing.T) {
	var out bytes.Buffer
	dry := &rftest.DryRun{W: &out, Chain: rf.RPi4HAT}
	var steps []string
	fe, err := rf.Open(rf.RPi4HAT, dry, rf.BringupOpts{Band: tdma.GSM900, ARFCN: 62, BoardMaxDBm: 27, PPSWait: time.Second, Log: quiet(), Sleep: func(time.Duration) {}},
		func(s rf.Step) { steps = append(steps, s.Name+": "+s.Detail) })
	if err != nil {
		t.Fatalf("Open() = %v\nsteps:\n%s", err, strings.Join(steps, "\n"))
	}
	defer fe.Close()
	wantSteps := []string{"safe pins", "attenuator pe4302", "tx-lo adf4351 SPI0.0", "rx-lo adf4351 SPI0.1",
		"pa-monitor ina219 I2C1@0x40", "temperature tmp102 I2C1@0x48", "interlock", "trim-dac mcp4725 I2C1@0x60", "gps pps GPIO4"}
	if len(steps) != len(wantSteps) {
		t.Fatalf("steps:\n%s\nwant %d steps", strings.Join(steps, "\n"), len(wantSteps))
	}
	for i, w := range wantSteps {
		if !strings.HasPrefix(steps[i], w+":") {
			t.Errorf("step %d = %q, want %q", i, steps[i], w)
		}
	}
	// The TX LO words for 947.4 MHz (see adf4351/testdata/README.md).
	for _, w := range []string{"00 58 00 05", "00 ad 04 3c", "18 00 4e 42", "08 00 82 09", "00 48 81 88"} {
		if !strings.Contains(out.String(), "SPI0.0  adf4351   write "+w) {
			t.Errorf("dry run lacks TX LO write %s:\n%s", w, out.String())
		}
	}
	if l, isOut := dry.Level("GPIO17"); !isOut || l != gpio.Low {
		t.Errorf("PA enable GPIO17 = %v (output %v), want driven low", l, isOut)
	}
	s := fe.Guard.Status()
	if s.State != rf.TXOff || s.FreqHz != 947_400_000 || !s.PLLLocked {
		t.Errorf("Guard.Status() = %+v, want off, tuned to 947.4 MHz, locked", s)
	}
	if fe.ClockSvc == nil {
		t.Errorf("no clock service on a chain with PPS and a trim DAC")
	}
	// A carrier calibration says the reference is 100 ppb fast: 26 codes down.
	cal, err := discipline.CarrierCalibration([]float64{-94.7, -94.8, -94.6, -94.7, -94.9, -94.5, -94.7, -94.7}, 947.4e6, rf.RPi4HAT.Trim.PPBPerLSB)
	if err != nil {
		t.Fatal(err)
	}
	if code, err := fe.TrimBy(cal.DACDelta); err != nil || code != 2048-26 {
		t.Errorf("TrimBy(%d) = %d, %v, want %d", cal.DACDelta, code, err, 2048-26)
	}
	if !strings.Contains(out.String(), "mcp4725   write 07 e6") {
		t.Errorf("no MCP4725 write of code 2022 (0x7e6) in the dry run")
	}
	if err := fe.SetLNABypass(true); err != nil {
		t.Errorf("SetLNABypass(true) = %v", err)
	}
	if l, _ := dry.Level("GPIO22"); l != gpio.High {
		t.Errorf("LNA bypass GPIO22 = %v after SetLNABypass(true), want High", l)
	}
}

func TestFrontendServeEndsSafe(t *testing.T) {
	var out bytes.Buffer
	dry := &rftest.DryRun{W: &out, Chain: rf.RPi4HAT}
	fe, err := rf.Open(rf.RPi4HAT, dry, rf.BringupOpts{Band: tdma.GSM900, ARFCN: 62, BoardMaxDBm: 27, Log: quiet(), Sleep: func(time.Duration) {}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fe.Close()
	fe.ClockSvc = nil // the dry-run PPS never blocks; test the poll loop alone
	fe.Guard.SetOverride(true)
	if err := fe.Guard.KeyUp(); err != nil {
		t.Fatalf("KeyUp() = %v", err)
	}
	if l, _ := dry.Level("GPIO17"); l != gpio.High {
		t.Fatalf("PA enable = %v after KeyUp, want High", l)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 350*time.Millisecond)
	defer cancel()
	if err := fe.Serve(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Serve() = %v, want the context's error", err)
	}
	if l, _ := dry.Level("GPIO17"); l != gpio.Low {
		t.Errorf("PA enable = %v after Serve returned, want Low (safe state)", l)
	}
	if s := fe.Guard.Status(); s.State != rf.TXOff || s.PowerDBm != -1.5 {
		t.Errorf("Status() after Serve: state %v, power %.1f dBm, want off at the -1.5 dBm floor", s.State, s.PowerDBm)
	}
}

func TestOpenLimeNETDryRun(t *testing.T) {
	var out bytes.Buffer
	dry := &rftest.DryRun{W: &out, Chain: rf.LimeNETMicro}
	fe, err := rf.Open(rf.LimeNETMicro, dry, rf.BringupOpts{Band: tdma.DCS1800, ARFCN: 600, BoardMaxDBm: 10, Log: quiet(), Sleep: func(time.Duration) {}}, nil)
	if err != nil {
		t.Fatalf("Open() = %v", err)
	}
	defer fe.Close()
	// The chip is reached over USB: its reset through the FPGA, its
	// chip ID as an LMS64C read.
	for _, w := range []string{"LMS64C LMS7002_RST", "LMS64C LMS7002_RD status=completed blocks=1 periph=0 002f->3841", "ANALOG_VAL_WR"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("dry run lacks %q:\n%s", w, out.String())
		}
	}
	if fe.Lime == nil || fe.LMS == nil {
		t.Error("Frontend.Lime or .LMS not set for a USB chain")
	}
	if s := fe.Guard.Status(); s.FreqHz != 1_822_800_000 || !s.PLLLocked || s.MaxPowerDBm != 10 {
		t.Errorf("Guard.Status() = %+v, want 1822.8 MHz, locked, max 10 dBm", s)
	}
	// TX pad is powered down (PD_TXPAD_TRF = 1, EN_G_TRF = 0).
	if v := dry.LMS.Reg(0x0100) & 3; v != 2 {
		t.Errorf("TRF 0x0100[1:0] = %b, want 10 (TX pad off)", v)
	}
}

func TestOpenStopsAtFailingStep(t *testing.T) {
	var out bytes.Buffer
	c := *rf.RPi4HAT
	c.Parts = append([]rf.Part{}, c.Parts...)
	for i := range c.Parts {
		if c.Parts[i].Role == rf.RoleTemperature {
			c.Parts[i].Bus.Addr = 0x49 // nothing answers there
		}
	}
	dry := &rftest.DryRun{W: &out, Chain: rf.RPi4HAT} // the bus has the TMP102 at 0x48
	fe, err := rf.Open(&c, dry, rf.BringupOpts{Band: tdma.GSM900, BoardMaxDBm: 27, Log: quiet()}, nil)
	if err == nil {
		t.Fatalf("Open() with a missing TMP102 = nil error")
	}
	last := fe.Steps[len(fe.Steps)-1]
	if last.Err == nil || !strings.HasPrefix(last.Name, "temperature") {
		t.Errorf("last step = %+v, want the failing temperature step", last)
	}
}

// scriptedPPS plays ticks, then cancels.
type scriptedPPS struct {
	evs    []gpspps.Event
	cancel func()
}

func (s *scriptedPPS) Next() (gpspps.Event, error) {
	if len(s.evs) == 0 {
		s.cancel()
		return gpspps.Event{Timeout: true}, nil
	}
	e := s.evs[0]
	s.evs = s.evs[1:]
	return e, nil
}

type dacLog struct{ codes []uint32 }

func (d *dacLog) SetCode(c uint32) error { d.codes = append(d.codes, c); return nil }

func TestClockServiceGatesGuard(t *testing.T) {
	var out bytes.Buffer
	dry := &rftest.DryRun{W: &out, Chain: rf.RPi4HAT}
	fe, err := rf.Open(rf.RPi4HAT, dry, rf.BringupOpts{Band: tdma.GSM900, ARFCN: 1, BoardMaxDBm: 27, Log: quiet()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fe.Close()
	loop, err := discipline.New(discipline.Config{NominalHz: 26e6, PPBPerLSB: 3.9, DACBits: 12})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	// 100 s of a 1 ppm fast oscillator: the loop corrects and locks.
	var evs []gpspps.Event
	var ticks uint64 = 1000
	for i := 0; i < 100; i++ {
		evs = append(evs, gpspps.Event{Ticks: ticks})
		ticks += 26_000_026
	}
	src := &scriptedPPS{evs: evs, cancel: cancel}
	dac := &dacLog{}
	// The oscillator in this script does not respond to the DAC, so
	// feed the loop's corrections back by hand: rewrite the remaining
	// intervals after each event.
	svc := &rf.ClockService{PPS: &feedback{src: src, loop: loop}, Loop: loop, DAC: dac, Guard: fe.Guard, Log: quiet()}
	if err := svc.Serve(ctx); err != context.Canceled {
		t.Fatalf("Serve() = %v, want context.Canceled", err)
	}
	if len(dac.codes) < 2 || dac.codes[0] != 2048 {
		t.Errorf("DAC codes %v, want midscale first, then corrections", dac.codes)
	}
	if loop.State() != discipline.Locked {
		t.Errorf("loop state %v after 100 s, want locked", loop.State())
	}
	// Serve told the guard the clock is gone on exit.
	if fe.Guard.Status().ClockOK {
		t.Errorf("Guard clock OK after the service stopped")
	}
}

// feedback rewrites the scripted tick counts so the simulated oscillator
// follows the loop's DAC (3.9 ppb per code from midscale).
type feedback struct {
	src  *scriptedPPS
	loop *discipline.Loop
	last uint64
	have bool
}

func (f *feedback) Next() (gpspps.Event, error) {
	e, err := f.src.Next()
	if err != nil || e.Timeout {
		return e, err
	}
	if !f.have {
		f.have, f.last = true, e.Ticks
		return e, nil
	}
	y := 1e-6 + (float64(f.loop.DAC())-2048)*3.9e-9
	f.last += uint64(26e6*(1+y) + 0.5)
	return gpspps.Event{Ticks: f.last}, nil
}
