package g711

import "testing"

// FuzzDecode decodes arbitrary codes and checks that re-encoding gives
// the same codes (µ-law -0 excepted) and that slice and scalar forms agree.
func FuzzDecode(f *testing.F) {
	f.Add([]byte{0x00, 0x7F, 0x80, 0xFF, 0x55, 0xD5, 0xAA, 0x2A})
	f.Fuzz(func(t *testing.T, b []byte) {
		a := make([]int16, len(b))
		u := make([]int16, len(b))
		if n := DecodeALaw(a, b); n != len(b) {
			t.Fatalf("DecodeALaw = %d, want %d", n, len(b))
		}
		DecodeULaw(u, b)
		ra, ru := make([]byte, len(b)), make([]byte, len(b))
		EncodeALaw(ra, a)
		EncodeULaw(ru, u)
		for i, c := range b {
			if ra[i] != c {
				t.Fatalf("EncodeALaw(DecodeALaw(%#02x)) = %#02x", c, ra[i])
			}
			if ru[i] != c && !(c == 0x7F && ru[i] == 0xFF) {
				t.Fatalf("EncodeULaw(DecodeULaw(%#02x)) = %#02x", c, ru[i])
			}
		}
	})
}

var sink int

func benchPCM() []int16 {
	s := make([]int16, 160)
	for i := range s {
		s[i] = int16(i*409 - 32768)
	}
	return s
}

// Each op is one 20 ms RTP payload (160 samples).
func BenchmarkEncodeALaw(b *testing.B) {
	src, dst := benchPCM(), make([]byte, 160)
	b.ReportAllocs()
	for b.Loop() {
		sink += EncodeALaw(dst, src)
	}
	b.ReportMetric(float64(160*b.N)/b.Elapsed().Seconds(), "samples/s")
}

func BenchmarkEncodeULaw(b *testing.B) {
	src, dst := benchPCM(), make([]byte, 160)
	b.ReportAllocs()
	for b.Loop() {
		sink += EncodeULaw(dst, src)
	}
	b.ReportMetric(float64(160*b.N)/b.Elapsed().Seconds(), "samples/s")
}

func BenchmarkDecodeALaw(b *testing.B) {
	src, dst := make([]byte, 160), make([]int16, 160)
	EncodeALaw(src, benchPCM())
	b.ReportAllocs()
	for b.Loop() {
		sink += DecodeALaw(dst, src)
	}
	b.ReportMetric(float64(160*b.N)/b.Elapsed().Seconds(), "samples/s")
}

func BenchmarkDecodeULaw(b *testing.B) {
	src, dst := make([]byte, 160), make([]int16, 160)
	EncodeULaw(src, benchPCM())
	b.ReportAllocs()
	for b.Loop() {
		sink += DecodeULaw(dst, src)
	}
	b.ReportMetric(float64(160*b.N)/b.Elapsed().Seconds(), "samples/s")
}
