package mm

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// MsgType is an MM message type (TS 24.008 §10.4, table 10.2), without the
// N(SD) bits 7–8.
type MsgType uint8

// MM message types.
const (
	MsgIMSIDetachIndication     MsgType = 0x01
	MsgLocationUpdatingAccept   MsgType = 0x02
	MsgLocationUpdatingReject   MsgType = 0x04
	MsgLocationUpdatingRequest  MsgType = 0x08
	MsgAuthenticationReject     MsgType = 0x11
	MsgAuthenticationRequest    MsgType = 0x12
	MsgAuthenticationResponse   MsgType = 0x14
	MsgIdentityRequest          MsgType = 0x18
	MsgIdentityResponse         MsgType = 0x19
	MsgTMSIReallocationCommand  MsgType = 0x1a
	MsgTMSIReallocationComplete MsgType = 0x1b
	MsgAuthenticationFailure    MsgType = 0x1c
	MsgCMServiceAccept          MsgType = 0x21
	MsgCMServiceReject          MsgType = 0x22
	MsgCMServiceAbort           MsgType = 0x23
	MsgCMServiceRequest         MsgType = 0x24
	MsgMMStatus                 MsgType = 0x31
	MsgMMInformation            MsgType = 0x32
)

var msgNames = map[MsgType]string{
	MsgIMSIDetachIndication:     "IMSI Detach Indication",
	MsgLocationUpdatingAccept:   "Location Updating Accept",
	MsgLocationUpdatingReject:   "Location Updating Reject",
	MsgLocationUpdatingRequest:  "Location Updating Request",
	MsgAuthenticationReject:     "Authentication Reject",
	MsgAuthenticationRequest:    "Authentication Request",
	MsgAuthenticationResponse:   "Authentication Response",
	MsgIdentityRequest:          "Identity Request",
	MsgIdentityResponse:         "Identity Response",
	MsgTMSIReallocationCommand:  "TMSI Reallocation Command",
	MsgTMSIReallocationComplete: "TMSI Reallocation Complete",
	MsgAuthenticationFailure:    "Authentication Failure",
	MsgCMServiceAccept:          "CM Service Accept",
	MsgCMServiceReject:          "CM Service Reject",
	MsgCMServiceAbort:           "CM Service Abort",
	MsgCMServiceRequest:         "CM Service Request",
	MsgMMStatus:                 "MM Status",
	MsgMMInformation:            "MM Information",
}

func (t MsgType) String() string {
	if n, ok := msgNames[t]; ok {
		return n
	}
	return fmt.Sprintf("MsgType(%#02x)", uint8(t))
}

// Message is one MM message. MarshalTo writes the whole L3 message (header
// included) into b, which must hold MarshalSize octets, and never
// allocates. Unmarshal parses a whole L3 message, checking the header, and
// never panics; optional IEs it does not know are skipped (TS 24.007
// §11.2.4), so a successful decode re-encodes to the canonical form of the
// input.
type Message interface {
	MsgType() MsgType
	MarshalSize() int
	MarshalTo(b []byte) (int, error)
	Unmarshal(b []byte) error
}

// Uplink is implemented by the messages a mobile station sends, which
// carry the N(SD) send sequence number (TS 24.007 §11.2.3.2.3).
type Uplink interface {
	Message
	SetNSD(n uint8)
}

// headerLen is the length of the MM header: protocol discriminator and skip
// indicator, then the message type.
const headerLen = 2

// newEncoder starts an MM message of type t with N(SD) nsd in b (TS 24.007
// §11.2.3: octet 1 is skip indicator 0000 | PD 0101; octet 2 is N(SD) in
// bits 8–7 and the message type in bits 6–1).
func newEncoder(b []byte, t MsgType, nsd uint8) l3.Encoder {
	e := l3.NewEncoder(b)
	e.Byte(byte(l3.PDMM))
	e.Byte(byte(t)&0x3f | nsd<<6)
	return e
}

// Peek returns the message type and N(SD) of the MM message b after
// checking its header.
func Peek(b []byte) (MsgType, uint8, error) {
	if len(b) < headerLen {
		return 0, 0, fmt.Errorf("%w: MM header needs 2 octets, have %d", l3.ErrShort, len(b))
	}
	if l3.PD(b[0]&0xf) != l3.PDMM {
		return 0, 0, fmt.Errorf("%w: protocol discriminator %d", ErrPD, b[0]&0xf)
	}
	if b[0]>>4 != 0 {
		return 0, 0, fmt.Errorf("%w: %d", ErrSkip, b[0]>>4)
	}
	return MsgType(b[1] & 0x3f), b[1] >> 6, nil
}

// newDecoder checks the header of b for type t and returns a decoder
// positioned after it and the N(SD) bits.
func newDecoder(b []byte, t MsgType) (l3.Decoder, uint8, error) {
	got, nsd, err := Peek(b)
	if err != nil {
		return l3.Decoder{}, 0, fmt.Errorf("%v: %w", t, err)
	}
	if got != t {
		return l3.Decoder{}, 0, fmt.Errorf("%w: %v, want %v", ErrType, got, t)
	}
	return l3.NewDecoder(b[headerLen:]), nsd, nil
}

// finish returns the encoder's result for a message named by t.
func finish(e *l3.Encoder, t MsgType) (int, error) {
	if err := e.Err(); err != nil {
		return 0, fmt.Errorf("%v: %w", t, err)
	}
	return e.Len(), nil
}

// putIdentityLV writes a Mobile Identity as an LV value.
func putIdentityLV(e *l3.Encoder, id l3.MobileIdentity) error {
	if err := id.Validate(); err != nil {
		return err
	}
	mark := e.BeginLV()
	if buf := e.Reserve(id.MarshalSize()); buf != nil {
		id.MarshalTo(buf) // cannot fail: validated, exact size
	}
	e.EndLV(mark)
	return nil
}

// identity decodes a Mobile Identity value, wrapping the error for t.
func identity(v []byte, t MsgType) (l3.MobileIdentity, error) {
	var id l3.MobileIdentity
	if err := id.Unmarshal(v); err != nil {
		return id, fmt.Errorf("%v: %w", t, err)
	}
	return id, nil
}

// identityLVSize is the encoded size of a Mobile Identity LV.
func identityLVSize(id l3.MobileIdentity) int { return 1 + id.MarshalSize() }

// Decode parses any MM message and returns it as a pointer to its type
// (*LocationUpdatingRequest, ...). Unknown message types give
// ErrUnknownType. It allocates the message; the hot paths of a cell decode
// into values they own with the type's Unmarshal.
func Decode(b []byte) (Message, error) {
	t, _, err := Peek(b)
	if err != nil {
		return nil, err
	}
	m := newMessage(t)
	if m == nil {
		return nil, fmt.Errorf("%w: %#02x", ErrUnknownType, uint8(t))
	}
	if err := m.Unmarshal(b); err != nil {
		return nil, err
	}
	return m, nil
}

func newMessage(t MsgType) Message {
	switch t {
	case MsgIMSIDetachIndication:
		return new(IMSIDetachIndication)
	case MsgLocationUpdatingAccept:
		return new(LocationUpdatingAccept)
	case MsgLocationUpdatingReject:
		return new(LocationUpdatingReject)
	case MsgLocationUpdatingRequest:
		return new(LocationUpdatingRequest)
	case MsgAuthenticationReject:
		return new(AuthenticationReject)
	case MsgAuthenticationRequest:
		return new(AuthenticationRequest)
	case MsgAuthenticationResponse:
		return new(AuthenticationResponse)
	case MsgAuthenticationFailure:
		return new(AuthenticationFailure)
	case MsgIdentityRequest:
		return new(IdentityRequest)
	case MsgIdentityResponse:
		return new(IdentityResponse)
	case MsgTMSIReallocationCommand:
		return new(TMSIReallocationCommand)
	case MsgTMSIReallocationComplete:
		return new(TMSIReallocationComplete)
	case MsgCMServiceAccept:
		return new(CMServiceAccept)
	case MsgCMServiceReject:
		return new(CMServiceReject)
	case MsgCMServiceAbort:
		return new(CMServiceAbort)
	case MsgCMServiceRequest:
		return new(CMServiceRequest)
	case MsgMMStatus:
		return new(MMStatus)
	case MsgMMInformation:
		return new(MMInformation)
	}
	return nil
}

// Marshal encodes m into a new slice of its exact size. It is for tests
// and cold paths; MarshalTo writes into a caller buffer without
// allocating.
func Marshal(m Message) ([]byte, error) {
	b := make([]byte, m.MarshalSize())
	n, err := m.MarshalTo(b)
	if err != nil {
		return nil, err
	}
	return b[:n], nil
}

// unmarshalEmpty decodes a message made of the header alone; trailing
// optional IEs are skipped. It returns the N(SD) bits.
func unmarshalEmpty(b []byte, t MsgType) (l3.Decoder, uint8, error) {
	d, nsd, err := newDecoder(b, t)
	if err != nil {
		return d, 0, err
	}
	for d.Err() == nil && d.Left() > 0 {
		d.SkipIE()
	}
	if err := d.Err(); err != nil {
		return d, 0, fmt.Errorf("%v: %w", t, err)
	}
	return d, nsd, nil
}
