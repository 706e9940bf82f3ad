package core

import "github.com/gsmbox/gsmbox/gsm/l3"

// Until call control and SMS exist, the core answers what it cannot serve
// with the status or cause the protocols define, rather than dropping it.

// CC message types used here (TS 24.008 §10.4, Table 10.3).
const (
	ccSetup           = 0x05
	ccEmergencySetup  = 0x0e
	ccReleaseComplete = 0x2a
)

// CC causes (TS 24.008 §10.5.4.11, Table 10.5.123).
const (
	// CCCauseInvalidTI is #81 invalid transaction identifier value.
	CCCauseInvalidTI = 81
	// CCCauseNotImplemented is #79 service or option not implemented,
	// unspecified.
	CCCauseNotImplemented = 79
)

// SM-CP message types and causes (TS 24.011 §8.1.3, §8.1.4.2 Table 8.2).
const (
	cpData  = 0x01
	cpAck   = 0x04
	cpError = 0x10
	// CPCauseNotImplemented is #97 message type non-existent or not
	// implemented.
	CPCauseNotImplemented = 97
)

// answerTI returns octet 1 of an answer in the transaction of b's octet 1:
// the same TI value and PD, with the TI flag inverted (TS 24.007
// §11.2.3.1.3: the flag is 0 from the side that allocated the TI, 1 from
// the other side). ok is false for the extended TI (value 7), which the
// answers here do not carry.
func answerTI(b0 byte) (byte, bool) {
	if b0>>4&7 == 7 {
		return 0, false
	}
	return b0 ^ 0x80, true
}

// unservedCC answers an uplink CC message on a connection that has no call
// control (TS 24.008 §8.3.1): a SETUP or EMERGENCY SETUP, which would open
// a call, is refused with RELEASE COMPLETE #79 (service or option not
// implemented); a RELEASE COMPLETE is ignored; any other message names a
// transaction the network does not know and gets RELEASE COMPLETE #81
// (invalid transaction identifier value). It writes the answer into dst
// and returns its length, 0 for none.
func unservedCC(dst []byte, msg []byte) int {
	if len(msg) < 2 || len(dst) < 6 || l3.PD(msg[0]&0x0f) != l3.PDCC {
		return 0
	}
	b0, ok := answerTI(msg[0])
	if !ok {
		return 0
	}
	cause := byte(CCCauseInvalidTI)
	switch msg[1] & 0x3f {
	case ccReleaseComplete:
		return 0
	case ccSetup, ccEmergencySetup:
		cause = CCCauseNotImplemented
	}
	// Cause IE (§10.5.4.11): IEI 0x08, length 2; coding standard GSM
	// (bits 7-6 = 11), location "public network serving the local user"
	// (0010); the cause value with the extension bit set.
	dst[0], dst[1] = b0, ccReleaseComplete
	dst[2], dst[3], dst[4], dst[5] = 0x08, 2, 0xe2, 0x80|cause
	return 6
}

// unservedSMS answers an SM-CP message on SAPI 3 that the network cannot
// serve with CP-ERROR #97 (TS 24.011 §7.2.3, §8.1.4.2): a CP-DATA or an
// unknown message type. CP-ACK and CP-ERROR are not answered (§5.3.4,
// §5.4: no answer is given to an error). It writes the answer into dst and
// returns its length, 0 for none.
func unservedSMS(dst []byte, msg []byte) int {
	if len(msg) < 2 || len(dst) < 3 || l3.PD(msg[0]&0x0f) != l3.PDSMS {
		return 0
	}
	switch msg[1] {
	case cpAck, cpError:
		return 0
	}
	b0, ok := answerTI(msg[0])
	if !ok {
		return 0
	}
	dst[0], dst[1], dst[2] = b0, cpError, CPCauseNotImplemented
	return 3
}
