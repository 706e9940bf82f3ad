package cp

import "errors"

var (
	// ErrShort is returned when a message ends early.
	ErrShort = errors.New("cp: message too short")
	// ErrPD is returned for a message without the SMS protocol
	// discriminator.
	ErrPD = errors.New("cp: not an SMS message")
	// ErrUnknownType is returned for a message type CP does not define
	// (answered with CP-ERROR #97).
	ErrUnknownType = errors.New("cp: unknown message type")
	// ErrType is returned when a decoder is given another message type.
	ErrType = errors.New("cp: wrong message type")
	// ErrTI is returned for the reserved TI value 7 (answered with
	// CP-ERROR #81).
	ErrTI = errors.New("cp: invalid transaction identifier")
	// ErrInvalid is returned for a missing or malformed mandatory
	// element (answered with CP-ERROR #96).
	ErrInvalid = errors.New("cp: invalid mandatory information")
	// ErrTrailing is returned for octets after the last element.
	ErrTrailing = errors.New("cp: trailing octets")
	// ErrBuffer is returned when a MarshalTo buffer is too small.
	ErrBuffer = errors.New("cp: buffer too small")
	// ErrState is returned by Entity methods called in a state that does
	// not allow them (a programmer error of the caller).
	ErrState = errors.New("cp: not allowed in this state")
	// ErrTimeout is reported in an ActError when TC1* expired after the
	// last retransmission.
	ErrTimeout = errors.New("cp: no CP-ACK after the last retransmission")
	// ErrPeer is reported in an ActError when the peer sent CP-ERROR.
	ErrPeer = errors.New("cp: CP-ERROR from the peer")
)
