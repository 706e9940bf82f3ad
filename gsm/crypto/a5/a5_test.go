package a5

import (
	"encoding/hex"
	"errors"
	"fmt"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

func hexKc(t testing.TB, s string) [8]byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 8 {
		t.Fatalf("bad Kc %q", s)
	}
	return [8]byte(b)
}

func packedHex(bits *[114]byte) string {
	var p [15]byte
	Pack(&p, bits)
	return fmt.Sprintf("%X", p)
}

func TestCount(t *testing.T) {
	tests := []struct {
		fn   tdma.FN
		want uint32
	}{
		{0, 0},
		{tdma.FromT(0, 20, 9), 0x134},
		{tdma.FromT(2047, 25, 50), 2047<<11 | 50<<5 | 25},
		{tdma.HyperFrame - 1, 2047<<11 | 50<<5 | 25},
		{123456, 93<<11 | 36<<5 | 8},
	}
	for _, tt := range tests {
		if got := Count(tt.fn); got != tt.want {
			t.Errorf("Count(%d) = %#x, want %#x", tt.fn, got, tt.want)
		}
	}
}

// TestA51Pedagogical checks the test vector published with the
// "pedagogical implementation of A5/1" (Briceno, Goldberg, Wagner, 1999):
// key 12 23 45 67 89 AB CD EF, frame 0x134. That program loads key octet 0
// first, where GSM (and this package) loads the last octet first, so the
// key is given here byte-reversed.
func TestA51Pedagogical(t *testing.T) {
	kc := [8]byte{0xEF, 0xCD, 0xAB, 0x89, 0x67, 0x45, 0x23, 0x12}
	var dl, ul [114]byte
	A51Count(&dl, &ul, &kc, 0x134)
	if got, want := packedHex(&dl), "534EAA582FE8151AB6E1855A728C00"; got != want {
		t.Errorf("A51Count(pedagogical).dl = %s, want %s", got, want)
	}
	if got, want := packedHex(&ul), "24FD35A35D5FB6526D32F906DF1AC0"; got != want {
		t.Errorf("A51Count(pedagogical).ul = %s, want %s", got, want)
	}
	// The same through the frame-number API: FN with T1=0, T2=20, T3=9.
	var pdl, pul [15]byte
	A51Packed(&pdl, &pul, kc, tdma.FromT(0, 20, 9))
	if got, want := fmt.Sprintf("%X", pdl), "534EAA582FE8151AB6E1855A728C00"; got != want {
		t.Errorf("A51Packed(pedagogical).dl = %s, want %s", got, want)
	}
	if got, want := fmt.Sprintf("%X", pul), "24FD35A35D5FB6526D32F906DF1AC0"; got != want {
		t.Errorf("A51Packed(pedagogical).ul = %s, want %s", got, want)
	}
}

// TestA51Osmocom checks the vector of libosmocore's tests/a5/a5_test.c
// (Kc 0123456789ABCDEF, FN 123456), which fixes the GSM key and FN order.
func TestA51Osmocom(t *testing.T) {
	var dl, ul [114]byte
	A51(&dl, &ul, hexKc(t, "0123456789ABCDEF"), 123456)
	if got, want := packedHex(&dl), "CBA25576175D3B1C7B2F29A8C1B600"; got != want {
		t.Errorf("A51(0123456789ABCDEF, 123456).dl = %s, want %s", got, want)
	}
	if got, want := packedHex(&ul), "D9035E0F2AEC139A05D4A87BB16480"; got != want {
		t.Errorf("A51(0123456789ABCDEF, 123456).ul = %s, want %s", got, want)
	}
}

// a53Vectors are the A5/3 test sets of 3GPP TS 55.217 §4 (Kc, COUNT,
// BLOCK1, BLOCK2), as reproduced in libosmocore tests/a5/a5_test.c.
var a53Vectors = []struct {
	kc             string
	count          uint32
	block1, block2 string
}{
	{"2BD6459F82C5BC00", 0x24F20F, "889EEAAF9ED1BA1ABBD8436232E440", "5CA3406AA244CF69CF047AADA2DF40"},
	{"952C49104881FF48", 0x061272, "FB4D5FBCEE13A33389285686E9A5C0", "25090378E0540457C57E367662E440"},
	{"EFA8B2229E720C2A", 0x33FD3F, "0E4015755A336469C3DD8680E30340", "6F10669E2B4E18B042431A28E47F80"},
	{"952C49104881FF48", 0x061527, "AB7DB38A573A325DAA76E4CB800A40", "4C4B594FEA9D00FE8978B7B7BC1080"},
	{"3451F23A43BD2C87", 0x0E418C, "75F7C4C51560905DFBA05E46FB54C0", "192C95353CDF979E054186DF15BF00"},
	{"CAA2639BE82435CF", 0x2FF229, "301437E4D4D6565D4904C631606EC0", "F0A3B8795E264D3E1A82F684353DC0"},
	{"7AE67E87400B9FA6", 0x2F24E5, "F794290FEF643D2EA348A7796A2100", "CB6FA6C6B8A705AF9FEFE975818500"},
	{"58AF69935540698B", 0x05446B, "749CA4E6B691E5A598C461D5FE4740", "31C9E444CD04677ADAA8A082ADBC40"},
	{"017F81E5F236FE62", 0x156B26, "2A6976761E60CC4E8F9F52160276C0", "A544D8475F2C78C35614128F1179C0"},
	{"1ACA8B448B767B39", 0x0BC3B5, "A4F70DC5A2C9707F5FA1C60EB10640", "7780B597B328C1400B5C74823E8500"},
}

// fnForCount returns a frame number whose COUNT is c (T1, T3, T2 fields).
func fnForCount(c uint32) (tdma.FN, bool) {
	t1, t3, t2 := int(c>>11), int(c>>5&63), int(c&31)
	if t3 > 50 || t2 > 25 {
		return 0, false
	}
	return tdma.FromT(t1, t2, t3), true
}

func TestA53(t *testing.T) {
	for _, v := range a53Vectors {
		t.Run(fmt.Sprintf("%s/%06X", v.kc, v.count), func(t *testing.T) {
			kc := hexKc(t, v.kc)
			var k A53Key
			k.Init(kc)
			var dl, ul [114]byte
			k.KeystreamCount(&dl, &ul, v.count)
			if got := packedHex(&dl); got != v.block1 {
				t.Errorf("A5/3(%s, %06X) BLOCK1 = %s, want %s", v.kc, v.count, got, v.block1)
			}
			if got := packedHex(&ul); got != v.block2 {
				t.Errorf("A5/3(%s, %06X) BLOCK2 = %s, want %s", v.kc, v.count, got, v.block2)
			}
			// Where the COUNT is a valid T1/T3/T2 triple, the FN API and the
			// packed form must agree.
			fn, ok := fnForCount(v.count)
			if !ok {
				return
			}
			var pdl, pul [15]byte
			A53Packed(&pdl, &pul, kc, fn)
			if got := fmt.Sprintf("%X", pdl); got != v.block1 {
				t.Errorf("A53Packed(%s, FN %d) dl = %s, want %s", v.kc, fn, got, v.block1)
			}
			if got := fmt.Sprintf("%X", pul); got != v.block2 {
				t.Errorf("A53Packed(%s, FN %d) ul = %s, want %s", v.kc, fn, got, v.block2)
			}
		})
	}
}

func TestKeystreamDispatch(t *testing.T) {
	kc := hexKc(t, "0123456789ABCDEF")
	var dl, ul, wdl, wul [114]byte
	for i := range dl {
		dl[i], ul[i] = 1, 1
	}
	if err := Keystream(Alg0, &dl, &ul, kc, 5); err != nil || dl != wdl || ul != wul {
		t.Errorf("Keystream(A5/0) = %v, non-zero keystream %v", err, dl != wdl || ul != wul)
	}
	A51(&wdl, &wul, kc, 123456)
	if err := Keystream(Alg1, &dl, &ul, kc, 123456); err != nil || dl != wdl || ul != wul {
		t.Errorf("Keystream(A5/1) = %v, differs from A51: %v", err, dl != wdl || ul != wul)
	}
	A53(&wdl, &wul, kc, 123456)
	if err := Keystream(Alg3, &dl, nil, kc, 123456); err != nil || dl != wdl {
		t.Errorf("Keystream(A5/3) = %v, differs from A53: %v", err, dl != wdl)
	}
	if err := Keystream(Alg2, &dl, &ul, kc, 1); !errors.Is(err, ErrBanned) {
		t.Errorf("Keystream(A5/2) = %v, want ErrBanned", err)
	}
	if err := Keystream(Alg(4), &dl, &ul, kc, 1); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Keystream(A5/4) = %v, want ErrUnsupported", err)
	}
}

// TestNilHalves checks that asking for one direction gives the same bits
// as asking for both.
func TestNilHalves(t *testing.T) {
	kc := hexKc(t, "A1B2C3D4E5F60718")
	var dl, ul, d2, u2 [114]byte
	A51(&dl, &ul, kc, 4242)
	A51(&d2, nil, kc, 4242)
	A51(nil, &u2, kc, 4242)
	if dl != d2 || ul != u2 {
		t.Errorf("A51 with nil halves differs from A51 with both")
	}
	A53(&dl, &ul, kc, 4242)
	A53(&d2, nil, kc, 4242)
	A53(nil, &u2, kc, 4242)
	if dl != d2 || ul != u2 {
		t.Errorf("A53 with nil halves differs from A53 with both")
	}
}

func TestPackRoundTrip(t *testing.T) {
	var b, back [114]byte
	for i := range b {
		b[i] = byte(i*7+i/3) & 1
	}
	var p [15]byte
	Pack(&p, &b)
	if p[14]&0x3F != 0 {
		t.Errorf("Pack padding = %#x, want 0", p[14]&0x3F)
	}
	Unpack(&back, &p)
	if back != b {
		t.Errorf("Unpack(Pack(b)) != b")
	}
}

func TestApply(t *testing.T) {
	var bits, ks [114]byte
	var soft [114]int8
	for i := range bits {
		bits[i] = byte(i & 1)
		ks[i] = byte(i / 2 & 1)
		soft[i] = int8(100 - 2*int(bits[i])*100) // bit 0 → +100, bit 1 → −100
	}
	orig := bits
	Apply(&bits, &ks)
	ApplySoft(&soft, &ks)
	for i := range bits {
		if bits[i] != orig[i]^ks[i] {
			t.Fatalf("Apply bit %d = %d, want %d", i, bits[i], orig[i]^ks[i])
		}
		if hard := byte(0); soft[i] < 0 != (bits[i] == 1) {
			t.Fatalf("ApplySoft bit %d = %d, want sign of %d", i, soft[i], bits[i]+hard)
		}
	}
	Apply(&bits, &ks)
	if bits != orig {
		t.Errorf("Apply twice != identity")
	}
}

func TestParseAlg(t *testing.T) {
	tests := []struct {
		in   string
		want Alg
		ok   bool
	}{
		{"A5/1", Alg1, true}, {"a5/3", Alg3, true}, {"A50", Alg0, true}, {"none", Alg0, true},
		{" A5/2 ", Alg2, true}, {"A5/8", 0, false}, {"", 0, false}, {"A5/", 0, false}, {"A5/11", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseAlg(tt.in)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("ParseAlg(%q) = %v, %v, want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if tt.ok && err == nil {
			back, err := ParseAlg(got.String())
			if err != nil || back != got {
				t.Errorf("ParseAlg(%q.String()) = %v, %v", got, back, err)
			}
		}
	}
}

func FuzzParseAlg(f *testing.F) {
	for _, s := range []string{"A5/1", "a5/3", "none", "A5/2", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAlg(s)
		if err != nil {
			return
		}
		if b, err := ParseAlg(a.String()); err != nil || b != a {
			t.Errorf("ParseAlg(%q) = %v, but ParseAlg(%q) = %v, %v", s, a, a.String(), b, err)
		}
	})
}

func tdmaFN(n int) tdma.FN { return tdma.FN(n % tdma.HyperFrame) }
