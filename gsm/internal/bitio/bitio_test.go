package bitio

import (
	"bytes"
	"errors"
	"testing"
)

func TestReaderBits(t *testing.T) {
	r := NewReader([]byte{0b1011_0010, 0xff, 0x01})
	tests := []struct {
		n    int
		want uint64
	}{{1, 1}, {3, 0b011}, {4, 0b0010}, {12, 0xff0}, {4, 1}}
	for _, tt := range tests {
		if got := r.Bits(tt.n); got != tt.want {
			t.Errorf("Bits(%d) = %#b, want %#b", tt.n, got, tt.want)
		}
	}
	if r.Err() != nil || r.Left() != 0 {
		t.Fatalf("Err, Left = %v, %d, want nil, 0", r.Err(), r.Left())
	}
	if got := r.Bits(3); got != 0 || !errors.Is(r.Err(), ErrShort) {
		t.Errorf("Bits past end = %d, %v, want 0, ErrShort", got, r.Err())
	}
	if got := r.Bit(); got != 0 {
		t.Errorf("Bit after error = %d, want 0", got)
	}
}

func TestReaderShortConsumesNothing(t *testing.T) {
	r := NewReader([]byte{0xff})
	r.Skip(4)
	if got := r.Bits(5); got != 0 || r.Err() == nil || r.Pos() != 4 {
		t.Errorf("Bits(5) with 4 left = %d, err %v, pos %d, want 0, error, 4", got, r.Err(), r.Pos())
	}
}

func TestWriterRoundTrip(t *testing.T) {
	var b [4]byte
	w := NewWriter(b[:])
	w.Bit(1)
	w.Bits(0b011, 3)
	w.Bits(0xabc, 12)
	w.Bool(false)
	w.Bits(0x7f, 7)
	if w.Err() != nil || w.Pos() != 24 || w.Len() != 3 {
		t.Fatalf("Err, Pos, Len = %v, %d, %d", w.Err(), w.Pos(), w.Len())
	}
	want := []byte{0b1011_1010, 0xbc, 0x7f, 0}
	if !bytes.Equal(b[:], want) {
		t.Errorf("written = % x, want % x", b, want)
	}
	w.Bits(0, 9)
	if !errors.Is(w.Err(), ErrFull) {
		t.Errorf("Bits past end err = %v, want ErrFull", w.Err())
	}
}

func TestPadAndLH(t *testing.T) {
	tests := []struct {
		name  string
		write func(w *Writer)
		want  []byte
	}{
		{"all padding", func(w *Writer) {}, []byte{0x2b, 0x2b}},
		// Positions 0..3 of 0x2B are 0,0,1,0: L L L L = 0010, H H H H = 1101.
		{"LLLL", func(w *Writer) { w.LH(false); w.LH(false); w.LH(false); w.LH(false) }, []byte{0x2b, 0x2b}},
		{"HHHH", func(w *Writer) { w.LH(true); w.LH(true); w.LH(true); w.LH(true) }, []byte{0xdb, 0x2b}},
		{"bits then pad", func(w *Writer) { w.Bits(0x1ff, 9) }, []byte{0xff, 0xab}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := []byte{0xee, 0xee}
			w := NewWriter(b)
			tt.write(&w)
			w.Pad()
			if !bytes.Equal(b, tt.want) || w.Err() != nil {
				t.Errorf("written = % x (%v), want % x", b, w.Err(), tt.want)
			}
			r := NewReader(b)
			for i := 0; i < 16; i++ {
				h := r.H()
				if i >= 4 || tt.name == "all padding" || tt.name == "LLLL" {
					if tt.name != "bits then pad" && h {
						t.Errorf("H() at bit %d = true, want false (padding)", i)
					}
				}
			}
			if r.H() {
				t.Error("H() past end = true, want false")
			}
			if r.Err() != nil {
				t.Errorf("H() past end set error %v", r.Err())
			}
		})
	}
}

func FuzzReader(f *testing.F) {
	f.Add([]byte{0x2b, 0x55}, uint8(3))
	f.Fuzz(func(t *testing.T, b []byte, step uint8) {
		n := int(step%17) + 1
		r := NewReader(b)
		out := make([]byte, len(b))
		w := NewWriter(out)
		for r.Left() >= n {
			w.Bits(r.Bits(n), n)
		}
		w.Bits(r.Bits(r.Left()), len(b)*8-w.Pos())
		if r.Err() != nil || w.Err() != nil || !bytes.Equal(out, b) {
			t.Errorf("copy via %d-bit reads = % x (%v %v), want % x", n, out, r.Err(), w.Err(), b)
		}
	})
}
