package fr

import (
	"math"
	"math/rand/v2"
)

// Seeded test signals: 8 kHz 16-bit linear PCM.

type signal struct {
	name string
	pcm  []int16
}

func clip16(v float64) int16 {
	v = math.Round(v)
	if v > 32767 {
		return 32767
	}
	if v < -32768 {
		return -32768
	}
	return int16(v)
}

func tone(n int, hz, amp float64) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = clip16(amp * math.Sin(2*math.Pi*hz*float64(i)/8000))
	}
	return s
}

func sweep(n int, f0, f1, amp float64) []int16 {
	s := make([]int16, n)
	ph := 0.0
	for i := range s {
		f := f0 + (f1-f0)*float64(i)/float64(n)
		ph += 2 * math.Pi * f / 8000
		s[i] = clip16(amp * math.Sin(ph))
	}
	return s
}

func white(n int, amp float64, seed uint64) []int16 {
	r := rand.New(rand.NewPCG(seed, 1))
	s := make([]int16, n)
	for i := range s {
		s[i] = clip16(amp * (2*r.Float64() - 1))
	}
	return s
}

// pink is Paul Kellet's economy pink-noise filter over seeded white noise.
func pink(n int, amp float64, seed uint64) []int16 {
	r := rand.New(rand.NewPCG(seed, 2))
	s := make([]int16, n)
	var b0, b1, b2 float64
	for i := range s {
		w := 2*r.Float64() - 1
		b0 = 0.99765*b0 + w*0.0990460
		b1 = 0.96300*b1 + w*0.2965164
		b2 = 0.57000*b2 + w*1.0526913
		s[i] = clip16(amp * (b0 + b1 + b2 + w*0.1848) / 3)
	}
	return s
}

func constant(n int, v int16) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = v
	}
	return s
}

func impulses(n, every int, v int16) []int16 {
	s := make([]int16, n)
	for i := 0; i < n; i += every {
		s[i] = v
		v = -v
	}
	return s
}

// randomBytes is seeded uniformly random PCM, the harshest input.
func randomPCM(n int, seed uint64) []int16 {
	r := rand.New(rand.NewPCG(seed, 3))
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(r.Uint32())
	}
	return s
}

func concat(parts ...[]int16) []int16 {
	var s []int16
	for _, p := range parts {
		s = append(s, p...)
	}
	return s
}

// testSignals returns the signal set; seed varies the random ones.
func testSignals(seed uint64) []signal {
	const n = 8000 // 1 s = 50 frames
	return []signal{
		{"silence", make([]int16, n)},
		{"tone300_low", tone(n, 300, 200)},
		{"tone1000_mid", tone(n, 1000, 8000)},
		{"tone3400_high", tone(n, 3400, 30000)},
		{"tone440_fullscale_clipped", tone(n, 440, 60000)},
		{"tone50", tone(n, 50, 20000)},
		{"sweep", sweep(2*n, 50, 3950, 16000)},
		{"white", white(n, 32767, seed)},
		{"white_quiet", white(n, 64, seed+1)},
		{"pink", pink(n, 30000, seed+2)},
		{"random", randomPCM(n, seed+3)},
		{"dc_pos", constant(n, 32767)},
		{"dc_neg", constant(n, -32768)},
		{"dc_small", constant(n, 5)},
		{"impulses", impulses(n, 57, 32767)},
		{"impulse_single", concat(make([]int16, 1000), []int16{-32768}, make([]int16, 2000))},
		{"square", concat(constant(400, 32767), constant(400, -32768), constant(400, 32767), constant(400, -32768))},
		{"alternate", func() []int16 {
			s := make([]int16, n)
			for i := range s {
				s[i] = 32767
				if i&1 == 1 {
					s[i] = -32768
				}
			}
			return s
		}()},
		{"mixed", concat(tone(1000, 697, 10000), white(1000, 3000, seed+4), pink(1000, 20000, seed+5), make([]int16, 500), tone(1000, 1633, 32767))},
	}
}

// frames splits pcm into 160-sample frames, zero-padding the last (as
// toast does).
func frames(pcm []int16) [][FrameSamples]int16 {
	var out [][FrameSamples]int16
	for i := 0; i < len(pcm); i += FrameSamples {
		var f [FrameSamples]int16
		copy(f[:], pcm[i:])
		out = append(out, f)
	}
	return out
}

func encodeAll(pcm []int16) []byte {
	var e Encoder
	var out []byte
	for _, f := range frames(pcm) {
		var b [FrameSize]byte
		e.Encode(&b, &f)
		out = append(out, b[:]...)
	}
	return out
}

// decodeAll decodes whole frames; it returns the first error.
func decodeAll(gsm []byte) ([]int16, error) {
	d := NewDecoder()
	var out []int16
	for i := 0; i+FrameSize <= len(gsm); i += FrameSize {
		var pcm [FrameSamples]int16
		if err := d.Decode(&pcm, (*[FrameSize]byte)(gsm[i:])); err != nil {
			return out, err
		}
		out = append(out, pcm[:]...)
	}
	return out, nil
}

func pcmBytes(s []int16) []byte {
	b := make([]byte, 2*len(s))
	for i, v := range s {
		b[2*i] = byte(v)
		b[2*i+1] = byte(uint16(v) >> 8)
	}
	return b
}

func bytesPCM(b []byte) []int16 {
	s := make([]int16, len(b)/2)
	for i := range s {
		s[i] = int16(uint16(b[2*i]) | uint16(b[2*i+1])<<8)
	}
	return s
}

// randomFrames returns n random frames with the signature nibble set.
func randomFrames(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 4))
	b := make([]byte, n*FrameSize)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	for i := 0; i < len(b); i += FrameSize {
		b[i] = b[i]&0x0F | Signature<<4
	}
	return b
}
