package cc

import "errors"

var (
	// ErrPD is returned when a message does not carry the CC protocol
	// discriminator.
	ErrPD = errors.New("cc: not a CC message")
	// ErrHeader is returned for a message too short for its header; there
	// is no transaction to answer on.
	ErrHeader = errors.New("cc: no CC header")
	// ErrTI is returned for the extended transaction identifier (TI value
	// 7), which this implementation does not support: TS 24.008 §8.3.1
	// item a) says such a message is ignored.
	ErrTI = errors.New("cc: extended transaction identifier not supported")
	// ErrType is returned when a decoder is given another message type.
	ErrType = errors.New("cc: wrong message type")
	// ErrUnknownType is returned by Decode for a message type it does not
	// implement (TS 24.008 §8.4: answered with Status cause #97).
	ErrUnknownType = errors.New("cc: unknown message type")
	// ErrMandatory is returned when a mandatory IE is missing or its
	// content is invalid (TS 24.008 §8.5: cause #96).
	ErrMandatory = errors.New("cc: invalid mandatory information")
	// ErrComprehension is returned for an unknown IE encoded as
	// "comprehension required" (TS 24.007 §11.2.4, TS 24.008 §8.5: treated
	// as a missing mandatory IE, cause #96).
	ErrComprehension = errors.New("cc: unknown comprehension-required IE")
	// ErrValue is returned by encoders for a field value out of range (a
	// digit that is not BCD, a list too long for its IE).
	ErrValue = errors.New("cc: bad field value")
)
