package mm

import "github.com/gsmbox/gsmbox/gsm/l3"

// Send sequence numbering of MS-to-network MM, CC and SS messages (3GPP TS
// 24.007 §11.2.3.2.3). A mobile station stamps each such message with
// N(SD) taken from its send state variable V(SD); the network discards a
// message whose N(SD) is not the one it expects, which is how a message
// repeated by LAPDm across a channel change is not processed twice. MM, CC
// and SS share one V(SD) on a connection. From R99 on the number is two
// bits (modulo 4, bits 8–7); an R98 or older MS uses bit 7 alone (modulo
// 2). V(SD) starts at 0 when the RR connection is established.

// SendSequence is the MS's V(SD) for the MM+CC+SS flow. The zero value is
// an R99 sequence at 0.
type SendSequence struct {
	v   uint8
	R98 bool // the MS is R98 or older: modulo 2
}

// Reset sets V(SD) to 0, at RR connection establishment.
func (s *SendSequence) Reset() { s.v = 0 }

// Next returns N(SD) for the next MM, CC or SS message and advances V(SD).
func (s *SendSequence) Next() uint8 {
	n := s.v
	mod := uint8(4)
	if s.R98 {
		mod = 2
	}
	s.v = (s.v + 1) % mod
	return n
}

// Stamp writes the next N(SD) into bits 8–7 of octet 2 of the L3 message
// b if its protocol discriminator carries one (MM, CC, SS), and reports
// whether it did.
func (s *SendSequence) Stamp(b []byte) bool {
	if len(b) < 2 || !l3.PD(b[0]&0xf).HasNSD() {
		return false
	}
	b[1] = b[1]&0x3f | s.Next()<<6
	return true
}

// DuplicateFilter is the network's duplicate detection for one connection's
// MM+CC+SS flow (TS 24.007 §11.2.3.2.3.3). The first message sets the
// expected number; a later message whose N(SD) differs from the expected
// one is a duplicate. R98 is set from the MS's revision level (Classmark
// revision 0 or 1) before the second message.
type DuplicateFilter struct {
	next    uint8
	started bool
	R98     bool
}

// Accept reports whether the L3 message b is to be processed: true for
// messages without N(SD) and for the expected N(SD), which it then
// advances; false for a duplicate.
func (f *DuplicateFilter) Accept(b []byte) bool {
	if len(b) < 2 || !l3.PD(b[0]&0xf).HasNSD() {
		return true
	}
	mod := uint8(4)
	if f.R98 {
		mod = 2
	}
	n := (b[1] >> 6) % mod
	if f.started && n != f.next {
		return false
	}
	f.started = true
	f.next = (n + 1) % mod
	return true
}
