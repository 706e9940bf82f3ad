package rp

import (
	"errors"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// CauseFor returns the RP-Cause to answer an undecodable RP message with
// (RP-ERROR, TS 24.011 §8.2.5.4 and the error handling of §9): #97 for an
// unknown message type, #99 for an unknown or surplus element, #96 for a
// missing or malformed mandatory element, #111 otherwise.
func CauseFor(err error) Cause {
	switch {
	case errors.Is(err, ErrType):
		return CauseMessageTypeNonExistent
	case errors.Is(err, ErrTrailing):
		return CauseIENonExistent
	case errors.Is(err, ErrShort), errors.Is(err, ErrLength), errors.Is(err, ErrValue),
		errors.Is(err, l3.ErrShort), errors.Is(err, l3.ErrLength):
		return CauseInvalidMandatoryInfo
	}
	return CauseProtocolError
}
