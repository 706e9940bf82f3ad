package a5

import "testing"

// One iteration produces the keystream of one TDMA frame: one downlink and
// one uplink burst (228 bits).

func BenchmarkA51(b *testing.B) {
	var dl, ul [114]byte
	kc := [8]byte{1, 2, 3, 4, 5, 6, 7, 8}
	b.ReportAllocs()
	fn := 0
	for b.Loop() {
		A51(&dl, &ul, kc, tdmaFN(fn))
		fn++
	}
}

func BenchmarkA53Key(b *testing.B) {
	var dl, ul [114]byte
	var k A53Key
	k.Init([8]byte{1, 2, 3, 4, 5, 6, 7, 8})
	b.ReportAllocs()
	fn := 0
	for b.Loop() {
		k.Keystream(&dl, &ul, tdmaFN(fn))
		fn++
	}
}

func BenchmarkA53OneShot(b *testing.B) {
	var dl, ul [114]byte
	kc := [8]byte{1, 2, 3, 4, 5, 6, 7, 8}
	b.ReportAllocs()
	fn := 0
	for b.Loop() {
		A53(&dl, &ul, kc, tdmaFN(fn))
		fn++
	}
}

func BenchmarkKeystreamDispatchA51(b *testing.B) {
	var dl, ul [114]byte
	kc := [8]byte{1, 2, 3, 4, 5, 6, 7, 8}
	b.ReportAllocs()
	fn := 0
	for b.Loop() {
		if err := Keystream(Alg1, &dl, &ul, kc, tdmaFN(fn)); err != nil {
			b.Fatal(err)
		}
		fn++
	}
}
