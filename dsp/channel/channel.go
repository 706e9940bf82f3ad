package channel

import (
	"fmt"
	"math"
	"math/cmplx"

	"github.com/gsmbox/gsmbox/dsp/filter"
	"github.com/gsmbox/gsmbox/dsp/iq"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// interpHalf is H, the half-length of the fractional-delay kernels.
const interpHalf = 8

// Tap is one path of a static multipath profile.
type Tap struct {
	// Delay is the path's extra delay in samples (≥ 0, fractional allowed).
	Delay float64
	// Gain is the path's power relative to the link, in dB.
	Gain float64
	// Phase is the path's carrier phase in radians.
	Phase float64
}

// Config describes one link. The zero value (plus SampleRate) is a perfect
// wire: no loss, no delay, no noise.
type Config struct {
	// SampleRate in samples per second (required).
	SampleRate float64
	// PathLoss attenuates the signal, in dB (≥ 0 in practice).
	PathLoss float64
	// Delay is the propagation delay in samples (≥ 0, fractional allowed);
	// 1 sample at 4 sps is 0.923 µs, 277 m.
	Delay float64
	// Taps is an optional static multipath profile, each delayed by Delay
	// plus its own; nil means a single path of gain 0 dB.
	Taps []Tap
	// FreqOffset shifts the carrier, in Hz.
	FreqOffset float64
	// Doppler, if positive, makes every tap fade independently as a
	// Rayleigh process with the classical (Jakes) Doppler spectrum of this
	// maximum Doppler shift in Hz (TS 45.005 Annex C.3: TU50 at 900 MHz is
	// about 42 Hz), keeping its mean power Gain; Tap.Phase is then unused.
	// The fading is a function of absolute time and Seed.
	Doppler float64
	// AWGN enables noise at EbN0 dB (see the package comment).
	AWGN bool
	EbN0 float64
	// Seed selects the noise sequence.
	Seed uint64
}

// part is one path: its interpolation kernel, placed at integer delay k0,
// and its static complex gain.
type part struct {
	k0 int
	h  [2 * interpHalf]float64
	g  complex128
}

// combine rebuilds h (and hr) from the paths, each scaled by its static
// gain and, when fading, by its fading gain in gains.
func (c *Channel) combine(gains []complex128) {
	clear(c.h)
	for i, p := range c.parts {
		g := p.g
		if gains != nil {
			g *= gains[i]
		}
		for j, v := range p.h {
			if v != 0 {
				c.h[p.k0+j-c.kmin] += complex64(g * complex(v, 0))
			}
		}
	}
	c.real = true
	for i, v := range c.h {
		c.hr[len(c.h)-1-i] = v
		if imag(v) != 0 {
			c.real = false
		}
	}
	if c.real {
		if len(c.hreal) != len(c.hr) {
			c.hreal = make([]float32, len(c.hr))
		}
		for i, v := range c.hr {
			c.hreal[i] = real(v)
		}
	}
}

// Channel applies one link's impairments. Build it with New.
type Channel struct {
	cfg    Config
	kmin   int         // smallest integer delay with a nonzero tap
	h      []complex64 // h[k−kmin] multiplies x[n−k]
	hr     []complex64 // h reversed
	real   bool        // every tap is real
	hreal  []float32   // hr when real
	parts  []part
	fading *fading
	gains  []complex128
	sigma  float32 // noise standard deviation per real dimension
	nco    *iq.NCO
	rot    *[64]complex64 // addOneTap's rotations within a chunk
	tmp    []complex64
}

// New builds a channel.
func New(cfg Config) (*Channel, error) {
	if !(cfg.SampleRate > 0) {
		return nil, fmt.Errorf("%w: sample rate %g", ErrConfig, cfg.SampleRate)
	}
	if !(cfg.Delay >= 0) || math.IsInf(cfg.Delay, 0) {
		return nil, fmt.Errorf("%w: delay %g samples", ErrConfig, cfg.Delay)
	}
	taps := cfg.Taps
	if len(taps) == 0 {
		taps = []Tap{{}}
	}
	if !(cfg.Doppler >= 0) || math.IsInf(cfg.Doppler, 0) {
		return nil, fmt.Errorf("%w: Doppler %g Hz", ErrConfig, cfg.Doppler)
	}
	amp := math.Pow(10, -cfg.PathLoss/20)
	parts := make([]part, len(taps))
	kmin, kmax := math.MaxInt, math.MinInt
	for i, tp := range taps {
		if !(tp.Delay >= 0) || math.IsInf(tp.Delay, 0) {
			return nil, fmt.Errorf("%w: tap %d delay %g", ErrConfig, i, tp.Delay)
		}
		d := cfg.Delay + tp.Delay
		di := math.Floor(d)
		frac := d - di
		p := &parts[i]
		p.g = cmplx.Rect(amp*math.Pow(10, tp.Gain/20), tp.Phase)
		if frac < 1e-9 {
			// An integer delay is exact: a single tap.
			p.k0 = int(di)
			p.h[0] = 1
			kmin, kmax = min(kmin, p.k0), max(kmax, p.k0)
			continue
		}
		filter.FracDelay(p.h[:], frac)
		// Kernel tap j delays by j; the kernel's own delay is H−1+frac.
		p.k0 = int(di) - (interpHalf - 1)
		kmin = min(kmin, p.k0)
		kmax = max(kmax, p.k0+2*interpHalf-1)
	}
	c := &Channel{cfg: cfg, kmin: kmin, h: make([]complex64, kmax-kmin+1), parts: parts}
	c.hr = make([]complex64, len(c.h))
	if cfg.Doppler > 0 {
		c.fading = newFading(len(parts), cfg.Doppler, cfg.Seed)
	}
	c.combine(nil)
	if cfg.AWGN {
		c.sigma = float32(math.Sqrt(NoiseVariance(cfg.EbN0, cfg.PathLoss, cfg.SampleRate) / 2))
	}
	c.nco = iq.NewNCO(cfg.FreqOffset, cfg.SampleRate)
	return c, nil
}

// NoiseVariance returns the complex noise variance per sample that gives
// a full-scale GMSK signal attenuated by pathLoss dB an Eb/N0 of ebn0 dB
// at sampleRate (see the package comment).
func NoiseVariance(ebn0, pathLoss, sampleRate float64) float64 {
	sps := sampleRate * tdma.SymbolRateDen / tdma.SymbolRateNum
	return math.Pow(10, -pathLoss/10) * sps / math.Pow(10, ebn0/10)
}

// EbN0 is the inverse of NoiseVariance for a full-scale signal without
// path loss: the Eb/N0 in dB that noise of the given variance gives.
func EbN0(variance, sampleRate float64) float64 {
	sps := sampleRate * tdma.SymbolRateDen / tdma.SymbolRateNum
	return 10 * math.Log10(sps/variance)
}

// Config returns the link's configuration.
func (c *Channel) Config() Config { return c.cfg }

// Span returns the range of input delays the channel reads: output n
// depends on inputs n−kmax … n−kmin. kmin is negative when the delay is
// shorter than the interpolator's half-length, so the output then needs
// −kmin samples of lookahead.
func (c *Channel) Span() (kmin, kmax int) { return c.kmin, c.kmin + len(c.h) - 1 }

// NoiseVariance returns the complex noise variance per sample (0 without
// AWGN).
func (c *Channel) NoiseVariance() float64 { return 2 * float64(c.sigma) * float64(c.sigma) }

// AddSignal adds the channel's output for times t0 … t0+len(dst)−1 to dst,
// without noise. src holds the input x[s0 … s0+len(src)−1] and must cover
// t0−kmax … t0+len(dst)−1−kmin (see Span); input outside src is taken as
// zero. It does not allocate once its scratch buffer has grown.
func (c *Channel) AddSignal(dst []complex64, t0 int64, src []complex64, s0 int64) {
	if c.fading == nil && len(c.h) == 1 {
		c.addOneTap(dst, t0, src, s0)
		return
	}
	if cap(c.tmp) < len(dst) {
		c.tmp = make([]complex64, len(dst))
	}
	y := c.tmp[:len(dst)]
	// y[i] = Σ_j h[j]·x[t0+i−kmin−j−s0]: a dot product of the reversed
	// taps with a window of src ending at base+i.
	L := len(c.h)
	base := t0 - int64(c.kmin) - s0
	lo := max(0, int64(L-1)-base)                  // first i with a full window
	hi := min(int64(len(y)), int64(len(src))-base) // first i whose window passes src's end
	if lo >= hi {
		lo, hi = 0, 0
	}
	if c.fading != nil {
		// Fading taps are held constant over chunks of fadeChunk samples,
		// evaluated at each chunk's middle; the edge loop below uses the
		// last chunk's taps, good enough for the few samples it covers.
		for c0 := int64(0); c0 < int64(len(y)); c0 += fadeChunk {
			c1 := min(c0+fadeChunk, int64(len(y)))
			c.gains = c.fading.at(c.gains, float64(t0+(c0+c1)/2)/c.cfg.SampleRate)
			c.combine(c.gains)
			c.dot(y, src, base, max(lo, c0), min(hi, c1))
		}
	} else {
		c.dot(y, src, base, lo, hi)
	}
	// Edges where src runs out: input beyond it is zero.
	for _, r := range [2][2]int64{{0, lo}, {hi, int64(len(y))}} {
		for i := max(r[0], 0); i < r[1]; i++ {
			var acc complex64
			for j, h := range c.h {
				if k := base + i - int64(j); k >= 0 && k < int64(len(src)) {
					acc += h * src[k]
				}
			}
			y[i] = acc
		}
	}
	if c.cfg.FreqOffset != 0 {
		// The carrier phase is a function of absolute time.
		turns := c.cfg.FreqOffset / c.cfg.SampleRate * float64(t0)
		c.nco.SetPhase(2 * math.Pi * (turns - math.Floor(turns)))
		c.nco.Mix(y, y)
	}
	iq.Add(dst, y)
}

// addOneTap is AddSignal for a single static path at a whole-sample delay
// (what the simulated air's phones get): gain, delay and carrier offset in
// one pass straight into dst, with no scratch, filter or second pass.
func (c *Channel) addOneTap(dst []complex64, t0 int64, src []complex64, s0 int64) {
	g := c.h[0]
	base := t0 - int64(c.kmin) - s0 // dst[i] takes src[base+i]
	lo := max(0, -base)
	hi := min(int64(len(dst)), int64(len(src))-base)
	if lo >= hi {
		return
	}
	y := dst[lo:hi]
	x := src[base+lo : base+hi]
	if c.cfg.FreqOffset == 0 {
		for i, v := range x {
			y[i] += g * v
		}
		return
	}
	// The carrier phase is a function of absolute time: exact at the
	// start of every 64 samples, then a table of the 64 rotations within.
	const chunk = 64
	f := c.cfg.FreqOffset / c.cfg.SampleRate
	if c.rot == nil {
		c.rot = new([chunk]complex64)
		for m := range c.rot {
			turns := f * float64(m)
			s, co := math.Sincos(2 * math.Pi * (turns - math.Floor(turns)))
			c.rot[m] = complex(float32(co), float32(s))
		}
	}
	for i0 := 0; i0 < len(x); i0 += chunk {
		turns := f * float64(t0+lo+int64(i0))
		s, co := math.Sincos(2 * math.Pi * (turns - math.Floor(turns)))
		r0 := g * complex(float32(co), float32(s))
		xs := x[i0:min(i0+chunk, len(x))]
		ys := y[i0 : i0+len(xs)]
		r0r, r0i := real(r0), imag(r0)
		rot := c.rot[:len(xs)]
		for i, v := range xs {
			q := rot[i]
			rr := r0r*real(q) - r0i*imag(q)
			ri := r0r*imag(q) + r0i*real(q)
			xr, xi := real(v), imag(v)
			ys[i] += complex(xr*rr-xi*ri, xr*ri+xi*rr)
		}
	}
}

// dot computes y[i] for i in [lo, hi), where the full window of src is
// available.
func (c *Channel) dot(y, src []complex64, base, lo, hi int64) {
	if c.real {
		c.dotReal(y, src, base, lo, hi)
		return
	}
	hr := c.hr
	L := int64(len(hr))
	for i := lo; i < hi; i++ {
		w := src[base+i-(L-1) : base+i+1]
		w = w[:len(hr)]
		var re, im float32
		for j, h := range hr {
			x := w[j]
			re += real(h)*real(x) - imag(h)*imag(x)
			im += real(h)*imag(x) + imag(h)*real(x)
		}
		y[i] = complex(re, im)
	}
}

// dotReal is dot for real taps (no multipath phases, no fading): half the
// multiplications.
func (c *Channel) dotReal(y, src []complex64, base, lo, hi int64) {
	hr := c.hreal
	L := int64(len(hr))
	for i := lo; i < hi; i++ {
		w := src[base+i-(L-1) : base+i+1]
		w = w[:len(hr)]
		var re, im float32
		for j, h := range hr {
			re += h * real(w[j])
			im += h * imag(w[j])
		}
		y[i] = complex(re, im)
	}
}

// AddNoise adds the link's AWGN for times t0 … t0+len(dst)−1 to dst. The
// noise is a function of the seed and t0 only: the same block always gets
// the same noise.
func (c *Channel) AddNoise(dst []complex64, t0 int64) {
	if c.sigma == 0 {
		return
	}
	src := noiseSource{s: splitmix(c.cfg.Seed ^ splitmix(uint64(t0)))}
	addGauss(dst, c.sigma, &src)
}

// Stream runs a channel over a sequential stream, for sinks that see
// consecutive blocks and no timestamps of their own (an IQ file). Its
// output lags its input by Latency samples, the interpolator's lookahead.
type Stream struct {
	c    *Channel
	hist []complex64 // inputs from time base
	base int64
	next int64 // next output time (before latency)
	lat  int
}

// NewStream wraps c for sequential use.
func NewStream(c *Channel) *Stream {
	kmin, _ := c.Span()
	return &Stream{c: c, lat: max(0, -kmin)}
}

// Latency is how far the output lags the input, in samples.
func (s *Stream) Latency() int { return s.lat }

// Process consumes src and writes len(src) outputs to dst: the channel's
// output Latency samples ago, with noise.
func (s *Stream) Process(dst, src []complex64) {
	_, kmax := s.c.Span()
	s.hist = append(s.hist, src...)
	t0 := s.next - int64(s.lat)
	out := dst[:len(src)]
	clear(out)
	s.c.AddSignal(out, t0, s.hist, s.base)
	s.c.AddNoise(out, t0)
	s.next += int64(len(src))
	// Keep the inputs the next block still needs: from t0'−kmax on.
	keep := s.next - int64(s.lat) - int64(kmax) - s.base
	if keep > 0 && keep <= int64(len(s.hist)) {
		n := copy(s.hist, s.hist[keep:])
		s.hist = s.hist[:n]
		s.base += keep
	}
}

// splitmix scrambles a block time into an unrelated PCG stream seed.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
