package ss

import "fmt"

// The BER subset of TS 24.080 §3.6 (X.690 basic encoding rules): one
// identifier octet (class, constructed bit, tag number below 31) in the
// structures we decode, multi-octet identifiers accepted only inside
// parameters we pass through; definite lengths in the shortest form (X.690
// §8.1.3: the short form below 128, else 0x81 or 0x82 and the fewest
// octets), so that every decode re-encodes to its input.

// maxDepth bounds the nesting of constructed elements checked in
// parameters we do not interpret.
const maxDepth = 8

// BER tags used here.
const (
	tagInteger  = 0x02
	tagOctets   = 0x04
	tagNull     = 0x05
	tagSequence = 0x30
)

// element is one BER TLV.
type element struct {
	tag   byte   // the identifier octet (first octet if multi-octet)
	value []byte // the contents
	raw   []byte // the whole TLV
}

// readElement reads one TLV from b. It accepts a multi-octet identifier
// only when multi is set, and returns the rest of b.
func readElement(b []byte, multi bool) (element, []byte, error) {
	if len(b) < 2 {
		return element{}, nil, fmt.Errorf("%w: element of %d octets", ErrBER, len(b))
	}
	i := 1
	if b[0]&0x1f == 0x1f {
		if !multi {
			return element{}, nil, fmt.Errorf("%w: multi-octet tag %#02x", ErrBER, b[0])
		}
		// Tag number octets: bit 8 set on all but the last, at most 3,
		// the first not 0x80 (X.690 §8.1.2.4.2 c).
		for ; ; i++ {
			if i >= len(b) || i > 3 || (i == 1 && b[i] == 0x80) {
				return element{}, nil, fmt.Errorf("%w: bad multi-octet tag", ErrBER)
			}
			if b[i]&0x80 == 0 {
				i++
				break
			}
		}
		if i >= len(b) {
			return element{}, nil, fmt.Errorf("%w: no length", ErrBER)
		}
	}
	n := int(b[i])
	i++
	switch {
	case n < 0x80:
	case n == 0x81:
		if i >= len(b) || b[i] < 0x80 {
			return element{}, nil, fmt.Errorf("%w: non-minimal or missing 0x81 length", ErrBER)
		}
		n = int(b[i])
		i++
	case n == 0x82:
		if i+1 >= len(b) || b[i] == 0 {
			return element{}, nil, fmt.Errorf("%w: non-minimal or missing 0x82 length", ErrBER)
		}
		n = int(b[i])<<8 | int(b[i+1])
		i += 2
	default:
		return element{}, nil, fmt.Errorf("%w: length octet %#02x (indefinite or too long)", ErrBER, n)
	}
	if n > len(b)-i {
		return element{}, nil, fmt.Errorf("%w: length %d with %d octets left", ErrBER, n, len(b)-i)
	}
	return element{tag: b[0], value: b[i : i+n : i+n], raw: b[: i+n : i+n]}, b[i+n:], nil
}

// checkElements checks that b is a series of well-formed TLVs, nested at
// most depth levels deep.
func checkElements(b []byte, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("%w: nesting deeper than %d", ErrBER, maxDepth)
	}
	for len(b) > 0 {
		e, rest, err := readElement(b, true)
		if err != nil {
			return err
		}
		if e.tag&0x20 != 0 {
			if err := checkElements(e.value, depth+1); err != nil {
				return err
			}
		}
		b = rest
	}
	return nil
}

// lengthSize returns the octets of a length n.
func lengthSize(n int) int {
	switch {
	case n < 0x80:
		return 1
	case n < 0x100:
		return 2
	}
	return 3
}

// tlvSize returns the size of a one-octet-tag TLV with n content octets.
func tlvSize(n int) int { return 1 + lengthSize(n) + n }

// appendHeader appends a tag and the length n.
func appendHeader(dst []byte, tag byte, n int) []byte {
	dst = append(dst, tag)
	switch {
	case n < 0x80:
		return append(dst, byte(n))
	case n < 0x100:
		return append(dst, 0x81, byte(n))
	}
	return append(dst, 0x82, byte(n>>8), byte(n))
}

// appendTLV appends a TLV.
func appendTLV(dst []byte, tag byte, v []byte) []byte {
	return append(appendHeader(dst, tag, len(v)), v...)
}

// readInt8 reads a one-octet INTEGER (InvokeIdType is -128..127; operation
// and error codes are small local values).
func readInt8(e element, what string) (int8, error) {
	if len(e.value) != 1 {
		return 0, fmt.Errorf("%w: %s INTEGER of %d octets", ErrBER, what, len(e.value))
	}
	return int8(e.value[0]), nil
}
