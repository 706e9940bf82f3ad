package filter

import (
	"fmt"
	"math"
)

// Resampler converts a complex stream's sample rate by a rational factor
// Up/Down with a polyphase windowed-sinc filter. Successive calls to
// Process continue the stream.
type Resampler struct {
	up, down int
	k        int         // taps per phase
	phases   [][]float32 // phases[p][j] weights x[base−j]
	hist     []complex64 // last k−1 inputs, then the block
	// pos is the position of the next output in the upsampled domain,
	// relative to the first sample of the current block, times up.
	pos   int
	delay float64
}

// ResamplerConfig tunes a resampler's filter. Zero fields take defaults.
type ResamplerConfig struct {
	// TapsPerPhase is the filter length per polyphase branch (default 32).
	TapsPerPhase int
	// Passband is the fraction of the narrower Nyquist band kept flat
	// (default 0.8; the filter's −6 dB point is half-way to 1).
	Passband float64
	// Atten is the stopband attenuation in dB (default 90).
	Atten float64
}

// NewResampler returns a resampler producing up outputs for every down
// inputs.
func NewResampler(up, down int, cfg ResamplerConfig) (*Resampler, error) {
	if up < 1 || down < 1 || up > 4096 || down > 4096 {
		return nil, fmt.Errorf("%w: %d/%d", ErrRatio, up, down)
	}
	g := gcd(up, down)
	up, down = up/g, down/g
	if cfg.TapsPerPhase == 0 {
		cfg.TapsPerPhase = 32
	}
	if cfg.Passband == 0 {
		cfg.Passband = 0.8
	}
	if cfg.Atten == 0 {
		cfg.Atten = 90
	}
	k := cfg.TapsPerPhase
	n := k * up
	// Cutoff relative to the upsampled rate: half the narrower band.
	nyq := 0.5 / float64(max(up, down))
	cut := nyq * (1 + cfg.Passband) / 2
	h, err := LowPass(n, cut, cfg.Atten, float64(up))
	if err != nil {
		return nil, err
	}
	r := &Resampler{up: up, down: down, k: k, hist: make([]complex64, k-1)}
	r.phases = make([][]float32, up)
	for p := range r.phases {
		r.phases[p] = make([]float32, k)
		for j := 0; j < k; j++ {
			r.phases[p][j] = float32(h[p+j*up])
		}
	}
	// Group delay (n−1)/2 upsampled samples, in input samples.
	r.delay = float64(n-1) / 2 / float64(up)
	return r, nil
}

// NewRational returns a resampler from inRate to outRate samples per
// second, finding the ratio as a fraction with terms up to 4096.
func NewRational(inRate, outRate float64, cfg ResamplerConfig) (*Resampler, error) {
	up, down, ok := Ratio(outRate / inRate)
	if !ok {
		return nil, fmt.Errorf("%w: %g to %g samples/s", ErrRatio, inRate, outRate)
	}
	return NewResampler(up, down, cfg)
}

// Ratio finds p/q equal to x within 1e-9 relative, with p, q ≤ 4096, by
// continued fractions.
func Ratio(x float64) (p, q int, ok bool) {
	if !(x > 0) || math.IsInf(x, 0) {
		return 0, 0, false
	}
	h0, h1 := 0, 1
	k0, k1 := 1, 0
	v := x
	for i := 0; i < 40; i++ {
		a := math.Floor(v)
		if a > 1e6 {
			break
		}
		ai := int(a)
		h0, h1 = h1, ai*h1+h0
		k0, k1 = k1, ai*k1+k0
		if h1 > 4096 || k1 > 4096 {
			return 0, 0, false
		}
		if math.Abs(float64(h1)/float64(k1)-x) <= 1e-9*x {
			return h1, k1, true
		}
		f := v - a
		if f < 1e-12 {
			break
		}
		v = 1 / f
	}
	return 0, 0, false
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// Up and Down return the reduced ratio.
func (r *Resampler) Up() int   { return r.up }
func (r *Resampler) Down() int { return r.down }

// Delay returns the filter's group delay in input samples: output m
// corresponds to input time m·Down/Up − Delay.
func (r *Resampler) Delay() float64 { return r.delay }

// MaxOut returns the most outputs Process can produce for n inputs.
func (r *Resampler) MaxOut(n int) int { return (n*r.up)/r.down + 2 }

// Process resamples src into dst and returns the number of outputs
// written. dst must hold MaxOut(len(src)) samples.
func (r *Resampler) Process(dst, src []complex64) int {
	h := r.k - 1
	need := h + len(src)
	if cap(r.hist) < need {
		nb := make([]complex64, need)
		copy(nb, r.hist[:h])
		r.hist = nb
	}
	buf := r.hist[:need]
	copy(buf[h:], src)
	out := 0
	// Output at upsampled position pos (relative to block sample 0,
	// scaled by up): base input index pos/up, phase pos%up.
	for {
		base := r.pos / r.up
		if base >= len(src) {
			break
		}
		ph := r.phases[r.pos%r.up]
		// x[base−j] is buf[h+base−j].
		x := buf[base : h+base+1]
		var re, im float32
		for j, t := range ph {
			v := x[h-j]
			re += t * real(v)
			im += t * imag(v)
		}
		dst[out] = complex(re, im)
		out++
		r.pos += r.down
	}
	r.pos -= len(src) * r.up
	copy(buf, buf[len(src):need])
	r.hist = buf[:h]
	return out
}
