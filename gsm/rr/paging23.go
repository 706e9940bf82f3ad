package rr

import (
	"encoding/binary"
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/internal/bitio"
	"github.com/gsmbox/gsmbox/gsm/l3"
)

// PagingRequest2 is Paging Request Type 2 (TS 44.018 §9.1.23): two TMSIs
// and optionally a third identity of any type:
//
//	octet 1       L2 pseudo length
//	octets 2–3    RR header, message type 0x22
//	octet 4       Channels Needed for Mobiles 1 and 2 | Page Mode
//	octets 5–8    Mobile Identity 1: TMSI/P-TMSI (§10.5.2.42), V
//	octets 9–12   Mobile Identity 2: TMSI/P-TMSI, V
//	              Mobile Identity 3 (TS 24.008 §10.5.1.4), TLV 0x17, optional
//	              P2 Rest Octets (§10.5.2.24) to octet 23:
//	  { L | H <CN3 : bit (2)> } ... <spare padding>   -- only CN3 is coded
type PagingRequest2 struct {
	PageMode     PageMode
	ChanNeeded   [3]ChanNeeded
	TMSI         [2]uint32
	HasIdentity3 bool
	Identity3    l3.MobileIdentity
}

// MarshalTo writes the 23-octet PCH block.
func (m *PagingRequest2) MarshalTo(b *[BlockLen]byte) error {
	fillBlock(b[:])
	e := l3.NewEncoder(b[1:])
	e.Byte(byte(l3.PDRR))
	e.Byte(byte(MsgPagingRequest2))
	e.Byte(byte(m.ChanNeeded[1]&3)<<6 | byte(m.ChanNeeded[0]&3)<<4 | byte(m.PageMode&3))
	binary.BigEndian.PutUint32(e.Reserve(4), m.TMSI[0])
	binary.BigEndian.PutUint32(e.Reserve(4), m.TMSI[1])
	if m.HasIdentity3 {
		e.Byte(ieiMobileIdentity2)
		mark := e.BeginLV()
		if _, err := m.Identity3.MarshalTo(e.Reserve(m.Identity3.MarshalSize())); err != nil {
			return fmt.Errorf("paging request type 2: identity 3: %w", err)
		}
		e.EndLV(mark)
	}
	if err := e.Err(); err != nil {
		return fmt.Errorf("paging request type 2: %w", err)
	}
	b[0] = PseudoLength(e.Len())
	w := bitio.NewWriter(b[1+e.Len():])
	w.LH(m.HasIdentity3)
	if m.HasIdentity3 {
		w.Bits(uint64(m.ChanNeeded[2]&3), 2)
	}
	w.Pad()
	if err := w.Err(); err != nil {
		return fmt.Errorf("paging request type 2 rest octets: %w", err)
	}
	return nil
}

// Unmarshal parses a PCH block holding Paging Request Type 2.
func (m *PagingRequest2) Unmarshal(b []byte) error {
	msg, rest, err := parseCCCH(b, MsgPagingRequest2)
	if err != nil {
		return fmt.Errorf("paging request type 2: %w", err)
	}
	*m = PagingRequest2{}
	d := l3.NewDecoder(msg[2:])
	o := d.Byte()
	t1, t2 := d.V(4), d.V(4)
	if err := d.Err(); err != nil {
		return fmt.Errorf("paging request type 2: %w", err)
	}
	m.PageMode = PageMode(o & 3)
	m.ChanNeeded[0], m.ChanNeeded[1] = ChanNeeded(o>>4&3), ChanNeeded(o>>6)
	m.TMSI = [2]uint32{binary.BigEndian.Uint32(t1), binary.BigEndian.Uint32(t2)}
	if v, ok := d.TLV(ieiMobileIdentity2, 1, 8); ok {
		if err := m.Identity3.Unmarshal(v); err != nil {
			return fmt.Errorf("paging request type 2: identity 3: %w", err)
		}
		m.HasIdentity3 = true
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("paging request type 2: %w", err)
	}
	if d.Left() != 0 {
		return fmt.Errorf("%w: paging request type 2: %d unknown octets", ErrType, d.Left())
	}
	r := bitio.NewReader(rest)
	if r.H() {
		m.ChanNeeded[2] = ChanNeeded(r.Bits(2))
	}
	if !m.HasIdentity3 {
		m.ChanNeeded[2] = 0
	}
	if err := r.Err(); err != nil {
		return fmt.Errorf("paging request type 2 rest octets: %w", err)
	}
	return nil
}

// PagingRequest3 is Paging Request Type 3 (TS 44.018 §9.1.24): four TMSIs:
//
//	octet 1       L2 pseudo length (= 19)
//	octets 2–3    RR header, message type 0x24
//	octet 4       Channels Needed for Mobiles 1 and 2 | Page Mode
//	octets 5–20   Mobile Identities 1–4: TMSI/P-TMSI, V, 4 octets each
//	octets 21–23  P3 Rest Octets (§10.5.2.25):
//	  { L | H <CN3 : bit (2)> <CN4 : bit (2)> } ... <spare padding>
type PagingRequest3 struct {
	PageMode   PageMode
	ChanNeeded [4]ChanNeeded
	TMSI       [4]uint32
}

const p3L3Len = 2 + 1 + 16

// MarshalTo writes the 23-octet PCH block.
func (m *PagingRequest3) MarshalTo(b *[BlockLen]byte) error {
	fillBlock(b[:])
	ccchHeader(b[:], p3L3Len, MsgPagingRequest3)
	b[3] = byte(m.ChanNeeded[1]&3)<<6 | byte(m.ChanNeeded[0]&3)<<4 | byte(m.PageMode&3)
	for i, t := range m.TMSI {
		binary.BigEndian.PutUint32(b[4+4*i:], t)
	}
	w := bitio.NewWriter(b[20:])
	w.LH(true)
	w.Bits(uint64(m.ChanNeeded[2]&3), 2)
	w.Bits(uint64(m.ChanNeeded[3]&3), 2)
	w.Pad()
	return w.Err()
}

// Unmarshal parses a PCH block holding Paging Request Type 3.
func (m *PagingRequest3) Unmarshal(b []byte) error {
	msg, rest, err := parseCCCH(b, MsgPagingRequest3)
	if err != nil {
		return fmt.Errorf("paging request type 3: %w", err)
	}
	if len(msg) < p3L3Len {
		return fmt.Errorf("%w: paging request type 3 of %d octets, want %d", ErrShort, len(msg), p3L3Len)
	}
	*m = PagingRequest3{PageMode: PageMode(msg[2] & 3)}
	m.ChanNeeded[0], m.ChanNeeded[1] = ChanNeeded(msg[2]>>4&3), ChanNeeded(msg[2]>>6)
	for i := range m.TMSI {
		m.TMSI[i] = binary.BigEndian.Uint32(msg[3+4*i:])
	}
	r := bitio.NewReader(rest)
	if r.H() {
		m.ChanNeeded[2] = ChanNeeded(r.Bits(2))
		m.ChanNeeded[3] = ChanNeeded(r.Bits(2))
	}
	if err := r.Err(); err != nil {
		return fmt.Errorf("paging request type 3 rest octets: %w", err)
	}
	return nil
}
