package core

import "errors"

// ErrConfig is returned for a network configuration that cannot run.
var ErrConfig = errors.New("core: bad configuration")

// ErrUnknownSubscriber is SMSDirectory's answer for a number or IMSI
// nobody has.
var ErrUnknownSubscriber = errors.New("core: unknown subscriber")

// ErrNoSMS is returned by the operator's SMS calls when the core serves
// no SMS (no store).
var ErrNoSMS = errors.New("core: SMS not configured")
