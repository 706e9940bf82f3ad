package rr

import (
	"math/rand/v2"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// randomSet draws n distinct channels of band b within a window of span
// channels (in the band's frequency order), from rng.
func randomSet(rng *rand.Rand, b tdma.Band, n, span int) FreqSet {
	ch := b.Channels()
	if span > len(ch) {
		span = len(ch)
	}
	start := rng.IntN(len(ch) - span + 1)
	win := ch[start : start+span]
	var s FreqSet
	for s.Len() < n && s.Len() < len(win) {
		s.Add(win[rng.IntN(len(win))])
	}
	return s
}

func TestFreqListRoundTripRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	bands := []tdma.Band{tdma.GSM900, tdma.RGSM900, tdma.GSM850, tdma.DCS1800, tdma.PCS1900}
	for _, f := range []FreqFormat{FormatBitmap0, FormatRange1024, FormatRange512, FormatRange256, FormatRange128, FormatVarBitmap} {
		for _, b := range bands {
			ok := 0
			for i := 0; i < 300; i++ {
				var s FreqSet
				switch f {
				case FormatBitmap0:
					if b != tdma.GSM900 {
						continue
					}
					s = randomSet(rng, b, 1+rng.IntN(60), 1000)
					if s.Has(0) || s.next(125) >= 0 {
						continue
					}
				case FormatRange1024:
					s = randomSet(rng, b, 1+rng.IntN(16), 1000)
					if b.Contains(0) && rng.IntN(3) == 0 {
						s.Add(0)
					}
				case FormatRange512:
					s = randomSet(rng, b, 1+rng.IntN(18), 512)
				case FormatRange256:
					s = randomSet(rng, b, 1+rng.IntN(22), 256)
				case FormatRange128:
					s = randomSet(rng, b, 1+rng.IntN(29), 128)
				case FormatVarBitmap:
					s = randomSet(rng, b, 1+rng.IntN(100), 112)
				}
				var buf [FreqListLen]byte
				err := EncodeFreqListFormat(&buf, &s, 0, f)
				if err != nil {
					t.Errorf("EncodeFreqListFormat(%v, %v) = %v", s, f, err)
					continue
				}
				got, gf, _, err := DecodeFreqList(buf[:])
				if err != nil || gf != f || got != s {
					t.Errorf("DecodeFreqList(% x) = %v, %v, %v, want %v, %v", buf, got, gf, err, s, f)
				}
				ok++
			}
			if ok == 0 && (f != FormatBitmap0 || b == tdma.GSM900) {
				t.Errorf("%v/%v: no set tested", f, b)
			}
		}
	}
}
