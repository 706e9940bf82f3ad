package cc

import (
	"errors"
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// MsgType is a CC message type (TS 24.008 §10.4, Table 10.3), without the
// N(SD) bits 8–7.
type MsgType uint8

// CC message types.
const (
	MsgAlerting         MsgType = 0x01
	MsgCallProceeding   MsgType = 0x02
	MsgProgress         MsgType = 0x03
	MsgSetup            MsgType = 0x05
	MsgConnect          MsgType = 0x07
	MsgCallConfirmed    MsgType = 0x08
	MsgEmergencySetup   MsgType = 0x0e
	MsgConnectAck       MsgType = 0x0f
	MsgModify           MsgType = 0x17
	MsgModifyComplete   MsgType = 0x1f
	MsgModifyReject     MsgType = 0x13
	MsgDisconnect       MsgType = 0x25
	MsgReleaseComplete  MsgType = 0x2a
	MsgRelease          MsgType = 0x2d
	MsgStopDTMF         MsgType = 0x31
	MsgStopDTMFAck      MsgType = 0x32
	MsgStatusEnquiry    MsgType = 0x34
	MsgStartDTMF        MsgType = 0x35
	MsgStartDTMFAck     MsgType = 0x36
	MsgStartDTMFReject  MsgType = 0x37
	MsgStatus           MsgType = 0x3d
	MsgNotify           MsgType = 0x3e
	MsgFacility         MsgType = 0x3a
	MsgCongestionCtrl   MsgType = 0x39
	MsgUserInformation  MsgType = 0x10
	MsgHold             MsgType = 0x18
	MsgRetrieve         MsgType = 0x1c
	MsgCCEstablishment  MsgType = 0x04
	MsgRecall           MsgType = 0x0b
	MsgStartCC          MsgType = 0x09
	MsgCCEstablishConfd MsgType = 0x06
)

var msgNames = map[MsgType]string{
	MsgAlerting:         "Alerting",
	MsgCallProceeding:   "Call Proceeding",
	MsgProgress:         "Progress",
	MsgSetup:            "Setup",
	MsgConnect:          "Connect",
	MsgCallConfirmed:    "Call Confirmed",
	MsgEmergencySetup:   "Emergency Setup",
	MsgConnectAck:       "Connect Acknowledge",
	MsgModify:           "Modify",
	MsgModifyComplete:   "Modify Complete",
	MsgModifyReject:     "Modify Reject",
	MsgDisconnect:       "Disconnect",
	MsgReleaseComplete:  "Release Complete",
	MsgRelease:          "Release",
	MsgStopDTMF:         "Stop DTMF",
	MsgStopDTMFAck:      "Stop DTMF Acknowledge",
	MsgStatusEnquiry:    "Status Enquiry",
	MsgStartDTMF:        "Start DTMF",
	MsgStartDTMFAck:     "Start DTMF Acknowledge",
	MsgStartDTMFReject:  "Start DTMF Reject",
	MsgStatus:           "Status",
	MsgNotify:           "Notify",
	MsgFacility:         "Facility",
	MsgCongestionCtrl:   "Congestion Control",
	MsgUserInformation:  "User Information",
	MsgHold:             "Hold",
	MsgRetrieve:         "Retrieve",
	MsgCCEstablishment:  "CC-Establishment",
	MsgRecall:           "Recall",
	MsgStartCC:          "Start CC",
	MsgCCEstablishConfd: "CC-Establishment Confirmed",
}

func (t MsgType) String() string {
	if n, ok := msgNames[t]; ok {
		return n
	}
	return fmt.Sprintf("MsgType(%#02x)", uint8(t))
}

// Header is the CC part of the L3 header (TS 24.007 §11.2.3):
//
//	  8   7   6   5   4   3   2   1
//	+---+---+---+---+---+---+---+---+
//	|TIF| TI value  |  PD = 0011    |  octet 1
//	+---+---+---+---+---+---+---+---+
//	| N(SD) |     message type      |  octet 2 (N(SD) from the MS only)
//	+---+---+---+---+---+---+---+---+
//
// TIFlag is 0 (false) in messages sent by the side that allocated the TI
// value and 1 (true) in messages sent to it (§11.2.3.1.3). TI values 0–6
// are supported; 7 (the extension to octet 1a) is not (ErrTI).
type Header struct {
	TIFlag bool
	TI     uint8 // 0..6
	NSD    uint8 // N(SD), bits 8–7 of octet 2; 0 in network messages
}

// Hdr returns the header, so that any message's transaction identifier can
// be read and set through the Message interface.
func (h *Header) Hdr() *Header { return h }

// SetNSD sets N(SD) (gsm/mm.SendSequence stamps it on the encoded octets
// instead; this is for tests and callers that build the octets last).
func (h *Header) SetNSD(n uint8) { h.NSD = n & 3 }

// headerLen is the length of the CC header.
const headerLen = 2

// Message is one CC message. MarshalTo writes the whole L3 message (header
// included) into b, which must hold MarshalSize octets, and never
// allocates. Unmarshal parses a whole L3 message, checking the header, and
// never panics; a successful decode re-encodes to the canonical form of
// the input.
type Message interface {
	MsgType() MsgType
	Hdr() *Header
	MarshalSize() int
	MarshalTo(b []byte) (int, error)
	Unmarshal(b []byte) error
}

// Peek checks the header of the CC message b and returns it with the
// message type.
func Peek(b []byte) (Header, MsgType, error) {
	if len(b) < headerLen {
		return Header{}, 0, fmt.Errorf("%w: %w: CC header needs 2 octets, have %d", ErrHeader, l3.ErrShort, len(b))
	}
	if l3.PD(b[0]&0xf) != l3.PDCC {
		return Header{}, 0, fmt.Errorf("%w: protocol discriminator %d", ErrPD, b[0]&0xf)
	}
	h := Header{TIFlag: b[0]&0x80 != 0, TI: b[0] >> 4 & 7, NSD: b[1] >> 6}
	if h.TI == 7 {
		return h, MsgType(b[1] & 0x3f), ErrTI
	}
	return h, MsgType(b[1] & 0x3f), nil
}

// enc is an l3.Encoder that also keeps the first invalid field value met
// by an IE encoder.
type enc struct {
	l3.Encoder
	verr error
}

// bad records an invalid value.
func (e *enc) bad(format string, args ...any) {
	if e.verr == nil {
		e.verr = fmt.Errorf("%w: "+format, append([]any{ErrValue}, args...)...)
	}
}

// newEncoder starts a CC message of type t with header h in b.
func newEncoder(b []byte, h *Header, t MsgType) *enc {
	e := &enc{Encoder: l3.NewEncoder(b)}
	oct := byte(l3.PDCC) | (h.TI&7)<<4
	if h.TIFlag {
		oct |= 0x80
	}
	e.Byte(oct)
	e.Byte(byte(t)&0x3f | (h.NSD&3)<<6)
	return e
}

// newDecoder checks the header of b for type t, stores it in h and returns
// a decoder positioned after it.
func newDecoder(b []byte, h *Header, t MsgType) (l3.Decoder, error) {
	got, typ, err := Peek(b)
	if err != nil {
		return l3.Decoder{}, fmt.Errorf("%v: %w", t, err)
	}
	if typ != t {
		return l3.Decoder{}, fmt.Errorf("%w: %v, want %v", ErrType, typ, t)
	}
	*h = got
	return l3.NewDecoder(b[headerLen:]), nil
}

// finish returns the encoder's result for a message of type t with header
// h.
func finish(e *enc, h *Header, t MsgType) (int, error) {
	if h.TI > 6 {
		return 0, fmt.Errorf("%v: %w: TI value %d", t, ErrValue, h.TI)
	}
	if e.verr != nil {
		return 0, fmt.Errorf("%v: %w", t, e.verr)
	}
	if err := e.Err(); err != nil {
		if errors.Is(err, l3.ErrBuffer) {
			return 0, fmt.Errorf("%v: %w", t, err)
		}
		return 0, fmt.Errorf("%v: %w: %w", t, ErrValue, err)
	}
	return e.Len(), nil
}

// decodeErr wraps the decoder's error for t as a mandatory IE error, or
// returns nil.
func decodeErr(d *l3.Decoder, t MsgType) error {
	if err := d.Err(); err != nil {
		return fmt.Errorf("%v: %w: %w", t, ErrMandatory, err)
	}
	return nil
}

// skipUnknown skips one IE the message does not know: TS 24.008 §8.6.1
// says it is ignored, unless it is comprehension required (TS 24.007
// §11.2.4: IEI bits 8–5 = 0000), which §8.5 treats as a missing
// mandatory IE.
func skipUnknown(d *l3.Decoder, t MsgType) error {
	iei, _ := d.Peek()
	if iei>>4 == 0 {
		return fmt.Errorf("%v: %w: IEI %#02x", t, ErrComprehension, iei)
	}
	d.SkipIE()
	if err := d.Err(); err != nil {
		// A truncated optional IE at the end: ignored like the rest of
		// the non-imperative part (§8.6.2 would drop the IE).
		return fmt.Errorf("%v: %w", t, err)
	}
	return nil
}

// Decode parses any CC message and returns it as a pointer to its type
// (*Setup, *Disconnect, ...). Unknown message types give ErrUnknownType.
// It allocates the message.
func Decode(b []byte) (Message, error) {
	h, t, err := Peek(b)
	if err != nil {
		return nil, err
	}
	m := newMessage(t)
	if m == nil {
		return nil, &UnknownTypeError{Header: h, Type: t}
	}
	if err := m.Unmarshal(b); err != nil {
		return nil, err
	}
	return m, nil
}

// UnknownTypeError reports a message type Decode does not implement, with
// the header so that the receiver can answer on the right transaction.
type UnknownTypeError struct {
	Header Header
	Type   MsgType
}

func (e *UnknownTypeError) Error() string {
	return fmt.Sprintf("%v: %#02x (TI %d)", ErrUnknownType, uint8(e.Type), e.Header.TI)
}

func (e *UnknownTypeError) Unwrap() error { return ErrUnknownType }

// New returns a new zero message of type t, or nil if t is not
// implemented.
func New(t MsgType) Message { return newMessage(t) }

func newMessage(t MsgType) Message {
	switch t {
	case MsgAlerting:
		return new(Alerting)
	case MsgCallProceeding:
		return new(CallProceeding)
	case MsgProgress:
		return new(Progress)
	case MsgSetup:
		return new(Setup)
	case MsgConnect:
		return new(Connect)
	case MsgCallConfirmed:
		return new(CallConfirmed)
	case MsgEmergencySetup:
		return new(EmergencySetup)
	case MsgConnectAck:
		return new(ConnectAck)
	case MsgModify:
		return new(Modify)
	case MsgDisconnect:
		return new(Disconnect)
	case MsgReleaseComplete:
		return new(ReleaseComplete)
	case MsgRelease:
		return new(Release)
	case MsgStopDTMF:
		return new(StopDTMF)
	case MsgStopDTMFAck:
		return new(StopDTMFAck)
	case MsgStatusEnquiry:
		return new(StatusEnquiry)
	case MsgStartDTMF:
		return new(StartDTMF)
	case MsgStartDTMFAck:
		return new(StartDTMFAck)
	case MsgStartDTMFReject:
		return new(StartDTMFReject)
	case MsgStatus:
		return new(Status)
	}
	return nil
}

// Marshal encodes m into a new slice of its exact size (tests and cold
// paths; MarshalTo does not allocate).
func Marshal(m Message) ([]byte, error) {
	b := make([]byte, m.MarshalSize())
	n, err := m.MarshalTo(b)
	if err != nil {
		return nil, err
	}
	return b[:n], nil
}

// CauseFor returns the cause with which TS 24.008 §8 answers a message
// that failed to decode with err: #97 for an unknown message type, #96
// for a missing or invalid mandatory IE (including an unknown
// comprehension-required IE), #95 otherwise. ok is false for errors the
// receiver ignores silently (not CC, extended TI, too short for a header).
func CauseFor(err error) (c CauseValue, ok bool) {
	switch {
	case err == nil, errors.Is(err, ErrPD), errors.Is(err, ErrTI), errors.Is(err, ErrHeader):
		return 0, false
	case errors.Is(err, ErrUnknownType):
		return CauseMsgTypeNonExistent, true
	case errors.Is(err, ErrMandatory), errors.Is(err, ErrComprehension):
		return CauseInvalidMandatoryInfo, true
	}
	return CauseSemanticallyIncorrect, true
}
