package mm

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/crypto"
)

// ieiAUTN is the IEI of the Authentication parameter AUTN (TS 24.008
// §10.5.3.1.1), TLV.
const ieiAUTN = 0x20

// AUTNLen is the length of the UMTS authentication token (TS 33.102 §6.3.2).
const AUTNLen = 16

// AuthenticationRequest is the Authentication Request (TS 24.008 §9.2.2),
// network to MS:
//
//	  8   7   6   5   4   3   2   1
//	| skip indicator|  PD = 0101    |  octet 1
//	| 0   0 |  message type 0x12    |  octet 2
//	| spare 0 0 0 0 | 0 |   CKSN    |  octet 3 (§10.5.1.2)
//	| Authentication parameter RAND |  octets 4–19 (§10.5.3.1)
//	| 0x20 AUTN, TLV 18             |  optional, UMTS AKA (§10.5.3.1.1)
type AuthenticationRequest struct {
	CKSN    uint8
	RAND    crypto.RAND
	HasAUTN bool
	AUTN    [AUTNLen]byte
}

// MsgType implements Message.
func (*AuthenticationRequest) MsgType() MsgType { return MsgAuthenticationRequest }

// MarshalSize returns the encoded length.
func (m *AuthenticationRequest) MarshalSize() int {
	n := headerLen + 1 + len(m.RAND)
	if m.HasAUTN {
		n += 2 + AUTNLen
	}
	return n
}

// MarshalTo writes the message into b and returns its length.
func (m *AuthenticationRequest) MarshalTo(b []byte) (int, error) {
	e := newEncoder(b, m.MsgType(), 0)
	e.Halves(m.CKSN&7, 0)
	e.V(m.RAND[:])
	if m.HasAUTN {
		e.TLV(ieiAUTN, m.AUTN[:])
	}
	return finish(&e, m.MsgType())
}

// Unmarshal parses the message.
func (m *AuthenticationRequest) Unmarshal(b []byte) error {
	d, _, err := newDecoder(b, m.MsgType())
	if err != nil {
		return err
	}
	*m = AuthenticationRequest{}
	cksn, _ := d.Halves()
	m.CKSN = cksn & 7
	copy(m.RAND[:], d.V(len(m.RAND)))
	for d.Err() == nil && d.Left() > 0 {
		if v, ok := d.TLV(ieiAUTN, AUTNLen, AUTNLen); ok {
			copy(m.AUTN[:], v)
			m.HasAUTN = true
			continue
		}
		d.SkipIE()
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("%v: %w", m.MsgType(), err)
	}
	return nil
}
