package tp

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// Deliver is an SMS-DELIVER (TS 23.040 §9.2.2.1), SC to MS:
//
//	  8   7    6    5   4   3    2    1
//	| RP |UDHI|SRI | - | LP |MMS | MTI=00  |  octet 1
//	| TP-OA, 2–12 octets                   |  originating address
//	| TP-PID | TP-DCS                      |
//	| TP-SCTS, 7 octets                    |  service centre time stamp
//	| TP-UDL | TP-UD, 0–140 octets         |
//
// TP-MMS is 0 when more messages wait; MoreMessages is its negation, so
// the zero value says "no more messages".
type Deliver struct {
	MoreMessages           bool // TP-MMS = 0
	LoopPrevention         bool // TP-LP
	StatusReportIndication bool // TP-SRI
	ReplyPath              bool // TP-RP
	OA                     Address
	PID                    uint8
	DCS                    DCS
	SCTS                   Timestamp
	UD                     UserData
}

// MTI implements TPDU.
func (*Deliver) MTI() MTI { return MTIDeliver }

// MarshalSize implements TPDU.
func (m *Deliver) MarshalSize() int {
	return 1 + m.OA.MarshalSize() + 2 + TimestampLen + 1 + len(m.UD.Octets)
}

// MarshalTo implements TPDU.
func (m *Deliver) MarshalTo(b []byte) (int, error) {
	e := l3.NewEncoder(b)
	e.Byte(byte(MTIDeliver) | bit(!m.MoreMessages, 2) | bit(m.LoopPrevention, 3) |
		bit(m.StatusReportIndication, 5) | bit(m.UD.HeaderIndicator, 6) | bit(m.ReplyPath, 7))
	if err := putAddress(&e, m.OA); err != nil {
		return 0, fmt.Errorf("SMS-DELIVER TP-OA: %w", err)
	}
	e.Byte(m.PID)
	e.Byte(uint8(m.DCS))
	if err := putTimestamp(&e, m.SCTS); err != nil {
		return 0, fmt.Errorf("SMS-DELIVER TP-SCTS: %w", err)
	}
	m.UD.encode(&e)
	return finish(&e, "SMS-DELIVER")
}

// Unmarshal implements TPDU.
func (m *Deliver) Unmarshal(b []byte) error {
	f, err := first(b, MTIDeliver, 0xec, "SMS-DELIVER")
	if err != nil {
		return err
	}
	d := l3.NewDecoder(b[1:])
	*m = Deliver{MoreMessages: f&0x04 == 0, LoopPrevention: f&0x08 != 0, StatusReportIndication: f&0x20 != 0, ReplyPath: f&0x80 != 0}
	if m.OA, err = decodeAddress(&d, "SMS-DELIVER TP-OA"); err != nil {
		return err
	}
	m.PID = d.Byte()
	m.DCS = DCS(d.Byte())
	if m.SCTS, err = timestamp(&d, "SMS-DELIVER TP-SCTS"); err != nil {
		return err
	}
	if m.UD, err = decodeUD(&d, m.DCS, f&0x40 != 0); err != nil {
		return fmt.Errorf("SMS-DELIVER: %w", err)
	}
	return end(&d, "SMS-DELIVER")
}
