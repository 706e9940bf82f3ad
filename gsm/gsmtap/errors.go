package gsmtap

import "errors"

var (
	// ErrShort is returned when a buffer is too small for a header or packet.
	ErrShort = errors.New("gsmtap: buffer too short")
	// ErrVersion is returned when decoding a header that is not GSMTAP v2.
	ErrVersion = errors.New("gsmtap: unsupported version")
	// ErrHeaderLen is returned for a header length field below 4 words.
	ErrHeaderLen = errors.New("gsmtap: bad header length")
	// ErrTooLong is returned when a payload does not fit one packet.
	ErrTooLong = errors.New("gsmtap: payload too long")
	// ErrPcap is returned for a malformed capture file.
	ErrPcap = errors.New("gsmtap: bad pcap file")
)
