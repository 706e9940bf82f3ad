package tp

import "errors"

// FailureCause returns the TP-FCS a service centre answers an SMS-SUBMIT
// it cannot take with (in the SMS-SUBMIT-REPORT of RP-ERROR, TS 23.040
// §9.2.3.22), given DecodeMS's or UserData.Decode's error. A mobile
// station refusing an SMS-DELIVER answers FCSErrorInMS or a more
// specific cause of its own.
func FailureCause(err error) FCS {
	switch {
	case errors.Is(err, ErrAddress):
		return FCSInvalidSMEAddress
	case errors.Is(err, ErrVP):
		return FCSVPNotSupported
	case errors.Is(err, ErrReserved), errors.Is(err, ErrAlphabet):
		return FCSDCSNotSupported
	case errors.Is(err, ErrUnsupported), errors.Is(err, ErrType):
		return FCSTPDUNotSupported
	}
	return FCSUnspecified
}
