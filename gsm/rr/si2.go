package rr

import "fmt"

// SI2 is System Information Type 2 (TS 44.018 §9.1.32), sent on the BCCH
// at TC = 1:
//
//	octet  1      L2 pseudo length (= 22)
//	octets 2–3    RR header, message type 0x1a
//	octets 4–19   Neighbour Cell Description (§10.5.2.22), 16 octets:
//	              the BCCH allocation (BA) of the neighbour cells
//	octet  20     NCC Permitted (§10.5.2.27)
//	octets 21–23  RACH Control Parameters (§10.5.2.29)
//
// SI2 has no rest octets.
type SI2 struct {
	Neighbours   FreqSet
	ExtInd       bool  // EXT-IND: the BA continues in SI2bis
	BAInd        bool  // BA-IND: BA sequence, toggled on each BA change
	NCCPermitted uint8 // bit n set: NCC n may be reported
	RACH         RACHControl
}

const si2L3Len = 2 + FreqListLen + 1 + 3

// MarshalTo writes the 23-octet BCCH block.
func (m *SI2) MarshalTo(b *[BlockLen]byte) error {
	fillBlock(b[:])
	ccchHeader(b[:], si2L3Len, MsgSI2)
	if _, err := EncodeFreqList((*[FreqListLen]byte)(b[3:19]), &m.Neighbours, bit(m.ExtInd, 1)|bit(m.BAInd, 0)); err != nil {
		return fmt.Errorf("SI2 neighbour cell description: %w", err)
	}
	b[19] = m.NCCPermitted
	if err := m.RACH.marshal(b[20:23]); err != nil {
		return fmt.Errorf("SI2: %w", err)
	}
	return nil
}

// Unmarshal parses a BCCH block holding SI2.
func (m *SI2) Unmarshal(b []byte) error {
	msg, _, err := parseCCCH(b, MsgSI2)
	if err != nil {
		return fmt.Errorf("SI2: %w", err)
	}
	if len(msg) < si2L3Len {
		return fmt.Errorf("%w: SI2 of %d octets, want %d", ErrShort, len(msg), si2L3Len)
	}
	*m = SI2{}
	var spare uint8
	if m.Neighbours, _, spare, err = DecodeFreqList(msg[2:18]); err != nil {
		return fmt.Errorf("SI2 neighbour cell description: %w", err)
	}
	m.ExtInd, m.BAInd = spare&2 != 0, spare&1 != 0
	m.NCCPermitted = msg[18]
	m.RACH.unmarshal(msg[19:22])
	return nil
}
