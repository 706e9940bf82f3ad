package rp

import "fmt"

// Cause is an RP-Cause value (TS 24.011 §8.2.5.4, table 8.4).
type Cause uint8

// RP causes.
const (
	CauseUnassignedNumber         Cause = 1
	CauseOperatorBarring          Cause = 8
	CauseCallBarred               Cause = 10
	CauseTransferRejected         Cause = 21 // short message transfer rejected
	CauseMemoryExceeded           Cause = 22 // MT: memory capacity exceeded
	CauseDestinationOutOfOrder    Cause = 27
	CauseUnidentifiedSubscriber   Cause = 28
	CauseFacilityRejected         Cause = 29
	CauseUnknownSubscriber        Cause = 30
	CauseNetworkOutOfOrder        Cause = 38
	CauseTemporaryFailure         Cause = 41
	CauseCongestion               Cause = 42
	CauseResourcesUnavailable     Cause = 47
	CauseNotSubscribed            Cause = 50
	CauseNotImplemented           Cause = 69
	CauseInvalidReference         Cause = 81 // invalid short message transfer reference value
	CauseSemanticallyIncorrect    Cause = 95
	CauseInvalidMandatoryInfo     Cause = 96
	CauseMessageTypeNonExistent   Cause = 97
	CauseMessageTypeNotCompatible Cause = 98
	CauseIENonExistent            Cause = 99
	CauseProtocolError            Cause = 111
	CauseInterworking             Cause = 127
)

var causeNames = map[Cause]string{
	CauseUnassignedNumber: "unassigned (unallocated) number", CauseOperatorBarring: "operator determined barring",
	CauseCallBarred: "call barred", CauseTransferRejected: "short message transfer rejected",
	CauseMemoryExceeded: "memory capacity exceeded", CauseDestinationOutOfOrder: "destination out of order",
	CauseUnidentifiedSubscriber: "unidentified subscriber", CauseFacilityRejected: "facility rejected",
	CauseUnknownSubscriber: "unknown subscriber", CauseNetworkOutOfOrder: "network out of order",
	CauseTemporaryFailure: "temporary failure", CauseCongestion: "congestion",
	CauseResourcesUnavailable: "resources unavailable, unspecified", CauseNotSubscribed: "requested facility not subscribed",
	CauseNotImplemented: "requested facility not implemented", CauseInvalidReference: "invalid short message transfer reference value",
	CauseSemanticallyIncorrect: "semantically incorrect message", CauseInvalidMandatoryInfo: "invalid mandatory information",
	CauseMessageTypeNonExistent:   "message type non-existent or not implemented",
	CauseMessageTypeNotCompatible: "message not compatible with short message protocol state",
	CauseIENonExistent:            "information element non-existent or not implemented", CauseProtocolError: "protocol error, unspecified",
	CauseInterworking: "interworking, unspecified",
}

func (c Cause) String() string {
	if n, ok := causeNames[c]; ok {
		return n
	}
	return fmt.Sprintf("cause #%d", uint8(c))
}

// Temporary reports whether the cause asks the SC to try again later
// (TS 24.011 §8.2.5.4 and TS 23.040 §3.3: the temporary failures of
// table 8.4; memory capacity exceeded waits for RP-SMMA instead).
func (c Cause) Temporary() bool {
	switch c {
	case CauseDestinationOutOfOrder, CauseNetworkOutOfOrder, CauseTemporaryFailure, CauseCongestion,
		CauseResourcesUnavailable, CauseMemoryExceeded:
		return true
	}
	return false
}
