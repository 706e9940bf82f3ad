package trxproto

import (
	"encoding/binary"
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// MaxVersion is the highest TRXD PDU version this package speaks. A peer
// that asks for more (osmo-bts-trx asks for 2) is answered with this in
// SETFORMAT's status and asks again.
const MaxVersion = 1

// Header lengths of the TRXD PDUs (OsmoTRX user manual, "TRXD protocol").
const (
	// DownlinkHeaderLen is VER|TN, FN and ATT; the same in v0 and v1.
	DownlinkHeaderLen = 1 + 4 + 1
	// UplinkV0HeaderLen is VER|TN, FN, RSSI and ToA256.
	UplinkV0HeaderLen = 1 + 4 + 1 + 2
	// UplinkV1HeaderLen adds MTS and C/I.
	UplinkV1HeaderLen = UplinkV0HeaderLen + 1 + 2
	// DownlinkLen is a whole GMSK downlink PDU.
	DownlinkLen = DownlinkHeaderLen + tdma.BurstBits
	// MaxUplinkLen is the longest GMSK uplink PDU (v1, or v0 with padding).
	MaxUplinkLen = UplinkV1HeaderLen + tdma.BurstBits
	// legacyPad is the two bytes an OpenBTS-era transceiver appends to a v0
	// uplink burst.
	legacyPad = 2
)

// DownlinkPDU is a burst for the transceiver to send: BTS → TRX.
//
//	 0               1 ... 4        5       6 ... 153
//	+-------+-+-----+--------------+-------+-----------------+
//	| VER(4)|R|TN(3)| FN (32, BE)  | ATT   | 148 hard bits   |
//	+-------+-+-----+--------------+-------+-----------------+
type DownlinkPDU struct {
	Version uint8
	TN      tdma.TN
	FN      tdma.FN
	// Att is the attenuation below the nominal power in dB.
	Att  uint8
	Bits tdma.Burst
}

// MarshalSize returns the encoded length.
func (p *DownlinkPDU) MarshalSize() int { return DownlinkLen }

// MarshalTo encodes p into b and returns the length written.
func (p *DownlinkPDU) MarshalTo(b []byte) (int, error) {
	if len(b) < DownlinkLen {
		return 0, fmt.Errorf("%w: buffer of %d bytes, need %d", ErrShort, len(b), DownlinkLen)
	}
	if p.Version > MaxVersion || p.TN > 7 || p.FN >= tdma.HyperFrame {
		return 0, fmt.Errorf("%w: version %d, TN %d, FN %d", ErrRange, p.Version, p.TN, p.FN)
	}
	b[0] = p.Version<<4 | uint8(p.TN)
	binary.BigEndian.PutUint32(b[1:], uint32(p.FN))
	b[5] = p.Att
	for i, v := range p.Bits {
		b[DownlinkHeaderLen+i] = v & 1
	}
	return DownlinkLen, nil
}

// Unmarshal decodes a downlink PDU. Bursts of other modulations (8-PSK's
// 444 bits) are refused with ErrLength.
func (p *DownlinkPDU) Unmarshal(b []byte) error {
	if len(b) < DownlinkHeaderLen {
		return fmt.Errorf("%w: %d bytes, need a %d-byte header", ErrShort, len(b), DownlinkHeaderLen)
	}
	v := b[0] >> 4
	if v > MaxVersion {
		return fmt.Errorf("%w: %d", ErrVersion, v)
	}
	fn := binary.BigEndian.Uint32(b[1:])
	if fn >= tdma.HyperFrame {
		return fmt.Errorf("%w: FN %d", ErrRange, fn)
	}
	if b[0]&0x08 != 0 {
		return fmt.Errorf("%w: reserved bit set", ErrRange)
	}
	if n := len(b) - DownlinkHeaderLen; n != tdma.BurstBits {
		return fmt.Errorf("%w: %d bits", ErrLength, n)
	}
	for i, x := range b[DownlinkHeaderLen:] {
		if x > 1 {
			return fmt.Errorf("%w: hard bit %d is %d", ErrRange, i, x)
		}
		p.Bits[i] = x
	}
	p.Version, p.TN, p.FN, p.Att = v, tdma.TN(b[0]&7), tdma.FN(fn), b[5]
	return nil
}

// UplinkPDU is a received burst (or, in v1, a NOPE indication that there
// was none): TRX → BTS.
//
//	 0               1 ... 4        5       6 ... 7        8       9 ... 10     11 ...
//	+-------+-+-----+--------------+-------+--------------+-------+------------+---------------+
//	| VER(4)|R|TN(3)| FN (32, BE)  | -RSSI | ToA256 (BE)  | MTS   | C/I (cB)   | soft bits     |  v1
//	+-------+-+-----+--------------+-------+--------------+-------+------------+---------------+
//	v0 stops after ToA256 and carries 148 soft bits (plus optionally 2 padding bytes).
//	MTS = NOPE(1) | MOD(4) | TSC(3); MOD 00SS is GMSK with TSC set SS.
type UplinkPDU struct {
	Version uint8
	TN      tdma.TN
	FN      tdma.FN
	// RSSI is the received level in dBm (−255..0).
	RSSI int16
	// ToA256 is the time of arrival in 1/256 symbol periods, positive late.
	ToA256 int16
	// Version 1 only.
	NOPE   bool  // no burst: the PDU carries measurements only
	TSCSet uint8 // 0..3 for GMSK
	TSC    uint8 // 0..7
	CI     int16 // carrier to interference ratio in centibels
	// Soft holds the soft bits, positive meaning 0 (tdma.SoftBurst). An
	// access burst fills the first 88.
	Soft tdma.SoftBurst
	// Padding marks a v0 PDU with the two legacy trailing bytes.
	Padding bool
}

// MarshalSize returns the encoded length.
func (p *UplinkPDU) MarshalSize() int {
	if p.Version == 0 {
		n := UplinkV0HeaderLen + tdma.BurstBits
		if p.Padding {
			n += legacyPad
		}
		return n
	}
	if p.NOPE {
		return UplinkV1HeaderLen
	}
	return UplinkV1HeaderLen + tdma.BurstBits
}

// MarshalTo encodes p into b and returns the length written. Soft bits of
// −128 are sent as a certain 1.
func (p *UplinkPDU) MarshalTo(b []byte) (int, error) {
	n := p.MarshalSize()
	if len(b) < n {
		return 0, fmt.Errorf("%w: buffer of %d bytes, need %d", ErrShort, len(b), n)
	}
	if p.Version > MaxVersion || p.TN > 7 || p.FN >= tdma.HyperFrame || p.RSSI > 0 || p.RSSI < -255 ||
		p.TSCSet > 3 || p.TSC > 7 || (p.Version == 0 && p.NOPE) {
		return 0, fmt.Errorf("%w: version %d, TN %d, FN %d, RSSI %d, TSC set %d, TSC %d, NOPE %v",
			ErrRange, p.Version, p.TN, p.FN, p.RSSI, p.TSCSet, p.TSC, p.NOPE)
	}
	b[0] = p.Version<<4 | uint8(p.TN)
	binary.BigEndian.PutUint32(b[1:], uint32(p.FN))
	b[5] = uint8(-p.RSSI)
	binary.BigEndian.PutUint16(b[6:], uint16(p.ToA256))
	h := UplinkV0HeaderLen
	if p.Version >= 1 {
		mts := p.TSCSet<<3 | p.TSC
		if p.NOPE {
			mts |= 0x80
		}
		b[8] = mts
		binary.BigEndian.PutUint16(b[9:], uint16(p.CI))
		h = UplinkV1HeaderLen
		if p.NOPE {
			return n, nil
		}
	}
	for i, s := range p.Soft {
		if s == -128 {
			s = -127
		}
		b[h+i] = uint8(127 - int(s))
	}
	if p.Version == 0 && p.Padding {
		b[h+tdma.BurstBits], b[h+tdma.BurstBits+1] = 0, 0
	}
	return n, nil
}

// Unmarshal decodes an uplink PDU. Modulations other than GMSK are
// refused with ErrLength.
func (p *UplinkPDU) Unmarshal(b []byte) error {
	if len(b) < UplinkV0HeaderLen {
		return fmt.Errorf("%w: %d bytes, need a %d-byte header", ErrShort, len(b), UplinkV0HeaderLen)
	}
	v := b[0] >> 4
	if v > MaxVersion {
		return fmt.Errorf("%w: %d", ErrVersion, v)
	}
	if b[0]&0x08 != 0 {
		return fmt.Errorf("%w: reserved bit set", ErrRange)
	}
	fn := binary.BigEndian.Uint32(b[1:])
	if fn >= tdma.HyperFrame {
		return fmt.Errorf("%w: FN %d", ErrRange, fn)
	}
	q := UplinkPDU{Version: v, TN: tdma.TN(b[0] & 7), FN: tdma.FN(fn), RSSI: -int16(b[5]), ToA256: int16(binary.BigEndian.Uint16(b[6:]))}
	h := UplinkV0HeaderLen
	if v >= 1 {
		if len(b) < UplinkV1HeaderLen {
			return fmt.Errorf("%w: %d bytes, need a %d-byte v1 header", ErrShort, len(b), UplinkV1HeaderLen)
		}
		mts := b[8]
		q.NOPE = mts&0x80 != 0
		if mod := mts >> 3 & 0x0f; mod&0x0c != 0 {
			return fmt.Errorf("%w: modulation %04b is not GMSK", ErrLength, mod)
		}
		q.TSCSet, q.TSC = mts>>3&3, mts&7
		q.CI = int16(binary.BigEndian.Uint16(b[9:]))
		h = UplinkV1HeaderLen
	}
	bits := b[h:]
	switch {
	case q.NOPE && len(bits) == 0:
		*p = q
		return nil
	case q.NOPE:
		return fmt.Errorf("%w: NOPE indication with %d bits", ErrLength, len(bits))
	case len(bits) == tdma.BurstBits:
	case v == 0 && len(bits) == tdma.BurstBits+legacyPad:
		q.Padding = true
	default:
		return fmt.Errorf("%w: %d bits", ErrLength, len(bits))
	}
	for i := range q.Soft {
		if u := bits[i]; u == 255 {
			q.Soft[i] = -127
		} else {
			q.Soft[i] = int8(127 - int(u))
		}
	}
	*p = q
	return nil
}

// PeekVersion returns the version and TN of a TRXD PDU without decoding it.
func PeekVersion(b []byte) (version uint8, tn tdma.TN, ok bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	return b[0] >> 4, tdma.TN(b[0] & 7), true
}
