package l3

import "fmt"

// Decoder reads the IEs of a message in order (TS 24.007 §11.2.1.1). Every
// method checks the remaining length first; the first failure is kept as a
// sticky error (Err) and later calls return zero values. Returned slices
// alias the input.
type Decoder struct {
	b   []byte
	off int
	err error
}

// NewDecoder returns a Decoder over b.
func NewDecoder(b []byte) Decoder { return Decoder{b: b} }

// Err returns the first error, or nil.
func (d *Decoder) Err() error { return d.err }

// Left returns the number of unread octets.
func (d *Decoder) Left() int { return len(d.b) - d.off }

// Offset returns the number of octets consumed.
func (d *Decoder) Offset() int { return d.off }

// Rest returns the unread octets and consumes them.
func (d *Decoder) Rest() []byte {
	r := d.b[d.off:]
	d.off = len(d.b)
	return r
}

func (d *Decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

// Byte reads one octet (a type 3 V IE of length 1, or two type 1 V IEs).
func (d *Decoder) Byte() byte {
	v := d.V(1)
	if v == nil {
		return 0
	}
	return v[0]
}

// Halves reads one octet holding two type 1 V IEs (TS 24.007 §11.2.1.1.1):
// the first IE of the pair in bits 4–1 (lo) and the second in bits 8–5
// (hi), as in "Page Mode | Channels Needed".
func (d *Decoder) Halves() (lo, hi uint8) {
	v := d.Byte()
	return v & 0xf, v >> 4
}

// V reads a type 3 value of n octets.
func (d *Decoder) V(n int) []byte {
	if d.err != nil {
		return nil
	}
	if d.Left() < n {
		d.fail(fmt.Errorf("%w: V of %d octets at offset %d, %d left", ErrShort, n, d.off, d.Left()))
		return nil
	}
	v := d.b[d.off : d.off+n : d.off+n]
	d.off += n
	return v
}

func (d *Decoder) lv(ext bool, min, max int) []byte {
	if d.err != nil {
		return nil
	}
	ll := 1
	if ext {
		ll = 2
	}
	if d.Left() < ll {
		d.fail(fmt.Errorf("%w: length octet at offset %d", ErrShort, d.off))
		return nil
	}
	n := int(d.b[d.off])
	if ext {
		n = n<<8 | int(d.b[d.off+1])
	}
	if n < min || n > max {
		d.fail(fmt.Errorf("%w: %d at offset %d, want %d..%d", ErrLength, n, d.off, min, max))
		return nil
	}
	if d.Left() < ll+n {
		d.fail(fmt.Errorf("%w: IE of %d octets at offset %d, %d left", ErrShort, n, d.off, d.Left()-ll))
		return nil
	}
	d.off += ll
	return d.V(n)
}

// LV reads a type 4 IE without IEI: a length octet and a value whose
// length must lie in [min, max].
func (d *Decoder) LV(min, max int) []byte { return d.lv(false, min, max) }

// LVE reads a type 6 IE without IEI (two length octets).
func (d *Decoder) LVE(min, max int) []byte { return d.lv(true, min, max) }

// Peek returns the next octet without consuming it.
func (d *Decoder) Peek() (byte, bool) {
	if d.err != nil || d.Left() < 1 {
		return 0, false
	}
	return d.b[d.off], true
}

// Is reports whether the next octet is the full-octet IEI iei.
func (d *Decoder) Is(iei byte) bool {
	v, ok := d.Peek()
	return ok && v == iei
}

// IsHalf reports whether the high nibble of the next octet is the type 1
// IEI iei (0x0–0xF, given as a nibble value).
func (d *Decoder) IsHalf(iei byte) bool {
	v, ok := d.Peek()
	return ok && v>>4 == iei&0xf
}

// T consumes an optional type 2 IE (IEI only) and reports its presence.
func (d *Decoder) T(iei byte) bool {
	if !d.Is(iei) {
		return false
	}
	d.off++
	return true
}

// TVHalf consumes an optional type 1 TV IE whose IEI is the high nibble iei
// and returns its 4-bit value.
func (d *Decoder) TVHalf(iei byte) (uint8, bool) {
	if !d.IsHalf(iei) {
		return 0, false
	}
	v := d.b[d.off] & 0xf
	d.off++
	return v, true
}

// TV consumes an optional type 3 TV IE with n value octets.
func (d *Decoder) TV(iei byte, n int) ([]byte, bool) {
	if !d.Is(iei) {
		return nil, false
	}
	if d.Left() < 1+n {
		d.fail(fmt.Errorf("%w: TV IE %#02x of %d octets at offset %d", ErrShort, iei, n, d.off))
		return nil, false
	}
	d.off++
	return d.V(n), true
}

// TLV consumes an optional type 4 TLV IE with value length in [min, max].
func (d *Decoder) TLV(iei byte, min, max int) ([]byte, bool) {
	if !d.Is(iei) {
		return nil, false
	}
	d.off++
	v := d.lv(false, min, max)
	return v, d.err == nil
}

// TLVE consumes an optional type 6 TLV-E IE with value length in [min, max].
func (d *Decoder) TLVE(iei byte, min, max int) ([]byte, bool) {
	if !d.Is(iei) {
		return nil, false
	}
	d.off++
	v := d.lv(true, min, max)
	return v, d.err == nil
}

// SkipIE skips one unknown optional IE, using the IEI coding rule of TS
// 24.007 §11.2.4: an IEI with bit 8 set is a single-octet (type 1 or 2) IE,
// any other is followed by a length octet. It returns the IEI skipped.
// Protocols with TLV-E IEs (TS 24.007 §11.2.4 note) must skip those
// themselves.
func (d *Decoder) SkipIE() byte {
	v, ok := d.Peek()
	if !ok {
		d.fail(fmt.Errorf("%w: no IE to skip at offset %d", ErrShort, d.off))
		return 0
	}
	if v&0x80 != 0 {
		d.off++
		return v
	}
	d.off++
	d.lv(false, 0, 255)
	return v
}

// Encoder writes IEs into a caller buffer. Like Decoder it keeps the first
// error and ignores later writes. It never allocates.
type Encoder struct {
	b   []byte
	off int
	err error
}

// NewEncoder returns an Encoder writing from the start of b.
func NewEncoder(b []byte) Encoder { return Encoder{b: b} }

// Err returns the first error, or nil.
func (e *Encoder) Err() error { return e.err }

// Len returns the number of octets written.
func (e *Encoder) Len() int { return e.off }

// Bytes returns the written octets.
func (e *Encoder) Bytes() []byte { return e.b[:e.off] }

// Reserve returns the next n octets of the buffer for the caller to fill
// (used for IEs with their own encoders), or nil after an error.
func (e *Encoder) Reserve(n int) []byte {
	if e.err != nil {
		return nil
	}
	if n < 0 || len(e.b)-e.off < n {
		e.err = fmt.Errorf("%w: %d octets at offset %d, capacity %d", ErrBuffer, n, e.off, len(e.b))
		return nil
	}
	r := e.b[e.off : e.off+n : e.off+n]
	e.off += n
	return r
}

// Byte writes one octet.
func (e *Encoder) Byte(v byte) {
	if r := e.Reserve(1); r != nil {
		r[0] = v
	}
}

// Halves writes two type 1 V IEs into one octet: lo in bits 4–1, hi in
// bits 8–5.
func (e *Encoder) Halves(lo, hi uint8) { e.Byte(hi<<4 | lo&0xf) }

// V writes a type 3 value.
func (e *Encoder) V(v []byte) { copy(e.Reserve(len(v)), v) }

// LV writes a length octet and v.
func (e *Encoder) LV(v []byte) {
	if len(v) > 255 {
		e.fail(fmt.Errorf("%w: LV value of %d octets", ErrLength, len(v)))
		return
	}
	e.Byte(byte(len(v)))
	e.V(v)
}

// LVE writes two length octets and v.
func (e *Encoder) LVE(v []byte) {
	if len(v) > 65535 {
		e.fail(fmt.Errorf("%w: LV-E value of %d octets", ErrLength, len(v)))
		return
	}
	e.Byte(byte(len(v) >> 8))
	e.Byte(byte(len(v)))
	e.V(v)
}

// T writes a type 2 IE.
func (e *Encoder) T(iei byte) { e.Byte(iei) }

// TVHalf writes a type 1 IE: IEI nibble iei and 4-bit value v.
func (e *Encoder) TVHalf(iei, v uint8) { e.Byte(iei<<4 | v&0xf) }

// TV writes a type 3 TV IE.
func (e *Encoder) TV(iei byte, v []byte) {
	e.Byte(iei)
	e.V(v)
}

// TLV writes a type 4 TLV IE.
func (e *Encoder) TLV(iei byte, v []byte) {
	e.Byte(iei)
	e.LV(v)
}

// TLVE writes a type 6 TLV-E IE.
func (e *Encoder) TLVE(iei byte, v []byte) {
	e.Byte(iei)
	e.LVE(v)
}

// BeginLV writes a placeholder length octet and returns a mark for EndLV,
// for values encoded in place after it.
func (e *Encoder) BeginLV() int {
	e.Byte(0)
	return e.off
}

// EndLV stores the length of everything written since BeginLV returned
// mark.
func (e *Encoder) EndLV(mark int) {
	if e.err != nil {
		return
	}
	n := e.off - mark
	if n > 255 {
		e.fail(fmt.Errorf("%w: LV value of %d octets", ErrLength, n))
		return
	}
	e.b[mark-1] = byte(n)
}

func (e *Encoder) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}
