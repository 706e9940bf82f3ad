package rr

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/internal/bitio"
)

// SI1 is System Information Type 1 (TS 44.018 §9.1.31), sent on the BCCH
// at TC = 0:
//
//	octet  1      L2 pseudo length (= 21)
//	octets 2–3    RR header: skip 0 / PD RR, message type 0x19
//	octets 4–19   Cell Channel Description (§10.5.2.1b), 16 octets
//	octets 20–22  RACH Control Parameters (§10.5.2.29), 3 octets
//	octet  23     SI 1 Rest Octets (§10.5.2.32), 1 octet:
//	              { L | H <NCH Position : bit (5)> } <BAND_INDICATOR: L 1800 | H 1900> <spare padding>
type SI1 struct {
	CellChannels FreqSet // cell allocation (ARFCNs used in the cell)
	RACH         RACHControl
	NCH          bool  // NCH present
	NCHPosition  uint8 // 5 bits, if NCH
	PCS1900      bool  // BAND_INDICATOR: ARFCNs 512..810 are PCS 1900
}

const si1L3Len = 2 + FreqListLen + 3

// MarshalTo writes the 23-octet BCCH block.
func (m *SI1) MarshalTo(b *[BlockLen]byte) error {
	fillBlock(b[:])
	ccchHeader(b[:], si1L3Len, MsgSI1)
	if _, err := EncodeFreqList((*[FreqListLen]byte)(b[3:19]), &m.CellChannels, 0); err != nil {
		return fmt.Errorf("SI1 cell channel description: %w", err)
	}
	if err := m.RACH.marshal(b[19:22]); err != nil {
		return fmt.Errorf("SI1: %w", err)
	}
	w := bitio.NewWriter(b[22:])
	w.LH(m.NCH)
	if m.NCH {
		w.Bits(uint64(m.NCHPosition), 5)
	}
	w.LH(m.PCS1900)
	w.Pad()
	return w.Err()
}

// Unmarshal parses a BCCH block holding SI1.
func (m *SI1) Unmarshal(b []byte) error {
	msg, rest, err := parseCCCH(b, MsgSI1)
	if err != nil {
		return fmt.Errorf("SI1: %w", err)
	}
	if len(msg) < si1L3Len {
		return fmt.Errorf("%w: SI1 of %d octets, want %d", ErrShort, len(msg), si1L3Len)
	}
	*m = SI1{}
	if m.CellChannels, _, _, err = DecodeFreqList(msg[2:18]); err != nil {
		return fmt.Errorf("SI1 cell channel description: %w", err)
	}
	m.RACH.unmarshal(msg[18:21])
	r := bitio.NewReader(rest)
	if m.NCH = r.H(); m.NCH {
		m.NCHPosition = uint8(r.Bits(5))
	}
	m.PCS1900 = r.H()
	if err := r.Err(); err != nil {
		return fmt.Errorf("SI1 rest octets: %w", err)
	}
	return nil
}
