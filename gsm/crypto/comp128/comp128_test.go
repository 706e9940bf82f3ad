package comp128

import (
	"encoding/hex"
	"fmt"
	"testing"
)

func h16(t testing.TB, s string) *[16]byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 16 {
		t.Fatalf("bad 16-octet hex %q", s)
	}
	return (*[16]byte)(b)
}

// TestKnownAnswers uses vectors generated with Debian's osmo-auc-gen
// (libosmocore-utils 1.7.0); command lines in testdata/README.md. The wider
// set and the live comparison are in gsm/crypto.
func TestKnownAnswers(t *testing.T) {
	type fn func(ki, rand *[16]byte) ([4]byte, [8]byte)
	tests := []struct {
		name     string
		f        fn
		ki, rand string
		sres, kc string
	}{
		{"v1", V1, "000102030405060708090a0b0c0d0e0f", "00112233445566778899aabbccddeeff", "f5688422", "c0db4dad86445c00"},
		{"v2", V2, "000102030405060708090a0b0c0d0e0f", "00112233445566778899aabbccddeeff", "af28f52f", "205802e785e77c00"},
		{"v3", V3, "000102030405060708090a0b0c0d0e0f", "00112233445566778899aabbccddeeff", "af28f52f", "205802e785e77f2a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sres, kc := tt.f(h16(t, tt.ki), h16(t, tt.rand))
			if got := fmt.Sprintf("%x", sres); got != tt.sres {
				t.Errorf("%s(%s, %s) SRES = %s, want %s", tt.name, tt.ki, tt.rand, got, tt.sres)
			}
			if got := fmt.Sprintf("%x", kc); got != tt.kc {
				t.Errorf("%s(%s, %s) Kc = %s, want %s", tt.name, tt.ki, tt.rand, got, tt.kc)
			}
		})
	}
}

// TestKcTail checks the Kc length of each version:
// versions 1 and 2 zero the last 10 bits of Kc, version 3 does not.
func TestKcTail(t *testing.T) {
	var ki, rand [16]byte
	v3Tail := 0
	for i := range 64 {
		for j := range ki {
			ki[j] = byte(i*31 + j*7)
			rand[j] = byte(i*17 ^ j*13)
		}
		_, k1 := V1(&ki, &rand)
		_, k2 := V2(&ki, &rand)
		_, k3 := V3(&ki, &rand)
		if k1[7] != 0 || k1[6]&3 != 0 {
			t.Errorf("V1 Kc = %x, want last 10 bits zero", k1)
		}
		if k2[7] != 0 || k2[6]&3 != 0 {
			t.Errorf("V2 Kc = %x, want last 10 bits zero", k2)
		}
		if k3[7] != 0 || k3[6]&3 != 0 {
			v3Tail++
		}
	}
	if v3Tail == 0 {
		t.Errorf("V3 Kc had its last 10 bits zero in all 64 cases, want a full 64-bit Kc")
	}
}

func benchAlg(b *testing.B, f func(ki, rand *[16]byte) ([4]byte, [8]byte)) {
	var ki, rand [16]byte
	b.ReportAllocs()
	for b.Loop() {
		rand[0]++
		f(&ki, &rand)
	}
}

func BenchmarkV1(b *testing.B) { benchAlg(b, V1) }
func BenchmarkV2(b *testing.B) { benchAlg(b, V2) }
func BenchmarkV3(b *testing.B) { benchAlg(b, V3) }
