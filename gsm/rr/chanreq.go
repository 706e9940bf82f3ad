package rr

import "fmt"

// EstCause is the establishment cause a Channel Request's RA octet encodes
// (TS 44.018 §9.1.8, tables 9.1.8.1 and 9.1.8.2).
type EstCause uint8

// Establishment causes.
const (
	EstReserved       EstCause = iota // reserved or not for a circuit-switched cell
	EstEmergency                      // 101xxxxx
	EstReestablish                    // 110xxxxx, 011010xx, 011011xx
	EstPaging                         // answer to paging: 100xxxxx, 0010xxxx, 0011xxxx
	EstOriginating                    // 111xxxxx, 0100xxxx, 0101xxxx
	EstLocationUpdate                 // 000xxxxx (NECI 0), 0000xxxx (NECI 1)
	// EstSDCCHProcedure is 0001xxxx with NECI 1: an answer to paging with
	// "SDCCH needed", or another procedure that completes on an SDCCH
	// (SMS, supplementary services, ...): the codes coincide.
	EstSDCCHProcedure
	EstPacket // 0111xxxx: GPRS packet access
)

var estNames = [...]string{"reserved", "emergency call", "call re-establishment", "answer to paging",
	"originating call", "location updating", "answer to paging or other SDCCH procedure", "packet access"}

func (c EstCause) String() string {
	if int(c) < len(estNames) {
		return estNames[c]
	}
	return fmt.Sprintf("EstCause(%d)", uint8(c))
}

// ChannelRequest is the interpretation of the 8-bit RA of a Channel
// Request (TS 44.018 §9.1.8): the cause, the channel the MS asks for, and
// the random reference bits that follow the cause code.
type ChannelRequest struct {
	RA        uint8
	Cause     EstCause
	Need      ChanNeeded // NeedSDCCH, NeedTCHF, NeedTCHHF, or NeedAny
	RandomRef uint8      // the random discriminator bits
	RefBits   int        // how many bits of RA are random, 2..5
}

// ParseChannelRequest interprets ra as sent in a cell whose SI3/SI4 NECI
// bit is neci (table 9.1.8.1).
func ParseChannelRequest(ra uint8, neci bool) ChannelRequest {
	r := ChannelRequest{RA: ra, Need: NeedSDCCH}
	set := func(c EstCause, need ChanNeeded, bits int) {
		r.Cause, r.Need, r.RefBits = c, need, bits
		r.RandomRef = ra & (1<<bits - 1)
	}
	switch {
	case ra>>5 == 0b101:
		set(EstEmergency, NeedTCHF, 5)
	case ra>>5 == 0b110:
		set(EstReestablish, NeedTCHF, 5)
	case ra>>2 == 0b011010, ra>>2 == 0b011011:
		set(EstReestablish, NeedTCHHF, 2)
	case ra>>5 == 0b100:
		set(EstPaging, NeedAny, 5)
	case ra>>4 == 0b0010:
		set(EstPaging, NeedTCHF, 4)
	case ra>>4 == 0b0011:
		set(EstPaging, NeedTCHHF, 4)
	case ra>>5 == 0b111:
		set(EstOriginating, NeedTCHF, 5)
	case ra>>4 == 0b0100, ra>>4 == 0b0101:
		set(EstOriginating, NeedTCHHF, 4)
	case !neci && ra>>5 == 0b000:
		// Location updating; a paged MS asking for an SDCCH (0001xxxx) looks
		// the same and gets the same channel.
		set(EstLocationUpdate, NeedSDCCH, 5)
	case ra>>4 == 0b0000:
		set(EstLocationUpdate, NeedSDCCH, 4)
	case ra>>4 == 0b0001:
		set(EstSDCCHProcedure, NeedSDCCH, 4)
	case ra>>4 == 0b0111:
		set(EstPacket, NeedAny, 3)
	default:
		set(EstReserved, NeedAny, 3)
	}
	return r
}
