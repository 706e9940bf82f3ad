package fr

// SilenceParams is the silence frame of 3GPP TS 46.011 §6 Table 1, which
// decodes to a very low output level under all decoder states.
var SilenceParams = func() Params {
	p := Params{LARc: [8]uint8{42, 39, 21, 10, 9, 4, 3, 2}}
	for j := range p.Sub {
		p.Sub[j] = Subframe{Nc: 40, Bc: 0, Mc: 1, Xmaxc: 0,
			XMc: [13]uint8{3, 4, 3, 4, 4, 3, 3, 3, 3, 4, 4, 3, 3}}
	}
	return p
}()

// Substitutor replaces lost or unusable speech frames (bad frame
// indication from the channel decoder, or RTP packets that never came)
// following the example solution of 3GPP TS 46.011 §6:
//
//   - the first lost frame repeats the last good frame;
//   - each further lost frame repeats it with every block amplitude xmaxc
//     lowered by 4 (about 3 dB) and random grid positions Mc, so the output
//     is muted within 320 ms;
//   - once all xmaxc have reached 0, the silence frame of Table 1 follows.
//
// It works on parameters, so the result can be decoded or sent on as RTP.
// The random grid positions come from a seeded generator, keeping the
// package free of clocks and global state. Comfort noise (TS 46.012) is
// not handled here. The zero value is ready to use (seed 0).
type Substitutor struct {
	last Params
	have bool
	lost int
	rnd  uint32
}

// NewSubstitutor returns a substitutor whose grid randomisation is seeded
// with seed.
func NewSubstitutor(seed uint32) *Substitutor { return &Substitutor{rnd: seed} }

// Good records a correctly received speech frame and ends any run of
// losses.
func (s *Substitutor) Good(p *Params) {
	s.last, s.have, s.lost = *p, true, 0
}

// Lost writes the substitute for the next lost frame to p and reports
// whether it is the silence frame.
func (s *Substitutor) Lost(p *Params) (silence bool) {
	s.lost++
	if !s.have {
		*p = SilenceParams
		return true
	}
	if s.lost > 1 {
		muted := true
		for j := range s.last.Sub {
			if s.last.Sub[j].Xmaxc != 0 {
				muted = false
			}
		}
		if muted {
			*p = SilenceParams
			return true
		}
		for j := range s.last.Sub {
			sf := &s.last.Sub[j]
			sf.Xmaxc = uint8(max(int(sf.Xmaxc&63)-4, 0))
			sf.Mc = uint8(s.next() & 3)
		}
	}
	*p = s.last
	return false
}

// next is a 32-bit xorshift step (Marsaglia), enough to decorrelate grid
// positions.
func (s *Substitutor) next() uint32 {
	x := s.rnd
	if x == 0 {
		x = 0x9E3779B9
	}
	x ^= x << 13
	x ^= x >> 17
	x ^= x << 5
	s.rnd = x
	return x >> 16
}
