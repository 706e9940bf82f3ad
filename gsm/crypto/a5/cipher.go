package a5

import (
	"fmt"
	"strings"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Alg is an A5 ciphering algorithm; its value is n in A5/n, and Alg0 means
// no ciphering. (The Cipher Mode Setting IE of 3GPP TS 44.018 §10.5.2.9
// carries n−1 in its algorithm identifier field.)
type Alg uint8

// The algorithms. Alg2 exists only to be named and refused.
const (
	Alg0 Alg = 0 // no ciphering
	Alg1 Alg = 1 // A5/1
	Alg2 Alg = 2 // A5/2, withdrawn
	Alg3 Alg = 3 // A5/3
)

func (a Alg) String() string { return fmt.Sprintf("A5/%d", uint8(a)) }

// ParseAlg parses "A5/0", "A5/1", "A5/3" (case-insensitive; "a50", "a5/1",
// "none" for A5/0 are accepted too). A5/2 parses, but Cipher refuses it.
func ParseAlg(s string) (Alg, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "none" {
		return Alg0, nil
	}
	t = strings.TrimPrefix(t, "a5")
	t = strings.TrimPrefix(t, "/")
	if len(t) == 1 && t[0] >= '0' && t[0] <= '7' {
		return Alg(t[0] - '0'), nil
	}
	return 0, fmt.Errorf("%w: %q", ErrSyntax, s)
}

// Supported reports whether Cipher accepts a.
func (a Alg) Supported() bool { return a == Alg0 || a == Alg1 || a == Alg3 }

// Keystream writes the keystream of algorithm alg for frame fn: 114
// downlink bits into dl, 114 uplink bits into ul (either may be nil). For
// A5/0 the keystream is all zero. It returns ErrBanned for A5/2 and
// ErrUnsupported for any other algorithm. For A5/3 on a hot path, keep an
// A53Key instead: this one-shot form expands the key every call.
func Keystream(alg Alg, dl, ul *[114]byte, kc [8]byte, fn tdma.FN) error {
	switch alg {
	case Alg0:
		if dl != nil {
			*dl = [114]byte{}
		}
		if ul != nil {
			*ul = [114]byte{}
		}
	case Alg1:
		A51Count(dl, ul, &kc, Count(fn))
	case Alg3:
		var k A53Key
		k.Init(kc)
		k.Keystream(dl, ul, fn)
		k.Zero()
	case Alg2:
		return ErrBanned
	default:
		return fmt.Errorf("%w: %v", ErrUnsupported, alg)
	}
	return nil
}

// Apply enciphers or deciphers the 114 hard bits of a burst in place:
// bits[i] ^= ks[i] (3GPP TS 43.020 Annex C).
func Apply(bits, ks *[114]byte) {
	for i := range bits {
		bits[i] ^= ks[i] & 1
	}
}

// ApplySoft deciphers 114 soft bits in place by negating those where the
// keystream bit is 1; the sign carries the hard decision.
func ApplySoft(soft *[114]int8, ks *[114]byte) {
	for i := range soft {
		if ks[i]&1 != 0 {
			// -(-128) overflows; soft bits are −127..127, but stay safe.
			if soft[i] == -128 {
				soft[i] = 127
			} else {
				soft[i] = -soft[i]
			}
		}
	}
}
