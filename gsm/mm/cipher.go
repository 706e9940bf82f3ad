package mm

import (
	"fmt"
	"strings"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// Cipher is a GSM ciphering algorithm A5/n (3GPP TS 43.020 §4.9), n = 0..7;
// A5/0 is no ciphering.
type Cipher uint8

// Ciphers gsmbox can run (gsm/crypto/a5).
const (
	A50 Cipher = 0
	A51 Cipher = 1
	A53 Cipher = 3
)

func (c Cipher) String() string { return fmt.Sprintf("A5/%d", uint8(c)) }

// CipherSet is a set of A5 algorithms: bit n set means A5/n.
type CipherSet uint8

// Has reports whether c is in s.
func (s CipherSet) Has(c Cipher) bool { return c < 8 && s&(1<<c) != 0 }

// With returns s plus c.
func (s CipherSet) With(c Cipher) CipherSet { return s | 1<<(c&7) }

func (s CipherSet) String() string {
	var p []string
	for c := Cipher(0); c < 8; c++ {
		if s.Has(c) {
			p = append(p, c.String())
		}
	}
	return "{" + strings.Join(p, ",") + "}"
}

// DefaultCiphers is the network's allowed set when the configuration names
// none: A5/3 and A5/1, and no unciphered operation.
const DefaultCiphers CipherSet = 1<<A51 | 1<<A53

// Supported is the set of algorithms gsmbox can run.
const Supported CipherSet = 1<<A50 | 1<<A51 | 1<<A53

// MSCiphers returns the algorithms a mobile station supports from its
// classmarks (TS 24.008 §10.5.1.5–7): A5/0 always; A5/1 from Classmark 1
// (or 2); A5/2 and A5/3 from Classmark 2; A5/4..A5/7 from Classmark 3.
// cm2 and cm3 may be nil when not known.
func MSCiphers(cm1 l3.Classmark1, cm2 *l3.Classmark2, cm3 *l3.Classmark3) CipherSet {
	s := CipherSet(1 << A50)
	if cm1.A51 {
		s = s.With(A51)
	}
	if cm2 != nil {
		if cm2.A51 {
			s = s.With(A51)
		}
		if cm2.A52 {
			s = s.With(2)
		}
		if cm2.A53 {
			s = s.With(A53)
		}
	}
	if cm3 != nil {
		for i, ok := range [...]bool{cm3.A54, cm3.A55, cm3.A56, cm3.A57} {
			if ok {
				s = s.With(Cipher(4 + i))
			}
		}
	}
	return s
}

// preference is the order the network picks in: A5/3, then A5/1, then no
// ciphering. A5/2 is never chosen (withdrawn, 3GPP TS 43.020 §4.9 and the
// GSMA's 2006 removal); A5/4 needs a 128-bit key that GSM AKA does not
// give.
var preference = [...]Cipher{A53, A51, A50}

// Negotiate picks the algorithm for a connection: the most preferred one
// both in allowed and in ms. ok is false when there is none (the MS lacks
// every allowed algorithm and A5/0 is not allowed).
func Negotiate(allowed, ms CipherSet) (c Cipher, ok bool) {
	for _, c := range preference {
		if allowed.Has(c) && ms.Has(c) {
			return c, true
		}
	}
	return 0, false
}
