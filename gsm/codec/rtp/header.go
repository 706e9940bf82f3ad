package rtp

import (
	"encoding/binary"
	"fmt"
)

// HeaderSize is the size of the fixed RTP header without CSRCs.
const HeaderSize = 12

// Header is the RTP header, RFC 3550 §5.1:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|V=2|P|X|  CC   |M|     PT      |       sequence number         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                           timestamp                           |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|           synchronization source (SSRC) identifier            |
//	+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//	|            contributing source (CSRC) identifiers             |
//	|                             ....                              |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// followed, if X is set, by the header extension of §5.3.1:
//
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|      defined by profile       |           length              |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                        header extension                       |
//	|                             ....                              |
//
// The version is always 2; the padding bit belongs to Packet.
type Header struct {
	Marker           bool
	PayloadType      uint8 // 7 bits
	SequenceNumber   uint16
	Timestamp        uint32
	SSRC             uint32
	CSRC             []uint32 // at most 15
	Extension        bool
	ExtensionProfile uint16
	ExtensionPayload []byte // a multiple of 4 bytes; aliases the input after Unmarshal

	padding bool // P bit as received; Packet handles padding
}

// MarshalSize returns the number of bytes MarshalTo writes.
func (h *Header) MarshalSize() int {
	n := HeaderSize + 4*len(h.CSRC)
	if h.Extension {
		n += 4 + len(h.ExtensionPayload)
	}
	return n
}

func (h *Header) check() error {
	switch {
	case len(h.CSRC) > 15:
		return fmt.Errorf("%w: %d CSRCs, at most 15", ErrHeader, len(h.CSRC))
	case h.PayloadType > 127:
		return fmt.Errorf("%w: payload type %d > 127", ErrHeader, h.PayloadType)
	case h.Extension && (len(h.ExtensionPayload)%4 != 0 || len(h.ExtensionPayload) > 4*0xFFFF):
		return fmt.Errorf("%w: extension of %d bytes is not a multiple of 4 up to %d",
			ErrHeader, len(h.ExtensionPayload), 4*0xFFFF)
	}
	return nil
}

// MarshalTo writes the header to b and returns the bytes written.
func (h *Header) MarshalTo(b []byte) (int, error) {
	return h.marshalTo(b, false)
}

func (h *Header) marshalTo(b []byte, padding bool) (int, error) {
	if err := h.check(); err != nil {
		return 0, err
	}
	n := h.MarshalSize()
	if len(b) < n {
		return 0, errShort("marshal header", len(b), n)
	}
	b[0] = 2<<6 | byte(len(h.CSRC))
	if padding {
		b[0] |= 1 << 5
	}
	if h.Extension {
		b[0] |= 1 << 4
	}
	b[1] = h.PayloadType & 0x7F
	if h.Marker {
		b[1] |= 0x80
	}
	binary.BigEndian.PutUint16(b[2:], h.SequenceNumber)
	binary.BigEndian.PutUint32(b[4:], h.Timestamp)
	binary.BigEndian.PutUint32(b[8:], h.SSRC)
	p := HeaderSize
	for _, c := range h.CSRC {
		binary.BigEndian.PutUint32(b[p:], c)
		p += 4
	}
	if h.Extension {
		binary.BigEndian.PutUint16(b[p:], h.ExtensionProfile)
		binary.BigEndian.PutUint16(b[p+2:], uint16(len(h.ExtensionPayload)/4))
		p += 4
		p += copy(b[p:], h.ExtensionPayload)
	}
	return p, nil
}

// Unmarshal decodes a header from b and returns its size. The CSRC slice
// reuses h.CSRC's storage; ExtensionPayload aliases b.
func (h *Header) Unmarshal(b []byte) (int, error) {
	if len(b) < HeaderSize {
		return 0, errShort("header", len(b), HeaderSize)
	}
	if v := b[0] >> 6; v != 2 {
		return 0, fmt.Errorf("%w: version %d", ErrVersion, v)
	}
	h.padding = b[0]&(1<<5) != 0
	h.Extension = b[0]&(1<<4) != 0
	cc := int(b[0] & 0x0F)
	h.Marker = b[1]&0x80 != 0
	h.PayloadType = b[1] & 0x7F
	h.SequenceNumber = binary.BigEndian.Uint16(b[2:])
	h.Timestamp = binary.BigEndian.Uint32(b[4:])
	h.SSRC = binary.BigEndian.Uint32(b[8:])
	p := HeaderSize
	if len(b) < p+4*cc {
		return 0, errShort(fmt.Sprintf("header with %d CSRCs", cc), len(b), p+4*cc)
	}
	h.CSRC = h.CSRC[:0]
	for i := 0; i < cc; i++ {
		h.CSRC = append(h.CSRC, binary.BigEndian.Uint32(b[p:]))
		p += 4
	}
	h.ExtensionProfile, h.ExtensionPayload = 0, nil
	if h.Extension {
		if len(b) < p+4 {
			return 0, errShort("extension header", len(b), p+4)
		}
		h.ExtensionProfile = binary.BigEndian.Uint16(b[p:])
		n := 4 * int(binary.BigEndian.Uint16(b[p+2:]))
		p += 4
		if len(b) < p+n {
			return 0, errShort("extension", len(b), p+n)
		}
		h.ExtensionPayload = b[p : p+n : p+n]
		p += n
	}
	return p, nil
}
