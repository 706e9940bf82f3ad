package cc

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// CauseValue is the cause value of the Cause IE (TS 24.008 §10.5.4.11,
// Table 10.5.123), the reason a call was cleared or a message refused. It
// is a protocol outcome, not a Go error.
type CauseValue uint8

// Cause values (TS 24.008 Table 10.5.123; Annex H explains each).
const (
	CauseUnassignedNumber          CauseValue = 1
	CauseNoRouteToDestination      CauseValue = 3
	CauseChannelUnacceptable       CauseValue = 6
	CauseOperatorBarring           CauseValue = 8
	CauseNormalClearing            CauseValue = 16
	CauseUserBusy                  CauseValue = 17
	CauseNoUserResponding          CauseValue = 18
	CauseNoAnswer                  CauseValue = 19 // user alerting, no answer
	CauseCallRejected              CauseValue = 21
	CauseNumberChanged             CauseValue = 22
	CausePreemption                CauseValue = 25
	CauseNonSelectedUserClearing   CauseValue = 26
	CauseDestinationOutOfOrder     CauseValue = 27
	CauseInvalidNumberFormat       CauseValue = 28
	CauseFacilityRejected          CauseValue = 29
	CauseResponseToStatusEnquiry   CauseValue = 30
	CauseNormalUnspecified         CauseValue = 31
	CauseNoChannelAvailable        CauseValue = 34
	CauseNetworkOutOfOrder         CauseValue = 38
	CauseTemporaryFailure          CauseValue = 41
	CauseSwitchingCongestion       CauseValue = 42
	CauseAccessInfoDiscarded       CauseValue = 43
	CauseChannelNotAvailable       CauseValue = 44
	CauseResourcesUnavailable      CauseValue = 47
	CauseQoSUnavailable            CauseValue = 49
	CauseFacilityNotSubscribed     CauseValue = 50
	CauseIncomingBarredInCUG       CauseValue = 55
	CauseBearerNotAuthorized       CauseValue = 57
	CauseBearerNotAvailable        CauseValue = 58
	CauseServiceNotAvailable       CauseValue = 63
	CauseBearerNotImplemented      CauseValue = 65
	CauseACMExceeded               CauseValue = 68
	CauseFacilityNotImplemented    CauseValue = 69
	CauseOnlyRestrictedDigital     CauseValue = 70
	CauseServiceNotImplemented     CauseValue = 79
	CauseInvalidTransactionID      CauseValue = 81
	CauseNotCUGMember              CauseValue = 87
	CauseIncompatibleDestination   CauseValue = 88
	CauseInvalidTransitNetwork     CauseValue = 91
	CauseSemanticallyIncorrect     CauseValue = 95
	CauseInvalidMandatoryInfo      CauseValue = 96
	CauseMsgTypeNonExistent        CauseValue = 97
	CauseMsgTypeNotCompatible      CauseValue = 98
	CauseIENonExistent             CauseValue = 99
	CauseConditionalIEError        CauseValue = 100
	CauseMsgNotCompatibleWithState CauseValue = 101
	CauseRecoveryOnTimerExpiry     CauseValue = 102
	CauseProtocolError             CauseValue = 111
	CauseInterworking              CauseValue = 127
)

var causeNames = map[CauseValue]string{
	1: "unassigned number", 3: "no route to destination", 6: "channel unacceptable",
	8: "operator determined barring", 16: "normal call clearing", 17: "user busy",
	18: "no user responding", 19: "user alerting, no answer", 21: "call rejected",
	22: "number changed", 25: "pre-emption", 26: "non selected user clearing",
	27: "destination out of order", 28: "invalid number format", 29: "facility rejected",
	30: "response to STATUS ENQUIRY", 31: "normal, unspecified", 34: "no circuit/channel available",
	38: "network out of order", 41: "temporary failure", 42: "switching equipment congestion",
	43: "access information discarded", 44: "requested circuit/channel not available",
	47: "resources unavailable, unspecified", 49: "quality of service unavailable",
	50: "requested facility not subscribed", 55: "incoming calls barred within the CUG",
	57: "bearer capability not authorized", 58: "bearer capability not presently available",
	63: "service or option not available", 65: "bearer service not implemented",
	68: "ACM equal to or greater than ACMmax", 69: "requested facility not implemented",
	70: "only restricted digital information bearer capability is available",
	79: "service or option not implemented", 81: "invalid transaction identifier value",
	87: "user not member of CUG", 88: "incompatible destination", 91: "invalid transit network selection",
	95: "semantically incorrect message", 96: "invalid mandatory information",
	97: "message type non-existent or not implemented", 98: "message type not compatible with protocol state",
	99: "information element non-existent or not implemented", 100: "conditional IE error",
	101: "message not compatible with protocol state", 102: "recovery on timer expiry",
	111: "protocol error, unspecified", 127: "interworking, unspecified",
}

func (c CauseValue) String() string {
	if n, ok := causeNames[c]; ok {
		return fmt.Sprintf("#%d %s", uint8(c), n)
	}
	return fmt.Sprintf("#%d", uint8(c))
}

// Location is where a cause was generated (§10.5.4.11 octet 3, bits 4–1).
type Location uint8

// Locations.
const (
	LocUser               Location = 0
	LocPrivateLocal       Location = 1 // private network serving the local user
	LocPublicLocal        Location = 2 // public network serving the local user
	LocTransit            Location = 3
	LocPublicRemote       Location = 4 // public network serving the remote user
	LocPrivateRemote      Location = 5
	LocInternational      Location = 7
	LocBeyondInterworking Location = 10
)

// Coding standards (§10.5.4.11 octet 3 bits 7–6, also used by the
// Progress Indicator and Call State IEs).
const (
	CodingITU      = 0 // ITU-T Q.931 standard
	CodingNational = 2
	CodingGSM      = 3 // standard defined for the GSM PLMNs
)

// Cause is the Cause IE (TS 24.008 §10.5.4.11), 2 to 30 value octets:
//
//	  8   7   6   5   4   3   2   1
//	|ext| coding| 0 |   location    |  octet 3
//	| 1 |     recommendation        |  octet 3a (if octet 3 ext = 0)
//	| 1 |       cause value         |  octet 4
//	|        diagnostic(s)          |  octets 5..
//
// Diagnostics are kept opaque (at most 27 octets).
type Cause struct {
	Coding            uint8 // 0..3
	Location          Location
	HasRecommendation bool
	Recommendation    uint8 // 0..127
	Value             CauseValue
	DiagLen           uint8
	Diag              [27]byte
}

// NewCause returns a GSM-coded cause generated by the public network
// serving the local user, as a gsmbox network sends it.
func NewCause(v CauseValue) Cause {
	return Cause{Coding: CodingGSM, Location: LocPublicLocal, Value: v}
}

// UserCause returns a cause generated by the user (the mobile station), as
// a phone sends it.
func UserCause(v CauseValue) Cause {
	return Cause{Coding: CodingGSM, Location: LocUser, Value: v}
}

// Diagnostics returns the diagnostic octets.
func (c *Cause) Diagnostics() []byte { return c.Diag[:min(int(c.DiagLen), len(c.Diag))] }

// causeMaxValue is the longest Cause value (§10.5.4.11: IE length 2..30
// octets of value, Table 9.x "LV 3–31").
const causeMaxValue = 30

func (c *Cause) valueLen() int {
	n := 2 + int(c.DiagLen)
	if c.HasRecommendation {
		n++
	}
	return n
}

func (c *Cause) put(e *enc) {
	if c.Coding > 3 || c.Location > 15 || c.Value > 127 || c.Recommendation > 127 || c.valueLen() > causeMaxValue || int(c.DiagLen) > len(c.Diag) {
		e.bad("cause %+v", *c)
		return
	}
	o3 := c.Coding<<5 | uint8(c.Location)
	if !c.HasRecommendation {
		o3 |= 0x80
	}
	e.Byte(o3)
	if c.HasRecommendation {
		e.Byte(0x80 | c.Recommendation)
	}
	e.Byte(0x80 | uint8(c.Value))
	e.V(c.Diag[:c.DiagLen])
}

// putLV writes the Cause as an LV (mandatory) IE.
func (c *Cause) putLV(e *enc) {
	mark := e.BeginLV()
	c.put(e)
	e.EndLV(mark)
}

// putTLV writes the Cause as a TLV (optional) IE with IEI iei.
func (c *Cause) putTLV(e *enc, iei byte) {
	e.Byte(iei)
	c.putLV(e)
}

// Unmarshal parses a Cause value (without IEI and length).
func (c *Cause) Unmarshal(v []byte) error {
	*c = Cause{}
	if len(v) < 2 || len(v) > causeMaxValue {
		return fmt.Errorf("%w: cause of %d octets", l3.ErrLength, len(v))
	}
	c.Coding = v[0] >> 5 & 3
	c.Location = Location(v[0] & 0xf)
	i := 1
	if v[0]&0x80 == 0 {
		c.HasRecommendation = true
		c.Recommendation = v[1] & 0x7f
		i = 2
		if len(v) < 3 {
			return fmt.Errorf("%w: cause with recommendation has no value", l3.ErrLength)
		}
	}
	c.Value = CauseValue(v[i] & 0x7f)
	i++
	c.DiagLen = uint8(copy(c.Diag[:], v[i:]))
	return nil
}

// size is the encoded LV size.
func (c *Cause) size() int { return 1 + c.valueLen() }

// ieiCause is the IEI of the optional Cause IE (Release, Release
// Complete, Call Confirmed).
const (
	ieiCause       = 0x08
	ieiFacility    = 0x1c
	ieiProgress    = 0x1e
	ieiUserUser    = 0x7e
	ieiSSVersion   = 0x7f
	ieiBearer      = 0x04
	ieiSignal      = 0x34
	ieiCalling     = 0x5c
	ieiCallingSub  = 0x5d
	ieiCalled      = 0x5e
	ieiCalledSub   = 0x6d
	ieiConnected   = 0x4c
	ieiConnSub     = 0x4d
	ieiRedirecting = 0x74
	ieiLLC         = 0x7c
	ieiHLC         = 0x7d
	ieiKeypad      = 0x2c
	ieiCCCap       = 0x15
	ieiCLIRSupp    = 0xa1
	ieiCLIRInv     = 0xa2
	ieiAuxStates   = 0x24
	ieiEmergCat    = 0x2e
	ieiAllowedAct  = 0x7b
	ieiRevCallDir  = 0xa3
	ieiRepeat      = 0xd // type 1, high nibble
	ieiPriority    = 0x8 // type 1, high nibble
)

// decodeCauseOpt reads an optional Cause TLV into c.
func decodeCauseOpt(d *l3.Decoder, c *Cause) (bool, error) {
	v, ok := d.TLV(ieiCause, 2, causeMaxValue)
	if !ok {
		return false, nil
	}
	return true, c.Unmarshal(v)
}
