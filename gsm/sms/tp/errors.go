package tp

import "errors"

var (
	// ErrShort is returned when a TPDU or parameter ends early.
	ErrShort = errors.New("tp: TPDU too short")
	// ErrLength is returned for a length field that disagrees with the
	// octets present or exceeds its limit (TP-UDL, address length, UDH).
	ErrLength = errors.New("tp: bad length")
	// ErrValue is returned for a reserved or out-of-range field value.
	ErrValue = errors.New("tp: bad field value")
	// ErrReserved is returned for a reserved TP-DCS coding (TS 23.038 §4).
	ErrReserved = errors.New("tp: reserved data coding scheme")
	// ErrType is returned when the TP-MTI does not match the TPDU asked
	// for or the direction and carrier given.
	ErrType = errors.New("tp: wrong message type")
	// ErrUnsupported is returned for TPDUs and codings this package does
	// not handle (SMS-COMMAND, compressed text).
	ErrUnsupported = errors.New("tp: unsupported")
	// ErrBuffer is returned when a MarshalTo buffer is too small.
	ErrBuffer = errors.New("tp: buffer too small")
	// ErrTrailing is returned for octets after the end of a TPDU.
	ErrTrailing = errors.New("tp: trailing octets")
	// ErrAlphabet is returned when text cannot be written in the chosen
	// alphabet.
	ErrAlphabet = errors.New("tp: text not encodable in the alphabet")
	// ErrAddress is matched, besides the specific error, by every
	// malformed TP-OA, TP-DA or TP-RA.
	ErrAddress = errors.New("tp: bad address")
	// ErrVP is matched, besides the specific error, by a malformed
	// absolute TP-VP.
	ErrVP = errors.New("tp: bad validity period")
	// ErrTooLong is returned when a text needs more than 255 parts, or
	// more than a Reassembler accepts.
	ErrTooLong = errors.New("tp: message too long")
)
