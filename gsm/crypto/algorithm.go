package crypto

import (
	"fmt"
	"strings"
)

// Algorithm is an A3/A8 authentication algorithm a SIM may run.
type Algorithm uint8

// The algorithms. The zero value is no algorithm, so an unset field in a
// subscriber record is caught rather than silently meaning COMP128-1.
const (
	AlgNone Algorithm = iota
	COMP128v1
	COMP128v2
	COMP128v3
	Milenage
	XOR
)

var algNames = [...]string{
	AlgNone:   "none",
	COMP128v1: "comp128v1",
	COMP128v2: "comp128v2",
	COMP128v3: "comp128v3",
	Milenage:  "milenage",
	XOR:       "xor",
}

// String returns the text form stored in config and the subscriber DB.
func (a Algorithm) String() string {
	if int(a) < len(algNames) {
		return algNames[a]
	}
	return fmt.Sprintf("Algorithm(%d)", uint8(a))
}

// Valid reports whether a names an algorithm Authenticate can run.
func (a Algorithm) Valid() bool { return a > AlgNone && int(a) < len(algNames) }

// UsesOPc reports whether the algorithm takes an operator variant (OP/OPc).
func (a Algorithm) UsesOPc() bool { return a == Milenage }

// ParseAlgorithm parses the text form (case-insensitive; "comp128-1",
// "comp128_1" and "comp128v1" are the same, as is "xor-2g" for "xor").
func ParseAlgorithm(s string) (Algorithm, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	t = strings.NewReplacer("-", "", "_", "").Replace(t)
	switch t {
	case "comp128v1", "comp1281", "comp128":
		return COMP128v1, nil
	case "comp128v2", "comp1282":
		return COMP128v2, nil
	case "comp128v3", "comp1283":
		return COMP128v3, nil
	case "milenage":
		return Milenage, nil
	case "xor", "xor2g":
		return XOR, nil
	}
	return AlgNone, fmt.Errorf("%w: %q (want comp128v1, comp128v2, comp128v3, milenage or xor)", ErrAlgorithm, s)
}

// MarshalText implements encoding.TextMarshaler.
func (a Algorithm) MarshalText() ([]byte, error) {
	if !a.Valid() {
		return nil, fmt.Errorf("%w: %d", ErrAlgorithm, uint8(a))
	}
	return []byte(a.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (a *Algorithm) UnmarshalText(b []byte) error {
	v, err := ParseAlgorithm(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}
