package fr

import (
	"math"
	"testing"
)

func TestSilenceFramePacked(t *testing.T) {
	// Table 1 of TS 46.011 packed per RFC 3551 §4.5.8, worked by hand:
	// D | 101010 100111 10101 01010 1001 0100 011 010 | per subframe
	// 0101000 00 01 000000 011 100 011 100 100 011 011 011 011 100 100 011 011
	var got [FrameSize]byte
	SilenceParams.Pack(&got)
	var p Params
	if err := p.Unpack(&got); err != nil || p != SilenceParams {
		t.Fatalf("Unpack(Pack(SilenceParams)) = %+v, %v", p, err)
	}
	if got[0] != 0xDA || got[1] != 0xA7 || got[2] != 0xAA || got[3] != 0xA5 || got[4] != 0x1A {
		t.Errorf("Pack(SilenceParams)[:5] = % x, want da a7 aa a5 1a", got[:5])
	}
}

func rms(s []int16) float64 {
	var e float64
	for _, v := range s {
		e += float64(v) * float64(v)
	}
	return math.Sqrt(e / float64(len(s)))
}

func TestSubstitutor(t *testing.T) {
	var enc Encoder
	var good Params
	in := frames(tone(FrameSamples*20, 440, 12000))
	for i := range in {
		enc.EncodeParams(&good, &in[i])
	}
	for j, x := range []uint8{63, 40, 10, 3} {
		good.Sub[j].Xmaxc = x
	}
	s := NewSubstitutor(1)
	var p Params
	if !s.Lost(&p) || p != SilenceParams {
		t.Fatalf("Lost() before any good frame = %+v, want the silence frame", p)
	}
	s.Good(&good)
	if s.Lost(&p) || p != good {
		t.Fatalf("first Lost() = %+v, want the last good frame", p)
	}
	grids := map[uint8]bool{}
	for k := 2; k <= 17; k++ {
		if s.Lost(&p) {
			t.Fatalf("Lost() #%d = silence, want a muted repetition", k)
		}
		for j, x := range []int{63, 40, 10, 3} {
			want := uint8(max(x-4*(k-1), 0))
			if p.Sub[j].Xmaxc != want {
				t.Fatalf("Lost() #%d: xmaxc[%d] = %d, want %d", k, j, p.Sub[j].Xmaxc, want)
			}
			grids[p.Sub[j].Mc] = true
		}
		if p.LARc != good.LARc || p.Sub[0].XMc != good.Sub[0].XMc {
			t.Fatalf("Lost() #%d changed LARs or pulses", k)
		}
	}
	if len(grids) != 4 {
		t.Errorf("grid positions used over 16 frames = %v, want all of 0..3", grids)
	}
	if !s.Lost(&p) || p != SilenceParams {
		t.Errorf("Lost() #18 = %+v, want the silence frame", p)
	}
	s.Good(&good)
	if s.Lost(&p) || p != good {
		t.Errorf("Lost() after a new good frame = %+v, want that frame", p)
	}
}

// TestSubstitutorMutes decodes a loss run after speech-like input and
// checks the output falls silent within 320 ms as TS 46.011 §5 requires.
func TestSubstitutorMutes(t *testing.T) {
	var enc Encoder
	dec := NewDecoder()
	s := NewSubstitutor(7)
	var p Params
	var pcm [FrameSamples]int16
	in := frames(pink(FrameSamples*25, 30000, 3))
	var level float64
	for i := range in {
		enc.EncodeParams(&p, &in[i])
		s.Good(&p)
		dec.DecodeParams(&pcm, &p)
		level = max(level, rms(pcm[:]))
	}
	var last float64
	for k := 1; k <= 30; k++ {
		s.Lost(&p)
		dec.DecodeParams(&pcm, &p)
		last = rms(pcm[:])
		if k >= 18 && last > 16 {
			t.Errorf("lost frame %d: output RMS %.1f (speech RMS %.0f), want <= 16 (about -66 dBFS)", k, last, level)
		}
	}
	if 20*math.Log10(level/math.Max(last, 1)) < 60 {
		t.Errorf("muting depth = %.1f dB, want >= 60", 20*math.Log10(level/math.Max(last, 1)))
	}
}
