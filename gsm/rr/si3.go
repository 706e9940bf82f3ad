package rr

import (
	"encoding/binary"
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/internal/bitio"
	"github.com/gsmbox/gsmbox/gsm/l3"
)

// SI3 is System Information Type 3 (TS 44.018 §9.1.35), sent on the BCCH
// at TC = 2 and 6:
//
//	octet  1      L2 pseudo length (= 18)
//	octets 2–3    RR header, message type 0x1b
//	octets 4–5    Cell Identity (TS 24.008 §10.5.1.1)
//	octets 6–10   Location Area Identification (TS 24.008 §10.5.1.3)
//	octets 11–13  Control Channel Description (§10.5.2.11)
//	octet  14     Cell Options (BCCH) (§10.5.2.3)
//	octets 15–16  Cell Selection Parameters (§10.5.2.4)
//	octets 17–19  RACH Control Parameters (§10.5.2.29)
//	octets 20–23  SI 3 Rest Octets (§10.5.2.34)
type SI3 struct {
	CI      uint16
	LAI     l3.LAI
	Control ControlChannelDesc
	Options CellOptions
	CellSel CellSelParams
	RACH    RACHControl
	Rest    SI3Rest
}

// SelectionParams are the optional cell reselection parameters of the SI3
// and SI4 rest octets (TS 44.018 §10.5.2.34):
//
//	<Selection Parameters> ::= <CBQ : bit> <CELL_RESELECT_OFFSET : bit (6)>
//	                           <TEMPORARY_OFFSET : bit (3)> <PENALTY_TIME : bit (5)>
type SelectionParams struct {
	Present            bool
	CBQ                bool
	CellReselectOffset uint8
	TemporaryOffset    uint8
	PenaltyTime        uint8
}

// SI3Rest is the SI 3 Rest Octets (TS 44.018 §10.5.2.34), decoded up to the
// SI2quater indicator; later fields are ignored and written as absent:
//
//	<SI3 Rest Octet> ::= <Optional Selection Parameter> <Optional Power Offset>
//	  <System Information 2ter Indicator : L | H> <Early Classmark Sending Control : L | H>
//	  <Scheduling if and where : L | H <WHERE : bit (3)>>
//	  { L | H <GPRS Indicator : <RA COLOUR : bit (3)> <SI13 POSITION : bit>> }
//	  <3G Early Classmark Sending Restriction : L | H>
//	  { L | H <SI2quater Indicator : <SI2quater POSITION : bit>> }
//	  ... <spare padding>
type SI3Rest struct {
	Selection         SelectionParams
	PowerOffset       bool
	PowerOffsetValue  uint8 // 2 bits, if PowerOffset
	SI2ter            bool  // SI2ter is broadcast
	EarlyClassmark    bool  // early classmark sending is accepted
	Where             bool
	WhereValue        uint8 // 3 bits
	GPRS              bool
	RAColour          uint8
	SI13Position      uint8 // 0: SI13 on BCCH Norm, 1: BCCH Ext
	ECSR3G            bool  // 3G early classmark sending restriction
	SI2quater         bool
	SI2quaterPosition uint8
}

const si3L3Len = 2 + 2 + l3.LAILen + 3 + 1 + 2 + 3

func (p *SelectionParams) write(w *bitio.Writer) {
	w.LH(p.Present)
	if p.Present {
		w.Bool(p.CBQ)
		w.Bits(uint64(p.CellReselectOffset), 6)
		w.Bits(uint64(p.TemporaryOffset), 3)
		w.Bits(uint64(p.PenaltyTime), 5)
	}
}

func (p *SelectionParams) read(r *bitio.Reader) {
	*p = SelectionParams{Present: r.H()}
	if p.Present {
		p.CBQ = r.Bool()
		p.CellReselectOffset = uint8(r.Bits(6))
		p.TemporaryOffset = uint8(r.Bits(3))
		p.PenaltyTime = uint8(r.Bits(5))
	}
}

func (m *SI3Rest) write(w *bitio.Writer) {
	m.Selection.write(w)
	w.LH(m.PowerOffset)
	if m.PowerOffset {
		w.Bits(uint64(m.PowerOffsetValue), 2)
	}
	w.LH(m.SI2ter)
	w.LH(m.EarlyClassmark)
	w.LH(m.Where)
	if m.Where {
		w.Bits(uint64(m.WhereValue), 3)
	}
	w.LH(m.GPRS)
	if m.GPRS {
		w.Bits(uint64(m.RAColour), 3)
		w.Bits(uint64(m.SI13Position), 1)
	}
	w.LH(m.ECSR3G)
	w.LH(m.SI2quater)
	if m.SI2quater {
		w.Bits(uint64(m.SI2quaterPosition), 1)
	}
	w.Pad()
}

func (m *SI3Rest) read(r *bitio.Reader) {
	*m = SI3Rest{}
	m.Selection.read(r)
	if m.PowerOffset = r.H(); m.PowerOffset {
		m.PowerOffsetValue = uint8(r.Bits(2))
	}
	m.SI2ter = r.H()
	m.EarlyClassmark = r.H()
	if m.Where = r.H(); m.Where {
		m.WhereValue = uint8(r.Bits(3))
	}
	if m.GPRS = r.H(); m.GPRS {
		m.RAColour = uint8(r.Bits(3))
		m.SI13Position = uint8(r.Bits(1))
	}
	m.ECSR3G = r.H()
	if m.SI2quater = r.H(); m.SI2quater {
		m.SI2quaterPosition = uint8(r.Bits(1))
	}
}

// MarshalTo writes the 23-octet BCCH block.
func (m *SI3) MarshalTo(b *[BlockLen]byte) error {
	fillBlock(b[:])
	ccchHeader(b[:], si3L3Len, MsgSI3)
	binary.BigEndian.PutUint16(b[3:], m.CI)
	if _, err := m.LAI.MarshalTo(b[5:10]); err != nil {
		return fmt.Errorf("SI3: %w", err)
	}
	if err := m.Control.marshal(b[10:13]); err != nil {
		return fmt.Errorf("SI3: %w", err)
	}
	o, err := m.Options.marshal(false)
	if err != nil {
		return fmt.Errorf("SI3: %w", err)
	}
	b[13] = o
	if err := m.CellSel.marshal(b[14:16]); err != nil {
		return fmt.Errorf("SI3: %w", err)
	}
	if err := m.RACH.marshal(b[16:19]); err != nil {
		return fmt.Errorf("SI3: %w", err)
	}
	w := bitio.NewWriter(b[19:])
	m.Rest.write(&w)
	if err := w.Err(); err != nil {
		return fmt.Errorf("SI3 rest octets: %w", err)
	}
	return nil
}

// Unmarshal parses a BCCH block holding SI3.
func (m *SI3) Unmarshal(b []byte) error {
	msg, rest, err := parseCCCH(b, MsgSI3)
	if err != nil {
		return fmt.Errorf("SI3: %w", err)
	}
	if len(msg) < si3L3Len {
		return fmt.Errorf("%w: SI3 of %d octets, want %d", ErrShort, len(msg), si3L3Len)
	}
	*m = SI3{CI: binary.BigEndian.Uint16(msg[2:])}
	if err := m.LAI.Unmarshal(msg[4:9]); err != nil {
		return fmt.Errorf("SI3: %w", err)
	}
	m.Control.unmarshal(msg[9:12])
	m.Options.unmarshal(msg[12], false)
	m.CellSel.unmarshal(msg[13:15])
	m.RACH.unmarshal(msg[15:18])
	r := bitio.NewReader(rest)
	m.Rest.read(&r)
	if err := r.Err(); err != nil {
		return fmt.Errorf("SI3 rest octets: %w", err)
	}
	return nil
}
