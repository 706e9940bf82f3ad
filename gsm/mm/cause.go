package mm

import "fmt"

// Cause is an MM reject cause (TS 24.008 §10.5.3.6, table 10.5.95), carried
// by Location Updating Reject, CM Service Reject, Authentication Failure
// and MM Status. It is a protocol outcome, not a Go error.
type Cause uint8

// Reject causes.
const (
	CauseIMSIUnknownInHLR         Cause = 2
	CauseIllegalMS                Cause = 3
	CauseIMSIUnknownInVLR         Cause = 4
	CauseIMEINotAccepted          Cause = 5
	CauseIllegalME                Cause = 6
	CausePLMNNotAllowed           Cause = 11
	CauseLANotAllowed             Cause = 12
	CauseRoamingNotAllowedInLA    Cause = 13
	CauseNoSuitableCellsInLA      Cause = 15
	CauseNetworkFailure           Cause = 17
	CauseMACFailure               Cause = 20
	CauseSynchFailure             Cause = 21
	CauseCongestion               Cause = 22
	CauseGSMAuthUnacceptable      Cause = 23
	CauseNotAuthorizedForCSG      Cause = 25
	CauseServiceNotSupported      Cause = 32
	CauseServiceNotSubscribed     Cause = 33
	CauseServiceTemporarilyOOO    Cause = 34
	CauseCallCannotBeIdentified   Cause = 38
	CauseSemanticallyIncorrect    Cause = 95
	CauseInvalidMandatoryInfo     Cause = 96
	CauseMsgTypeNonExistent       Cause = 97
	CauseMsgTypeNotCompatible     Cause = 98
	CauseIENonExistent            Cause = 99
	CauseConditionalIEError       Cause = 100
	CauseMsgNotCompatible         Cause = 101
	CauseProtocolErrorUnspecified Cause = 111
)

var causeNames = map[Cause]string{
	CauseIMSIUnknownInHLR:         "IMSI unknown in HLR",
	CauseIllegalMS:                "Illegal MS",
	CauseIMSIUnknownInVLR:         "IMSI unknown in VLR",
	CauseIMEINotAccepted:          "IMEI not accepted",
	CauseIllegalME:                "Illegal ME",
	CausePLMNNotAllowed:           "PLMN not allowed",
	CauseLANotAllowed:             "Location Area not allowed",
	CauseRoamingNotAllowedInLA:    "Roaming not allowed in this location area",
	CauseNoSuitableCellsInLA:      "No Suitable Cells In Location Area",
	CauseNetworkFailure:           "Network failure",
	CauseMACFailure:               "MAC failure",
	CauseSynchFailure:             "Synch failure",
	CauseCongestion:               "Congestion",
	CauseGSMAuthUnacceptable:      "GSM authentication unacceptable",
	CauseNotAuthorizedForCSG:      "Not authorized for this CSG",
	CauseServiceNotSupported:      "Service option not supported",
	CauseServiceNotSubscribed:     "Requested service option not subscribed",
	CauseServiceTemporarilyOOO:    "Service option temporarily out of order",
	CauseCallCannotBeIdentified:   "Call cannot be identified",
	CauseSemanticallyIncorrect:    "Semantically incorrect message",
	CauseInvalidMandatoryInfo:     "Invalid mandatory information",
	CauseMsgTypeNonExistent:       "Message type non-existent or not implemented",
	CauseMsgTypeNotCompatible:     "Message type not compatible with the protocol state",
	CauseIENonExistent:            "Information element non-existent or not implemented",
	CauseConditionalIEError:       "Conditional IE error",
	CauseMsgNotCompatible:         "Message not compatible with the protocol state",
	CauseProtocolErrorUnspecified: "Protocol error, unspecified",
}

func (c Cause) String() string {
	if n, ok := causeNames[c]; ok {
		return fmt.Sprintf("#%d %s", uint8(c), n)
	}
	return fmt.Sprintf("#%d", uint8(c))
}

// Permanent reports whether an MS receiving c in a Location Updating Reject
// considers its SIM invalid (or the PLMN/LA forbidden) rather than retrying
// (TS 24.008 §4.4.4.7): #2, #3, #6, #11, #12, #13 and #15.
func (c Cause) Permanent() bool {
	switch c {
	case CauseIMSIUnknownInHLR, CauseIllegalMS, CauseIllegalME, CausePLMNNotAllowed,
		CauseLANotAllowed, CauseRoamingNotAllowedInLA, CauseNoSuitableCellsInLA:
		return true
	}
	return false
}
