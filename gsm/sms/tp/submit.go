package tp

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// Submit is an SMS-SUBMIT (TS 23.040 §9.2.2.2), MS to SC:
//
//	  8   7    6    5    4   3    2    1
//	| RP |UDHI|SRR |  VPF    | RD | MTI=01  |  octet 1
//	| TP-MR                                |  message reference
//	| TP-DA, 2–12 octets                   |  destination address
//	| TP-PID | TP-DCS                      |
//	| TP-VP, 0, 1 or 7 octets (VPF)        |
//	| TP-UDL | TP-UD, 0–140 octets         |
type Submit struct {
	RejectDuplicates    bool // TP-RD
	ReplyPath           bool // TP-RP
	StatusReportRequest bool // TP-SRR
	MR                  uint8
	DA                  Address
	PID                 uint8
	DCS                 DCS
	VP                  VP
	UD                  UserData
}

// MTI implements TPDU.
func (*Submit) MTI() MTI { return MTISubmit }

// MarshalSize implements TPDU.
func (m *Submit) MarshalSize() int {
	return 2 + m.DA.MarshalSize() + 2 + m.VP.size() + 1 + len(m.UD.Octets)
}

// MarshalTo implements TPDU.
func (m *Submit) MarshalTo(b []byte) (int, error) {
	if m.VP.Format > VPFAbsolute {
		return 0, fmt.Errorf("SMS-SUBMIT: %w: VPF %d", ErrValue, m.VP.Format)
	}
	e := l3.NewEncoder(b)
	e.Byte(byte(MTISubmit) | bit(m.RejectDuplicates, 2) | byte(m.VP.Format)<<3 |
		bit(m.StatusReportRequest, 5) | bit(m.UD.HeaderIndicator, 6) | bit(m.ReplyPath, 7))
	e.Byte(m.MR)
	if err := putAddress(&e, m.DA); err != nil {
		return 0, fmt.Errorf("SMS-SUBMIT TP-DA: %w", err)
	}
	e.Byte(m.PID)
	e.Byte(uint8(m.DCS))
	switch m.VP.Format {
	case VPFRelative:
		e.Byte(m.VP.Relative)
	case VPFEnhanced:
		e.V(m.VP.Enhanced[:])
	case VPFAbsolute:
		if err := putTimestamp(&e, m.VP.Absolute); err != nil {
			return 0, fmt.Errorf("SMS-SUBMIT TP-VP: %w", err)
		}
	}
	m.UD.encode(&e)
	return finish(&e, "SMS-SUBMIT")
}

// Unmarshal implements TPDU.
func (m *Submit) Unmarshal(b []byte) error {
	f, err := first(b, MTISubmit, 0xfc, "SMS-SUBMIT")
	if err != nil {
		return err
	}
	d := l3.NewDecoder(b[1:])
	*m = Submit{
		RejectDuplicates: f&0x04 != 0, StatusReportRequest: f&0x20 != 0, ReplyPath: f&0x80 != 0,
		VP: VP{Format: VPF(f >> 3 & 3)},
	}
	m.MR = d.Byte()
	if m.DA, err = decodeAddress(&d, "SMS-SUBMIT TP-DA"); err != nil {
		return err
	}
	m.PID = d.Byte()
	m.DCS = DCS(d.Byte())
	switch m.VP.Format {
	case VPFRelative:
		m.VP.Relative = d.Byte()
	case VPFEnhanced:
		copy(m.VP.Enhanced[:], d.V(7))
	case VPFAbsolute:
		if m.VP.Absolute, err = timestamp(&d, "SMS-SUBMIT TP-VP"); err != nil {
			return fmt.Errorf("%w: %w", ErrVP, err)
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("SMS-SUBMIT: %w: %w", ErrShort, err)
	}
	if m.UD, err = decodeUD(&d, m.DCS, f&0x40 != 0); err != nil {
		return fmt.Errorf("SMS-SUBMIT: %w", err)
	}
	return end(&d, "SMS-SUBMIT")
}
