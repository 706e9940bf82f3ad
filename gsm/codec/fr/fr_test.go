package fr

import (
	"bytes"
	"errors"
	"math"
	"testing"
)

func TestBasicOps(t *testing.T) {
	tests := []struct {
		name      string
		got, want int32
	}{
		{"add(32767,1)", int32(add(32767, 1)), 32767},
		{"add(-32768,-1)", int32(add(-32768, -1)), -32768},
		{"sub(-32768,1)", int32(sub(-32768, 1)), -32768},
		{"sub(0,-32768)", int32(sub(0, -32768)), 32767},
		{"mult(-32768,-32768)", int32(mult(-32768, -32768)), 32767},
		{"mult(16384,16384)", int32(mult(16384, 16384)), 8192},
		{"mult(-1,1)", int32(mult(-1, 1)), -1},
		{"multR(-32768,-32768)", int32(multR(-32768, -32768)), 32767},
		{"multR(1,16384)", int32(multR(1, 16384)), 1},
		{"multR(-1,16384)", int32(multR(-1, 16384)), 0},
		{"abs16(-32768)", int32(abs16(-32768)), 32767},
		{"lMult(-32768,-32768)", lMult(-32768, -32768), 2147483647},
		{"lMult(3,-4)", lMult(3, -4), -24},
		{"lAdd(max,1)", lAdd(2147483647, 1), 2147483647},
		{"lAdd(min,-1)", lAdd(-2147483648, -1), -2147483648},
		{"norm(1)", int32(norm(1)), 30},
		{"norm(1<<30)", int32(norm(1 << 30)), 0},
		{"norm(-1)", int32(norm(-1)), 31},
		{"norm(-1<<30)", int32(norm(-1 << 30)), 0},
		{"norm(-(1<<30)-1)", int32(norm(-(1 << 30) - 1)), 0},
		{"norm(-(1<<30)+1)", int32(norm(-(1 << 30) + 1)), 1},
		{"norm(min)", int32(norm(-2147483648)), 0},
		{"norm(0x7fff<<16)", int32(norm(0x7fff << 16)), 0},
		{"div(1,2)", int32(div(1, 2)), 16384},
		{"div(5,5)", int32(div(5, 5)), 32767},
		{"div(0,5)", int32(div(0, 5)), 0},
		{"div(1,3)", int32(div(1, 3)), 10922},
		{"asr(-7,1)", int32(asr(-7, 1)), -4},
		{"asr(3,-2)", int32(asr(3, -2)), 12},
		{"asl(1,-1)", int32(asl(1, -1)), 0},
		{"asl(1,9)", int32(asl(1, 9)), 512},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("%s = %d, want %d", tt.name, tt.got, tt.want)
			}
		})
	}
}

// TestDivExhaustiveSmall checks div against exact truncated division.
func TestDivExhaustiveSmall(t *testing.T) {
	for den := int16(1); den < 600; den++ {
		for num := int16(0); num <= den; num++ {
			want := int64(num) * 32768 / int64(den)
			if want > 32767 {
				want = 32767
			}
			if got := div(num, den); int64(got) != want {
				t.Fatalf("div(%d, %d) = %d, want %d", num, den, got, want)
			}
		}
	}
}

// TestXmaxcToExpMant checks the exponent/mantissa split of §5.2.15,
// worked by hand: the mantissa is doubled-plus-one until it exceeds 7.
func TestXmaxcToExpMant(t *testing.T) {
	tests := []struct{ xmaxc, exp, mant int16 }{
		{0, -4, 7}, {1, -3, 7}, {2, -2, 3}, {3, -2, 7}, {4, -1, 1}, {7, -1, 7},
		{8, 0, 0}, {15, 0, 7}, {16, 1, 0}, {23, 1, 7}, {24, 2, 0}, {63, 6, 7},
	}
	for _, tt := range tests {
		exp, mant := xmaxcToExpMant(tt.xmaxc)
		if exp != tt.exp || mant != tt.mant {
			t.Errorf("xmaxcToExpMant(%d) = %d, %d, want %d, %d", tt.xmaxc, exp, mant, tt.exp, tt.mant)
		}
	}
}

func TestParamBitsSum(t *testing.T) {
	var n int
	for _, w := range ParamBits {
		n += int(w)
	}
	if n != 260 {
		t.Errorf("sum(ParamBits) = %d, want 260", n)
	}
}

// TestPackLayout checks the RFC 3551 §4.5.8 bit layout with single
// parameters set to all ones.
func TestPackLayout(t *testing.T) {
	tests := []struct {
		name string
		set  func(p *Params)
		want [FrameSize]byte
	}{
		{"zero", func(p *Params) {}, [FrameSize]byte{0: 0xD0}},
		{"LARc0", func(p *Params) { p.LARc[0] = 63 }, [FrameSize]byte{0: 0xDF, 1: 0xC0}},
		{"LARc1", func(p *Params) { p.LARc[1] = 63 }, [FrameSize]byte{0: 0xD0, 1: 0x3F}},
		{"LARc7", func(p *Params) { p.LARc[7] = 7 }, [FrameSize]byte{0: 0xD0, 4: 0x07}},
		{"Nc0", func(p *Params) { p.Sub[0].Nc = 127 }, [FrameSize]byte{0: 0xD0, 5: 0xFE}},
		{"bc0", func(p *Params) { p.Sub[0].Bc = 3 }, [FrameSize]byte{0: 0xD0, 5: 0x01, 6: 0x80}},
		{"xMc3_12", func(p *Params) { p.Sub[3].XMc[12] = 7 }, [FrameSize]byte{0: 0xD0, 32: 0x07}},
		{"masked", func(p *Params) { p.Sub[3].XMc[12] = 0xF8 }, [FrameSize]byte{0: 0xD0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Params
			tt.set(&p)
			var got [FrameSize]byte
			p.Pack(&got)
			if got != tt.want {
				t.Errorf("Pack(%s) = % x, want % x", tt.name, got, tt.want)
			}
		})
	}
}

func TestUnpackRoundTrip(t *testing.T) {
	gsm := randomFrames(200, 11)
	for i := 0; i < len(gsm); i += FrameSize {
		var p Params
		if err := p.UnpackSlice(gsm[i : i+FrameSize]); err != nil {
			t.Fatal(err)
		}
		var back [FrameSize]byte
		p.Pack(&back)
		if !bytes.Equal(back[:], gsm[i:i+FrameSize]) {
			t.Fatalf("Pack(Unpack(% x)) = % x", gsm[i:i+FrameSize], back)
		}
		var q Params
		v := p.Values()
		q.SetValues(&v)
		if q != p {
			t.Fatalf("SetValues(Values(%+v)) = %+v", p, q)
		}
	}
}

func TestUnpackErrors(t *testing.T) {
	var p Params
	var b [FrameSize]byte
	b[0] = 0xC0
	if err := p.Unpack(&b); !errors.Is(err, ErrSignature) {
		t.Errorf("Unpack(0xC0...) = %v, want ErrSignature", err)
	}
	if err := p.UnpackSlice(make([]byte, 32)); !errors.Is(err, ErrFrameSize) {
		t.Errorf("UnpackSlice(32 bytes) = %v, want ErrFrameSize", err)
	}
	var pcm [FrameSamples]int16
	pcm[0] = 123
	if err := NewDecoder().Decode(&pcm, &b); !errors.Is(err, ErrSignature) || pcm[0] != 123 {
		t.Errorf("Decode(bad signature) = %v, pcm[0] %d, want ErrSignature, pcm untouched", err, pcm[0])
	}
}

// TestZeroValueAndReset: a zero Decoder/Encoder and a Reset one behave as
// a new one.
func TestZeroValueAndReset(t *testing.T) {
	gsm := randomFrames(20, 5)
	want, _ := decodeAll(gsm)
	var zero Decoder
	d := NewDecoder()
	for _, dec := range []*Decoder{&zero, d} {
		var got []int16
		for i := 0; i < len(gsm); i += FrameSize {
			var pcm [FrameSamples]int16
			if err := dec.Decode(&pcm, (*[FrameSize]byte)(gsm[i:])); err != nil {
				t.Fatal(err)
			}
			got = append(got, pcm[:]...)
		}
		if firstSampleDiff(got, want) != len(want) {
			t.Errorf("zero-value/new decoder output differs")
		}
		dec.Reset()
	}
	pcm := white(1600, 10000, 3)
	a := encodeAll(pcm)
	e := NewEncoder()
	for _, f := range frames(white(800, 20000, 9)) {
		var b [FrameSize]byte
		e.Encode(&b, &f)
	}
	e.Reset()
	var b2 []byte
	for _, f := range frames(pcm) {
		var b [FrameSize]byte
		e.Encode(&b, &f)
		b2 = append(b2, b[:]...)
	}
	if !bytes.Equal(a, b2) {
		t.Errorf("Encode after Reset differs from a fresh encoder")
	}
}

// TestQuality is a sanity check that speech-band signals survive the
// codec: the segmental SNR of a tone, after the codec delay, is positive
// and the level is kept.
func TestQuality(t *testing.T) {
	tests := []struct {
		hz, amp, minSNR float64
	}{
		{300, 8000, 5}, {1000, 8000, 5}, {2000, 4000, 3},
	}
	for _, tt := range tests {
		in := tone(8000, tt.hz, tt.amp)
		out, err := decodeAll(encodeAll(in))
		if err != nil {
			t.Fatal(err)
		}
		// Compare levels over the last half second (past start-up).
		var pin, pout float64
		for i := 4000; i < 8000; i++ {
			pin += float64(in[i]) * float64(in[i])
			pout += float64(out[i]) * float64(out[i])
		}
		ratio := 10 * math.Log10(pout/pin)
		if math.Abs(ratio) > 3 {
			t.Errorf("level(decode(encode(%v Hz))) = %.1f dB relative, want within 3 dB", tt.hz, ratio)
		}
		// Best SNR over small delays (the codec is nearly delay-free).
		best := math.Inf(-1)
		for lag := 0; lag < 40; lag++ {
			var sig, noise float64
			for i := 4000; i < 8000-lag; i++ {
				d := float64(out[i+lag]) - float64(in[i])
				sig += float64(in[i]) * float64(in[i])
				noise += d * d
			}
			best = math.Max(best, 10*math.Log10(sig/noise))
		}
		if best < tt.minSNR {
			t.Errorf("SNR(decode(encode(%v Hz))) = %.1f dB, want >= %v", tt.hz, best, tt.minSNR)
		}
	}
}

// TestZeroAllocs: the per-frame paths allocate nothing.
func TestZeroAllocs(t *testing.T) {
	fs := frames(pink(FrameSamples*4, 20000, 1))
	var e Encoder
	d := NewDecoder()
	var b [FrameSize]byte
	var pcm [FrameSamples]int16
	var p Params
	s := NewSubstitutor(1)
	i := 0
	if n := testing.AllocsPerRun(100, func() {
		e.Encode(&b, &fs[i%len(fs)])
		if err := d.Decode(&pcm, &b); err != nil {
			t.Fatal(err)
		}
		_ = p.Unpack(&b)
		s.Good(&p)
		s.Lost(&p)
		d.DecodeParams(&pcm, &p)
		i++
	}); n != 0 {
		t.Errorf("Encode+Decode+Substitutor allocs per frame = %v, want 0", n)
	}
}
