package rr

import (
	"encoding/binary"
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/internal/bitio"
	"github.com/gsmbox/gsmbox/gsm/l3"
)

// SI6 is System Information Type 6 (TS 44.018 §9.1.40), sent on the SACCH
// in a LAPDm format B4 UI frame; this is its 19-octet form (see
// SACCHBlock):
//
//	octet  1      L2 pseudo length (= 11)
//	octets 2–3    RR header, message type 0x1e
//	octets 4–5    Cell Identity
//	octets 6–10   Location Area Identification
//	octet  11     Cell Options (SACCH) (§10.5.2.3a)
//	octet  12     NCC Permitted (§10.5.2.27)
//	octets 13–19  SI 6 Rest Octets (§10.5.2.35a): only the band indicator
//	              is written (all other fields absent); it is decoded.
//
//	<SI6 rest octets> ::= { L | H <PCH and NCH info> } { L | H <VBS/VGCS options> }
//	  { < DTM_support : L > | < DTM_support : H > <RAC : bit (8)> <MAX_LAPDm : bit (3)> }
//	  < Band indicator : L (1800) | H (1900) > ...
type SI6 struct {
	CI           uint16
	LAI          l3.LAI
	Options      CellOptions
	NCCPermitted uint8
	PCS1900      bool // band indicator: ARFCNs 512..810 are PCS 1900
}

// MarshalTo writes the 19-octet message.
func (m *SI6) MarshalTo(b *[SACCHInfoLen]byte) error {
	ccchHeader(b[:], 11, MsgSI6)
	binary.BigEndian.PutUint16(b[3:], m.CI)
	if _, err := m.LAI.MarshalTo(b[5:10]); err != nil {
		return fmt.Errorf("SI6: %w", err)
	}
	o, err := m.Options.marshal(true)
	if err != nil {
		return fmt.Errorf("SI6: %w", err)
	}
	b[10] = o
	b[11] = m.NCCPermitted
	w := bitio.NewWriter(b[12:])
	w.LH(false) // no PCH and NCH info
	w.LH(false) // no VBS/VGCS options
	w.LH(false) // DTM not supported
	w.LH(m.PCS1900)
	w.Pad()
	return w.Err()
}

// Unmarshal parses the message (from its pseudo length octet). Of the rest
// octets only the band indicator is decoded, and only when the fields
// before it are absent.
func (m *SI6) Unmarshal(b []byte) error {
	msg, rest, err := parseCCCH(b, MsgSI6)
	if err != nil {
		return fmt.Errorf("SI6: %w", err)
	}
	if len(msg) < 11 {
		return fmt.Errorf("%w: SI6 of %d octets, want 11", ErrShort, len(msg))
	}
	*m = SI6{CI: binary.BigEndian.Uint16(msg[2:]), NCCPermitted: msg[10]}
	if err := m.LAI.Unmarshal(msg[4:9]); err != nil {
		return fmt.Errorf("SI6: %w", err)
	}
	m.Options.unmarshal(msg[9], true)
	r := bitio.NewReader(rest)
	if !r.H() && !r.H() && !r.H() {
		m.PCS1900 = r.H()
	}
	return nil
}
