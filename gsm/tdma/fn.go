package tdma

import "fmt"

// Frame structure constants, 3GPP TS 45.002 §4.3.3.
const (
	// HyperFrame is the number of TDMA frames in a hyperframe (2048 × 51 × 26);
	// frame numbers count modulo this value.
	HyperFrame = 2048 * 51 * 26
	// Slots is the number of timeslots in a TDMA frame.
	Slots = 8
)

// FN is a TDMA frame number in [0, HyperFrame).
type FN uint32

// T1 returns FN div (26×51), the superframe count (TS 45.002 §3.3.2.2.1).
func (f FN) T1() int { return int(f) / (26 * 51) }

// T2 returns FN mod 26.
func (f FN) T2() int { return int(f) % 26 }

// T3 returns FN mod 51.
func (f FN) T3() int { return int(f) % 51 }

// T3p returns T3' = (T3 − 1) div 10, the value carried in the SCH.
func (f FN) T3p() int { return (f.T3() - 1) / 10 }

// Add returns f+n modulo the hyperframe; n may be negative.
func (f FN) Add(n int) FN {
	v := (int64(f) + int64(n)) % HyperFrame
	if v < 0 {
		v += HyperFrame
	}
	return FN(v)
}

// Sub returns the signed distance f−g, folded into (−HyperFrame/2, HyperFrame/2],
// so a deadline compare works across the hyperframe wrap.
func (f FN) Sub(g FN) int {
	d := (int64(f) - int64(g)) % HyperFrame
	if d > HyperFrame/2 {
		d -= HyperFrame
	} else if d <= -HyperFrame/2 {
		d += HyperFrame
	}
	return int(d)
}

// Before reports whether f is earlier than g, modulo the hyperframe.
func (f FN) Before(g FN) bool { return f.Sub(g) < 0 }

// FromT builds a frame number from T1, T2 and T3 (TS 45.002 §3.3.2.2.1),
// the inverse of T1/T2/T3, as used when decoding the SCH.
func FromT(t1, t2, t3 int) FN {
	// FN = 51×((T3−T2) mod 26) + T3 + 51×26×T1
	d := (t3 - t2) % 26
	if d < 0 {
		d += 26
	}
	return FN((51*d + t3 + 51*26*t1) % HyperFrame)
}

// RFN is the reduced frame number carried in the Starting Time and Request
// Reference IEs (TS 44.018 §10.5.2.38): T1' = T1 mod 32, T3 and T2.
type RFN struct{ T1p, T3, T2 int }

// Reduced returns the reduced frame number of f.
func (f FN) Reduced() RFN { return RFN{T1p: f.T1() % 32, T3: f.T3(), T2: f.T2()} }

func (f FN) String() string { return fmt.Sprintf("FN%d", uint32(f)) }

// TN is a timeslot number, 0..7.
type TN uint8
