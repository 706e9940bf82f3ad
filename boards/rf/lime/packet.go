package lime

import (
	"encoding/binary"
	"fmt"
)

// Stream packet geometry.
const (
	PacketSize   = 4096
	PacketHeader = 16 // 8 header bytes + 8-byte sample counter
	PayloadSize  = PacketSize - PacketHeader
)

// Header flag bits (byte 0).
const (
	FlagIgnoreTimestamp = 1 << 4 // TX: send at once, not at the counter
	FlagTXDropped       = 1 << 3 // RX: a TX packet came late and was dropped
	fifoFillMask        = 0x07   // RX: FIFO fill in eighths
)

// Format is the sample width on the wire.
type Format uint8

// Sample formats.
const (
	Format16 Format = 16 // I, Q as int16 LE: 4 bytes a sample
	Format12 Format = 12 // packed 12-bit I/Q: 3 bytes a sample
)

// FullScale is the largest sample magnitude: the converters are 12-bit,
// and 16-bit packets carry the same range.
const FullScale = 2047

// BytesPerSample returns 4 or 3.
func (f Format) BytesPerSample() int {
	if f == Format12 {
		return 3
	}
	return 4
}

// SamplesPerPacket returns 1020 (16-bit) or 1360 (12-bit).
func (f Format) SamplesPerPacket() int { return PayloadSize / f.BytesPerSample() }

func (f Format) valid() bool { return f == Format16 || f == Format12 }

func (f Format) String() string { return fmt.Sprintf("I%d", uint8(f)) }

// Header is a stream packet's first 16 bytes.
type Header struct {
	Flags uint8
	// Payload is the number of sample bytes that follow (TX: what the
	// host filled; RX: normally 4080).
	Payload uint16
	// Counter is the sample counter of the first sample.
	Counter uint64
}

// TXDropped reports the RX flag for a late, dropped TX packet.
func (h Header) TXDropped() bool { return h.Flags&FlagTXDropped != 0 }

// IgnoreTimestamp reports the TX flag.
func (h Header) IgnoreTimestamp() bool { return h.Flags&FlagIgnoreTimestamp != 0 }

// FIFOFill is the RX FIFO fill in eighths (0..7).
func (h Header) FIFOFill() int { return int(h.Flags & fifoFillMask) }

// MarshalTo writes the header into b[:16].
func (h Header) MarshalTo(b []byte) error {
	if len(b) < PacketHeader {
		return fmt.Errorf("%w: stream header needs %d bytes, have %d", ErrShort, PacketHeader, len(b))
	}
	if h.Payload > PayloadSize {
		return fmt.Errorf("%w: payload %d > %d", ErrPacket, h.Payload, PayloadSize)
	}
	b[0] = h.Flags
	binary.LittleEndian.PutUint16(b[1:], h.Payload)
	clear(b[3:8])
	binary.LittleEndian.PutUint64(b[8:], h.Counter)
	return nil
}

// Unmarshal decodes a header; the payload size must fit the packet.
func (h *Header) Unmarshal(b []byte) error {
	if len(b) < PacketHeader {
		return fmt.Errorf("%w: stream header is %d bytes, have %d", ErrShort, PacketHeader, len(b))
	}
	h.Flags = b[0]
	h.Payload = binary.LittleEndian.Uint16(b[1:])
	h.Counter = binary.LittleEndian.Uint64(b[8:])
	if h.Payload > PayloadSize {
		return fmt.Errorf("%w: payload size %d > %d", ErrPacket, h.Payload, PayloadSize)
	}
	return nil
}

func clip(v float32) int32 {
	x := v * FullScale
	if x >= FullScale {
		return FullScale
	}
	if x <= -FullScale {
		return -FullScale
	}
	if x < 0 {
		return int32(x - 0.5)
	}
	return int32(x + 0.5)
}

// EncodeSamples packs src into dst in format f and returns the samples
// and bytes written (as many as fit in dst). Samples are scaled by
// FullScale and clipped to ±1.
func EncodeSamples(dst []byte, src []complex64, f Format) (samples, bytes int) {
	if f == Format12 {
		n := min(len(src), len(dst)/3)
		for i := 0; i < n; i++ {
			iv, qv := uint32(clip(real(src[i])))&0xfff, uint32(clip(imag(src[i])))&0xfff
			b := dst[3*i : 3*i+3 : 3*i+3]
			b[0] = byte(iv)
			b[1] = byte(iv>>8) | byte(qv<<4)
			b[2] = byte(qv >> 4)
		}
		return n, 3 * n
	}
	n := min(len(src), len(dst)/4)
	for i := 0; i < n; i++ {
		b := dst[4*i : 4*i+4 : 4*i+4]
		binary.LittleEndian.PutUint16(b[0:], uint16(int16(clip(real(src[i])))))
		binary.LittleEndian.PutUint16(b[2:], uint16(int16(clip(imag(src[i])))))
	}
	return n, 4 * n
}

// DecodeSamples unpacks src (format f) into dst and returns the samples
// written: min(len(dst), whole samples in src).
func DecodeSamples(dst []complex64, src []byte, f Format) int {
	const s = 1.0 / FullScale
	if f == Format12 {
		n := min(len(dst), len(src)/3)
		for i := 0; i < n; i++ {
			b := src[3*i : 3*i+3 : 3*i+3]
			iv := int32(uint32(b[0])|uint32(b[1]&0x0f)<<8) << 20 >> 20
			qv := int32(uint32(b[1]>>4)|uint32(b[2])<<4) << 20 >> 20
			dst[i] = complex(float32(iv)*s, float32(qv)*s)
		}
		return n
	}
	n := min(len(dst), len(src)/4)
	for i := 0; i < n; i++ {
		b := src[4*i : 4*i+4 : 4*i+4]
		dst[i] = complex(float32(int16(binary.LittleEndian.Uint16(b[0:])))*s, float32(int16(binary.LittleEndian.Uint16(b[2:])))*s)
	}
	return n
}

// EncodeTX builds one TX packet in pkt (PacketSize bytes): the samples of
// src that fit, stamped with counter (or marked to ignore it). It returns
// the samples consumed.
func EncodeTX(pkt []byte, src []complex64, counter uint64, ignoreTS bool, f Format) (int, error) {
	if len(pkt) < PacketSize {
		return 0, fmt.Errorf("%w: TX packet needs %d bytes, have %d", ErrShort, PacketSize, len(pkt))
	}
	if !f.valid() {
		return 0, fmt.Errorf("%w: sample format %d", ErrConfig, f)
	}
	n, nb := EncodeSamples(pkt[PacketHeader:PacketSize], src, f)
	clear(pkt[PacketHeader+nb : PacketSize])
	h := Header{Payload: uint16(nb), Counter: counter}
	if ignoreTS {
		h.Flags |= FlagIgnoreTimestamp
	}
	return n, h.MarshalTo(pkt)
}

// DecodeRX decodes one RX packet: its header and up to len(dst) samples.
// A payload size of 0 is read as a full packet (gateware that leaves the
// field empty on RX).
func DecodeRX(dst []complex64, pkt []byte, f Format) (Header, int, error) {
	var h Header
	if len(pkt) < PacketSize {
		return h, 0, fmt.Errorf("%w: RX packet is %d bytes, have %d", ErrShort, PacketSize, len(pkt))
	}
	if !f.valid() {
		return h, 0, fmt.Errorf("%w: sample format %d", ErrConfig, f)
	}
	if err := h.Unmarshal(pkt); err != nil {
		return h, 0, err
	}
	pl := int(h.Payload)
	if pl == 0 {
		pl = PayloadSize
	}
	return h, DecodeSamples(dst, pkt[PacketHeader:PacketHeader+pl], f), nil
}
