package registry

import (
	"errors"
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/core/registry/policy"
)

var (
	// ErrNotFound is returned when no subscriber has the IMSI, TMSI or
	// MSISDN asked for.
	ErrNotFound = errors.New("registry: subscriber not found")
	// ErrExists is returned when adding an IMSI that is already provisioned.
	ErrExists = errors.New("registry: subscriber already exists")
	// ErrMSISDNInUse is returned when an MSISDN belongs to another IMSI.
	ErrMSISDNInUse = errors.New("registry: MSISDN in use by another subscriber")
	// ErrTMSIInUse is returned when a TMSI belongs to another IMSI.
	ErrTMSIInUse = errors.New("registry: TMSI in use by another subscriber")
	// ErrInvalid is returned for a subscriber field that fails validation
	// (policy.ErrInvalid).
	ErrInvalid = policy.ErrInvalid
	// ErrCorrupt is returned when stored bytes do not decode or the indexes
	// disagree with the records.
	ErrCorrupt = errors.New("registry: corrupt record")
	// ErrExhausted is returned when no free MSISDN or TMSI can be found.
	ErrExhausted = errors.New("registry: no free number left")
	// ErrLocked is returned by Open when another process holds the database.
	ErrLocked = errors.New("registry: database in use by another process")
	// ErrCSV is returned (joined, one per problem) by ReadCSV.
	ErrCSV = errors.New("registry: bad CSV")
)

// FieldError names the field that failed validation (policy.FieldError).
type FieldError = policy.FieldError

func fieldErr(field, format string, a ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, a...)}
}

// LineError is one problem in a CSV file, with its 1-based line number.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string   { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() []error { return []error{ErrCSV, e.Err} }
