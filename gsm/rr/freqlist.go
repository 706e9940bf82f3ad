package rr

import (
	"fmt"
	"math/bits"

	"github.com/gsmbox/gsmbox/gsm/internal/bitio"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// FreqSet is a set of ARFCNs 0..1023, as carried by the frequency list IEs.
// The zero value is empty. It is a value type of fixed size, so building and
// encoding lists does not allocate.
type FreqSet [16]uint64

// NewFreqSet returns the set of the given channel numbers; numbers above
// 1023 are ignored.
func NewFreqSet(a ...tdma.ARFCN) FreqSet {
	var s FreqSet
	for _, n := range a {
		s.Add(n)
	}
	return s
}

// Add adds n (ignored if above 1023).
func (s *FreqSet) Add(n tdma.ARFCN) {
	if n < 1024 {
		s[n/64] |= 1 << (n % 64)
	}
}

// Has reports whether n is in the set.
func (s *FreqSet) Has(n tdma.ARFCN) bool { return n < 1024 && s[n/64]&(1<<(n%64)) != 0 }

// Len returns the number of channels in the set.
func (s *FreqSet) Len() int {
	c := 0
	for _, w := range s {
		c += bits.OnesCount64(w)
	}
	return c
}

// next returns the smallest member ≥ from, or -1.
func (s *FreqSet) next(from int) int {
	for from < 1024 {
		w := s[from/64] >> (from % 64)
		if w != 0 {
			return from + bits.TrailingZeros64(w)
		}
		from = (from/64 + 1) * 64
	}
	return -1
}

// ARFCNs returns the members in ascending order.
func (s *FreqSet) ARFCNs() []tdma.ARFCN {
	out := make([]tdma.ARFCN, 0, s.Len())
	for n := s.next(0); n >= 0; n = s.next(n + 1) {
		out = append(out, tdma.ARFCN(n))
	}
	return out
}

func (s FreqSet) String() string { return fmt.Sprint(s.ARFCNs()) }

// FreqFormat is the coding of a frequency list (TS 44.018 §10.5.2.13,
// table 10.5.2.13.1, and §10.5.2.1b for the 16-octet forms).
type FreqFormat uint8

// Frequency list formats.
const (
	FormatBitmap0   FreqFormat = iota // ARFCN 1..124 as a bit map
	FormatRange1024                   // up to 16 channels (+ ARFCN 0) anywhere
	FormatRange512                    // up to 18 channels within 512 of an origin
	FormatRange256                    // up to 22 channels within 256
	FormatRange128                    // up to 29 channels within 128
	FormatVarBitmap                   // any channels within 111 above an origin
)

var formatNames = [...]string{"bit map 0", "range 1024", "range 512", "range 256", "range 128", "variable bit map"}

func (f FreqFormat) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return fmt.Sprintf("FreqFormat(%d)", uint8(f))
}

// FreqListLen is the length of the value part of the Cell Channel
// Description and Neighbour Cell Description IEs.
const FreqListLen = 16

// rangeOf returns R (the range size) and its log2 for a range format.
func rangeOf(f FreqFormat) (r, k int) {
	switch f {
	case FormatRange1024:
		return 1024, 10
	case FormatRange512:
		return 512, 9
	case FormatRange256:
		return 256, 8
	case FormatRange128:
		return 128, 7
	}
	return 0, 0
}

// headerBits is the number of bits before W(1) in the 16-octet forms:
// format ID and the two bits 6–5 (6 bits) plus, for 1024, the 0 and F0
// bits; for the others 3 format bits and the 10-bit ORIG-ARFCN.
func headerBits(f FreqFormat) int {
	if f == FormatRange1024 {
		return 6
	}
	return 7 + 10
}

// wWidth is the width in bits of W(i) for a range of 2^k
// (TS 44.018 §10.5.2.13.3–6: each level of the tree is one bit narrower).
func wWidth(k, i int) int { return k - (bits.Len(uint(i)) - 1) }

// wCapacity returns how many W fields fit in a 16-octet list.
func wCapacity(f FreqFormat) int {
	_, k := rangeOf(f)
	left := FreqListLen*8 - headerBits(f)
	n := 0
	for i := 1; ; i++ {
		w := wWidth(k, i)
		if w <= 0 || w > left {
			return n
		}
		left -= w
		n++
	}
}

// EncodeFreqList writes s as a 16-octet frequency list (the value part of
// the Cell Channel Description, TS 44.018 §10.5.2.1b, or the Neighbour
// Cell Description, §10.5.2.22) and returns the format it chose: bit map 0
// when every channel is in 1..124, else the first of range 1024, 512, 256,
// 128 and variable bit map that can hold the set. spare holds bits 6–5 of
// the first octet (EXT-IND and BA-IND of a neighbour list; 0 for the cell
// channel description).
func EncodeFreqList(dst *[FreqListLen]byte, s *FreqSet, spare uint8) (FreqFormat, error) {
	for f := FormatBitmap0; f <= FormatVarBitmap; f++ {
		if encodeFormat(dst, s, spare, f) {
			return f, nil
		}
	}
	return 0, fmt.Errorf("%w: %d channels %v fit no format", ErrFreqList, s.Len(), s)
}

// EncodeFreqListFormat writes s in format f, trying every member as the
// origin for the formats that have one. It fails if s does not fit.
func EncodeFreqListFormat(dst *[FreqListLen]byte, s *FreqSet, spare uint8, f FreqFormat) error {
	if f > FormatVarBitmap {
		return fmt.Errorf("%w: unknown format %d", ErrFreqList, f)
	}
	if !encodeFormat(dst, s, spare, f) {
		return fmt.Errorf("%w: %d channels %v do not fit %v", ErrFreqList, s.Len(), s, f)
	}
	return nil
}

// encodeFormat is EncodeFreqListFormat without building an error, so that
// trying formats in turn does not allocate.
func encodeFormat(dst *[FreqListLen]byte, s *FreqSet, spare uint8, f FreqFormat) bool {
	*dst = [FreqListLen]byte{}
	w := bitio.NewWriter(dst[:])
	switch f {
	case FormatBitmap0:
		if s.Has(0) || s.next(125) >= 0 {
			return false
		}
		w.Bits(0, 2)
		w.Bits(uint64(spare), 2)
		for n := 124; n >= 1; n-- {
			w.Bool(s.Has(tdma.ARFCN(n)))
		}
		return w.Err() == nil
	case FormatRange1024:
		var vals [32]int
		n := 0
		for a := s.next(1); a >= 0; a = s.next(a + 1) {
			if n == len(vals) {
				return false
			}
			vals[n] = a
			n++
		}
		var ws [32]int
		if n > wCapacity(f) || !encodeTree(ws[:], vals[:n], 1, 1, 1023) {
			return false
		}
		w.Bits(0b10, 2)
		w.Bits(uint64(spare), 2)
		w.Bit(0)
		w.Bool(s.Has(0))
		writeW(&w, ws[:], n, 10)
		return w.Err() == nil
	case FormatRange512, FormatRange256, FormatRange128:
		r, k := rangeOf(f)
		for orig := s.next(0); orig >= 0; orig = s.next(orig + 1) {
			var vals [32]int
			n := 0
			ok := true
			for a := s.next(0); a >= 0; a = s.next(a + 1) {
				if a == orig {
					continue
				}
				d := (a - orig + 1024) % 1024
				if d >= r || n == len(vals) {
					ok = false
					break
				}
				vals[n] = d
				n++
			}
			var ws [32]int
			if !ok || n > wCapacity(f) || !encodeTree(ws[:], vals[:n], 1, 1, r-1) {
				continue
			}
			*dst = [FreqListLen]byte{}
			w.Bits(0b10, 2)
			w.Bits(uint64(spare), 2)
			w.Bits(uint64(0b100+f-FormatRange512), 3)
			w.Bits(uint64(orig), 10)
			writeW(&w, ws[:], n, k)
			return w.Err() == nil
		}
		return false
	case FormatVarBitmap:
		for orig := s.next(0); orig >= 0; orig = s.next(orig + 1) {
			ok := true
			for a := s.next(0); a >= 0; a = s.next(a + 1) {
				if d := (a - orig + 1024) % 1024; d > 111 {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
			*dst = [FreqListLen]byte{}
			w.Bits(0b10, 2)
			w.Bits(uint64(spare), 2)
			w.Bits(0b111, 3)
			w.Bits(uint64(orig), 10)
			for i := 1; i <= 111; i++ {
				w.Bool(s.Has(tdma.ARFCN((orig + i) % 1024)))
			}
			return w.Err() == nil
		}
	}
	return false
}

func writeW(w *bitio.Writer, ws []int, n, k int) {
	for i := 1; i <= n; i++ {
		w.Bits(uint64(ws[i]), wWidth(k, i))
	}
}

// encodeTree implements the range encoding of TS 44.018 Annex J. vals are
// distinct values in 1..m (m = 2^k − 1) on a circle of m points; p is the
// W index of this subtree's root and j the width of its tree level. The
// pivot W(p) is the member that leaves ⌊n/2⌋ members in the half circle
// below it (the left subtree, index p+j) and ⌊(n−1)/2⌋ above it (the right
// subtree, index p+2j); each half is re-expressed in 1..(m−1)/2 as the
// decoding formulas of §10.5.2.13.3 expect. It reports false if no member
// splits the set so (then the set does not fit this tree).
func encodeTree(ws []int, vals []int, p, j, m int) bool {
	n := len(vals)
	if n == 0 {
		return true
	}
	if p >= len(ws) {
		return false
	}
	half := (m - 1) / 2
	for _, piv := range vals {
		below := 0
		for _, v := range vals {
			if d := ((v-piv)%m + m) % m; d > half {
				below++
			}
		}
		if below != n/2 {
			continue
		}
		// Re-express both halves in place: below-pivot members first.
		var tmp [32]int
		nl, nr := 0, 0
		for _, v := range vals {
			if d := ((v-piv)%m + m) % m; d > half {
				tmp[nl] = d - half
				nl++
			}
		}
		for _, v := range vals {
			if d := ((v-piv)%m + m) % m; d != 0 && d <= half {
				tmp[nl+nr] = d
				nr++
			}
		}
		copy(vals, tmp[:nl+nr])
		ws[p] = piv
		return encodeTree(ws, vals[:nl], p+j, 2*j, half) && encodeTree(ws, vals[nl:nl+nr], p+2*j, 2*j, half)
	}
	return false
}

// DecodeFreqList parses a 16-octet frequency list (Cell Channel
// Description or Neighbour Cell Description value part) and returns the
// set, its format and bits 6–5 of the first octet.
func DecodeFreqList(b []byte) (s FreqSet, f FreqFormat, spare uint8, err error) {
	if len(b) < FreqListLen {
		return s, 0, 0, fmt.Errorf("%w: frequency list of %d octets, want %d", ErrShort, len(b), FreqListLen)
	}
	r := bitio.NewReader(b[:FreqListLen])
	id := r.Bits(2)
	spare = uint8(r.Bits(2))
	switch id {
	case 0b00:
		for n := 124; n >= 1; n-- {
			if r.Bool() {
				s.Add(tdma.ARFCN(n))
			}
		}
		return s, FormatBitmap0, spare, nil
	case 0b10:
	default:
		return s, 0, spare, fmt.Errorf("%w: format identifier %02b is reserved", ErrFreqList, id)
	}
	if r.Bit() == 0 {
		f0 := r.Bool()
		var ws [32]int
		n := readW(&r, ws[:], wCapacity(FormatRange1024), 10)
		decodeTree(&s, ws[:], n, 1024, 0)
		if f0 {
			s.Add(0)
		}
		return s, FormatRange1024, spare, nil
	}
	f = FormatRange512 + FreqFormat(r.Bits(2))
	orig := int(r.Bits(10))
	s.Add(tdma.ARFCN(orig))
	if f == FormatVarBitmap {
		for i := 1; i <= 111; i++ {
			if r.Bool() {
				s.Add(tdma.ARFCN((orig + i) % 1024))
			}
		}
		return s, f, spare, nil
	}
	rg, k := rangeOf(f)
	var ws [32]int
	n := readW(&r, ws[:], wCapacity(f), k)
	decodeTree(&s, ws[:], n, rg, orig)
	return s, f, spare, nil
}

// readW reads W(1).. until a zero W (end of list) or capacity, and returns
// the count of non-zero W.
func readW(r *bitio.Reader, ws []int, capacity, k int) int {
	for i := 1; i <= capacity; i++ {
		ws[i] = int(r.Bits(wWidth(k, i)))
		if ws[i] == 0 {
			return i - 1
		}
	}
	return capacity
}

// decodeTree applies the decoding algorithm of TS 44.018 §10.5.2.13.3
// (range 1024; §10.5.2.13.4–6 for 512, 256 and 128 with ORIG-ARFCN) to
// W(1..n) and adds F(1..n) to s.
func decodeTree(s *FreqSet, ws []int, n, rg, orig int) {
	for k := 1; k <= n; k++ {
		index := k
		j := 1 << (bits.Len(uint(index)) - 1)
		v := ws[index]
		for index > 1 {
			mod := 2*rg/j - 1
			if 2*index < 3*j {
				index -= j / 2
				v = ((v+ws[index]-rg/j-1)%mod+mod)%mod + 1
			} else {
				index -= j
				v = ((v+ws[index]-1)%mod+mod)%mod + 1
			}
			j /= 2
		}
		if rg == 1024 {
			s.Add(tdma.ARFCN(v % 1024))
		} else {
			s.Add(tdma.ARFCN((orig + v) % 1024))
		}
	}
}
