package registry

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"time"
	"unicode/utf8"

	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/l3"
)

// recordVersion is the first octet of every stored record. A new layout
// gets a new version; decoders keep reading the old ones.
const recordVersion = 1

const (
	flagBarred   = 1 << 0
	flagAttached = 1 << 1
	flagsKnown   = flagBarred | flagAttached
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Record layout, version 1 (big-endian; n = a one-octet length):
//
//	version(1)=1 | flags(1) | algorithm(1)
//	n IMSI | n MSISDN | n Name
//	IMEI(14: ASCII digits, or all zero for unknown)
//	Ki(16) | OPc(16) | SQN(6)
//	TMSI(4) | NewTMSI(4)
//	n MCC | n MNC | LAC(2)                      (all empty/zero: no LAI)
//	LastSeen(8) | Created(8)                    (Unix ns; 0: zero time)
//	CRC-32C(4) over everything before it
//
// The CRC catches a flipped bit in a value (bbolt checksums only its meta
// pages); Validate catches a value that is well formed but not allowed.

// MarshalBinary encodes s in the stored record layout. Secrets are in it:
// it is for the store only.
func (s *Subscriber) MarshalBinary() ([]byte, error) {
	return s.AppendBinary(make([]byte, 0, 128))
}

// AppendBinary appends the stored record layout of s to b.
func (s *Subscriber) AppendBinary(b []byte) ([]byte, error) {
	if err := s.Validate(); err != nil {
		return b, err
	}
	start := len(b)
	var flags byte
	if s.Barred {
		flags |= flagBarred
	}
	if s.Attached {
		flags |= flagAttached
	}
	b = append(b, recordVersion, flags, byte(s.Algorithm))
	b = appendStr(b, s.IMSI)
	b = appendStr(b, s.MSISDN)
	b = appendStr(b, s.Name)
	b = append(b, s.IMEI.d[:]...)
	b = append(b, s.Ki[:]...)
	b = append(b, s.OPc[:]...)
	b = append(b, byte(s.SQN>>40), byte(s.SQN>>32), byte(s.SQN>>24), byte(s.SQN>>16), byte(s.SQN>>8), byte(s.SQN))
	b = binary.BigEndian.AppendUint32(b, uint32(s.TMSI))
	b = binary.BigEndian.AppendUint32(b, uint32(s.NewTMSI))
	b = appendStr(b, s.LAI.PLMN.MCC)
	b = appendStr(b, s.LAI.PLMN.MNC)
	b = binary.BigEndian.AppendUint16(b, s.LAI.LAC)
	b = binary.BigEndian.AppendUint64(b, uint64(unixNano(s.LastSeen)))
	b = binary.BigEndian.AppendUint64(b, uint64(unixNano(s.Created)))
	return binary.BigEndian.AppendUint32(b, crc32.Checksum(b[start:], castagnoli)), nil
}

func appendStr(b []byte, s string) []byte { return append(append(b, byte(len(s))), s...) }

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromUnixNano(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// UnmarshalBinary decodes a stored record. It never panics: a short,
// corrupted or unknown-version record gives an error wrapping ErrCorrupt.
// Keys are copied out of b, so b may be reused (bbolt's values live only as
// long as their transaction).
func (s *Subscriber) UnmarshalBinary(b []byte) error {
	if len(b) < 4 {
		return fmt.Errorf("%w: %d octets", ErrCorrupt, len(b))
	}
	if b[0] != recordVersion {
		return fmt.Errorf("%w: record version %d, want %d", ErrCorrupt, b[0], recordVersion)
	}
	body := b[:len(b)-4]
	if got, want := crc32.Checksum(body, castagnoli), binary.BigEndian.Uint32(b[len(b)-4:]); got != want {
		return fmt.Errorf("%w: CRC-32C %08x, stored %08x", ErrCorrupt, got, want)
	}
	r := reader{b: body, off: 1}
	flags := r.byte()
	var v Subscriber
	v.Algorithm = crypto.Algorithm(r.byte())
	v.IMSI = r.str()
	v.MSISDN = r.str()
	v.Name = r.str()
	copy(v.IMEI.d[:], r.bytes(14))
	copy(v.Ki[:], r.bytes(16))
	copy(v.OPc[:], r.bytes(16))
	for _, c := range r.bytes(6) {
		v.SQN = v.SQN<<8 | uint64(c)
	}
	v.TMSI = TMSI(r.u32())
	v.NewTMSI = TMSI(r.u32())
	v.LAI.PLMN = l3.PLMN{MCC: r.str(), MNC: r.str()}
	v.LAI.LAC = r.u16()
	v.LastSeen = fromUnixNano(int64(r.u64()))
	v.Created = fromUnixNano(int64(r.u64()))
	if r.short {
		return fmt.Errorf("%w: truncated at octet %d of %d", ErrCorrupt, r.off, len(b))
	}
	if r.off != len(body) {
		return fmt.Errorf("%w: %d trailing octets", ErrCorrupt, len(body)-r.off)
	}
	if flags&^flagsKnown != 0 {
		return fmt.Errorf("%w: unknown flags %#02x", ErrCorrupt, flags)
	}
	v.Barred = flags&flagBarred != 0
	v.Attached = flags&flagAttached != 0
	if !v.IMEI.IsZero() && !v.IMEI.valid() {
		return fmt.Errorf("%w: IMEI is not digits", ErrCorrupt)
	}
	if !utf8.ValidString(v.Name) {
		return fmt.Errorf("%w: name is not UTF-8", ErrCorrupt)
	}
	if (v.LAI.PLMN == l3.PLMN{}) != (v.LAI.IsZero()) {
		return fmt.Errorf("%w: LAC without PLMN", ErrCorrupt)
	}
	if err := v.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	*s = v
	return nil
}

// reader reads fields with a sticky "short" flag: after the first short
// read every read returns zero, and the caller checks once.
type reader struct {
	b     []byte
	off   int
	short bool
}

func (r *reader) bytes(n int) []byte {
	if r.short || n > len(r.b)-r.off {
		r.short = true
		return nil
	}
	p := r.b[r.off : r.off+n]
	r.off += n
	return p
}

func (r *reader) byte() byte {
	p := r.bytes(1)
	if p == nil {
		return 0
	}
	return p[0]
}

func (r *reader) str() string { return string(r.bytes(int(r.byte()))) }

func (r *reader) u16() uint16 {
	if p := r.bytes(2); p != nil {
		return binary.BigEndian.Uint16(p)
	}
	return 0
}

func (r *reader) u32() uint32 {
	if p := r.bytes(4); p != nil {
		return binary.BigEndian.Uint32(p)
	}
	return 0
}

func (r *reader) u64() uint64 {
	if p := r.bytes(8); p != nil {
		return binary.BigEndian.Uint64(p)
	}
	return 0
}
