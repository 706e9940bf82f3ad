package coding

import (
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"testing"
)

// randomEFR returns a random EFR frame in the RTP payload format.
func randomEFR(rng *rand.Rand) [31]byte {
	var f [31]byte
	for j := range f {
		f[j] = byte(rng.Uint32())
	}
	f[0] = 0xC0 | f[0]&15
	return f
}

// oneEFRBlock encodes one TCH/EFS block into a fresh encoder and returns
// the eight bursts it touches, as oneBlock does for TCH/FS.
func oneEFRBlock(f *[31]byte) string {
	var e TCHFEncoder
	var first [4][116]byte
	if err := e.EncodeEFR(&first, f); err != nil {
		panic(err)
	}
	s := ""
	for b := range 4 {
		s += bitString(first[b][:])
	}
	for b := range 4 {
		s += bitString(e.pend[b][:])
	}
	return s
}

// TCH/EFS blocks are bit-identical to libosmocoding's
// gsm0503_tch_fr_encode given the same EFR frame (31 octets).
func TestTCHEFRAgainstLibosmocoding(t *testing.T) {
	o := startOracle(t, "osmocoding.py")
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 40 {
		f := randomEFR(rng)
		if i == 0 {
			f = [31]byte{0xC0}
		}
		got := oneEFRBlock(&f)
		if want := o.ask("tchfr " + hex.EncodeToString(f[:])); got != want {
			t.Errorf("TCH/EFS block of %x =\n%s, want\n%s", f, got, want)
		}
	}
}

// The CRC of the EFR preliminary coding is g(D) = D⁸ + D⁴ + D³ + D² + 1
// (TS 45.003 §3.1.1.1): every code word, the 65 bits followed by the 8
// parity bits, is a multiple of g(D) (checked by long division, apart
// from the shift register of remainder), and it is not inverted.
func TestEFRCRCDivides(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for range 100 {
		f := randomEFR(rng)
		var d [260]byte
		if err := EFRFromRTP(&d, f[:]); err != nil {
			t.Fatal(err)
		}
		var r uint64
		var w []byte
		for _, k := range efrCRCOrder {
			w = append(w, d[k])
		}
		w = append(w, d[efrProtected:efrProtected+8]...)
		for _, b := range w {
			r = r<<1 | uint64(b)
			if r>>8&1 != 0 {
				r ^= 1<<8 | 0x1d
			}
		}
		if r != 0 {
			t.Fatalf("EFR code word of %x leaves remainder %#x", f, r)
		}
	}
}

// Encode, decode over clean and noisy channels, and the bad-frame cases.
func TestTCHEFRRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 11))
	var enc TCHFEncoder
	var dec TCHFDecoder
	var prev [31]byte
	for i := range 60 {
		f := randomEFR(rng)
		var b [4][116]byte
		if err := enc.EncodeEFR(&b, &f); err != nil {
			t.Fatal(err)
		}
		s := softBursts(&b)
		if i%3 == 1 {
			flip(rng, &s, 8) // within the convolutional code's reach
		}
		var got [31]byte
		kind, _, ok := dec.DecodeEFR(&got, nil, &s)
		if i == 0 {
			if kind != TCHFNone {
				t.Fatalf("first call: kind %v", kind)
			}
		} else if kind != TCHFSpeech || !ok {
			t.Errorf("block %d: DecodeEFR = %v %v", i-1, kind, ok)
		} else if got != prev && i%3 == 0 {
			// Blocks i-1 and i share the noisy bursts of call i%3 == 1,
			// whose errors may land on unprotected class II bits; the
			// others must be exact.
			t.Errorf("block %d: DecodeEFR = %x, want %x", i-1, got, prev)
		}
		prev = f
	}
}

// A repeated bit survives one corrupted copy (majority), and a corrupted
// protected bit fails the EFR CRC even when the TCH/FS CRC (class Ia
// only) cannot see it.
func TestEFRRepetitionAndCRC(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 13))
	for range 50 {
		f := randomEFR(rng)
		var d [260]byte
		if err := EFRFromRTP(&d, f[:]); err != nil {
			t.Fatal(err)
		}
		var got [31]byte
		if !EFRToRTP(&got, &d) || got != f {
			t.Fatalf("EFRToRTP(EFRFromRTP(%x)) = %x", f, got)
		}
		j := rng.IntN(4)
		d[efrRepeat0+3*j+rng.IntN(3)] ^= 1
		if !EFRToRTP(&got, &d) || got != f {
			t.Errorf("one corrupted copy of repeated bit %d not outvoted", j)
		}
		d[efrRepeat0+3*j] ^= 1 // restore whichever: re-encode instead
		EFRFromRTP(&d, f[:])
		k := tchClassIa + rng.IntN(efrProtected-tchClassIa) // class Ib, under the EFR CRC only
		d[k] ^= 1
		if EFRToRTP(&got, &d) {
			t.Errorf("flipped protected bit d(%d) passed the EFR CRC", k)
		}
	}
	if err := EFRFromRTP(new([260]byte), make([]byte, 31)); !errors.Is(err, ErrFrameSignature) {
		t.Errorf("EFRFromRTP(no signature) = %v, want %v", err, ErrFrameSignature)
	}
	if err := EFRFromRTP(new([260]byte), make([]byte, 33)); !errors.Is(err, ErrFrameSize) {
		t.Errorf("EFRFromRTP(33 octets) = %v, want %v", err, ErrFrameSize)
	}
}

// Every RTP bit has its own class position, and the positions left over
// are exactly the CRC bits and the two extra copies of the repeated bits.
func TestEFRTableIsPermutation(t *testing.T) {
	var used [260]int
	for _, k := range efrRTPToClass {
		used[k]++
	}
	for j := range efrRepeated {
		p := efrRepeat0 + 3*j
		if efrRTPToClass[efrRepeated[j]] != uint16(p) {
			t.Errorf("repeated bit %d at d(%d), want d(%d)", efrRepeated[j], efrRTPToClass[efrRepeated[j]], p)
		}
		used[p+1]++
		used[p+2]++
	}
	for i := range 8 {
		used[efrProtected+i]++
	}
	for k, n := range used {
		if n != 1 {
			t.Errorf("d(%d) used %d times", k, n)
		}
	}
}

func BenchmarkTCHEFREncode(b *testing.B) {
	var e TCHFEncoder
	f := [31]byte{0xC0, 1, 2, 3}
	var dst [4][116]byte
	b.ReportAllocs()
	for b.Loop() {
		e.EncodeEFR(&dst, &f)
	}
	perBurst(b, 4)
}

func BenchmarkTCHEFRDecode(b *testing.B) {
	var e TCHFEncoder
	f := [31]byte{0xC0, 1, 2, 3}
	var c [4][116]byte
	e.EncodeEFR(&c, &f)
	s := softBursts(&c)
	var dec TCHFDecoder
	var out [31]byte
	b.ReportAllocs()
	for b.Loop() {
		dec.DecodeEFR(&out, nil, &s)
	}
	perBurst(b, 4)
}

func FuzzEFRToRTP(f *testing.F) {
	f.Add(make([]byte, 260))
	f.Fuzz(func(t *testing.T, data []byte) {
		var d [260]byte
		for i := range d {
			if i < len(data) {
				d[i] = data[i] & 1
			}
		}
		var frame [31]byte
		ok := EFRToRTP(&frame, &d)
		var back [260]byte
		if err := EFRFromRTP(&back, frame[:]); err != nil {
			t.Fatalf("EFRFromRTP(EFRToRTP(...)) = %v", err)
		}
		// With the CRC good and the copies agreeing, the bits round-trip.
		agree := true
		for j := range efrRepeated {
			p := efrRepeat0 + 3*j
			agree = agree && d[p] == d[p+1] && d[p] == d[p+2]
		}
		if ok && agree && back != d {
			t.Fatalf("EFRFromRTP(EFRToRTP(d)) != d for a frame with a good CRC")
		}
		var again [31]byte
		if !EFRToRTP(&again, &back) || again != frame {
			t.Fatalf("re-encoded frame does not decode to itself")
		}
	})
}
