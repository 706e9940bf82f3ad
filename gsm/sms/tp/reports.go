package tp

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// FCS is a TP-Failure-Cause (TS 23.040 §9.2.3.22), carried by the ERROR
// forms of the reports.
type FCS uint8

// Failure causes.
const (
	FCSTelematicNotSupported FCS = 0x80
	FCSType0NotSupported     FCS = 0x81
	FCSCannotReplace         FCS = 0x82
	FCSPIDError              FCS = 0x8f
	FCSDCSNotSupported       FCS = 0x90
	FCSClassNotSupported     FCS = 0x91
	FCSDCSError              FCS = 0x9f
	FCSTPDUNotSupported      FCS = 0xb0
	FCSSCBusy                FCS = 0xc0
	FCSNoSCSubscription      FCS = 0xc1
	FCSSCSystemFailure       FCS = 0xc2
	FCSInvalidSMEAddress     FCS = 0xc3
	FCSDestinationBarred     FCS = 0xc4
	FCSRejectedDuplicate     FCS = 0xc5
	FCSVPFNotSupported       FCS = 0xc6
	FCSVPNotSupported        FCS = 0xc7
	FCSSIMStorageFull        FCS = 0xd0
	FCSNoSIMStorage          FCS = 0xd1
	FCSErrorInMS             FCS = 0xd2
	FCSMemoryExceeded        FCS = 0xd3
	FCSUnspecified           FCS = 0xff
)

// DeliverReport is an SMS-DELIVER-REPORT (TS 23.040 §9.2.2.1a), MS to SC,
// in RP-ACK (Error false) or RP-ERROR (Error true):
//
//	  8   7   6   5   4   3   2   1
//	| - |UDHI| -   -   -   - |MTI=00|  octet 1
//	| TP-FCS                        |  RP-ERROR form only
//	| TP-PI                         |
//	| TP-PID | TP-DCS | TP-UDL | TP-UD   (per TP-PI)
//
// Unmarshal reads the form named by Error, which the caller sets from the
// carrying RP message (DecodeMS does).
type DeliverReport struct {
	Error bool
	FCS   FCS
	Optional
}

// MTI implements TPDU.
func (*DeliverReport) MTI() MTI { return MTIDeliver }

// MarshalSize implements TPDU.
func (m *DeliverReport) MarshalSize() int {
	n := 1 + m.Optional.size()
	if m.Error {
		n++
	}
	return n
}

// MarshalTo implements TPDU.
func (m *DeliverReport) MarshalTo(b []byte) (int, error) {
	if err := m.Optional.check(m.UD.HeaderIndicator, "SMS-DELIVER-REPORT"); err != nil {
		return 0, err
	}
	e := l3.NewEncoder(b)
	e.Byte(byte(MTIDeliver) | bit(m.UD.HeaderIndicator, 6))
	if m.Error {
		e.Byte(uint8(m.FCS))
	}
	m.Optional.encode(&e)
	return finish(&e, "SMS-DELIVER-REPORT")
}

// Unmarshal implements TPDU.
func (m *DeliverReport) Unmarshal(b []byte) error {
	f, err := first(b, MTIDeliver, 0x40, "SMS-DELIVER-REPORT")
	if err != nil {
		return err
	}
	d := l3.NewDecoder(b[1:])
	*m = DeliverReport{Error: m.Error}
	if m.Error {
		m.FCS = FCS(d.Byte())
	}
	if err := m.Optional.decode(&d, f&0x40 != 0, "SMS-DELIVER-REPORT"); err != nil {
		return err
	}
	return end(&d, "SMS-DELIVER-REPORT")
}

// SubmitReport is an SMS-SUBMIT-REPORT (TS 23.040 §9.2.2.2a), SC to MS,
// in RP-ACK (Error false) or RP-ERROR (Error true):
//
//	  8   7   6   5   4   3   2   1
//	| - |UDHI| -   -   -   - |MTI=01|  octet 1
//	| TP-FCS                        |  RP-ERROR form only
//	| TP-PI                         |
//	| TP-SCTS, 7 octets             |
//	| TP-PID | TP-DCS | TP-UDL | TP-UD   (per TP-PI)
//
// Unmarshal reads the form named by Error (DecodeSC sets it).
type SubmitReport struct {
	Error bool
	FCS   FCS
	SCTS  Timestamp
	Optional
}

// MTI implements TPDU.
func (*SubmitReport) MTI() MTI { return MTISubmit }

// MarshalSize implements TPDU.
func (m *SubmitReport) MarshalSize() int {
	n := 1 + TimestampLen + m.Optional.size()
	if m.Error {
		n++
	}
	return n
}

// MarshalTo implements TPDU.
func (m *SubmitReport) MarshalTo(b []byte) (int, error) {
	if err := m.Optional.check(m.UD.HeaderIndicator, "SMS-SUBMIT-REPORT"); err != nil {
		return 0, err
	}
	e := l3.NewEncoder(b)
	e.Byte(byte(MTISubmit) | bit(m.UD.HeaderIndicator, 6))
	if m.Error {
		e.Byte(uint8(m.FCS))
	}
	e.Byte(m.PI)
	if err := putTimestamp(&e, m.SCTS); err != nil {
		return 0, fmt.Errorf("SMS-SUBMIT-REPORT: %w", err)
	}
	tail := m.Optional
	tail.PI = m.PI
	// The TP-PI octet is already written: encode the rest after it.
	if tail.PI&PIPID != 0 {
		e.Byte(tail.PID)
	}
	if tail.PI&PIDCS != 0 {
		e.Byte(uint8(tail.DCS))
	}
	if tail.PI&PIUDL != 0 {
		tail.UD.encode(&e)
	}
	return finish(&e, "SMS-SUBMIT-REPORT")
}

// Unmarshal implements TPDU.
func (m *SubmitReport) Unmarshal(b []byte) error {
	f, err := first(b, MTISubmit, 0x40, "SMS-SUBMIT-REPORT")
	if err != nil {
		return err
	}
	d := l3.NewDecoder(b[1:])
	*m = SubmitReport{Error: m.Error}
	if m.Error {
		m.FCS = FCS(d.Byte())
	}
	pi := d.Byte()
	if m.SCTS, err = timestamp(&d, "SMS-SUBMIT-REPORT TP-SCTS"); err != nil {
		return err
	}
	// Re-read the tail as if TP-PI came right before it.
	rest := append([]byte{pi}, d.Rest()...)
	t := l3.NewDecoder(rest)
	if err := m.Optional.decode(&t, f&0x40 != 0, "SMS-SUBMIT-REPORT"); err != nil {
		return err
	}
	return end(&t, "SMS-SUBMIT-REPORT")
}
