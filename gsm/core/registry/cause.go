package registry

import (
	"fmt"
	"strings"
)

// Cause is an MM reject cause (3GPP TS 24.008 §10.5.3.6, table 10.5.95),
// the value a Location Updating Reject carries. It is a protocol outcome,
// not a Go error.
type Cause uint8

// The causes Decide can return, and the others an MSC commonly sends.
const (
	CauseIMSIUnknownInHLR         Cause = 2  // subscriber not provisioned; SIM invalid until power-off
	CauseIllegalMS                Cause = 3  // barred or failed authentication; SIM invalid until power-off
	CauseIMSIUnknownInVLR         Cause = 4  // VLR lost the subscriber; the MS re-registers
	CauseIMEINotAccepted          Cause = 5  // emergency calls only
	CauseIllegalME                Cause = 6  // the equipment is barred
	CausePLMNNotAllowed           Cause = 11 // the MS stores the PLMN in its forbidden list (on the SIM)
	CauseLANotAllowed             Cause = 12 // forbidden LAs for regional provision of service
	CauseRoamingNotAllowedInLA    Cause = 13 // forbidden LAs for roaming (cleared at power-off)
	CauseNoSuitableCellsInLA      Cause = 15 // look for another LA in the same PLMN
	CauseNetworkFailure           Cause = 17 // transient; the MS retries (T3211)
	CauseCongestion               Cause = 22 // transient; the MS retries
	CauseInvalidMandatoryInfo     Cause = 96 // the identity is malformed
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
	CauseCongestion:               "Congestion",
	CauseInvalidMandatoryInfo:     "Invalid mandatory information",
	CauseProtocolErrorUnspecified: "Protocol error, unspecified",
}

func (c Cause) String() string {
	if n, ok := causeNames[c]; ok {
		return fmt.Sprintf("#%d %s", uint8(c), n)
	}
	return fmt.Sprintf("#%d", uint8(c))
}

// ParseCause accepts a cause number ("13", "#13") or a name known to
// String, case-insensitively; for the policy's config keys.
func ParseCause(s string) (Cause, error) {
	var n int
	if _, err := fmt.Sscanf(s, "#%d", &n); err == nil && n > 0 && n < 256 {
		return Cause(n), nil
	}
	if _, err := fmt.Sscanf(s, "%d", &n); err == nil && n > 0 && n < 256 && fmt.Sprint(n) == s {
		return Cause(n), nil
	}
	for c, name := range causeNames {
		if strings.EqualFold(name, s) {
			return c, nil
		}
	}
	return 0, fieldErr("cause", "%q is not a TS 24.008 §10.5.3.6 cause number or name", s)
}
