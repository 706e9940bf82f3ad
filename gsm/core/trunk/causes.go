package trunk

import (
	"strconv"
	"strings"

	"github.com/gsmbox/gsmbox/gsm/cc"
)

// The mapping between SIP status codes and TS 24.008 causes (which are
// Q.850's), both ways.
//
// SIP → cause: RFC 3398 §7.2.4.1 ("receipt of a SIP response"), as TS
// 29.163 Table 7.2.3.1.7 repeats it. A Reason header with a Q.850 cause
// (RFC 3326) wins over the status (TS 29.163 §7.2.3.1.2.6).
//
// Cause → SIP: RFC 3398 §8.2.6.1, with TS 29.163 Table 7.2.3.2.7's
// amendment that #18, #19 and #20 (no answer from a reachable subscriber)
// give 480 Temporarily Unavailable rather than 408.

var sipToCause = map[int]cc.CauseValue{
	400: cc.CauseTemporaryFailure, // 41
	401: cc.CauseCallRejected,     // 21
	402: cc.CauseCallRejected,
	403: cc.CauseCallRejected,
	404: cc.CauseUnassignedNumber, // 1
	405: cc.CauseServiceNotAvailable,
	406: cc.CauseServiceNotImplemented,
	407: cc.CauseCallRejected,
	408: cc.CauseRecoveryOnTimerExpiry, // 102
	410: cc.CauseNumberChanged,         // 22
	413: cc.CauseInterworking,
	414: cc.CauseInterworking,
	415: cc.CauseServiceNotImplemented,
	416: cc.CauseInterworking,
	420: cc.CauseInterworking,
	421: cc.CauseInterworking,
	423: cc.CauseInterworking,
	480: cc.CauseNoUserResponding, // 18
	481: cc.CauseTemporaryFailure,
	482: cc.CauseInterworking, // loop detected: RFC 3398 #25 exchange routing error
	483: cc.CauseInterworking,
	484: cc.CauseInvalidNumberFormat, // 28
	485: cc.CauseUnassignedNumber,
	486: cc.CauseUserBusy, // 17
	487: cc.CauseNormalUnspecified,
	488: cc.CauseBearerNotImplemented, // 65 (TS 29.163: media not acceptable)
	500: cc.CauseTemporaryFailure,
	501: cc.CauseServiceNotImplemented,
	502: cc.CauseNetworkOutOfOrder, // 38
	503: cc.CauseTemporaryFailure,
	504: cc.CauseRecoveryOnTimerExpiry,
	505: cc.CauseInterworking,
	513: cc.CauseInterworking,
	600: cc.CauseUserBusy,
	603: cc.CauseCallRejected,
	604: cc.CauseUnassignedNumber,
	606: cc.CauseBearerNotAvailable, // 58
}

// CauseOfStatus maps a final SIP failure status to a TS 24.008 cause;
// reason is the response's Reason header ("" if none).
func CauseOfStatus(status int, reason string) cc.CauseValue {
	if v, ok := q850(reason); ok {
		return v
	}
	if v, ok := sipToCause[status]; ok {
		return v
	}
	switch {
	case status >= 600:
		return cc.CauseNormalUnspecified // 31
	case status >= 500:
		return cc.CauseTemporaryFailure
	}
	return cc.CauseInterworking // 127: other 4xx
}

// StatusOfCause maps a TS 24.008 cause of a call we refuse to the SIP
// final response.
func StatusOfCause(v cc.CauseValue) (int, string) {
	switch v {
	case cc.CauseUnassignedNumber, cc.CauseNoRouteToDestination, 2:
		return 404, "Not Found"
	case cc.CauseUserBusy:
		return 486, "Busy Here"
	case cc.CauseNoUserResponding, cc.CauseNoAnswer, 20, cc.CauseNormalUnspecified:
		return 480, "Temporarily Unavailable"
	case cc.CauseCallRejected, cc.CauseIncomingBarredInCUG, cc.CauseBearerNotAuthorized, cc.CauseNotCUGMember, cc.CauseOperatorBarring:
		return 403, "Forbidden"
	case cc.CauseNumberChanged, 23:
		return 410, "Gone"
	case cc.CauseDestinationOutOfOrder:
		return 502, "Bad Gateway"
	case cc.CauseInvalidNumberFormat:
		return 484, "Address Incomplete"
	case cc.CauseFacilityRejected, cc.CauseServiceNotImplemented, cc.CauseFacilityNotImplemented:
		return 501, "Not Implemented"
	case cc.CauseNoChannelAvailable, cc.CauseNetworkOutOfOrder, cc.CauseTemporaryFailure, cc.CauseSwitchingCongestion,
		cc.CauseResourcesUnavailable, cc.CauseBearerNotAvailable, cc.CauseIncompatibleDestination, cc.CauseChannelNotAvailable:
		return 503, "Service Unavailable"
	case cc.CauseBearerNotImplemented, cc.CauseOnlyRestrictedDigital:
		return 488, "Not Acceptable Here"
	case cc.CauseRecoveryOnTimerExpiry:
		return 504, "Server Time-out"
	case cc.CauseNormalClearing:
		// A call refused "normally" (the user rejected it).
		return 603, "Decline"
	}
	return 500, "Server Internal Error"
}

// reasonHeader is the RFC 3326 Reason header value for a cause.
func reasonHeader(v cc.CauseValue) string {
	return "Q.850;cause=" + strconv.Itoa(int(v))
}

// q850 reads the cause of a Reason header "Q.850;cause=N[;text=...]".
func q850(reason string) (cc.CauseValue, bool) {
	for _, part := range strings.Split(reason, ",") {
		fields := strings.Split(part, ";")
		if len(fields) < 2 || !strings.EqualFold(strings.TrimSpace(fields[0]), "Q.850") {
			continue
		}
		for _, f := range fields[1:] {
			k, v, ok := strings.Cut(strings.TrimSpace(f), "=")
			if !ok || !strings.EqualFold(k, "cause") {
				continue
			}
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < 1 || n > 127 {
				return 0, false
			}
			return cc.CauseValue(n), true
		}
	}
	return 0, false
}
