package lapdm

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Side is the end of the radio link an entity works for. It fixes the
// meaning of the C/R bit (TS 44.006 §3.3.2): the network sends commands
// with C/R 1 and responses with C/R 0, the mobile the reverse.
type Side uint8

// Sides.
const (
	Network Side = iota + 1
	MS
)

func (s Side) String() string {
	switch s {
	case Network:
		return "network"
	case MS:
		return "MS"
	}
	return fmt.Sprintf("Side(%d)", uint8(s))
}

// Channel is the logical channel an entity runs on. It selects N201, T200,
// N200 and the frame formats.
type Channel uint8

// Channels.
const (
	SDCCH  Channel = iota + 1
	SACCH          // the SACCH of an SDCCH or of a TCH (the block has an L1 header)
	FACCHF         // FACCH of a full-rate TCH
	FACCHH         // FACCH of a half-rate TCH
)

func (c Channel) String() string {
	switch c {
	case SDCCH:
		return "SDCCH"
	case SACCH:
		return "SACCH"
	case FACCHF:
		return "FACCH/F"
	case FACCHH:
		return "FACCH/H"
	}
	return fmt.Sprintf("Channel(%d)", uint8(c))
}

// N201 returns the maximum information field of a format B frame on c
// (TS 44.006 §5.8.3).
func (c Channel) N201() int {
	if c == SACCH {
		return N201SACCH
	}
	return N201DCCH
}

// T200 returns the default T200 on c in TDMA frames (TS 44.006 §5.8.1).
//
// §5.8.1 asks that T200 run longer than the time from sending a frame to
// receiving the peer's answer in its next transmit opportunity; to repeat a
// lost frame at the earliest block it should also expire before one's own
// next opportunity after that. FACCH/F and FACCH/H use the 155 ms of
// §5.8.1 (34 frames: a FACCH block can start every 4 frames). The SDCCH
// and SACCH values follow the rule above from the block timing of TS
// 45.002 (the figures of the §5.8.1 table could not be checked here):
// SDCCH 48 frames (about 220 ms; an SDCCH block comes every 51 frames,
// the uplink 15 frames after the downlink, so an answer arrives within
// about 40 frames at either end); SACCH 200 frames (about 920 ms; a SACCH
// block on a TCH is spread over 104 frames, so the answer to a frame ends
// about 195 frames after it started, and the block after next starts at
// 208).
func (c Channel) T200() int {
	switch c {
	case FACCHF, FACCHH:
		return 34
	case SDCCH:
		return 48
	case SACCH:
		return 200
	}
	return 0
}

// N200 returns the maximum number of retransmissions of a frame on c (TS
// 44.006 §5.8.2): 5 on SACCH, 23 on SDCCH, 34 on FACCH/F and 29 on
// FACCH/H, the same for SAPI 0 and SAPI 3.
func (c Channel) N200() int {
	switch c {
	case SACCH:
		return 5
	case SDCCH:
		return 23
	case FACCHF:
		return 34
	case FACCHH:
		return 29
	}
	return 0
}

// Config configures an Entity.
type Config struct {
	Side    Side
	SAPI    uint8 // 0 or 3
	Channel Channel
	// T200 in TDMA frames and N200; zero takes Channel.T200 and
	// Channel.N200.
	T200 int
	N200 int
}

func (c *Config) validate() error {
	switch {
	case c.Side != Network && c.Side != MS:
		return fmt.Errorf("%w: side %v", ErrConfig, c.Side)
	case c.SAPI != 0 && c.SAPI != 3:
		return fmt.Errorf("%w: SAPI %d (0 or 3)", ErrConfig, c.SAPI)
	case c.Channel < SDCCH || c.Channel > FACCHH:
		return fmt.Errorf("%w: channel %v", ErrConfig, c.Channel)
	case c.SAPI == 3 && (c.Channel == FACCHF || c.Channel == FACCHH):
		return fmt.Errorf("%w: SAPI 3 on %v (it runs on the SACCH of a TCH)", ErrConfig, c.Channel)
	case c.T200 < 0 || c.T200 > tdma.HyperFrame/4:
		return fmt.Errorf("%w: T200 %d frames", ErrConfig, c.T200)
	case c.N200 < 0 || c.N200 > 255:
		return fmt.Errorf("%w: N200 %d", ErrConfig, c.N200)
	}
	if c.T200 == 0 {
		c.T200 = c.Channel.T200()
	}
	if c.N200 == 0 {
		c.N200 = c.Channel.N200()
	}
	return nil
}

// Cause is an MDL-ERROR or release cause. The values are those of the RLM
// cause of TS 48.058 §9.3.22, so the cell can report them unchanged.
type Cause uint8

// Causes.
const (
	CauseNone               Cause = 0x00 // normal release
	CauseT200               Cause = 0x01 // timer T200 expired N200+1 times
	CauseReestablish        Cause = 0x02 // re-establishment request
	CauseUnsolicitedUA      Cause = 0x03
	CauseUnsolicitedDM      Cause = 0x04
	CauseUnsolicitedDMEst   Cause = 0x05 // unsolicited DM, multiple frame established state
	CauseUnsolicitedS       Cause = 0x06 // unsolicited supervisory response
	CauseSequenceError      Cause = 0x07 // N(R) sequence error
	CauseUFrameParams       Cause = 0x08 // U frame with incorrect parameters
	CauseSFrameParams       Cause = 0x09
	CauseIFrameMBit         Cause = 0x0a // I frame with incorrect use of M bit
	CauseIFrameLength       Cause = 0x0b // I frame with incorrect length (or reassembly overflow)
	CauseNotImplemented     Cause = 0x0c
	CauseSABMEstablished    Cause = 0x0d // SABM command, multiple frame established state
	CauseSABMInfoNotAllowed Cause = 0x0e // SABM frame with information not allowed in this state
	CauseContentionMismatch Cause = 0x80 // MS: UA information differs from the SABM (TS 44.006 §5.4.1.4); local value
	CauseLocalEnd           Cause = 0x81 // local end release requested by L3; local value
)

func (c Cause) String() string {
	switch c {
	case CauseNone:
		return "normal"
	case CauseT200:
		return "T200 expired N200+1 times"
	case CauseReestablish:
		return "re-establishment request"
	case CauseUnsolicitedUA:
		return "unsolicited UA response"
	case CauseUnsolicitedDM:
		return "unsolicited DM response"
	case CauseUnsolicitedDMEst:
		return "unsolicited DM response, multiple frame established state"
	case CauseUnsolicitedS:
		return "unsolicited supervisory response"
	case CauseSequenceError:
		return "sequence error"
	case CauseUFrameParams:
		return "U frame with incorrect parameters"
	case CauseSFrameParams:
		return "S frame with incorrect parameters"
	case CauseIFrameMBit:
		return "I frame with incorrect use of M bit"
	case CauseIFrameLength:
		return "I frame with incorrect length"
	case CauseNotImplemented:
		return "frame not implemented"
	case CauseSABMEstablished:
		return "SABM command, multiple frame established state"
	case CauseSABMInfoNotAllowed:
		return "SABM frame with information not allowed in this state"
	case CauseContentionMismatch:
		return "contention resolution mismatch"
	case CauseLocalEnd:
		return "local end release"
	}
	return fmt.Sprintf("Cause(%#02x)", uint8(c))
}
