package trxproto

import "errors"

var (
	// ErrShort reports a PDU or message shorter than its header says.
	ErrShort = errors.New("trxproto: message too short")
	// ErrVersion reports a TRXD PDU version this package does not speak.
	ErrVersion = errors.New("trxproto: unsupported TRXD version")
	// ErrLength reports a burst of a length that is not a GMSK burst.
	ErrLength = errors.New("trxproto: unsupported burst length")
	// ErrSyntax reports a malformed TRXC message.
	ErrSyntax = errors.New("trxproto: malformed control message")
	// ErrRange reports a field out of its range when encoding.
	ErrRange = errors.New("trxproto: field out of range")
	// ErrTimeout reports a command the transceiver did not answer.
	ErrTimeout = errors.New("trxproto: no response")
	// ErrRemoteBind reports a bind to an address other than loopback
	// without LinkConfig.AllowRemote.
	ErrRemoteBind = errors.New("trxproto: non-loopback bind not allowed")
	// ErrRejected reports a command answered with a non-zero status.
	ErrRejected = errors.New("trxproto: command rejected")
)
