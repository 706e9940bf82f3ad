package crypto

import (
	"errors"
	"testing"
)

func TestAlgorithmText(t *testing.T) {
	tests := []struct {
		in   string
		want Algorithm
		ok   bool
	}{
		{"comp128v1", COMP128v1, true},
		{"COMP128v2", COMP128v2, true},
		{"comp128-3", COMP128v3, true},
		{"comp128_1", COMP128v1, true},
		{" milenage ", Milenage, true},
		{"MILENAGE", Milenage, true},
		{"xor", XOR, true},
		{"xor-2g", XOR, true},
		{"none", AlgNone, false},
		{"", AlgNone, false},
		{"comp128v4", AlgNone, false},
		{"a5/1", AlgNone, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseAlgorithm(tt.in)
			if (err == nil) != tt.ok || got != tt.want {
				t.Fatalf("ParseAlgorithm(%q) = %v, %v, want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrAlgorithm) {
				t.Errorf("ParseAlgorithm(%q) error = %v, want ErrAlgorithm", tt.in, err)
			}
		})
	}
	for a := COMP128v1; a <= XOR; a++ {
		b, err := a.MarshalText()
		if err != nil {
			t.Fatalf("%d.MarshalText() = %v", a, err)
		}
		var back Algorithm
		if err := back.UnmarshalText(b); err != nil || back != a {
			t.Errorf("UnmarshalText(%q) = %v, %v, want %v", b, back, err, a)
		}
	}
	if _, err := AlgNone.MarshalText(); err == nil {
		t.Errorf("AlgNone.MarshalText() = nil error, want ErrAlgorithm")
	}
	if got := Algorithm(99).String(); got != "Algorithm(99)" {
		t.Errorf("Algorithm(99).String() = %q, want %q", got, "Algorithm(99)")
	}
	if !Milenage.UsesOPc() || COMP128v1.UsesOPc() {
		t.Errorf("UsesOPc: Milenage %v, COMP128v1 %v, want true, false", Milenage.UsesOPc(), COMP128v1.UsesOPc())
	}
}

func FuzzParseAlgorithm(f *testing.F) {
	for _, s := range []string{"comp128v1", "Comp128-2", "milenage", "xor-2g", "none", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAlgorithm(s)
		if err != nil {
			if a != AlgNone {
				t.Errorf("ParseAlgorithm(%q) = %v with error %v, want AlgNone", s, a, err)
			}
			return
		}
		if !a.Valid() {
			t.Fatalf("ParseAlgorithm(%q) = invalid %v", s, a)
		}
		if b, err := ParseAlgorithm(a.String()); err != nil || b != a {
			t.Errorf("ParseAlgorithm(%q) = %v, but ParseAlgorithm(%q) = %v, %v", s, a, a.String(), b, err)
		}
	})
}
