package registry

import (
	"errors"
	"testing"
)

// Known answers: TS 23.003 Annex B.3 (26053179311383 → 7), and two IMEIs
// whose check digit is published (GSMA TS.06 example 49015420323751 → 8;
// 35780502398494 → 2 from a handset vendor's manual); see testdata/README.md.
func TestIMEICheckDigit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want byte
	}{
		{"26053179311383", '7'},
		{"49015420323751", '8'},
		{"35780502398494", '2'},
		{"00000000000000", '0'},
	} {
		t.Run(tc.in, func(t *testing.T) {
			m, err := ParseIMEI(tc.in)
			if err != nil {
				t.Fatalf("ParseIMEI(%s) = %v", tc.in, err)
			}
			if got := m.CheckDigit(); got != tc.want {
				t.Errorf("CheckDigit(%s) = %c, want %c", tc.in, got, tc.want)
			}
			if got, want := m.String(), tc.in+string(tc.want); got != want {
				t.Errorf("String() = %s, want %s", got, want)
			}
		})
	}
}

func TestParseIMEI(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want "" with err
		err      bool
	}{
		{in: "260531793113837", want: "260531793113837"},
		{in: "26-053179-311383-7", want: "260531793113837"},
		{in: "260531793113830", err: true},                // wrong check digit: a typing error
		{in: "2605317931138312", want: "260531793113837"}, // IMEISV, SVN 12
		{in: "2605317931138", err: true},
		{in: "26053179311383a", err: true},
		{in: "", want: ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			m, err := ParseIMEI(tc.in)
			if (err != nil) != tc.err || m.String() != tc.want {
				t.Errorf("ParseIMEI(%q) = %q, %v, want %q (error %v)", tc.in, m, err, tc.want, tc.err)
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Errorf("ParseIMEI(%q) error %v does not wrap ErrInvalid", tc.in, err)
			}
		})
	}
}

func TestIMEIFromAir(t *testing.T) {
	// The MS may send the 15th digit as 0 instead of the check digit.
	for _, in := range []string{"260531793113830", "260531793113837", "2605317931138301", "26053179311383"} {
		m, err := IMEIFromAir(in)
		if err != nil || m.String() != "260531793113837" {
			t.Errorf("IMEIFromAir(%s) = %v, %v, want 260531793113837", in, m, err)
		}
	}
	if _, err := IMEIFromAir("12345"); err == nil {
		t.Errorf("IMEIFromAir(12345) = nil error, want one")
	}
}
