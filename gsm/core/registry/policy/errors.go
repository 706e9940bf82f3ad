package policy

import (
	"errors"
	"fmt"
)

// ErrInvalid is returned (wrapped in a *FieldError) for a value that fails
// validation. registry.ErrInvalid is the same error.
var ErrInvalid = errors.New("registry: invalid value")

// FieldError names the field that failed validation. registry.FieldError
// is the same type.
type FieldError struct {
	Field string // "imsi", "msisdn", ...
	Msg   string // what is wrong; never the value of a secret
}

func (e *FieldError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Msg) }
func (e *FieldError) Unwrap() error { return ErrInvalid }

func fieldErr(field, format string, a ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, a...)}
}
