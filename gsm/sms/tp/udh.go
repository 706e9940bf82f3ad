package tp

import "fmt"

// Information element identifiers of the user data header (TS 23.040
// §9.2.3.24).
const (
	IEIConcat8  = 0x00 // concatenated short messages, 8-bit reference (§9.2.3.24.1)
	IEIConcat16 = 0x08 // concatenated short messages, 16-bit reference (§9.2.3.24.8)
)

// IE is one information element of a user data header.
type IE struct {
	ID   byte
	Data []byte
}

// UDH is a user data header (TS 23.040 §9.2.3.24):
//
//	| UDHL | IEI a | IEDL a | IED a ... | IEI b | IEDL b | IED b ... |
//
// as a list of IEs; UDHL counts the octets after itself.
type UDH []IE

// MarshalSize returns the header's length including the UDHL octet.
func (h UDH) MarshalSize() int {
	n := 1
	for _, ie := range h {
		n += 2 + len(ie.Data)
	}
	return n
}

// AppendTo appends the encoded header (UDHL first) to dst.
func (h UDH) AppendTo(dst []byte) ([]byte, error) {
	n := h.MarshalSize()
	if n-1 > 139 {
		return dst, fmt.Errorf("%w: user data header of %d octets", ErrLength, n)
	}
	dst = append(dst, byte(n-1))
	for _, ie := range h {
		if len(ie.Data) > 255 {
			return dst, fmt.Errorf("%w: IE %#02x of %d octets", ErrLength, ie.ID, len(ie.Data))
		}
		dst = append(dst, ie.ID, byte(len(ie.Data)))
		dst = append(dst, ie.Data...)
	}
	return dst, nil
}

// ParseUDH parses the header at the start of ud (UDHL first) and returns
// it with its length in octets including UDHL. IE data alias ud. A
// concatenation IE of the wrong length is an error.
func ParseUDH(ud []byte) (UDH, int, error) {
	if len(ud) < 1 {
		return nil, 0, fmt.Errorf("%w: no UDHL", ErrShort)
	}
	n := 1 + int(ud[0])
	if n > len(ud) {
		return nil, 0, fmt.Errorf("%w: UDHL %d with %d octets of user data", ErrLength, ud[0], len(ud))
	}
	b := ud[1:n]
	var h UDH
	for len(b) > 0 {
		if len(b) < 2 || int(b[1]) > len(b)-2 {
			return nil, 0, fmt.Errorf("%w: IE overruns the user data header", ErrLength)
		}
		ie := IE{ID: b[0], Data: b[2 : 2+b[1] : 2+b[1]]}
		if (ie.ID == IEIConcat8 && len(ie.Data) != 3) || (ie.ID == IEIConcat16 && len(ie.Data) != 4) {
			return nil, 0, fmt.Errorf("%w: concatenation IE %#02x of %d octets", ErrLength, ie.ID, len(ie.Data))
		}
		h = append(h, ie)
		b = b[2+len(ie.Data):]
	}
	return h, n, nil
}

// Concat is the content of a concatenation IE: which part (Seq, from 1)
// of how many (Total) parts of the message with reference Ref this is.
type Concat struct {
	Ref        uint16
	Total, Seq uint8
	Wide       bool // 16-bit reference (IEI 0x08)
}

// IE returns c as a header IE.
func (c Concat) IE() IE {
	if c.Wide {
		return IE{ID: IEIConcat16, Data: []byte{byte(c.Ref >> 8), byte(c.Ref), c.Total, c.Seq}}
	}
	return IE{ID: IEIConcat8, Data: []byte{byte(c.Ref), c.Total, c.Seq}}
}

// Concat returns the concatenation IE of h. As TS 23.040 §9.2.3.24.1 says,
// an IE with a total of 0 or a sequence number of 0 or above the total is
// ignored: such a message is treated as a single one (ok false).
func (h UDH) Concat() (c Concat, ok bool) {
	for _, ie := range h {
		switch ie.ID {
		case IEIConcat8:
			c = Concat{Ref: uint16(ie.Data[0]), Total: ie.Data[1], Seq: ie.Data[2]}
		case IEIConcat16:
			c = Concat{Ref: uint16(ie.Data[0])<<8 | uint16(ie.Data[1]), Total: ie.Data[2], Seq: ie.Data[3], Wide: true}
		default:
			continue
		}
		return c, c.Total > 0 && c.Seq > 0 && c.Seq <= c.Total
	}
	return Concat{}, false
}
