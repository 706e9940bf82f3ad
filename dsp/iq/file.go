package iq

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// Writer encodes sample blocks into the IQ file format (complex float32,
// little-endian, I then Q) on an underlying io.Writer. It buffers one block
// internally and reuses it, so writing does not allocate once the buffer
// has grown to the largest block.
type Writer struct {
	w   io.Writer
	buf []byte
	n   int64 // samples written
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// WriteSamples encodes and writes x.
func (w *Writer) WriteSamples(x []complex64) error {
	need := len(x) * BytesPerSample
	if cap(w.buf) < need {
		w.buf = make([]byte, need)
	}
	b := w.buf[:need]
	Encode(b, x)
	if _, err := w.w.Write(b); err != nil {
		return fmt.Errorf("iq: writing %d samples at sample %d: %w", len(x), w.n, err)
	}
	w.n += int64(len(x))
	return nil
}

// Count returns the number of samples written so far.
func (w *Writer) Count() int64 { return w.n }

// Encode writes x into b in the IQ file format; b must hold
// len(x)×BytesPerSample bytes.
func Encode(b []byte, x []complex64) {
	_ = b[len(x)*BytesPerSample-1:]
	for i, v := range x {
		binary.LittleEndian.PutUint32(b[8*i:], math.Float32bits(real(v)))
		binary.LittleEndian.PutUint32(b[8*i+4:], math.Float32bits(imag(v)))
	}
}

// Decode reads len(b)/8 samples from b into dst and returns how many it
// decoded: min(len(dst), len(b)/8). Trailing bytes that do not make a whole
// sample are ignored; callers that care check len(b)%8.
func Decode(dst []complex64, b []byte) int {
	n := min(len(dst), len(b)/BytesPerSample)
	for i := 0; i < n; i++ {
		re := math.Float32frombits(binary.LittleEndian.Uint32(b[8*i:]))
		im := math.Float32frombits(binary.LittleEndian.Uint32(b[8*i+4:]))
		dst[i] = complex(re, im)
	}
	return n
}

// Reader decodes an IQ file from an underlying io.Reader.
type Reader struct {
	r    io.Reader
	buf  []byte
	have int // bytes carried over in buf
}

// NewReader returns a Reader on r.
func NewReader(r io.Reader) *Reader { return &Reader{r: r} }

// ReadSamples fills dst with up to len(dst) samples and returns how many
// it read. At the end of the stream it returns 0, io.EOF; a stream that
// ends inside a sample returns ErrPartial.
func (r *Reader) ReadSamples(dst []complex64) (int, error) {
	need := len(dst) * BytesPerSample
	if need == 0 {
		return 0, nil
	}
	if cap(r.buf) < need {
		nb := make([]byte, need)
		copy(nb, r.buf[:r.have])
		r.buf = nb
	}
	r.buf = r.buf[:need]
	for r.have < BytesPerSample {
		k, err := r.r.Read(r.buf[r.have:])
		r.have += k
		if err == io.EOF {
			if r.have > 0 && r.have < BytesPerSample {
				return 0, fmt.Errorf("%w: %d trailing bytes", ErrPartial, r.have)
			}
			if r.have == 0 {
				return 0, io.EOF
			}
			break
		}
		if err != nil {
			return 0, fmt.Errorf("iq: reading: %w", err)
		}
	}
	n := Decode(dst, r.buf[:r.have])
	used := n * BytesPerSample
	r.have = copy(r.buf, r.buf[used:r.have])
	return n, nil
}

// ReadAll decodes a whole IQ file held in memory.
func ReadAll(b []byte) ([]complex64, error) {
	if len(b)%BytesPerSample != 0 {
		return nil, fmt.Errorf("%w: %d bytes is not a multiple of %d", ErrPartial, len(b), BytesPerSample)
	}
	out := make([]complex64, len(b)/BytesPerSample)
	Decode(out, b)
	return out, nil
}
