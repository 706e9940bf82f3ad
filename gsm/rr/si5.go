package rr

import "fmt"

// SI5 is System Information Type 5 (TS 44.018 §9.1.37), sent on the SACCH
// to MSs in dedicated mode in a LAPDm format B4 UI frame; this is its
// 19-octet form (see SACCHBlock):
//
//	octet  1      L2 pseudo length (= 18)
//	octets 2–3    RR header, message type 0x1d
//	octets 4–19   Neighbour Cell Description (§10.5.2.22): the BA list
//	              the MS measures in dedicated mode
type SI5 struct {
	Neighbours FreqSet
	ExtInd     bool // BA continues in SI5bis
	BAInd      bool
	// Bis makes this System Information Type 5bis (§9.1.38, message type
	// 0x05): the same layout, carrying the part of the BA list that did
	// not fit SI5.
	Bis bool
}

func (m *SI5) msgType() MsgType {
	if m.Bis {
		return MsgSI5bis
	}
	return MsgSI5
}

// MarshalTo writes the 19-octet message.
func (m *SI5) MarshalTo(b *[SACCHInfoLen]byte) error {
	ccchHeader(b[:], 18, m.msgType())
	if _, err := EncodeFreqList((*[FreqListLen]byte)(b[3:19]), &m.Neighbours, bit(m.ExtInd, 1)|bit(m.BAInd, 0)); err != nil {
		return fmt.Errorf("SI5 neighbour cell description: %w", err)
	}
	return nil
}

// Unmarshal parses the message (from its pseudo length octet): SI5, or
// SI5bis (then Bis is set).
func (m *SI5) Unmarshal(b []byte) error {
	t := MsgSI5
	if len(b) > 2 && MsgType(b[2]) == MsgSI5bis {
		t = MsgSI5bis
	}
	msg, _, err := parseCCCH(b, t)
	if err != nil {
		return fmt.Errorf("SI5: %w", err)
	}
	if len(msg) < 18 {
		return fmt.Errorf("%w: SI5 of %d octets, want 18", ErrShort, len(msg))
	}
	s, _, spare, err := DecodeFreqList(msg[2:18])
	if err != nil {
		return fmt.Errorf("SI5 neighbour cell description: %w", err)
	}
	*m = SI5{Neighbours: s, ExtInd: spare&2 != 0, BAInd: spare&1 != 0, Bis: t == MsgSI5bis}
	return nil
}
