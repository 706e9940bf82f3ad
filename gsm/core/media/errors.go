package media

import "errors"

var (
	// ErrNoPort: no free RTP/RTCP port pair in the configured range.
	ErrNoPort = errors.New("media: no free RTP port pair")
	// ErrSDP: a session description that cannot be parsed or used.
	ErrSDP = errors.New("media: bad SDP")
	// ErrNoCodec: the peer offered or answered no codec we speak.
	ErrNoCodec = errors.New("media: no common codec")
	// ErrState: a call out of order (Start twice, Accept without an
	// Offer, anything after Close).
	ErrState = errors.New("media: wrong state")
	// ErrDigit: a DTMF digit other than 0-9 * # A-D.
	ErrDigit = errors.New("media: not a DTMF digit")
	// ErrConfig: an invalid Config.
	ErrConfig = errors.New("media: bad config")
)
