package fr

import "fmt"

const (
	// FrameSamples is the number of 8 kHz PCM samples in one 20 ms frame.
	FrameSamples = 160
	// SubframeSamples is the number of samples in one of the four
	// subframes the long-term predictor and RPE work on.
	SubframeSamples = 40
	// FrameSize is the length of a packed frame (RFC 3551 §4.5.8).
	FrameSize = 33
	// Signature is the magic nibble that starts every packed frame.
	Signature = 0xD
	// NumParams is the number of codec parameters per frame, TS 46.010
	// Table 1.1.
	NumParams = 76
)

// ParamBits gives the width in bits of each of the 76 parameters in the
// order of 3GPP TS 46.010 Table 1.1: LARc[0..7], then for each subframe
// Nc, bc, Mc, xmaxc, xMc[0..12]. The widths sum to 260.
var ParamBits = func() (w [NumParams]uint8) {
	copy(w[:], []uint8{6, 6, 5, 5, 4, 4, 3, 3})
	for j := 0; j < 4; j++ {
		b := w[8+17*j:]
		b[0], b[1], b[2], b[3] = 7, 2, 2, 6
		for i := 0; i < 13; i++ {
			b[4+i] = 3
		}
	}
	return w
}()

// Subframe holds the parameters of one 5 ms subframe (TS 46.010 Table 1.1).
type Subframe struct {
	Nc    uint8     // LTP lag, 40..120 from the encoder (7 bits)
	Bc    uint8     // LTP gain index (2 bits)
	Mc    uint8     // RPE grid position (2 bits)
	Xmaxc uint8     // block amplitude (6 bits)
	XMc   [13]uint8 // RPE pulses (3 bits each)
}

// Params are the 76 parameters of one frame.
type Params struct {
	LARc [8]uint8 // log-area ratios, LARc[0] first (6,6,5,5,4,4,3,3 bits)
	Sub  [4]Subframe
}

// Values returns the 76 parameters in Table 1.1 order, each masked to its
// width.
func (p *Params) Values() (v [NumParams]uint8) {
	for i := 0; i < 8; i++ {
		v[i] = p.LARc[i]
	}
	for j := range p.Sub {
		s := &p.Sub[j]
		b := v[8+17*j:]
		b[0], b[1], b[2], b[3] = s.Nc, s.Bc, s.Mc, s.Xmaxc
		copy(b[4:17], s.XMc[:])
	}
	for i := range v {
		v[i] &= 1<<ParamBits[i] - 1
	}
	return v
}

// SetValues sets p from 76 parameters in Table 1.1 order, masking each to
// its width.
func (p *Params) SetValues(v *[NumParams]uint8) {
	var m [NumParams]uint8
	for i := range v {
		m[i] = v[i] & (1<<ParamBits[i] - 1)
	}
	copy(p.LARc[:], m[:8])
	for j := range p.Sub {
		s := &p.Sub[j]
		b := m[8+17*j:]
		s.Nc, s.Bc, s.Mc, s.Xmaxc = b[0], b[1], b[2], b[3]
		copy(s.XMc[:], b[4:17])
	}
}

// Pack writes p as a 33-byte RTP/toast frame (RFC 3551 §4.5.8): the 0xD
// signature nibble, then every parameter most significant bit first.
// Values wider than their field are masked.
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|1 1 0 1| LARc0     | LARc1     | LARc2   | LARc3   |LARc4 |LARc5 ...
func (p *Params) Pack(dst *[FrameSize]byte) {
	v := p.Values()
	acc, n, o := uint64(Signature), uint(4), 0 // n bits pending in acc
	for i, x := range v {
		w := uint(ParamBits[i])
		acc = acc<<w | uint64(x)
		n += w
		for n >= 8 {
			n -= 8
			dst[o] = byte(acc >> n)
			o++
		}
	}
}

// Unpack reads a 33-byte frame into p. It returns ErrSignature, leaving p
// unchanged, if the frame does not start with the 0xD nibble.
func (p *Params) Unpack(src *[FrameSize]byte) error {
	if src[0]>>4 != Signature {
		return fmt.Errorf("%w: first octet %#02x", ErrSignature, src[0])
	}
	var v [NumParams]uint8
	acc, n, o := uint64(src[0]&0x0F), uint(4), 1 // n bits pending in acc
	for i := range v {
		w := uint(ParamBits[i])
		for n < w {
			acc = acc<<8 | uint64(src[o])
			o++
			n += 8
		}
		n -= w
		v[i] = uint8(acc>>n) & (1<<w - 1)
	}
	p.SetValues(&v)
	return nil
}

// UnpackSlice is Unpack for a slice, which must be exactly FrameSize long.
func (p *Params) UnpackSlice(src []byte) error {
	if len(src) != FrameSize {
		return fmt.Errorf("%w: have %d bytes", ErrFrameSize, len(src))
	}
	return p.Unpack((*[FrameSize]byte)(src))
}
