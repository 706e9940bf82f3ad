package fr

import "testing"

// Per-frame paths: each op is one 20 ms frame; frames/s per core is
// 1e9 / ns/op. Both must report 0 allocs/op.

func BenchmarkEncode(b *testing.B) {
	fs := frames(pink(FrameSamples*50, 20000, 1))
	var e Encoder
	var out [FrameSize]byte
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		e.Encode(&out, &fs[i%len(fs)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
}

func BenchmarkDecode(b *testing.B) {
	gsm := encodeAll(pink(FrameSamples*50, 20000, 1))
	n := len(gsm) / FrameSize
	d := NewDecoder()
	var pcm [FrameSamples]int16
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if err := d.Decode(&pcm, (*[FrameSize]byte)(gsm[(i%n)*FrameSize:])); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
}

func BenchmarkUnpack(b *testing.B) {
	gsm := randomFrames(1, 1)
	var p Params
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Unpack((*[FrameSize]byte)(gsm)); err != nil {
			b.Fatal(err)
		}
	}
}
