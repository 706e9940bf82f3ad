package rr

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/internal/bitio"
	"github.com/gsmbox/gsmbox/gsm/l3"
)

// SI4 is System Information Type 4 (TS 44.018 §9.1.36), sent on the BCCH
// at TC = 3 and 7:
//
//	octet  1      L2 pseudo length (= 12, or more with the CBCH IEs)
//	octets 2–3    RR header, message type 0x1c
//	octets 4–8    Location Area Identification
//	octets 9–10   Cell Selection Parameters (§10.5.2.4)
//	octets 11–13  RACH Control Parameters (§10.5.2.29)
//	              CBCH Channel Description, TV 0x64, 4 octets, optional
//	              CBCH Mobile Allocation, TLV 0x72, 3–6 octets, optional
//	              SI 4 Rest Octets (§10.5.2.35) to octet 23:
//	  <SI4 rest octets_O> ::= <Optional selection parameter> <Optional Power offset>
//	                          { L | H <GPRS Indicator> }
//	  { L | H <SI4 rest octets_S> } <spare padding>    -- _S is not decoded
type SI4 struct {
	LAI     l3.LAI
	CellSel CellSelParams
	RACH    RACHControl
	CBCH    *ChannelDesc // CBCH Channel Description, if present
	CBCHMA  []byte       // CBCH Mobile Allocation value, if present (hopping CBCH)
	Rest    SI4Rest
}

// SI4Rest is the decoded SI4 rest octets_O part.
type SI4Rest struct {
	Selection        SelectionParams
	PowerOffset      bool
	PowerOffsetValue uint8
	GPRS             bool
	RAColour         uint8
	SI13Position     uint8
}

const (
	si4L3Len    = 2 + l3.LAILen + 2 + 3
	ieiCBCHDesc = 0x64
	ieiCBCHMA   = 0x72
)

// MarshalTo writes the 23-octet BCCH block.
func (m *SI4) MarshalTo(b *[BlockLen]byte) error {
	fillBlock(b[:])
	e := l3.NewEncoder(b[1:])
	e.Byte(byte(l3.PDRR))
	e.Byte(byte(MsgSI4))
	if _, err := m.LAI.MarshalTo(e.Reserve(l3.LAILen)); err != nil {
		return fmt.Errorf("SI4: %w", err)
	}
	if err := m.CellSel.marshal(e.Reserve(2)); err != nil {
		return fmt.Errorf("SI4: %w", err)
	}
	if err := m.RACH.marshal(e.Reserve(3)); err != nil {
		return fmt.Errorf("SI4: %w", err)
	}
	if m.CBCH != nil {
		e.Byte(ieiCBCHDesc)
		if _, err := m.CBCH.MarshalTo(e.Reserve(ChannelDescLen)); err != nil {
			return fmt.Errorf("SI4 CBCH: %w", err)
		}
		if m.CBCHMA != nil {
			e.TLV(ieiCBCHMA, m.CBCHMA)
		}
	}
	if err := e.Err(); err != nil {
		return fmt.Errorf("SI4: %w", err)
	}
	b[0] = PseudoLength(e.Len())
	w := bitio.NewWriter(b[1+e.Len():])
	r := &m.Rest
	r.Selection.write(&w)
	w.LH(r.PowerOffset)
	if r.PowerOffset {
		w.Bits(uint64(r.PowerOffsetValue), 2)
	}
	w.LH(r.GPRS)
	if r.GPRS {
		w.Bits(uint64(r.RAColour), 3)
		w.Bits(uint64(r.SI13Position), 1)
	}
	w.LH(false) // no SI4 rest octets_S
	w.Pad()
	if err := w.Err(); err != nil {
		return fmt.Errorf("SI4 rest octets: %w", err)
	}
	return nil
}

// Unmarshal parses a BCCH block holding SI4.
func (m *SI4) Unmarshal(b []byte) error {
	msg, rest, err := parseCCCH(b, MsgSI4)
	if err != nil {
		return fmt.Errorf("SI4: %w", err)
	}
	if len(msg) < si4L3Len {
		return fmt.Errorf("%w: SI4 of %d octets, want %d", ErrShort, len(msg), si4L3Len)
	}
	*m = SI4{}
	if err := m.LAI.Unmarshal(msg[2:7]); err != nil {
		return fmt.Errorf("SI4: %w", err)
	}
	m.CellSel.unmarshal(msg[7:9])
	m.RACH.unmarshal(msg[9:12])
	d := l3.NewDecoder(msg[12:])
	if v, ok := d.TV(ieiCBCHDesc, ChannelDescLen); ok {
		m.CBCH = new(ChannelDesc)
		if err := m.CBCH.Unmarshal(v); err != nil {
			return fmt.Errorf("SI4 CBCH: %w", err)
		}
		if v, ok := d.TLV(ieiCBCHMA, 0, 8); ok {
			m.CBCHMA = append([]byte{}, v...)
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("SI4: %w", err)
	}
	if d.Left() != 0 {
		return fmt.Errorf("%w: SI4 has %d unknown octets before the rest octets", ErrType, d.Left())
	}
	r := bitio.NewReader(rest)
	o := &m.Rest
	o.Selection.read(&r)
	if o.PowerOffset = r.H(); o.PowerOffset {
		o.PowerOffsetValue = uint8(r.Bits(2))
	}
	if o.GPRS = r.H(); o.GPRS {
		o.RAColour = uint8(r.Bits(3))
		o.SI13Position = uint8(r.Bits(1))
	}
	if err := r.Err(); err != nil {
		return fmt.Errorf("SI4 rest octets: %w", err)
	}
	return nil
}
