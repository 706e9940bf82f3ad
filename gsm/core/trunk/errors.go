package trunk

import (
	"errors"
	"fmt"
)

// ErrConfig is a trunk configuration the trunk cannot run with.
var ErrConfig = errors.New("trunk: bad configuration")

// RegisterError is a registration the provider refused or never answered.
type RegisterError struct {
	Trunk  string
	Status int    // the final SIP status, 0 when there was none
	Reason string // its reason phrase, or what went wrong
}

func (e *RegisterError) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("trunk %s: registration failed: %s", e.Trunk, e.Reason)
	}
	return fmt.Sprintf("trunk %s: registration refused: %d %s", e.Trunk, e.Status, e.Reason)
}
