package mm

import "fmt"

// ieiAUTS is the IEI of the Authentication Failure parameter (AUTS, TS
// 24.008 §10.5.3.2.2), TLV.
const ieiAUTS = 0x22

// AUTSLen is the length of the resynchronisation token (TS 33.102 §6.3.3).
const AUTSLen = 14

// AuthenticationFailure is the Authentication Failure (TS 24.008 §9.2.3a),
// MS to network, in UMTS AKA:
//
//	  8   7   6   5   4   3   2   1
//	| skip indicator|  PD = 0101    |  octet 1
//	| N(SD) |  message type 0x1C    |  octet 2
//	|   reject cause (§10.5.3.6)    |  octet 3: #20 MAC failure, #21 synch failure
//	| 0x22 AUTS, TLV 16             |  optional, with #21 (§10.5.3.2.2)
type AuthenticationFailure struct {
	NSD     uint8
	Cause   Cause
	HasAUTS bool
	AUTS    [AUTSLen]byte
}

// MsgType implements Message.
func (*AuthenticationFailure) MsgType() MsgType { return MsgAuthenticationFailure }

// SetNSD implements Uplink.
func (m *AuthenticationFailure) SetNSD(n uint8) { m.NSD = n & 3 }

// MarshalSize returns the encoded length.
func (m *AuthenticationFailure) MarshalSize() int {
	if m.HasAUTS {
		return headerLen + 1 + 2 + AUTSLen
	}
	return headerLen + 1
}

// MarshalTo writes the message into b and returns its length.
func (m *AuthenticationFailure) MarshalTo(b []byte) (int, error) {
	e := newEncoder(b, m.MsgType(), m.NSD)
	e.Byte(byte(m.Cause))
	if m.HasAUTS {
		e.TLV(ieiAUTS, m.AUTS[:])
	}
	return finish(&e, m.MsgType())
}

// Unmarshal parses the message.
func (m *AuthenticationFailure) Unmarshal(b []byte) error {
	d, nsd, err := newDecoder(b, m.MsgType())
	if err != nil {
		return err
	}
	*m = AuthenticationFailure{NSD: nsd, Cause: Cause(d.Byte())}
	for d.Err() == nil && d.Left() > 0 {
		if v, ok := d.TLV(ieiAUTS, AUTSLen, AUTSLen); ok {
			copy(m.AUTS[:], v)
			m.HasAUTS = true
			continue
		}
		d.SkipIE()
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("%v: %w", m.MsgType(), err)
	}
	return nil
}
