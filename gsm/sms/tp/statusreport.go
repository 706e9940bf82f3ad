package tp

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// Status is a TP-Status (TS 23.040 §9.2.3.15).
type Status uint8

// Status values. 0x00–0x1F: transaction completed; 0x20–0x3F: temporary
// error, the SC still tries; 0x40–0x5F: permanent error, the SC stopped;
// 0x60–0x7F: temporary error, the SC stopped.
const (
	StatusReceived             Status = 0x00 // short message received by the SME
	StatusForwardedUnconfirmed Status = 0x01
	StatusReplaced             Status = 0x02
	StatusCongestion           Status = 0x20
	StatusSMEBusy              Status = 0x21
	StatusNoResponse           Status = 0x22
	StatusServiceRejected      Status = 0x23
	StatusRemoteProcedureError Status = 0x40
	StatusIncompatibleDest     Status = 0x41
	StatusConnectionRejected   Status = 0x42
	StatusNotObtainable        Status = 0x43
	StatusNoInterworking       Status = 0x45
	StatusValidityExpired      Status = 0x46
	StatusDeletedByOriginator  Status = 0x47
	StatusDeletedBySC          Status = 0x48
	StatusNoLongerExists       Status = 0x49
	StatusGaveUpCongestion     Status = 0x60
	StatusGaveUpSMEBusy        Status = 0x61
	StatusGaveUpNoResponse     Status = 0x62
)

// Final reports whether the SC has finished with the message.
func (s Status) Final() bool { return s < 0x20 || s >= 0x40 }

// StatusReport is an SMS-STATUS-REPORT (TS 23.040 §9.2.2.3), SC to MS:
//
//	  8   7    6    5   4   3    2    1
//	| - |UDHI|SRQ | - | LP |MMS | MTI=10   |  octet 1
//	| TP-MR                                |  the SMS-SUBMIT's reference
//	| TP-RA, 2–12 octets                   |  recipient address
//	| TP-SCTS, 7 octets | TP-DT, 7 octets  |  submit time, discharge time
//	| TP-ST                                |  status
//	| TP-PI | TP-PID | TP-DCS | TP-UDL | TP-UD   (optional, per TP-PI)
type StatusReport struct {
	MoreMessages   bool // TP-MMS = 0
	LoopPrevention bool // TP-LP
	Qualifier      bool // TP-SRQ: the report is about an SMS-COMMAND
	MR             uint8
	RA             Address
	SCTS           Timestamp
	DT             Timestamp
	ST             Status
	HasPI          bool
	Optional       // meaningful when HasPI
}

// MTI implements TPDU.
func (*StatusReport) MTI() MTI { return MTIStatusReport }

// MarshalSize implements TPDU.
func (m *StatusReport) MarshalSize() int {
	n := 2 + m.RA.MarshalSize() + 2*TimestampLen + 1
	if m.HasPI {
		n += m.Optional.size()
	}
	return n
}

// MarshalTo implements TPDU.
func (m *StatusReport) MarshalTo(b []byte) (int, error) {
	if m.HasPI {
		if err := m.Optional.check(m.UD.HeaderIndicator, "SMS-STATUS-REPORT"); err != nil {
			return 0, err
		}
	} else if m.UD.HeaderIndicator {
		return 0, fmt.Errorf("SMS-STATUS-REPORT: %w: TP-UDHI without TP-PI", ErrValue)
	}
	e := l3.NewEncoder(b)
	e.Byte(byte(MTIStatusReport) | bit(!m.MoreMessages, 2) | bit(m.LoopPrevention, 3) |
		bit(m.Qualifier, 5) | bit(m.UD.HeaderIndicator, 6))
	e.Byte(m.MR)
	if err := putAddress(&e, m.RA); err != nil {
		return 0, fmt.Errorf("SMS-STATUS-REPORT TP-RA: %w", err)
	}
	for _, ts := range [...]Timestamp{m.SCTS, m.DT} {
		if err := putTimestamp(&e, ts); err != nil {
			return 0, fmt.Errorf("SMS-STATUS-REPORT: %w", err)
		}
	}
	e.Byte(uint8(m.ST))
	if m.HasPI {
		m.Optional.encode(&e)
	}
	return finish(&e, "SMS-STATUS-REPORT")
}

// Unmarshal implements TPDU.
func (m *StatusReport) Unmarshal(b []byte) error {
	f, err := first(b, MTIStatusReport, 0x6c, "SMS-STATUS-REPORT")
	if err != nil {
		return err
	}
	d := l3.NewDecoder(b[1:])
	*m = StatusReport{MoreMessages: f&0x04 == 0, LoopPrevention: f&0x08 != 0, Qualifier: f&0x20 != 0}
	m.MR = d.Byte()
	if m.RA, err = decodeAddress(&d, "SMS-STATUS-REPORT TP-RA"); err != nil {
		return err
	}
	if m.SCTS, err = timestamp(&d, "SMS-STATUS-REPORT TP-SCTS"); err != nil {
		return err
	}
	if m.DT, err = timestamp(&d, "SMS-STATUS-REPORT TP-DT"); err != nil {
		return err
	}
	m.ST = Status(d.Byte())
	if d.Err() == nil && d.Left() > 0 {
		m.HasPI = true
		if err := m.Optional.decode(&d, f&0x40 != 0, "SMS-STATUS-REPORT"); err != nil {
			return err
		}
	} else if f&0x40 != 0 {
		return fmt.Errorf("SMS-STATUS-REPORT: %w: TP-UDHI without TP-PI", ErrValue)
	}
	return end(&d, "SMS-STATUS-REPORT")
}
