package registry

import (
	"github.com/gsmbox/gsmbox/gsm/core/registry/policy"
	"github.com/gsmbox/gsmbox/gsm/mm"
)

// Cause is an MM reject cause (3GPP TS 24.008 §10.5.3.6, table 10.5.95),
// the value a Location Updating Reject carries: gsm/mm's own type, so a
// decision goes into the reject unchanged. It is a protocol outcome, not
// a Go error.
type Cause = mm.Cause

// The causes Decide can return, and the others an MSC commonly sends.
const (
	CauseIMSIUnknownInHLR         = mm.CauseIMSIUnknownInHLR      // subscriber not provisioned; SIM invalid until power-off
	CauseIllegalMS                = mm.CauseIllegalMS             // barred or failed authentication; SIM invalid until power-off
	CauseIMSIUnknownInVLR         = mm.CauseIMSIUnknownInVLR      // VLR lost the subscriber; the MS re-registers
	CauseIMEINotAccepted          = mm.CauseIMEINotAccepted       // emergency calls only
	CauseIllegalME                = mm.CauseIllegalME             // the equipment is barred
	CausePLMNNotAllowed           = mm.CausePLMNNotAllowed        // the MS stores the PLMN in its forbidden list (on the SIM)
	CauseLANotAllowed             = mm.CauseLANotAllowed          // forbidden LAs for regional provision of service
	CauseRoamingNotAllowedInLA    = mm.CauseRoamingNotAllowedInLA // forbidden LAs for roaming (cleared at power-off)
	CauseNoSuitableCellsInLA      = mm.CauseNoSuitableCellsInLA   // look for another LA in the same PLMN
	CauseNetworkFailure           = mm.CauseNetworkFailure        // transient; the MS retries (T3211)
	CauseCongestion               = mm.CauseCongestion            // transient; the MS retries
	CauseInvalidMandatoryInfo     = mm.CauseInvalidMandatoryInfo  // the identity is malformed
	CauseProtocolErrorUnspecified = mm.CauseProtocolErrorUnspecified
)

// ParseCause accepts a cause number ("13", "#13") or a name known to
// String, case-insensitively (policy.ParseCause).
func ParseCause(s string) (Cause, error) { return policy.ParseCause(s) }
