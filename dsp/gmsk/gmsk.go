package gmsk

import (
	"fmt"
	"math"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// SymbolRate is the GSM modulating symbol rate, 1625000/6 ≈ 270833.33
// symbols per second (TS 45.004 §2.1).
const SymbolRate = float64(tdma.SymbolRateNum) / tdma.SymbolRateDen

// SampleRate4 is the sample rate at the default 4 samples per symbol,
// 1625000/6×4 ≈ 1083333.33 samples per second. At this rate a timeslot is
// exactly 625 samples and a TDMA frame 5000.
const SampleRate4 = 4 * SymbolRate

// Config is the modulator's plan. Zero fields take their defaults.
type Config struct {
	// SPS is the number of samples per symbol (default 4, at most 64).
	SPS int
	// BT is the Gaussian filter's 3 dB bandwidth-time product (default
	// 0.3, TS 45.004 §2.6).
	BT float64
	// PulseSymbols is the length L, in symbols, the frequency pulse g(t) is
	// truncated to, centred on its symbol (default 5, 2..6). TS 45.004
	// leaves the pulse infinite; with BT 0.3 its area outside ±2T is
	// 8e-5 of the total and outside ±2.5T 4e-7; the truncated pulse is
	// rescaled to area 1.
	PulseSymbols int
	// RampSymbols is the length of the power ramp at each end of a burst,
	// in symbol periods (default 3, 1..4.5). The ramp up ends, and the ramp
	// down starts, at the middle of the first and last bit: the edges of
	// the useful part in the time mask of TS 45.005 Annex B.
	RampSymbols float64
}

// WithDefaults returns c with its zero fields set to their defaults (what
// NewModulator builds): the plan a receiver of this modulation matches.
func (c Config) WithDefaults() Config {
	if c.SPS == 0 {
		c.SPS = 4
	}
	if c.BT == 0 {
		c.BT = 0.3
	}
	if c.PulseSymbols == 0 {
		c.PulseSymbols = 5
	}
	if c.RampSymbols == 0 {
		c.RampSymbols = 3
	}
	return c
}

// Validate reports whether c (after defaults) describes a modulator that
// can be built, naming the first bad field.
func (c Config) Validate() error {
	c = c.WithDefaults()
	switch {
	case c.SPS < 1 || c.SPS > 64:
		return fmt.Errorf("%w: SPS %d outside 1..64", ErrConfig, c.SPS)
	case !(c.BT >= 0.1 && c.BT <= 1):
		return fmt.Errorf("%w: BT %g outside 0.1..1", ErrConfig, c.BT)
	case c.PulseSymbols < 2 || c.PulseSymbols > 6:
		return fmt.Errorf("%w: PulseSymbols %d outside 2..6", ErrConfig, c.PulseSymbols)
	case !(c.RampSymbols >= 1 && c.RampSymbols <= 4.5):
		return fmt.Errorf("%w: RampSymbols %g outside 1..4.5", ErrConfig, c.RampSymbols)
	}
	return nil
}

// halfWin is J: the phase at a sample depends on the symbols m−J..m+J
// around the symbol period m it falls in; older symbols have contributed
// their full ±π/2, later ones nothing yet.
func halfWin(pulse int) int { return pulse / 2 }

// Modulator turns bursts into baseband samples. Build it once with
// NewModulator; its methods do not allocate and are safe for concurrent use
// (they only read the tables).
type Modulator struct {
	cfg Config
	sps int
	j   int // half window J
	// table[q][s<<(2J+1) | p] is j^q·exp(jπ/2·Σ α_k q_k) for sub-sample s of a
	// symbol period and the window's sign pattern p (bit k set: α = −1 for
	// symbol m−J+k).
	// q is the quadrant of the completed symbols' phase.
	table [4][]complex64
	lead  int
	// envelopes for 148-bit and 88-bit bursts, from sample 0 of the output.
	envNormal, envAccess []float32
	// flat[0]..flat[1] is the range where the envelope is exactly 1.
	flatNormal, flatAccess [2]int
}

// NewModulator builds a modulator. It panics if cfg is invalid (see
// Validate): configuration is the caller's, never data from the air.
func NewModulator(cfg Config) *Modulator {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	cfg = cfg.WithDefaults()
	m := &Modulator{cfg: cfg, sps: cfg.SPS, j: halfWin(cfg.PulseSymbols)}
	w := 2*m.j + 1
	pulse := newPhasePulse(cfg.BT, float64(cfg.PulseSymbols))
	for q := range m.table {
		m.table[q] = make([]complex64, m.sps<<w)
	}
	for s := 0; s < m.sps; s++ {
		// The sample instant is s/SPS into symbol period m; symbol i's pulse
		// is centred on (i+½)T.
		f := float64(s)/float64(m.sps) - 0.5
		for p := 0; p < 1<<w; p++ {
			var ph float64
			for k := 0; k < w; k++ {
				a := 1.0
				if p>>k&1 == 1 {
					a = -1
				}
				// symbol m−J+k sits j = J−k periods before the current one.
				ph += a * pulse.at(float64(m.j-k)+f)
			}
			ph *= math.Pi / 2
			for q := range m.table {
				v := ph + float64(q)*math.Pi/2
				m.table[q][s<<w|p] = complex(float32(math.Cos(v)), float32(math.Sin(v)))
			}
		}
	}
	m.lead = int(math.Ceil((cfg.RampSymbols - 0.5) * float64(m.sps)))
	m.envNormal = m.envelope(tdma.BurstBits)
	m.envAccess = m.envelope(tdma.AccessBurstBits)
	m.flatNormal = flatRange(m.envNormal)
	m.flatAccess = flatRange(m.envAccess)
	return m
}

// Config returns the modulator's configuration with defaults filled in.
func (m *Modulator) Config() Config { return m.cfg }

// SPS returns the samples per symbol.
func (m *Modulator) SPS() int { return m.sps }

// SampleRate returns the output sample rate in samples per second.
func (m *Modulator) SampleRate() float64 { return SymbolRate * float64(m.sps) }

// Lead returns the number of samples ModulateBurst writes before the start
// of bit 0: the ramp up, which lies in the previous burst's guard period.
func (m *Modulator) Lead() int { return m.lead }

// Len returns the number of samples ModulateBurst writes for kind: Lead,
// then the bits, then the ramp down. It is 612 for 148-bit bursts and 372
// for access bursts at the default configuration.
func (m *Modulator) Len(kind tdma.BurstKind) int {
	if kind == tdma.KindAccess {
		return len(m.envAccess)
	}
	return len(m.envNormal)
}

// MaxLen returns the largest Len over all kinds.
func (m *Modulator) MaxLen() int { return len(m.envNormal) }

func (m *Modulator) envelope(nbits int) []float32 {
	r := m.cfg.RampSymbols
	n := m.lead + int(math.Ceil((float64(nbits)-0.5+r)*float64(m.sps)))
	env := make([]float32, n)
	for i := range env {
		t := float64(i-m.lead) / float64(m.sps) // symbol periods from bit 0's start
		env[i] = float32(rampShape(t, float64(nbits), r))
	}
	return env
}

func flatRange(env []float32) [2]int {
	lo, hi := 0, len(env)
	for lo < hi && env[lo] != 1 {
		lo++
	}
	for hi > lo && env[hi-1] != 1 {
		hi--
	}
	return [2]int{lo, hi}
}

// rampShape is the amplitude envelope at time t (symbol periods from the
// start of bit 0) of an nbits burst with ramps of r symbols: a raised
// cosine that reaches full power exactly at the middle of bit 0 and leaves
// it exactly at the middle of the last bit, so the useful part of TS 45.005
// Annex B is flat and the guard period is silent between ramps.
func rampShape(t, nbits, r float64) float64 {
	up0, up1 := 0.5-r, 0.5
	dn0, dn1 := nbits-0.5, nbits-0.5+r
	switch {
	case t <= up0 || t >= dn1:
		return 0
	case t < up1:
		return 0.5 - 0.5*math.Cos(math.Pi*(t-up0)/r)
	case t <= dn0:
		return 1
	default:
		return 0.5 + 0.5*math.Cos(math.Pi*(t-dn0)/r)
	}
}

// dbit returns data bit k, or the dummy bit 1 of TS 45.004 §2.4 outside
// the burst.
func dbit(bits []byte, k int) uint32 {
	if uint(k) >= uint(len(bits)) {
		return 1
	}
	return uint32(bits[k] & 1)
}

// alphaSign returns 1 when the modulating value α_i of TS 45.004 §2.5 is −1
// (d̂_i = d_i ⊕ d_{i−1} = 1), else 0. Outside the burst the dummy bits
// (d = 1) give d̂ = 0 except at the two edges.
func alphaSign(bits []byte, i int) uint32 { return dbit(bits, i) ^ dbit(bits, i-1) }

// render writes count samples of the unramped GMSK signal of bits to dst,
// starting first samples after the start of bit 0 (first may be negative).
// The absolute phase is fixed so that every call with the same bits and
// first gives the same samples; it counts completed symbols from i = −64.
func (m *Modulator) render(dst []complex64, bits []byte, first, count int) {
	sps, j := m.sps, m.j
	w := uint(2*j + 1)
	sym := floorDiv(first, sps)
	s := first - sym*sps
	// Quadrant of all symbols before sym−J, counted from −64: each α = +1
	// adds a quarter turn, each −1 takes one away (≡ +3 mod 4); the dummy
	// region before bit 0 is all +1.
	quad := uint32(sym - j + 64)
	for i := 0; i < sym-j; i++ {
		quad += 2 * alphaSign(bits, i)
	}
	var pat uint32
	for k := 0; k < int(w); k++ {
		pat |= alphaSign(bits, sym-j+k) << k
	}
	for n := 0; n < count; {
		tab := m.table[quad&3]
		for ; s < sps && n < count; s++ {
			dst[n] = tab[uint(s)<<w|uint(pat)]
			n++
		}
		s = 0
		// Symbol sym−J completes its phase contribution.
		if pat&1 == 1 {
			quad += 3
		} else {
			quad++
		}
		sym++
		pat = pat>>1 | alphaSign(bits, sym+j)<<(w-1)
	}
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// ModulateBurst writes the baseband samples of one burst of the given kind
// to dst, with its power ramps, at unit amplitude, and returns the number
// of samples written, m.Len(kind). dst[m.Lead()] is the start of bit 0.
//
// For KindNormal, KindSCH and KindDummy all 148 bits of b are sent (b may
// be nil for KindDummy, which sends tdma.Dummy); KindFCCH sends 148 zero
// bits whatever b holds; KindAccess sends the first 88 bits of b; KindNone
// writes m.Len(KindNormal) zero samples. Bits are 0 or 1 (only the low bit
// is used). It panics if dst is shorter than m.Len(kind).
func (m *Modulator) ModulateBurst(dst []complex64, b *tdma.Burst, kind tdma.BurstKind) int {
	var bits []byte
	env := m.envNormal
	switch kind {
	case tdma.KindNone:
		n := len(m.envNormal)
		clear(dst[:n])
		return n
	case tdma.KindFCCH:
		bits = tdma.FCCH[:]
	case tdma.KindDummy:
		bits = tdma.Dummy[:]
	case tdma.KindAccess:
		bits = b[:tdma.AccessBurstBits]
		env = m.envAccess
	default:
		bits = b[:]
	}
	n := len(env)
	dst = dst[:n]
	m.render(dst, bits, -m.lead, n)
	// Only the ramps need scaling; the useful part has envelope 1.
	up, dn := m.flatNormal[0], m.flatNormal[1]
	if kind == tdma.KindAccess {
		up, dn = m.flatAccess[0], m.flatAccess[1]
	}
	for i := 0; i < up; i++ {
		dst[i] *= complex(env[i], 0)
	}
	for i := dn; i < n; i++ {
		dst[i] *= complex(env[i], 0)
	}
	return n
}

// ModulateBits writes len(bits)×SPS samples of the unramped GMSK signal of
// an arbitrary bit sequence to dst, sample k×SPS being the start of bit k's
// period, with the dummy bits of TS 45.004 §2.4 assumed on either side.
// Receivers use it to build reference waveforms (training sequences). It
// returns the number of samples written and panics if dst is too short.
func (m *Modulator) ModulateBits(dst []complex64, bits []byte) int {
	n := len(bits) * m.sps
	m.render(dst[:n], bits, 0, n)
	return n
}
