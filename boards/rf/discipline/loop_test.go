package discipline

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// oscillator simulates a voltage-controlled reference oscillator counted
// by the sample clock, and a GPS receiver's PPS.
type oscillator struct {
	rng       *rand.Rand
	nominal   float64 // ticks per second
	y0        float64 // initial fractional offset
	rw        float64 // random-walk (temperature) component
	rwSigma   float64 // per-second random-walk step
	aging     float64 // per-second linear drift
	whiteFM   float64 // white frequency noise, fractional RMS
	slope     float64 // true fractional change per DAC code
	mid       float64
	dac       float64
	ticks     float64 // continuous tick count at the last whole GPS second
	jitterRMS float64 // PPS jitter, seconds RMS
	y         float64 // fractional frequency during the current second
}

func (o *oscillator) step() {
	o.rw += o.rng.NormFloat64()*o.rwSigma + o.aging
	o.y = o.y0 + o.rw + (o.dac-o.mid)*o.slope + o.rng.NormFloat64()*o.whiteFM
	o.ticks += o.nominal * (1 + o.y)
}

// edge returns the counter value latched at this second's PPS edge.
func (o *oscillator) edge() uint64 {
	j := o.rng.NormFloat64() * o.jitterRMS
	return uint64(math.Floor(o.ticks + j*o.nominal*(1+o.y)))
}

type simCase struct {
	name      string
	cfg       Config
	truePPB   float64 // true DAC slope (the loop is told cfg.PPBPerLSB)
	y0PPB     float64
	jitterNs  float64
	seconds   int
	lockBy    int // must lock within this many seconds
	outage    [2]int
	missProb  float64
	spurProb  float64
	seed      uint64
	maxResPPB float64
}

func TestSimulatedDiscipline(t *testing.T) {
	cases := []simCase{
		{name: "rpi4-hat 26MHz counter, MCP4725", cfg: Config{NominalHz: 26e6, PPBPerLSB: 16000.0 / 4096, DACBits: 12},
			truePPB: 0.9 * 16000.0 / 4096, y0PPB: 1800, jitterNs: 30, seconds: 2400, lockBy: 240,
			outage: [2]int{1200, 1290}, missProb: 0.01, spurProb: 0.005, seed: 1, maxResPPB: 50},
		{name: "limenet 30.72MHz counter, AD5662", cfg: Config{NominalHz: 30.72e6, PPBPerLSB: 10000.0 / 65536, DACBits: 16},
			truePPB: 1.15 * 10000.0 / 65536, y0PPB: -3000, jitterNs: 50, seconds: 2400, lockBy: 240,
			outage: [2]int{1500, 1530}, missProb: 0.02, spurProb: 0.005, seed: 2, maxResPPB: 50},
		// A counter at the 4-samples-per-symbol rate quantises each edge to
		// 923 ns: a narrower loop averages it out.
		{name: "sample-rate counter 1.0833MHz", cfg: Config{NominalHz: 26e6 / 24, PPBPerLSB: 16000.0 / 4096, DACBits: 12, NaturalRad: 0.02},
			truePPB: 16000.0 / 4096, y0PPB: 900, jitterNs: 40, seconds: 2400, lockBy: 400,
			outage: [2]int{1800, 1820}, missProb: 0.01, seed: 3, maxResPPB: 50},
	}
	for _, c := range cases {
		for k := uint64(0); k < 5; k++ {
			c := c
			c.seed += 100 * k
			t.Run(fmt.Sprintf("%s/seed%d", c.name, c.seed), func(t *testing.T) { runSim(t, c) })
		}
	}
}

func runSim(t *testing.T, c simCase) {
	l, err := New(c.cfg)
	if err != nil {
		t.Fatalf("New(%+v) = %v", c.cfg, err)
	}
	rng := rand.New(rand.NewPCG(c.seed, 99))
	mid := float64(uint32(1) << (c.cfg.DACBits - 1))
	o := &oscillator{rng: rng, nominal: c.cfg.NominalHz, y0: c.y0PPB * 1e-9, rwSigma: 0.2e-9, aging: 0.002e-9,
		whiteFM: 0.5e-9, slope: c.truePPB * 1e-9, mid: mid, dac: float64(l.DAC()), jitterRMS: c.jitterNs * 1e-9}
	lockAt := -1
	var sum, max float64
	var n int
	var holdMax float64
	sawHoldover, relocked := false, false
	for s := 1; s <= c.seconds; s++ {
		o.step()
		var a Action
		switch {
		case s >= c.outage[0] && s < c.outage[1]:
			a = l.Timeout()
		case rng.Float64() < c.missProb:
			a = l.Timeout()
		default:
			a = l.PPS(o.edge())
			if rng.Float64() < c.spurProb {
				// A glitch edge somewhere inside the next second.
				l.PPS(uint64(o.ticks + o.nominal*(0.2+0.6*rng.Float64())))
			}
		}
		if a.SetDAC {
			o.dac = float64(a.DAC)
		}
		res := math.Abs(o.y) * 1e9
		switch l.State() {
		case Locked:
			if lockAt < 0 {
				lockAt = s
			}
			if sawHoldover {
				relocked = true
			}
			sum += res
			n++
			max = math.Max(max, res)
		case Holdover:
			sawHoldover = true
			holdMax = math.Max(holdMax, res)
		}
	}
	st := l.Status()
	if lockAt < 0 || lockAt > c.lockBy {
		t.Fatalf("time to lock = %d s, want ≤ %d s (status %+v)", lockAt, c.lockBy, st)
	}
	mean := sum / float64(n)
	t.Logf("%s: locked after %d s; residual over %d locked s: mean %.2f ppb, max %.2f ppb; holdover max %.2f ppb; pulses %d missed %d spurious %d",
		c.name, lockAt, n, mean, max, holdMax, st.Pulses, st.Missed, st.Spurious)
	if max > c.maxResPPB {
		t.Errorf("max residual while locked = %.2f ppb, want ≤ %.0f ppb", max, c.maxResPPB)
	}
	if !sawHoldover {
		t.Errorf("PPS outage s %d..%d did not enter holdover", c.outage[0], c.outage[1])
	}
	if !relocked {
		t.Errorf("loop did not lock again after the PPS outage")
	}
	if holdMax > c.maxResPPB {
		t.Errorf("max error in holdover = %.2f ppb, want ≤ %.0f ppb", holdMax, c.maxResPPB)
	}
	if st.Missed == 0 && c.missProb > 0 {
		t.Errorf("Status().Missed = 0, want missing pulses counted")
	}
	if st.Spurious == 0 && c.spurProb > 0 {
		t.Errorf("Status().Spurious = 0, want glitch edges counted")
	}
}

func TestStates(t *testing.T) {
	cfg := Config{NominalHz: 1e6, PPBPerLSB: 4, DACBits: 12, HoldoverAfter: 2, HoldoverTXSeconds: 5, HoldoverMaxSeconds: 10, LockSeconds: 5, FLLSeconds: 2}
	l, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if l.State() != FreeRunning || l.TXAllowed() {
		t.Fatalf("New(): state %v TXAllowed %v, want free-running, false", l.State(), l.TXAllowed())
	}
	if l.DAC() != 2048 {
		t.Errorf("DAC() = %d, want midscale 2048", l.DAC())
	}
	// A perfect oscillator and PPS.
	var ticks uint64 = 12345
	var a Action
	for s := 0; s < 40; s++ {
		a = l.PPS(ticks)
		ticks += 1e6
	}
	if a.State != Locked || !l.TXAllowed() {
		t.Fatalf("after 40 perfect seconds: state %v, want locked", a.State)
	}
	// PPS lost: holdover after 2 timeouts, TX allowed while less than 5 s
	// have passed since the last pulse, free-running at 10.
	steps := []struct {
		state State
		tx    bool
	}{{Locked, true}, {Holdover, true}, {Holdover, true}, {Holdover, true}, {Holdover, false}}
	for i, want := range steps {
		a = l.Timeout()
		if a.State != want.state || l.TXAllowed() != want.tx {
			t.Errorf("Timeout() #%d: state %v TX %v, want %v %v", i+1, a.State, l.TXAllowed(), want.state, want.tx)
		}
	}
	for i := 0; i < 10; i++ {
		a = l.Timeout()
	}
	if a.State != FreeRunning {
		t.Errorf("after a long outage: state %v, want free-running", a.State)
	}
	// PPS returns: acquiring.
	if a = l.PPS(ticks); a.State != Acquiring || !a.Changed {
		t.Errorf("PPS after outage: %+v, want acquiring, changed", a)
	}
}

func TestNewRejects(t *testing.T) {
	for _, c := range []Config{{}, {NominalHz: 1, PPBPerLSB: 1}, {NominalHz: 1, PPBPerLSB: 1, DACBits: 8, InitialDAC: 256}} {
		if _, err := New(c); err == nil {
			t.Errorf("New(%+v) = nil error, want ErrConfig", c)
		}
	}
}

func BenchmarkLoopPPS(b *testing.B) {
	l, _ := New(Config{NominalHz: 26e6, PPBPerLSB: 3.9, DACBits: 12})
	var ticks uint64
	b.ReportAllocs()
	for b.Loop() {
		ticks += 26_000_001
		l.PPS(ticks)
	}
}
