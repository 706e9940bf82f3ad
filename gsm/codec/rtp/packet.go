package rtp

import "fmt"

// Packet is an RTP packet: header, payload and padding (RFC 3550 §5.1).
type Packet struct {
	Header
	Payload []byte // aliases the input after Unmarshal
	// PaddingSize is the number of padding octets, counting the last
	// octet that holds the count; 0 means no padding (P bit clear).
	PaddingSize uint8
}

// MarshalSize returns the number of bytes MarshalTo writes.
func (p *Packet) MarshalSize() int {
	return p.Header.MarshalSize() + len(p.Payload) + int(p.PaddingSize)
}

// MarshalTo writes the packet to b and returns the bytes written.
func (p *Packet) MarshalTo(b []byte) (int, error) {
	n := p.MarshalSize()
	if len(b) < n {
		return 0, errShort("marshal packet", len(b), n)
	}
	h, err := p.Header.marshalTo(b, p.PaddingSize > 0)
	if err != nil {
		return 0, err
	}
	h += copy(b[h:], p.Payload)
	if p.PaddingSize > 0 {
		clear(b[h : h+int(p.PaddingSize)-1])
		b[h+int(p.PaddingSize)-1] = p.PaddingSize
		h += int(p.PaddingSize)
	}
	return h, nil
}

// Marshal returns the packet in a new buffer.
func (p *Packet) Marshal() ([]byte, error) {
	b := make([]byte, p.MarshalSize())
	n, err := p.MarshalTo(b)
	return b[:n], err
}

// Unmarshal decodes a whole packet from b. Payload aliases b.
func (p *Packet) Unmarshal(b []byte) error {
	n, err := p.Header.Unmarshal(b)
	if err != nil {
		return err
	}
	body := b[n:]
	p.PaddingSize = 0
	if p.Header.padding {
		if len(body) == 0 {
			return fmt.Errorf("%w: P bit set but no octets after the header", ErrPadding)
		}
		pad := int(body[len(body)-1])
		if pad == 0 || pad > len(body) {
			return fmt.Errorf("%w: count %d with %d octets after the header", ErrPadding, pad, len(body))
		}
		p.PaddingSize = uint8(pad)
		body = body[:len(body)-pad]
	}
	p.Payload = body[:len(body):len(body)]
	return nil
}
