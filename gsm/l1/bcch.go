package l1

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// SIType is a SYSTEM INFORMATION message type carried on the BCCH
// (3GPP TS 44.018 §9.1.31 ff.).
type SIType uint8

// System information types the BCCH scheduler carries.
const (
	SI1 SIType = iota
	SI2
	SI2bis
	SI2ter
	SI2quater
	SI3
	SI4
	SI7
	SI8
	SI9
	SI13
	SI16
	SI17
	numSI
)

var siNames = [...]string{"SI1", "SI2", "SI2bis", "SI2ter", "SI2quater", "SI3", "SI4", "SI7", "SI8", "SI9", "SI13", "SI16", "SI17"}

func (t SIType) String() string {
	if int(t) < len(siNames) {
		return siNames[t]
	}
	return fmt.Sprintf("SIType(%d)", uint8(t))
}

// MaxSI2quater is the number of SI2quater instances (SI2quater_INDEX is
// four bits, TS 44.018 §10.5.2.33b).
const MaxSI2quater = 16

// BCCH holds the system information messages of a cell and decides which
// one goes out in each BCCH block, following the position table and rules
// of 3GPP TS 45.002 §6.3.1.3 (TC = (FN div 51) mod 8):
//
//	type       TC       BCCH
//	SI1        0        Norm   (only needed with hopping or NCH)
//	SI2        1        Norm
//	SI2bis     5        Norm
//	SI2ter     5 or 4   Norm   (TC 5 if SI2bis is absent; else once in any 4 TC=4)
//	SI2quater  5 or 4   Norm   (TC 5 if neither 2bis nor 2ter; else once in any 4 TC=4)
//	           5        Ext    (once in any 4 TC=5)
//	SI3        2 and 6  Norm
//	SI4        3 and 7  Norm
//	SI7        7        Ext
//	SI8        3        Ext
//	SI9        4        Norm
//	SI13       4        Norm   (once in any 4 TC=4)
//	           0        Ext    (once in any 4 TC=0)
//	SI16       6        Ext
//	SI17       2        Ext
//
// So on the BCCH Ext the SI3/SI4 positions (TC 2, 6 and 3, 7) carry the
// messages that extend them: SI17/SI16 at the SI3 positions and SI8/SI7
// (the overflow of the SI4 rest octets, TS 44.018 §9.1.41–42) at the SI4
// positions. The BCCH Ext is sent in CCCH block 0 (frames 6..9); in a
// multiframe whose TC has nothing to carry on it, block 0 stays an ordinary
// CCCH block.
//
// Where several messages share TC 4 they take turns, one per occurrence, so
// that with at most four of them each is sent at least once in any four
// consecutive occurrences. The choice is a function of the frame number
// alone, so the schedule is reproducible. When the message for a BCCH Norm
// position is not installed (SI1 in a cell without hopping, say), that block
// repeats SI3, or SI4, or SI2, whichever is installed first: TS 45.002
// §6.3.1.3 lets the MS take any other message at TC 0 as the sign that SI1
// is not in use.
//
// The zero value is an empty BCCH with everything on BCCH Norm.
type BCCH struct {
	msgs [numSI][23]byte
	have [numSI]bool
	q    [MaxSI2quater][23]byte
	qSet uint16

	// SI2quaterExt and SI13Ext place SI2quater and SI13 on the BCCH Ext, as
	// the SI2quater Position and SI13 Position fields of the SI3 rest
	// octets announce (TS 44.018 §10.5.2.34).
	SI2quaterExt bool
	SI13Ext      bool
}

// Set installs (or replaces) the message of type t. For SI2quater it sets
// instance 0; use SetSI2quater for more instances.
func (b *BCCH) Set(t SIType, msg *[23]byte) error {
	if t >= numSI {
		return fmt.Errorf("%w: %v", ErrSIType, t)
	}
	if t == SI2quater {
		return b.SetSI2quater(0, msg)
	}
	b.msgs[t] = *msg
	b.have[t] = true
	return nil
}

// SetSI2quater installs SI2quater instance i (its SI2quater_INDEX). The
// instances present are sent in turn.
func (b *BCCH) SetSI2quater(i int, msg *[23]byte) error {
	if i < 0 || i >= MaxSI2quater {
		return fmt.Errorf("%w: SI2quater index %d (want 0..%d)", ErrSIType, i, MaxSI2quater-1)
	}
	b.q[i] = *msg
	b.qSet |= 1 << i
	b.have[SI2quater] = true
	return nil
}

// Clear removes the message of type t (for SI2quater, every instance).
func (b *BCCH) Clear(t SIType) {
	if t >= numSI {
		return
	}
	b.have[t] = false
	if t == SI2quater {
		b.qSet = 0
	}
}

// Has reports whether a message of type t is installed.
func (b *BCCH) Has(t SIType) bool { return t < numSI && b.have[t] }

// cycle is the number of complete TC cycles before fn: the k-th occurrence
// of a given TC.
func cycle(fn tdma.FN) int { return int(fn) / (51 * 8) }

// Norm returns the message for the BCCH Norm block of the 51-multiframe
// containing fn, and its type. ok is false only when no message at all is
// installed.
func (b *BCCH) Norm(fn tdma.FN) (t SIType, msg *[23]byte, ok bool) {
	k := cycle(fn)
	switch TC(fn) {
	case 0:
		t = SI1
	case 1:
		t = SI2
	case 2, 6:
		t = SI3
	case 3, 7:
		t = SI4
	case 4:
		var cand [4]SIType
		n := 0
		if b.have[SI2ter] && b.have[SI2bis] {
			cand[n] = SI2ter
			n++
		}
		if b.have[SI2quater] && !b.SI2quaterExt && (b.have[SI2bis] || b.have[SI2ter]) {
			cand[n] = SI2quater
			n++
		}
		if b.have[SI9] {
			cand[n] = SI9
			n++
		}
		if b.have[SI13] && !b.SI13Ext {
			cand[n] = SI13
			n++
		}
		if n == 0 {
			return b.fallback()
		}
		t = cand[k%n]
		if t == SI2quater {
			return t, b.quater(k / n), true
		}
	case 5:
		switch {
		case b.have[SI2bis]:
			t = SI2bis
		case b.have[SI2ter]:
			t = SI2ter
		case b.have[SI2quater] && !b.SI2quaterExt:
			return SI2quater, b.quater(k), true
		default:
			return b.fallback()
		}
	}
	if !b.have[t] {
		return b.fallback()
	}
	return t, &b.msgs[t], true
}

// Ext returns the message for the BCCH Ext block (CCCH block 0) of the
// 51-multiframe containing fn, or ok false when that TC has nothing to send
// on BCCH Ext.
func (b *BCCH) Ext(fn tdma.FN) (t SIType, msg *[23]byte, ok bool) {
	switch TC(fn) {
	case 0:
		if !b.SI13Ext {
			return 0, nil, false
		}
		t = SI13
	case 2:
		t = SI17
	case 3:
		t = SI8
	case 5:
		if !b.SI2quaterExt || !b.have[SI2quater] {
			return 0, nil, false
		}
		return SI2quater, b.quater(cycle(fn)), true
	case 6:
		t = SI16
	case 7:
		t = SI7
	default:
		return 0, nil, false
	}
	if !b.have[t] {
		return 0, nil, false
	}
	return t, &b.msgs[t], true
}

// quater returns the k-th SI2quater instance in turn among those present.
func (b *BCCH) quater(k int) *[23]byte {
	n := 0
	for i := 0; i < MaxSI2quater; i++ {
		if b.qSet&(1<<i) != 0 {
			n++
		}
	}
	if n == 0 {
		return &b.q[0]
	}
	k %= n
	for i := 0; i < MaxSI2quater; i++ {
		if b.qSet&(1<<i) != 0 {
			if k == 0 {
				return &b.q[i]
			}
			k--
		}
	}
	return &b.q[0]
}

func (b *BCCH) fallback() (SIType, *[23]byte, bool) {
	for _, t := range [...]SIType{SI3, SI4, SI2, SI1} {
		if b.have[t] {
			return t, &b.msgs[t], true
		}
	}
	return 0, nil, false
}
