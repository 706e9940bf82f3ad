package rf

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/physic"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time          { return c.t }
func (c *fakeClock) Advance(d time.Duration) { c.t = c.t.Add(d) }

type fakeHW struct {
	locked   bool
	freq     physic.Frequency
	halted   int
	pa       bool
	paErr    error
	atten    float64
	attens   []float64
	tx       bool
	band     uint8
	current  physic.ElectricCurrent
	temp     physic.Temperature
	sensErr  error
	paEvents []bool
}

func (f *fakeHW) Tune(x physic.Frequency) error { f.freq = x; return nil }
func (f *fakeHW) Locked() bool                  { return f.locked }
func (f *fakeHW) Halt() error                   { f.halted++; return nil }
func (f *fakeHW) SetPA(on bool) error {
	f.paEvents = append(f.paEvents, on)
	if f.paErr != nil {
		return f.paErr
	}
	f.pa = on
	return nil
}
func (f *fakeHW) Set(db float64) error        { f.atten = db; f.attens = append(f.attens, db); return nil }
func (f *fakeHW) SetTX(on bool) error         { f.tx = on; return nil }
func (f *fakeHW) SelectBand(code uint8) error { f.band = code; return nil }
func (f *fakeHW) Current() (physic.ElectricCurrent, error) {
	return f.current, f.sensErr
}
func (f *fakeHW) Temperature() (physic.Temperature, error) { return f.temp, f.sensErr }

func celsius(c float64) physic.Temperature {
	return physic.ZeroCelsius + physic.Temperature(c*1000)*physic.MilliKelvin
}

func newTestGuard(t *testing.T, band tdma.Band, boardMax float64) (*Guard, *fakeHW, *fakeClock, *bytes.Buffer) {
	t.Helper()
	hw := &fakeHW{locked: true, current: 500 * physic.MilliAmpere, temp: celsius(40)}
	clk := &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	var logs bytes.Buffer
	g, err := NewGuard(Hardware{LO: hw, PA: hw, Atten: hw, Path: hw, Current: hw, Temp: hw}, GuardConfig{
		Band: band, BoardMaxDBm: boardMax, Chain: RPi4HAT, Clock: clk,
		Log: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	if err != nil {
		t.Fatalf("NewGuard() = %v", err)
	}
	return g, hw, clk, &logs
}

func TestGuardStartsSafe(t *testing.T) {
	_, hw, _, _ := newTestGuard(t, tdma.DCS1800, 27)
	if hw.pa || hw.atten != 31.5 || hw.tx || hw.halted != 1 || hw.band != 2 {
		t.Errorf("NewGuard(): pa %v atten %v tx %v halted %d band %d, want off, 31.5, rx, 1, filter 2", hw.pa, hw.atten, hw.tx, hw.halted, hw.band)
	}
}

func TestGuardBandEdges(t *testing.T) {
	g, _, _, logs := newTestGuard(t, tdma.GSM900, 27)
	tests := []struct {
		khz int64
		ok  bool
	}{
		{925200, true},  // E-GSM ARFCN 975 downlink
		{959800, true},  // ARFCN 124 downlink
		{925000, false}, // below the lowest carrier
		{960000, false},
		{902400, false}, // an uplink frequency
		{1805200, false},
	}
	for _, tt := range tests {
		err := g.Tune(physic.Frequency(tt.khz) * physic.KiloHertz)
		if (err == nil) != tt.ok || (!tt.ok && !errors.Is(err, ErrOutOfBand)) {
			t.Errorf("Tune(%d kHz) = %v, want ok=%v (ErrOutOfBand)", tt.khz, err, tt.ok)
		}
	}
	if err := g.TuneARFCN(600); !errors.Is(err, ErrOutOfBand) {
		t.Errorf("TuneARFCN(600) on GSM900 = %v, want ErrOutOfBand", err)
	}
	if s := g.Status(); s.Refused != 5 {
		t.Errorf("Status().Refused = %d, want 5", s.Refused)
	}
	if !strings.Contains(logs.String(), "refused TX tune outside band") {
		t.Errorf("no log line for the refused tune:\n%s", logs)
	}
}

func TestGuardPowerLimit(t *testing.T) {
	// The board allows 20 dBm, less than the HAT's 27: the lower wins.
	g, _, _, _ := newTestGuard(t, tdma.GSM900, 20)
	if err := g.SetPower(20.5); !errors.Is(err, ErrPowerLimit) {
		t.Errorf("SetPower(20.5) = %v, want ErrPowerLimit", err)
	}
	if err := g.SetPower(20); err != nil {
		t.Errorf("SetPower(20) = %v, want nil", err)
	}
	g2, _, _, _ := newTestGuard(t, tdma.GSM900, 43)
	if err := g2.SetPower(27.5); !errors.Is(err, ErrPowerLimit) {
		t.Errorf("SetPower(27.5) with chain max 27 = %v, want ErrPowerLimit", err)
	}
}

func TestGuardKeyUpPreconditions(t *testing.T) {
	g, hw, _, _ := newTestGuard(t, tdma.GSM900, 27)
	if err := g.KeyUp(); !errors.Is(err, ErrNotReady) {
		t.Errorf("KeyUp() untuned = %v, want ErrNotReady", err)
	}
	if err := g.TuneARFCN(62); err != nil {
		t.Fatal(err)
	}
	if hw.freq != 947400*physic.KiloHertz {
		t.Errorf("TuneARFCN(62) tuned %v, want 947.4 MHz", hw.freq)
	}
	hw.locked = false
	if err := g.KeyUp(); !errors.Is(err, ErrNotReady) {
		t.Errorf("KeyUp() unlocked = %v, want ErrNotReady", err)
	}
	hw.locked = true
	if err := g.KeyUp(); !errors.Is(err, ErrNotReady) || !strings.Contains(err.Error(), "clock") {
		t.Errorf("KeyUp() without clock = %v, want ErrNotReady about the clock", err)
	}
	if hw.pa {
		t.Fatalf("PA on after refused KeyUp")
	}
	g.SetOverride(true)
	if err := g.KeyUp(); err != nil {
		t.Errorf("KeyUp() with override = %v, want nil", err)
	}
	if !hw.pa || !hw.tx {
		t.Errorf("KeyUp(): pa %v tx %v, want both on", hw.pa, hw.tx)
	}
}

func TestGuardRamp(t *testing.T) {
	g, hw, clk, _ := newTestGuard(t, tdma.GSM900, 27)
	g.SetClockOK(true)
	if err := g.TuneARFCN(62); err != nil {
		t.Fatal(err)
	}
	if err := g.SetPower(27); err != nil {
		t.Fatal(err)
	}
	if err := g.KeyUp(); err != nil {
		t.Fatal(err)
	}
	var powers []float64
	powers = append(powers, g.Status().PowerDBm)
	for i := 0; i < 40 && g.Status().State != TXOn; i++ {
		clk.Advance(100 * time.Millisecond)
		g.Poll()
		if p := g.Status().PowerDBm; p != powers[len(powers)-1] {
			powers = append(powers, p)
		}
	}
	want := []float64{-1.5, 1.5, 4.5, 7.5, 10.5, 13.5, 16.5, 19.5, 22.5, 25.5, 27}
	if len(powers) != len(want) {
		t.Fatalf("ramp = %v, want %v", powers, want)
	}
	for i := range want {
		if powers[i] != want[i] {
			t.Errorf("ramp step %d = %.1f dBm, want %.1f", i, powers[i], want[i])
		}
	}
	if s := g.Status(); s.State != TXOn || hw.atten != 3 {
		t.Errorf("after ramp: state %v atten %.1f, want on, 3 dB", s.State, hw.atten)
	}
	// Going down applies at once.
	if err := g.SetPower(10); err != nil || hw.atten != 20 {
		t.Errorf("SetPower(10) = %v, atten %.1f, want 20 dB", err, hw.atten)
	}
}

func TestGuardTrips(t *testing.T) {
	tests := []struct {
		name   string
		fault  func(hw *fakeHW, g *Guard)
		reason TripReason
	}{
		{"pll unlock", func(hw *fakeHW, g *Guard) { hw.locked = false }, TripPLLUnlock},
		{"over temperature", func(hw *fakeHW, g *Guard) { hw.temp = celsius(86) }, TripOverTemperature},
		{"over current", func(hw *fakeHW, g *Guard) { hw.current = 1600 * physic.MilliAmpere }, TripOverCurrent},
		{"sensor fault", func(hw *fakeHW, g *Guard) { hw.sensErr = errors.New("i2c: nack") }, TripSensorFault},
		{"clock lost", func(hw *fakeHW, g *Guard) { g.SetClockOK(false) }, TripClockLost},
		{"shutdown", func(hw *fakeHW, g *Guard) { g.Shutdown() }, TripShutdown},
		{"stream lost", func(hw *fakeHW, g *Guard) { g.SetStreamOK(false) }, TripStreamLost},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, hw, clk, logs := newTestGuard(t, tdma.GSM900, 27)
			g.SetClockOK(true)
			if err := g.TuneARFCN(10); err != nil {
				t.Fatal(err)
			}
			if err := g.KeyUp(); err != nil {
				t.Fatal(err)
			}
			g.Poll()
			if !hw.pa {
				t.Fatalf("PA off before the fault")
			}
			clk.Advance(time.Second)
			tt.fault(hw, g)
			g.Poll()
			g.Poll() // a persisting fault is counted once
			s := g.Status()
			if hw.pa || s.State != TXTripped || s.LastTrip != tt.reason || s.Trips[tt.reason] != 1 || s.TotalTrips != 1 {
				t.Errorf("after %s: pa %v, status %+v, want PA off, tripped once for %v", tt.name, hw.pa, s, tt.reason)
			}
			if !s.LastTripAt.Equal(clk.t) {
				t.Errorf("LastTripAt = %v, want %v", s.LastTripAt, clk.t)
			}
			if hw.atten != 31.5 || hw.tx {
				t.Errorf("after trip: atten %.1f tx %v, want 31.5, rx", hw.atten, hw.tx)
			}
			if !strings.Contains(logs.String(), "reason="+tt.reason.String()) {
				t.Errorf("trip not logged with its reason:\n%s", logs)
			}
			if err := g.KeyUp(); !errors.Is(err, ErrTripped) {
				t.Errorf("KeyUp() while tripped = %v, want ErrTripped", err)
			}
		})
	}
}

func TestGuardClockLostWithOverride(t *testing.T) {
	g, hw, _, _ := newTestGuard(t, tdma.GSM900, 27)
	g.SetClockOK(true)
	g.SetOverride(true)
	_ = g.TuneARFCN(10)
	if err := g.KeyUp(); err != nil {
		t.Fatal(err)
	}
	g.SetClockOK(false)
	if !hw.pa || g.Status().State == TXTripped {
		t.Errorf("clock loss with override tripped the PA")
	}
}

func TestGuardClearTripRechecks(t *testing.T) {
	g, hw, _, _ := newTestGuard(t, tdma.GSM900, 27)
	g.SetClockOK(true)
	_ = g.TuneARFCN(10)
	_ = g.KeyUp()
	hw.temp = celsius(90)
	g.Poll()
	g.ClearTrip()
	if err := g.KeyUp(); err != nil {
		t.Fatalf("KeyUp() after ClearTrip = %v", err)
	}
	g.Poll() // still hot
	if s := g.Status(); s.State != TXTripped || hw.pa {
		t.Errorf("persisting over-temperature after ClearTrip: state %v pa %v, want tripped, off", s.State, hw.pa)
	}
}

func TestGuardRetuneDropsPA(t *testing.T) {
	g, hw, _, _ := newTestGuard(t, tdma.GSM900, 27)
	g.SetClockOK(true)
	_ = g.TuneARFCN(10)
	_ = g.KeyUp()
	if err := g.TuneARFCN(20); err != nil {
		t.Fatal(err)
	}
	if hw.pa || g.Status().State != TXOff {
		t.Errorf("Tune() while keyed left the PA on")
	}
}

func TestSafeStateTriesEverything(t *testing.T) {
	g, hw, _, _ := newTestGuard(t, tdma.GSM900, 27)
	g.SetClockOK(true)
	_ = g.TuneARFCN(10)
	_ = g.KeyUp()
	hw.paErr = errors.New("gpio: stuck")
	halted := hw.halted
	err := g.SafeState()
	if err == nil || !strings.Contains(err.Error(), "stuck") {
		t.Errorf("SafeState() = %v, want the PA error", err)
	}
	if hw.atten != 31.5 || hw.tx || hw.halted != halted+1 {
		t.Errorf("SafeState() with a failing PA switch: atten %.1f tx %v halted %d, want the other steps done", hw.atten, hw.tx, hw.halted-halted)
	}
}

func BenchmarkGuardPoll(b *testing.B) {
	hw := &fakeHW{locked: true, current: 500 * physic.MilliAmpere, temp: celsius(40)}
	clk := &fakeClock{t: time.Unix(0, 0)}
	g, err := NewGuard(Hardware{LO: hw, PA: hw, Atten: hw, Path: hw, Current: hw, Temp: hw}, GuardConfig{
		Band: tdma.GSM900, BoardMaxDBm: 27, Chain: RPi4HAT, Clock: clk, Log: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)),
	})
	if err != nil {
		b.Fatal(err)
	}
	g.SetClockOK(true)
	_ = g.TuneARFCN(62)
	_ = g.KeyUp()
	hw.attens = nil
	b.ReportAllocs()
	for b.Loop() {
		g.Poll()
	}
}

// TestGuardStreamGate: an unhealthy sample stream refuses KeyUp even with
// the clock override; once healthy again (and the trip cleared) it keys.
func TestGuardStreamGate(t *testing.T) {
	g, hw, _, _ := newTestGuard(t, tdma.GSM900, 27)
	g.SetOverride(true)
	if err := g.TuneARFCN(10); err != nil {
		t.Fatal(err)
	}
	g.SetStreamOK(false)
	if err := g.KeyUp(); !errors.Is(err, ErrNotReady) || hw.pa {
		t.Fatalf("KeyUp() with an unhealthy stream = %v (PA %v), want ErrNotReady", err, hw.pa)
	}
	if !g.Status().StreamFault {
		t.Error("Status().StreamFault = false")
	}
	g.SetStreamOK(true)
	if err := g.KeyUp(); err != nil || !hw.pa {
		t.Errorf("KeyUp() after recovery = %v (PA %v)", err, hw.pa)
	}
}
