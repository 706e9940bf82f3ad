package mm

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/crypto"
)

// ieiRESExt is the IEI of the Authentication Response parameter
// (extension) (TS 24.008 §10.5.3.2.1), TLV.
const ieiRESExt = 0x21

// MaxRESExt is the longest RES extension: a UMTS RES is 4 to 16 octets, the
// first 4 travelling in the SRES field (TS 24.008 §10.5.3.2.1).
const MaxRESExt = 12

// AuthenticationResponse is the Authentication Response (TS 24.008
// §9.2.3), MS to network:
//
//	  8   7   6   5   4   3   2   1
//	| skip indicator|  PD = 0101    |  octet 1
//	| N(SD) |  message type 0x14    |  octet 2
//	| Authentication response param |  octets 3–6: SRES, or the first 4
//	|                               |  octets of RES (§10.5.3.2)
//	| 0x21 RES extension, TLV 3–14  |  optional (§10.5.3.2.1)
type AuthenticationResponse struct {
	NSD    uint8
	SRES   crypto.SRES
	ExtLen uint8 // octets of RES beyond the first 4, 0..12
	Ext    [MaxRESExt]byte
}

// MsgType implements Message.
func (*AuthenticationResponse) MsgType() MsgType { return MsgAuthenticationResponse }

// SetNSD implements Uplink.
func (m *AuthenticationResponse) SetNSD(n uint8) { m.NSD = n & 3 }

// MarshalSize returns the encoded length.
func (m *AuthenticationResponse) MarshalSize() int {
	n := headerLen + len(m.SRES)
	if m.ExtLen > 0 {
		n += 2 + int(m.ExtLen)
	}
	return n
}

// MarshalTo writes the message into b and returns its length.
func (m *AuthenticationResponse) MarshalTo(b []byte) (int, error) {
	if m.ExtLen > MaxRESExt {
		return 0, fmt.Errorf("%v: %w: RES extension of %d octets", m.MsgType(), ErrValue, m.ExtLen)
	}
	e := newEncoder(b, m.MsgType(), m.NSD)
	e.V(m.SRES[:])
	if m.ExtLen > 0 {
		e.TLV(ieiRESExt, m.Ext[:m.ExtLen])
	}
	return finish(&e, m.MsgType())
}

// Unmarshal parses the message.
func (m *AuthenticationResponse) Unmarshal(b []byte) error {
	d, nsd, err := newDecoder(b, m.MsgType())
	if err != nil {
		return err
	}
	*m = AuthenticationResponse{NSD: nsd}
	copy(m.SRES[:], d.V(len(m.SRES)))
	for d.Err() == nil && d.Left() > 0 {
		if v, ok := d.TLV(ieiRESExt, 1, MaxRESExt); ok {
			m.ExtLen = uint8(copy(m.Ext[:], v))
			continue
		}
		d.SkipIE()
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("%v: %w", m.MsgType(), err)
	}
	return nil
}
