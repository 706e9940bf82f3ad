package rr

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// PageMode is the Page Mode IE (TS 44.018 §10.5.2.26), a half octet.
type PageMode uint8

// Page modes.
const (
	PageNormal       PageMode = 0
	PageExtended     PageMode = 1
	PageReorganize   PageMode = 2
	PageSameAsBefore PageMode = 3
)

// ChanNeeded is one CHANNEL field of the Channel Needed IE (TS 44.018
// §10.5.2.8): the channel the paged MS will need.
type ChanNeeded uint8

// Channel needed values.
const (
	NeedAny   ChanNeeded = 0
	NeedSDCCH ChanNeeded = 1
	NeedTCHF  ChanNeeded = 2
	NeedTCHHF ChanNeeded = 3 // TCH/H or TCH/F
)

// RequestRef is the Request Reference IE (TS 44.018 §10.5.2.30): the RA
// octet of a channel request and the reduced frame number it was received
// in, 3 octets:
//
//	|               RA                  |  octet 2
//	|     T1' (5)        |  T3 high (3) |  octet 3
//	| T3 low (3)|       T2 (5)          |  octet 4
type RequestRef struct {
	RA  uint8
	RFN tdma.RFN
}

// NewRequestRef returns the reference of a request with RA ra received in
// frame fn.
func NewRequestRef(ra uint8, fn tdma.FN) RequestRef { return RequestRef{RA: ra, RFN: fn.Reduced()} }

// Matches reports whether r refers to a request with RA ra sent in frame
// fn (TS 44.018 §3.3.1.1.3.1: the MS compares RA and the reduced FN).
func (r RequestRef) Matches(ra uint8, fn tdma.FN) bool { return r.RA == ra && r.RFN == fn.Reduced() }

func putRFN(b []byte, t tdma.RFN) error {
	if t.T1p < 0 || t.T1p > 31 || t.T3 < 0 || t.T3 > 50 || t.T2 < 0 || t.T2 > 25 {
		return fmt.Errorf("%w: reduced frame number %+v", ErrRange, t)
	}
	b[0] = byte(t.T1p)<<3 | byte(t.T3)>>3
	b[1] = byte(t.T3)<<5 | byte(t.T2)
	return nil
}

// getRFN decodes a reduced frame number (Starting Time, §10.5.2.38, and the
// last two octets of the Request Reference). Out-of-range T3 and T2 values
// are kept as sent.
func getRFN(b []byte) tdma.RFN {
	return tdma.RFN{T1p: int(b[0] >> 3), T3: int(b[0]&7)<<3 | int(b[1]>>5), T2: int(b[1] & 31)}
}

func (r *RequestRef) marshal(b []byte) error {
	b[0] = r.RA
	return putRFN(b[1:3], r.RFN)
}

func (r *RequestRef) unmarshal(b []byte) {
	*r = RequestRef{RA: b[0], RFN: getRFN(b[1:3])}
}

// validRFN reports whether T3 and T2 are in range (a frame number exists).
func validRFN(t tdma.RFN) error {
	if t.T3 > 50 || t.T2 > 25 {
		return fmt.Errorf("%w: reduced frame number T3 %d, T2 %d", ErrRange, t.T3, t.T2)
	}
	return nil
}

// Cause is an RR cause (TS 44.018 §10.5.2.31).
type Cause uint8

// RR causes.
const (
	CauseNormal               Cause = 0x00
	CauseAbnormalUnspecified  Cause = 0x01
	CauseChannelUnacceptable  Cause = 0x02
	CauseTimerExpired         Cause = 0x03
	CauseNoActivity           Cause = 0x04
	CausePreemptive           Cause = 0x05
	CauseUTRANConfigUnknown   Cause = 0x06
	CauseTAOutOfRange         Cause = 0x08
	CauseModeUnacceptable     Cause = 0x09
	CauseFreqNotImplemented   Cause = 0x0a
	CauseLeavingGroupCallArea Cause = 0x0b
	CauseLowerLayerFailure    Cause = 0x0c
	CauseCallAlreadyCleared   Cause = 0x41
	CauseSemanticError        Cause = 0x5f
	CauseInvalidMandatory     Cause = 0x60
	CauseUnknownMessageType   Cause = 0x61
	CauseMessageNotCompatible Cause = 0x62
	CauseConditionalIEError   Cause = 0x64
	CauseNoCellAllocation     Cause = 0x65
	CauseProtocolError        Cause = 0x6f
)

var causeNames = map[Cause]string{
	CauseNormal: "normal event", CauseAbnormalUnspecified: "abnormal release, unspecified",
	CauseChannelUnacceptable: "abnormal release, channel unacceptable", CauseTimerExpired: "abnormal release, timer expired",
	CauseNoActivity: "abnormal release, no activity on the radio path", CausePreemptive: "preemptive release",
	CauseUTRANConfigUnknown: "UTRAN configuration unknown", CauseTAOutOfRange: "handover impossible, timing advance out of range",
	CauseModeUnacceptable: "channel mode unacceptable", CauseFreqNotImplemented: "frequency not implemented",
	CauseLeavingGroupCallArea: "originator or talker leaving group call area", CauseLowerLayerFailure: "lower layer failure",
	CauseCallAlreadyCleared: "call already cleared", CauseSemanticError: "semantically incorrect message",
	CauseInvalidMandatory: "invalid mandatory information", CauseUnknownMessageType: "message type non-existent or not implemented",
	CauseMessageNotCompatible: "message type not compatible with protocol state", CauseConditionalIEError: "conditional IE error",
	CauseNoCellAllocation: "no cell allocation available", CauseProtocolError: "protocol error unspecified",
}

func (c Cause) String() string {
	if s, ok := causeNames[c]; ok {
		return s
	}
	return fmt.Sprintf("RR cause %#02x", uint8(c))
}
