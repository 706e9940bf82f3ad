package rr

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// PagingRequest1 is Paging Request Type 1 (TS 44.018 §9.1.22), sent on the
// PCH:
//
//	octet 1       L2 pseudo length
//	octets 2–3    RR header, message type 0x21
//	octet 4       Channels Needed for Mobiles 1 and 2 (§10.5.2.8): CHANNEL
//	              (second) bits 8–7, CHANNEL (first) bits 6–5 |
//	              Page Mode (§10.5.2.26) bits 2–1
//	              Mobile Identity 1 (TS 24.008 §10.5.1.4), LV, 2–9 octets
//	              Mobile Identity 2, TLV 0x17, optional
//	              P1 Rest Octets (§10.5.2.23) to octet 23: written absent
//	              (padding), not decoded
//
// With no identity it is the "empty paging" an idle paging block carries:
// Mobile Identity 1 is "No identity" (TS 44.018 §3.3.2.1.1 note).
type PagingRequest1 struct {
	PageMode   PageMode
	ChanNeeded [2]ChanNeeded
	Count      int // identities present, 0..2
	Identity   [2]l3.MobileIdentity
}

const ieiMobileIdentity2 = 0x17

// MarshalTo writes the 23-octet PCH block. It does not allocate.
func (m *PagingRequest1) MarshalTo(b *[BlockLen]byte) error {
	if m.Count < 0 || m.Count > 2 {
		return fmt.Errorf("%w: paging request type 1 with %d identities", ErrRange, m.Count)
	}
	fillBlock(b[:])
	e := l3.NewEncoder(b[1:])
	e.Byte(byte(l3.PDRR))
	e.Byte(byte(MsgPagingRequest1))
	e.Byte(byte(m.ChanNeeded[1]&3)<<6 | byte(m.ChanNeeded[0]&3)<<4 | byte(m.PageMode&3))
	var none l3.MobileIdentity
	id1 := &none
	if m.Count > 0 {
		id1 = &m.Identity[0]
	}
	mark := e.BeginLV()
	if _, err := id1.MarshalTo(e.Reserve(id1.MarshalSize())); err != nil {
		return fmt.Errorf("paging request: identity 1: %w", err)
	}
	e.EndLV(mark)
	if m.Count == 2 {
		e.Byte(ieiMobileIdentity2)
		mark := e.BeginLV()
		if _, err := m.Identity[1].MarshalTo(e.Reserve(m.Identity[1].MarshalSize())); err != nil {
			return fmt.Errorf("paging request: identity 2: %w", err)
		}
		e.EndLV(mark)
	}
	if err := e.Err(); err != nil {
		return fmt.Errorf("paging request: %w", err)
	}
	b[0] = PseudoLength(e.Len())
	return nil
}

// Unmarshal parses a PCH block holding Paging Request Type 1.
func (m *PagingRequest1) Unmarshal(b []byte) error {
	msg, _, err := parseCCCH(b, MsgPagingRequest1)
	if err != nil {
		return fmt.Errorf("paging request: %w", err)
	}
	*m = PagingRequest1{}
	d := l3.NewDecoder(msg[2:])
	o := d.Byte()
	m.PageMode = PageMode(o & 3)
	m.ChanNeeded = [2]ChanNeeded{ChanNeeded(o >> 4 & 3), ChanNeeded(o >> 6)}
	id1 := d.LV(1, 8)
	if err := d.Err(); err != nil {
		return fmt.Errorf("paging request: %w", err)
	}
	if err := m.Identity[0].Unmarshal(id1); err != nil {
		return fmt.Errorf("paging request: identity 1: %w", err)
	}
	if m.Identity[0].Type != l3.IdentityNone {
		m.Count = 1
	}
	if v, ok := d.TLV(ieiMobileIdentity2, 1, 8); ok {
		if m.Count == 0 {
			return fmt.Errorf("%w: paging request: identity 2 without identity 1", ErrRange)
		}
		if err := m.Identity[1].Unmarshal(v); err != nil {
			return fmt.Errorf("paging request: identity 2: %w", err)
		}
		m.Count = 2
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("paging request: %w", err)
	}
	if d.Left() != 0 {
		return fmt.Errorf("%w: paging request: %d unknown octets", ErrType, d.Left())
	}
	return nil
}

// emptyPaging is the idle PCH block: Paging Request Type 1, normal paging,
// Mobile Identity 1 = "No identity".
var emptyPaging = func() (b [BlockLen]byte) {
	var m PagingRequest1
	if err := m.MarshalTo(&b); err != nil {
		panic(err) // a constant message; cannot fail
	}
	return b
}()

// EmptyPaging writes into dst the block an idle paging sub-channel
// carries (15 06 21 00 01 f0 2b …).
func EmptyPaging(dst *[BlockLen]byte) { *dst = emptyPaging }
