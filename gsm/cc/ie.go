package cc

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// Progress descriptions (TS 24.008 §10.5.4.21, octet 4).
const (
	ProgressNotEndToEnd      = 1 // call is not end-to-end PLMN/ISDN, further call progress info may be in-band
	ProgressDestNotPLMN      = 2 // destination address in non-PLMN/ISDN
	ProgressOrigNotPLMN      = 3 // origination address in non-PLMN/ISDN
	ProgressReturnedToPLMN   = 4 // call has returned to the PLMN/ISDN
	ProgressInBand           = 8 // in-band information or appropriate pattern now available
	ProgressInBandMultimedia = 9
	ProgressEndToEnd         = 32 // call is end-to-end PLMN/ISDN
	ProgressQueueing         = 64
)

// ProgressIndicator is the Progress Indicator IE (TS 24.008 §10.5.4.21),
// two value octets:
//
//	  8   7   6   5   4   3   2   1
//	| 1 | coding| 0 |   location    |  octet 3
//	| 1 |   progress description    |  octet 4
type ProgressIndicator struct {
	Coding      uint8 // 0..3
	Location    Location
	Description uint8 // 0..127
}

// StopsT310 reports whether the progress indicator stops (or keeps from
// starting) T310 (TS 24.008 §5.2.1.1.3, §5.2.1.1.6): descriptions #1, #2
// and #64.
func (p ProgressIndicator) StopsT310() bool {
	return p.Description == ProgressNotEndToEnd || p.Description == ProgressDestNotPLMN || p.Description == ProgressQueueing
}

func (p *ProgressIndicator) putValue(e *enc) {
	if p.Coding > 3 || p.Location > 15 || p.Description > 127 {
		e.bad("progress indicator %+v", *p)
		return
	}
	e.Byte(0x80 | p.Coding<<5 | uint8(p.Location))
	e.Byte(0x80 | p.Description)
}

func (p *ProgressIndicator) unmarshal(v []byte) {
	p.Coding, p.Location, p.Description = v[0]>>5&3, Location(v[0]&0xf), v[1]&0x7f
}

func (p *ProgressIndicator) putTLV(e *enc) {
	e.Byte(ieiProgress)
	e.Byte(2)
	p.putValue(e)
}

func decodeProgress(d *l3.Decoder, p *ProgressIndicator) bool {
	v, ok := d.TLV(ieiProgress, 2, 2)
	if ok {
		p.unmarshal(v)
	}
	return ok
}

// Signal is the Signal IE value (TS 24.008 §10.5.4.23): which tone the MS
// is to play.
type Signal uint8

// Signal values.
const (
	SignalDialTone       Signal = 0x00
	SignalRingBack       Signal = 0x01
	SignalIntercept      Signal = 0x02
	SignalCongestion     Signal = 0x03
	SignalBusy           Signal = 0x04
	SignalConfirm        Signal = 0x05
	SignalAnswer         Signal = 0x06
	SignalCallWaiting    Signal = 0x07
	SignalOffHookWarning Signal = 0x08
	SignalTonesOff       Signal = 0x3f
	SignalAlertingOff    Signal = 0x4f
)

// CallState is the Call State IE value (TS 24.008 §10.5.4.6): coding
// standard in bits 8–7, the state value of the sender in bits 6–1.
type CallState struct {
	Coding uint8 // 0..3
	Value  State
}

// ValidKey reports whether c is a DTMF key the Keypad Facility IE may
// carry for DTMF (TS 24.008 §10.5.4.17, §5.5.7: 0–9, A–D, *, #).
func ValidKey(c byte) bool {
	switch {
	case c >= '0' && c <= '9', c >= 'A' && c <= 'D', c == '*', c == '#':
		return true
	}
	return false
}

// opaque reads an optional TLV IE kept as octets (aliasing the input).
func opaque(d *l3.Decoder, iei byte, min, max int) []byte {
	v, ok := d.TLV(iei, min, max)
	if !ok {
		return nil
	}
	if v == nil {
		v = []byte{}
	}
	return v
}

// putOpaque writes v as a TLV IE if it is not nil.
func putOpaque(e *enc, iei byte, v []byte, max int) {
	if v == nil {
		return
	}
	if len(v) > max {
		e.bad("IE %#02x of %d octets, at most %d", iei, len(v), max)
		return
	}
	e.TLV(iei, v)
}

func opaqueSize(v []byte) int {
	if v == nil {
		return 0
	}
	return 2 + len(v)
}

// Value length limits of the opaque IEs.
const (
	facilityMax  = 253 // bounded by the message, not the IE
	userUserMax  = 129 // §10.5.4.25: 3–131 with IEI and length
	ssVersionMax = 1   // §10.5.4.24: 2–3
	subaddrMax   = 21  // §10.5.4.8/10: 2–23
	compatMax    = 16  // LLC 2–18, HLC 2–5
	ccCapMax     = 2   // §10.5.4.5a: 4
)

// decodeOptional runs one decoding step of a message's non-imperative
// part: it consumes an IE known to the message through known (which
// reports whether it took one) or skips an unknown one (skipUnknown).
func decodeOptional(d *l3.Decoder, t MsgType, known func() (bool, error)) error {
	for d.Err() == nil && d.Left() > 0 {
		ok, err := known()
		if err != nil {
			return fmt.Errorf("%v: %w", t, err)
		}
		if ok {
			continue
		}
		if err := skipUnknown(d, t); err != nil {
			return err
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("%v: %w", t, err)
	}
	return nil
}
