package gsmtap

import (
	"encoding/binary"
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Version is the GSMTAP version this package writes.
const Version = 2

// HeaderLen is the length of the GSMTAP v2 header in octets (4 words).
const HeaderLen = 16

// Port is the IANA-registered UDP port of GSMTAP.
const Port = 4729

// Type is the payload type of a GSMTAP packet.
type Type uint8

// Payload types.
const (
	TypeUm           Type = 0x01 // a MAC block of the Um air interface (23 octets for signalling)
	TypeAbis         Type = 0x02
	TypeUmBurst      Type = 0x03 // a raw burst
	TypeSIM          Type = 0x04
	TypeTetraI1      Type = 0x05
	TypeTetraBurst   Type = 0x06
	TypeWMXBurst     Type = 0x07
	TypeGBLLC        Type = 0x08
	TypeGBSNDCP      Type = 0x09
	TypeGMR1Um       Type = 0x0a
	TypeUMTSRLCMAC   Type = 0x0b
	TypeUMTSRRC      Type = 0x0c
	TypeLTERRC       Type = 0x0d
	TypeLTEMAC       Type = 0x0e
	TypeLTEMACFramed Type = 0x0f
	TypeOsmocoreLog  Type = 0x10 // libosmocore log messages
	TypeQCDiag       Type = 0x11
	TypeLTENAS       Type = 0x12
	TypeE1T1         Type = 0x13
)

// Channel is the sub_type of a TypeUm packet: the logical channel.
type Channel uint8

// Logical channel types (sub_type for TypeUm). ACCH is a flag or'ed onto a
// dedicated channel type for its associated control channel (SACCH).
const (
	ChanUnknown Channel = 0x00
	ChanBCCH    Channel = 0x01
	ChanCCCH    Channel = 0x02
	ChanRACH    Channel = 0x03
	ChanAGCH    Channel = 0x04
	ChanPCH     Channel = 0x05
	ChanSDCCH   Channel = 0x06
	ChanSDCCH4  Channel = 0x07
	ChanSDCCH8  Channel = 0x08
	ChanTCHF    Channel = 0x09 // signalling on a TCH/F (FACCH/F); with ACCH, its SACCH/F
	ChanTCHH    Channel = 0x0a // FACCH/H
	ChanPACCH   Channel = 0x0b
	ChanCBCH52  Channel = 0x0c
	ChanPDCH    Channel = 0x0d
	ChanPTCCH   Channel = 0x0e
	ChanCBCH51  Channel = 0x0f
	ChanVoiceF  Channel = 0x10 // speech frames on a TCH/F
	ChanVoiceH  Channel = 0x11 // speech frames on a TCH/H
	ChanACCH    Channel = 0x80
)

// Burst is the sub_type of a TypeUmBurst packet.
type Burst uint8

// Burst types (sub_type for TypeUmBurst).
const (
	BurstUnknown    Burst = 0x00
	BurstFCCH       Burst = 0x01
	BurstPartialSCH Burst = 0x02
	BurstSCH        Burst = 0x03
	BurstCTSSCH     Burst = 0x04
	BurstCompactSCH Burst = 0x05
	BurstNormal     Burst = 0x06
	BurstDummy      Burst = 0x07
	BurstAccess     Burst = 0x08
	BurstNone       Burst = 0x09
)

// ARFCN field flags.
const (
	arfcnPCS    = 0x8000
	arfcnUplink = 0x4000
	arfcnMask   = 0x3fff
)

// Header is a GSMTAP v2 header.
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  version = 2  | hdr_len = 4   |     type      |   timeslot    |
//	+---------------+---------------+---------------+---------------+
//	|P|U|        ARFCN (14 bits)    |  signal dBm   |    SNR dB     |
//	+---------------+---------------+---------------+---------------+
//	|                     frame number (32 bits)                    |
//	+---------------+---------------+---------------+---------------+
//	|   sub_type    |  antenna nr   |   sub_slot    |   reserved    |
//	+---------------+---------------+---------------+---------------+
//
// P marks a PCS1900 channel number, U an uplink frame. All multi-octet
// fields are big-endian.
type Header struct {
	Type      Type
	TN        tdma.TN
	ARFCN     tdma.ARFCN
	PCS       bool // ARFCN is a PCS1900 channel (512..810 are ambiguous)
	Uplink    bool
	SignalDBm int8
	SNRdB     int8
	FN        tdma.FN
	SubType   uint8 // a Channel for TypeUm, a Burst for TypeUmBurst
	Antenna   uint8
	SubSlot   uint8 // sub-channel, e.g. SDCCH/8 sub-slot 0..7
}

// Um returns the header of a MAC block on logical channel ch.
func Um(ch Channel, arfcn tdma.ARFCN, tn tdma.TN, fn tdma.FN, subSlot uint8) Header {
	return Header{Type: TypeUm, SubType: uint8(ch), ARFCN: arfcn, TN: tn, FN: fn, SubSlot: subSlot}
}

// ForBand sets the PCS flag when band is PCS1900 and returns h.
func (h Header) ForBand(b tdma.Band) Header {
	h.PCS = b == tdma.PCS1900
	return h
}

// Encode writes the 16-octet header into dst and returns HeaderLen. It does
// not allocate. It returns ErrShort if dst is shorter than HeaderLen.
func (h *Header) Encode(dst []byte) (int, error) {
	if len(dst) < HeaderLen {
		return 0, fmt.Errorf("%w: have %d bytes, need %d", ErrShort, len(dst), HeaderLen)
	}
	dst[0] = Version
	dst[1] = HeaderLen / 4
	dst[2] = byte(h.Type)
	dst[3] = byte(h.TN)
	a := uint16(h.ARFCN) & arfcnMask
	if h.PCS {
		a |= arfcnPCS
	}
	if h.Uplink {
		a |= arfcnUplink
	}
	binary.BigEndian.PutUint16(dst[4:], a)
	dst[6] = byte(h.SignalDBm)
	dst[7] = byte(h.SNRdB)
	binary.BigEndian.PutUint32(dst[8:], uint32(h.FN))
	dst[12] = h.SubType
	dst[13] = h.Antenna
	dst[14] = h.SubSlot
	dst[15] = 0
	return HeaderLen, nil
}

// Decode parses a GSMTAP header from b and returns it with the payload that
// follows the header (as announced by hdr_len, so longer future headers are
// skipped).
func Decode(b []byte) (Header, []byte, error) {
	var h Header
	if len(b) < HeaderLen {
		return h, nil, fmt.Errorf("%w: have %d bytes, need %d", ErrShort, len(b), HeaderLen)
	}
	if b[0] != Version {
		return h, nil, fmt.Errorf("%w: %d", ErrVersion, b[0])
	}
	hl := int(b[1]) * 4
	if hl < HeaderLen {
		return h, nil, fmt.Errorf("%w: %d words", ErrHeaderLen, b[1])
	}
	if len(b) < hl {
		return h, nil, fmt.Errorf("%w: have %d bytes, header needs %d", ErrShort, len(b), hl)
	}
	h.Type = Type(b[2])
	h.TN = tdma.TN(b[3])
	a := binary.BigEndian.Uint16(b[4:])
	h.ARFCN = tdma.ARFCN(a & arfcnMask)
	h.PCS = a&arfcnPCS != 0
	h.Uplink = a&arfcnUplink != 0
	h.SignalDBm = int8(b[6])
	h.SNRdB = int8(b[7])
	h.FN = tdma.FN(binary.BigEndian.Uint32(b[8:]))
	h.SubType = b[12]
	h.Antenna = b[13]
	h.SubSlot = b[14]
	return h, b[hl:], nil
}
