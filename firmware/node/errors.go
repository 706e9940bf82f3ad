package node

import "errors"

var (
	// ErrConfig reports an unusable Config.
	ErrConfig = errors.New("node: bad configuration")
	// ErrInboxFull is returned by Send when the inbox holds its capacity
	// of commands: the command is dropped (and counted), never waited on.
	ErrInboxFull = errors.New("node: inbox full")
	// ErrNotRunning is returned by Do when the loop stopped before it ran
	// the command.
	ErrNotRunning = errors.New("node: cell loop not running")
)
