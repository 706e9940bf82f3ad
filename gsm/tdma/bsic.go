package tdma

import "fmt"

// BSIC is the base station identity code (3GPP TS 23.003 §4.3.2): a 3-bit
// network colour code and a 3-bit base station colour code. The BCC is also
// the training sequence code of the BCCH carrier (TS 45.002 §5.2.3).
type BSIC struct {
	NCC uint8 // 0..7
	BCC uint8 // 0..7
}

// Value returns the 6-bit BSIC, NCC×8+BCC.
func (b BSIC) Value() uint8 { return b.NCC<<3 | b.BCC }

// BSICFromValue splits a 6-bit BSIC into its colour codes.
func BSICFromValue(v uint8) BSIC { return BSIC{NCC: v >> 3 & 7, BCC: v & 7} }

// Valid reports whether both colour codes are in range.
func (b BSIC) Valid() bool { return b.NCC < 8 && b.BCC < 8 }

func (b BSIC) String() string {
	return fmt.Sprintf("BSIC %d (NCC %d, BCC %d)", b.Value(), b.NCC, b.BCC)
}
