package filter

// FIR is a streaming complex filter with real taps: successive calls to
// Filter continue where the last one stopped, as if the blocks were one
// stream. Its output at n is Σ_k taps[k]·x[n−k].
type FIR struct {
	taps []float32 // reversed for a forward dot product
	buf  []complex64
}

// NewFIR returns a filter with the given taps (at least one).
func NewFIR(taps []float32) *FIR {
	r := make([]float32, len(taps))
	for i, v := range taps {
		r[len(taps)-1-i] = v
	}
	return &FIR{taps: r, buf: make([]complex64, len(taps)-1)}
}

// Filter writes len(src) outputs to dst (which may alias src).
func (f *FIR) Filter(dst, src []complex64) {
	h := len(f.taps) - 1
	need := h + len(src)
	if cap(f.buf) < need {
		nb := make([]complex64, need)
		copy(nb, f.buf[:h])
		f.buf = nb
	}
	buf := f.buf[:need]
	copy(buf[h:], src)
	taps := f.taps
	dst = dst[:len(src)]
	for i := range dst {
		x := buf[i : i+len(taps)]
		var re, im float32
		for k, t := range taps {
			re += t * real(x[k])
			im += t * imag(x[k])
		}
		dst[i] = complex(re, im)
	}
	copy(buf, buf[len(src):need])
	f.buf = buf[:h]
}

// Reset clears the filter's history.
func (f *FIR) Reset() { clear(f.buf[:cap(f.buf)]) }
