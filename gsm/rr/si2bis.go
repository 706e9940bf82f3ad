package rr

import "fmt"

// SI2bis is System Information Type 2bis (TS 44.018 §9.1.33), sent on the
// BCCH at TC = 5 when the BA list does not fit SI2 (SI2 then has EXT-IND
// set):
//
//	octet  1      L2 pseudo length (= 21)
//	octets 2–3    RR header, message type 0x02
//	octets 4–19   Extended BCCH Frequency List (Neighbour Cell Description,
//	              §10.5.2.22): the rest of the BA list
//	octets 20–22  RACH Control Parameters (§10.5.2.29)
//	octet  23     SI 2bis Rest Octets (§10.5.2.33): padding
type SI2bis struct {
	Neighbours FreqSet
	ExtInd     bool
	BAInd      bool
	RACH       RACHControl
}

const si2bisL3Len = 2 + FreqListLen + 3

// MarshalTo writes the 23-octet BCCH block.
func (m *SI2bis) MarshalTo(b *[BlockLen]byte) error {
	fillBlock(b[:])
	ccchHeader(b[:], si2bisL3Len, MsgSI2bis)
	if _, err := EncodeFreqList((*[FreqListLen]byte)(b[3:19]), &m.Neighbours, bit(m.ExtInd, 1)|bit(m.BAInd, 0)); err != nil {
		return fmt.Errorf("SI2bis extended BCCH frequency list: %w", err)
	}
	if err := m.RACH.marshal(b[19:22]); err != nil {
		return fmt.Errorf("SI2bis: %w", err)
	}
	return nil
}

// Unmarshal parses a BCCH block holding SI2bis.
func (m *SI2bis) Unmarshal(b []byte) error {
	msg, _, err := parseCCCH(b, MsgSI2bis)
	if err != nil {
		return fmt.Errorf("SI2bis: %w", err)
	}
	if len(msg) < si2bisL3Len {
		return fmt.Errorf("%w: SI2bis of %d octets, want %d", ErrShort, len(msg), si2bisL3Len)
	}
	*m = SI2bis{}
	var spare uint8
	if m.Neighbours, _, spare, err = DecodeFreqList(msg[2:18]); err != nil {
		return fmt.Errorf("SI2bis extended BCCH frequency list: %w", err)
	}
	m.ExtInd, m.BAInd = spare&2 != 0, spare&1 != 0
	m.RACH.unmarshal(msg[18:21])
	return nil
}

// splitBA splits a BA list that does not fit one frequency list into two
// that each do: the lowest channels that fit go to the first. ok is false
// if no such split exists.
func splitBA(s FreqSet) (first, rest FreqSet, ok bool) {
	var buf [FreqListLen]byte
	all := s.ARFCNs()
	for k := len(all) - 1; k > 0; k-- {
		first, rest = NewFreqSet(all[:k]...), NewFreqSet(all[k:]...)
		if _, err := EncodeFreqList(&buf, &first, 0); err != nil {
			continue
		}
		if _, err := EncodeFreqList(&buf, &rest, 0); err != nil {
			return FreqSet{}, FreqSet{}, false
		}
		return first, rest, true
	}
	return FreqSet{}, FreqSet{}, false
}
