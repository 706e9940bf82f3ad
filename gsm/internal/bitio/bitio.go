package bitio

import "fmt"

// Padding is the spare padding octet of rest octets and of unused octets in
// L2 blocks (3GPP TS 44.018 §10.5.2 / TS 44.006 §5.2).
const Padding = 0x2B

// padBit returns the bit of the 0x2B pattern at absolute bit position pos.
func padBit(pos int) uint8 { return Padding >> (7 - pos%8) & 1 }

// Reader reads bits MSB first from a byte slice. The zero value reads
// nothing.
type Reader struct {
	b   []byte
	pos int // bit position
	err error
}

// NewReader returns a Reader over b.
func NewReader(b []byte) Reader { return Reader{b: b} }

// Reset makes r read b from its start and clears the error.
func (r *Reader) Reset(b []byte) { *r = Reader{b: b} }

// Err returns the sticky error, or nil.
func (r *Reader) Err() error { return r.err }

// Pos returns the number of bits consumed.
func (r *Reader) Pos() int { return r.pos }

// Left returns the number of bits not yet read.
func (r *Reader) Left() int { return len(r.b)*8 - r.pos }

// Bit reads one bit.
func (r *Reader) Bit() uint8 {
	if r.err != nil {
		return 0
	}
	if r.pos >= len(r.b)*8 {
		r.err = fmt.Errorf("%w: bit %d of %d", ErrShort, r.pos, len(r.b)*8)
		return 0
	}
	v := r.b[r.pos/8] >> (7 - r.pos%8) & 1
	r.pos++
	return v
}

// Bool reads one bit as a bool.
func (r *Reader) Bool() bool { return r.Bit() == 1 }

// Bits reads n bits (0 ≤ n ≤ 64), MSB first. If fewer than n bits are left
// it sets the error, consumes nothing and returns 0.
func (r *Reader) Bits(n int) uint64 {
	if r.err != nil {
		return 0
	}
	if n < 0 || n > 64 || n > r.Left() {
		r.err = fmt.Errorf("%w: need %d bits at bit %d of %d", ErrShort, n, r.pos, len(r.b)*8)
		return 0
	}
	var v uint64
	for range n {
		v = v<<1 | uint64(r.b[r.pos/8]>>(7-r.pos%8)&1)
		r.pos++
	}
	return v
}

// Skip skips n bits.
func (r *Reader) Skip(n int) {
	if r.err != nil {
		return
	}
	if n < 0 || n > r.Left() {
		r.err = fmt.Errorf("%w: skip %d bits at bit %d of %d", ErrShort, n, r.pos, len(r.b)*8)
		return
	}
	r.pos += n
}

// H reads one CSN.1 L/H bit and reports whether it is H. Past the end of
// the data it returns false (L, as padding would read) and sets no error,
// because rest octets may be truncated by the padding at any point.
func (r *Reader) H() bool {
	if r.err != nil || r.pos >= len(r.b)*8 {
		return false
	}
	p := r.pos
	return r.Bit() != padBit(p)
}

// Writer writes bits MSB first into a caller-supplied buffer. Bits not
// written keep the buffer's previous contents, so callers normally clear or
// pad the buffer.
type Writer struct {
	b   []byte
	pos int
	err error
}

// NewWriter returns a Writer filling b from its first bit.
func NewWriter(b []byte) Writer { return Writer{b: b} }

// Err returns the sticky error, or nil.
func (w *Writer) Err() error { return w.err }

// Pos returns the number of bits written.
func (w *Writer) Pos() int { return w.pos }

// Len returns the number of octets touched (written bits rounded up).
func (w *Writer) Len() int { return (w.pos + 7) / 8 }

// Bit writes the low bit of v.
func (w *Writer) Bit(v uint8) {
	if w.err != nil {
		return
	}
	if w.pos >= len(w.b)*8 {
		w.err = fmt.Errorf("%w: bit %d of %d", ErrFull, w.pos, len(w.b)*8)
		return
	}
	m := byte(1) << (7 - w.pos%8)
	if v&1 != 0 {
		w.b[w.pos/8] |= m
	} else {
		w.b[w.pos/8] &^= m
	}
	w.pos++
}

// Bool writes one bit, 1 for true.
func (w *Writer) Bool(v bool) {
	if v {
		w.Bit(1)
	} else {
		w.Bit(0)
	}
}

// Bits writes the low n bits of v (0 ≤ n ≤ 64), MSB first.
func (w *Writer) Bits(v uint64, n int) {
	if w.err != nil {
		return
	}
	if n < 0 || n > 64 || w.pos+n > len(w.b)*8 {
		w.err = fmt.Errorf("%w: %d bits at bit %d of %d", ErrFull, n, w.pos, len(w.b)*8)
		return
	}
	for i := n - 1; i >= 0; i-- {
		w.Bit(uint8(v >> i))
	}
}

// LH writes a CSN.1 L/H bit: H when h is true, else L.
func (w *Writer) LH(h bool) {
	p := padBit(w.pos)
	if h {
		p ^= 1
	}
	w.Bit(p)
}

// Pad fills the rest of the buffer with the 0x2B padding pattern, aligned
// to the octet (a bit at position p gets the pattern's bit p mod 8), and
// leaves Pos at the end of the buffer.
func (w *Writer) Pad() {
	if w.err != nil {
		return
	}
	for w.pos < len(w.b)*8 {
		if w.pos%8 == 0 {
			w.b[w.pos/8] = Padding
			w.pos += 8
			continue
		}
		w.Bit(padBit(w.pos))
	}
}
