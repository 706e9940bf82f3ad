package rr

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/internal/bitio"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// ImmediateAssignment is the Immediate Assignment message (TS 44.018
// §9.1.18) for dedicated mode, sent on the AGCH:
//
//	octet 1       L2 pseudo length
//	octets 2–3    RR header, message type 0x3f
//	octet 4       Dedicated mode or TBF (§10.5.2.25b) bits 8–5 (0: dedicated) |
//	              Page Mode (§10.5.2.26) bits 4–1
//	octets 5–7    Channel Description (§10.5.2.5)
//	octets 8–10   Request Reference (§10.5.2.30)
//	octet 11      Timing Advance (§10.5.2.40): bits 6–1
//	              Mobile Allocation (§10.5.2.21), LV, 0–8 octets (empty
//	              without frequency hopping)
//	              Starting Time (§10.5.2.38), TV 0x7c, optional
//	              IA Rest Octets (§10.5.2.16) to octet 23: written absent
//	              (padding), not decoded
//
// Packet (TBF) assignments are not supported: Unmarshal returns ErrRange
// for them.
type ImmediateAssignment struct {
	PageMode        PageMode
	Chan            ChannelDesc
	Ref             RequestRef
	TA              uint8  // timing advance, 0..63
	MobileAlloc     []byte // MA bitmap (hopping only); nil or empty otherwise
	HasStartingTime bool
	StartingTime    tdma.RFN
}

const ieiStartingTime = 0x7c

// MarshalTo writes the 23-octet AGCH block.
func (m *ImmediateAssignment) MarshalTo(b *[BlockLen]byte) error {
	if m.TA > 63 || len(m.MobileAlloc) > 8 {
		return fmt.Errorf("%w: immediate assignment TA %d, MA of %d octets", ErrRange, m.TA, len(m.MobileAlloc))
	}
	fillBlock(b[:])
	e := l3.NewEncoder(b[1:])
	e.Byte(byte(l3.PDRR))
	e.Byte(byte(MsgImmAss))
	e.Byte(byte(m.PageMode & 3))
	if _, err := m.Chan.MarshalTo(e.Reserve(ChannelDescLen)); err != nil {
		return fmt.Errorf("immediate assignment: %w", err)
	}
	if err := m.Ref.marshal(e.Reserve(3)); err != nil {
		return fmt.Errorf("immediate assignment: %w", err)
	}
	e.Byte(m.TA)
	e.LV(m.MobileAlloc)
	if m.HasStartingTime {
		e.Byte(ieiStartingTime)
		if err := putRFN(e.Reserve(2), m.StartingTime); err != nil {
			return fmt.Errorf("immediate assignment starting time: %w", err)
		}
	}
	if err := e.Err(); err != nil {
		return fmt.Errorf("immediate assignment: %w", err)
	}
	b[0] = PseudoLength(e.Len())
	return nil
}

// Unmarshal parses an AGCH block holding an Immediate Assignment.
func (m *ImmediateAssignment) Unmarshal(b []byte) error {
	msg, _, err := parseCCCH(b, MsgImmAss)
	if err != nil {
		return fmt.Errorf("immediate assignment: %w", err)
	}
	*m = ImmediateAssignment{}
	d := l3.NewDecoder(msg[2:])
	o := d.Byte()
	cd := d.V(ChannelDescLen)
	ref := d.V(3)
	ta := d.Byte()
	ma := d.LV(0, 8)
	if err := d.Err(); err != nil {
		return fmt.Errorf("immediate assignment: %w", err)
	}
	if o>>4&1 != 0 {
		return fmt.Errorf("%w: immediate assignment of a TBF (dedicated mode or TBF %#x)", ErrRange, o>>4)
	}
	m.PageMode = PageMode(o & 3)
	if err := m.Chan.Unmarshal(cd); err != nil {
		return fmt.Errorf("immediate assignment: %w", err)
	}
	m.Ref.unmarshal(ref)
	if err := validRFN(m.Ref.RFN); err != nil {
		return fmt.Errorf("immediate assignment request reference: %w", err)
	}
	m.TA = ta & 63
	if len(ma) > 0 {
		m.MobileAlloc = append([]byte{}, ma...)
	}
	if v, ok := d.TV(ieiStartingTime, 2); ok {
		m.HasStartingTime = true
		m.StartingTime = getRFN(v)
		if err := validRFN(m.StartingTime); err != nil {
			return fmt.Errorf("immediate assignment starting time: %w", err)
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("immediate assignment: %w", err)
	}
	return nil
}

// ImmediateAssignmentReject is the Immediate Assignment Reject message
// (TS 44.018 §9.1.20), sent on the AGCH; it answers up to four channel
// requests:
//
//	octet 1       L2 pseudo length (= 19)
//	octets 2–3    RR header, message type 0x3a
//	octet 4       spare bits 8–5 | Page Mode bits 4–1
//	octets 5–7    Request Reference 1    octet 8   Wait Indication 1 (§10.5.2.43)
//	octets 9–11   Request Reference 2    octet 12  Wait Indication 2
//	octets 13–15  Request Reference 3    octet 16  Wait Indication 3
//	octets 17–19  Request Reference 4    octet 20  Wait Indication 4
//	octets 21–23  IAR Rest Octets (§10.5.2.17), written without extended
//	              RA and Rel-13 additions:
//	  { 0 | 1 <Extended RA 1 : bit (5)> } ... { 0 | 1 <Extended RA 4 : bit (5)> }
//	  { L | H <Additions in Rel-13> } <spare padding>
//
// The Extended RA presence bits are plain 0/1, not L/H, so the rest
// octets are not bare padding: they start 0x0b.
//
// Unused slots repeat the first reference (§9.1.20.1). The wait indication
// is the value of T3122 in seconds.
type ImmediateAssignmentReject struct {
	PageMode PageMode
	Count    int // 1..4
	Ref      [4]RequestRef
	Wait     [4]uint8
}

const iarL3Len = 2 + 1 + 4*4

// MarshalTo writes the 23-octet AGCH block.
func (m *ImmediateAssignmentReject) MarshalTo(b *[BlockLen]byte) error {
	if m.Count < 1 || m.Count > 4 {
		return fmt.Errorf("%w: immediate assignment reject with %d references", ErrRange, m.Count)
	}
	fillBlock(b[:])
	ccchHeader(b[:], iarL3Len, MsgImmAssReject)
	b[3] = byte(m.PageMode & 3)
	for i := range 4 {
		j := i
		if i >= m.Count {
			j = 0
		}
		o := 4 + 4*i
		if err := m.Ref[j].marshal(b[o : o+3]); err != nil {
			return fmt.Errorf("immediate assignment reject: %w", err)
		}
		b[o+3] = m.Wait[j]
	}
	w := bitio.NewWriter(b[20:])
	w.Bits(0, 4) // no Extended RA 1..4
	w.LH(false)  // no Rel-13 additions
	w.Pad()
	return w.Err()
}

// Unmarshal parses an AGCH block holding an Immediate Assignment Reject.
// Trailing slots equal to the first are taken as unused.
func (m *ImmediateAssignmentReject) Unmarshal(b []byte) error {
	msg, _, err := parseCCCH(b, MsgImmAssReject)
	if err != nil {
		return fmt.Errorf("immediate assignment reject: %w", err)
	}
	if len(msg) < iarL3Len {
		return fmt.Errorf("%w: immediate assignment reject of %d octets, want %d", ErrShort, len(msg), iarL3Len)
	}
	*m = ImmediateAssignmentReject{PageMode: PageMode(msg[2] & 3)}
	for i := range 4 {
		o := 3 + 4*i
		m.Ref[i].unmarshal(msg[o : o+3])
		if err := validRFN(m.Ref[i].RFN); err != nil {
			return fmt.Errorf("immediate assignment reject: %w", err)
		}
		m.Wait[i] = msg[o+3]
	}
	m.Count = 4
	for m.Count > 1 && m.Ref[m.Count-1] == m.Ref[0] && m.Wait[m.Count-1] == m.Wait[0] {
		m.Ref[m.Count-1], m.Wait[m.Count-1] = RequestRef{}, 0
		m.Count--
	}
	return nil
}
