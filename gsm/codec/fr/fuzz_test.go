package fr

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to the frame decoder: no panic, a
// frame with the signature decodes and re-packs to the same bytes, one
// without is rejected.
func FuzzDecode(f *testing.F) {
	f.Add(make([]byte, FrameSize))
	f.Add(randomFrames(1, 1))
	f.Add(randomFrames(2, 2))
	f.Add([]byte{0xD0})
	f.Fuzz(func(t *testing.T, b []byte) {
		var p Params
		err := p.UnpackSlice(b)
		switch {
		case len(b) != FrameSize:
			if !errors.Is(err, ErrFrameSize) {
				t.Fatalf("UnpackSlice(%d bytes) = %v, want ErrFrameSize", len(b), err)
			}
			return
		case b[0]>>4 != Signature:
			if !errors.Is(err, ErrSignature) {
				t.Fatalf("UnpackSlice(% x) = %v, want ErrSignature", b, err)
			}
			return
		case err != nil:
			t.Fatalf("UnpackSlice(% x) = %v", b, err)
		}
		var back [FrameSize]byte
		p.Pack(&back)
		if !bytes.Equal(back[:], b) {
			t.Fatalf("Pack(Unpack(% x)) = % x", b, back)
		}
		d := NewDecoder()
		var pcm [FrameSamples]int16
		for i := 0; i < 3; i++ { // exercise the LTP memory too
			if err := d.Decode(&pcm, &back); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// FuzzDecodeParams feeds arbitrary parameter values (any byte, not just
// the field width) to the parameter decoder.
func FuzzDecodeParams(f *testing.F) {
	f.Add(make([]byte, NumParams))
	f.Add(bytes.Repeat([]byte{0xFF}, NumParams))
	f.Fuzz(func(t *testing.T, b []byte) {
		var v [NumParams]uint8
		copy(v[:], b)
		var p Params
		copy(p.LARc[:], v[:8])
		for j := range p.Sub {
			s := &p.Sub[j]
			s.Nc, s.Bc, s.Mc, s.Xmaxc = v[8+17*j], v[9+17*j], v[10+17*j], v[11+17*j]
			copy(s.XMc[:], v[12+17*j:])
		}
		var pcm [FrameSamples]int16
		var d Decoder
		d.DecodeParams(&pcm, &p)
		d.DecodeParams(&pcm, &p)
	})
}

// FuzzEncode feeds arbitrary PCM to the encoder: no panic, and the
// parameters are within their widths and the lag within 40..120.
func FuzzEncode(f *testing.F) {
	f.Add(pcmBytes(white(FrameSamples, 32767, 1)))
	f.Add(pcmBytes(constant(FrameSamples, -32768)))
	f.Fuzz(func(t *testing.T, b []byte) {
		var pcm [FrameSamples]int16
		copy(pcm[:], bytesPCM(b))
		var e Encoder
		var p Params
		for i := 0; i < 2; i++ {
			e.EncodeParams(&p, &pcm)
			var raw [NumParams]uint8
			copy(raw[:8], p.LARc[:])
			for j, s := range p.Sub {
				if s.Nc < 40 || s.Nc > 120 {
					t.Fatalf("EncodeParams: Nc[%d] = %d, want 40..120", j, s.Nc)
				}
				raw[8+17*j], raw[9+17*j], raw[10+17*j], raw[11+17*j] = s.Nc, s.Bc, s.Mc, s.Xmaxc
				copy(raw[12+17*j:], s.XMc[:])
			}
			for k, x := range raw {
				if x >= 1<<ParamBits[k] {
					t.Fatalf("EncodeParams: parameter %d = %d, wider than %d bits", k, x, ParamBits[k])
				}
			}
		}
	})
}
