package sntp

import "errors"

var (
	// ErrShort is a packet shorter than the 48-byte header.
	ErrShort = errors.New("sntp: short packet")
	// ErrReply is a reply that fails RFC 4330 §5's checks.
	ErrReply = errors.New("sntp: bad reply")
	// ErrKissOfDeath is a reply with stratum 0 (RFC 4330 §8): the server
	// asks the client to go away or slow down.
	ErrKissOfDeath = errors.New("sntp: kiss-o'-death")
)
