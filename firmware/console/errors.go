package console

import "errors"

var (
	// ErrNoCredential: no administrator credential has been set.
	ErrNoCredential = errors.New("console: no administrator credential set")
	// ErrBadPassword: a password too short, too long or with control bytes.
	ErrBadPassword = errors.New("console: unacceptable password")
	// ErrScope: a token's scope name is unknown.
	ErrScope = errors.New("console: unknown scope")
	// ErrNotAvailable: a feature this build does not have.
	ErrNotAvailable = errors.New("console: not available in this build")
	// ErrConfig: a console configuration that cannot be used.
	ErrConfig = errors.New("console: bad configuration")
)
