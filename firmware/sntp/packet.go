package sntp

import (
	"encoding/binary"
	"fmt"
	"time"
)

// Size is the length of an SNTP packet without extensions.
const Size = 48

// Modes (RFC 4330 §4).
const (
	ModeClient = 3
	ModeServer = 4
)

// LeapNotSynchronized is the leap indicator of a server whose clock is
// not synchronized (RFC 4330 §4: LI = 3, "alarm condition").
const LeapNotSynchronized = 3

// Packet is one SNTP message (RFC 4330 §4):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|LI | VN  |Mode |    Stratum    |     Poll      |   Precision   |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                          Root Delay                           |
//	|                       Root Dispersion                         |
//	|                     Reference Identifier                      |
//	|                   Reference Timestamp (64)                    |
//	|                   Originate Timestamp (64)                    |
//	|                    Receive Timestamp (64)                     |
//	|                    Transmit Timestamp (64)                    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
type Packet struct {
	Leap, Version, Mode uint8
	Stratum             uint8
	Poll, Precision     int8
	RootDelay           uint32 // 16.16 fixed point seconds
	RootDispersion      uint32
	ReferenceID         uint32
	Reference           Timestamp
	Originate           Timestamp
	Receive             Timestamp
	Transmit            Timestamp
}

// Unmarshal decodes b; bytes beyond Size (extensions, an authenticator)
// are ignored.
func (p *Packet) Unmarshal(b []byte) error {
	if len(b) < Size {
		return fmt.Errorf("%w: have %d bytes, need %d", ErrShort, len(b), Size)
	}
	p.Leap, p.Version, p.Mode = b[0]>>6, b[0]>>3&7, b[0]&7
	p.Stratum, p.Poll, p.Precision = b[1], int8(b[2]), int8(b[3])
	p.RootDelay = binary.BigEndian.Uint32(b[4:])
	p.RootDispersion = binary.BigEndian.Uint32(b[8:])
	p.ReferenceID = binary.BigEndian.Uint32(b[12:])
	p.Reference = Timestamp(binary.BigEndian.Uint64(b[16:]))
	p.Originate = Timestamp(binary.BigEndian.Uint64(b[24:]))
	p.Receive = Timestamp(binary.BigEndian.Uint64(b[32:]))
	p.Transmit = Timestamp(binary.BigEndian.Uint64(b[40:]))
	return nil
}

// MarshalSize is Size.
func (p *Packet) MarshalSize() int { return Size }

// MarshalTo encodes p into b, which must hold Size bytes; it returns the
// bytes written.
func (p *Packet) MarshalTo(b []byte) (int, error) {
	if len(b) < Size {
		return 0, fmt.Errorf("%w: have %d bytes, need %d", ErrShort, len(b), Size)
	}
	b[0] = p.Leap&3<<6 | p.Version&7<<3 | p.Mode&7
	b[1], b[2], b[3] = p.Stratum, byte(p.Poll), byte(p.Precision)
	binary.BigEndian.PutUint32(b[4:], p.RootDelay)
	binary.BigEndian.PutUint32(b[8:], p.RootDispersion)
	binary.BigEndian.PutUint32(b[12:], p.ReferenceID)
	binary.BigEndian.PutUint64(b[16:], uint64(p.Reference))
	binary.BigEndian.PutUint64(b[24:], uint64(p.Originate))
	binary.BigEndian.PutUint64(b[32:], uint64(p.Receive))
	binary.BigEndian.PutUint64(b[40:], uint64(p.Transmit))
	return Size, nil
}

// Timestamp is an NTP timestamp: seconds since 1900-01-01 in the high
// 32 bits, the fraction in the low 32 (RFC 4330 §3).
type Timestamp uint64

// ntpEpoch1 is the start of NTP era 1 (2036-02-07T06:28:16Z), as Unix
// seconds; era 0 began on 1900-01-01.
const (
	era0Unix = -2208988800
	era1Unix = era0Unix + 1<<32
)

// NewTimestamp returns t as an NTP timestamp.
func NewTimestamp(t time.Time) Timestamp {
	s := t.Unix() - era0Unix
	frac := uint64(t.Nanosecond()) << 32 / 1e9
	return Timestamp(uint64(s)<<32 | frac)
}

// Time returns the time ts stands for. RFC 4330 §3: a timestamp whose
// most significant bit is 0 is in era 1 (from 2036), one whose bit is 1
// in era 0 (1968..2036).
func (ts Timestamp) Time() time.Time {
	sec := int64(ts >> 32)
	base := int64(era0Unix)
	if sec&(1<<31) == 0 {
		base = era1Unix
	}
	ns := (uint64(ts&0xffffffff)*1e9 + 1<<31) >> 32
	return time.Unix(base+sec, int64(ns)).UTC()
}
