package coding

import (
	"math/rand/v2"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// toSoft turns hard bits into confident soft bits (+ for 0).
func toSoft(dst []int8, hard []byte) {
	for i, b := range hard {
		if b != 0 {
			dst[i] = -127
		} else {
			dst[i] = 127
		}
	}
}

func softBursts(b *[4][116]byte) (s [4][116]int8) {
	for i := range b {
		toSoft(s[i][:], b[i][:])
	}
	return s
}

// flip negates n distinct soft bits chosen by rng among the payload bits of
// the bursts (the stealing flags are left alone).
func flip(rng *rand.Rand, s *[4][116]int8, n int) {
	seen := map[int]bool{}
	for len(seen) < n {
		i := rng.IntN(4 * 114)
		if seen[i] {
			continue
		}
		seen[i] = true
		b, j := i/114, ePos(i%114)
		s[b][j] = -s[b][j]
	}
}

// The impulse response of the code, straight from the generator
// polynomials of TS 45.003 §3.1.2.2: G0 taps 1,D³,D⁴ and G1 taps 1,D,D³,D⁴.
func TestConvEncodeImpulse(t *testing.T) {
	u := []byte{1, 0, 0, 0, 0}
	var c [10]byte
	ConvEncode(c[:], u)
	if got, want := bitString(c[:]), "1101001111"; got != want {
		t.Errorf("ConvEncode(10000) = %s, want %s", got, want)
	}
}

func TestViterbiCorrects(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for trial := range 200 {
		var u [MaxConvBits]byte
		for i := range u[:MaxConvBits-4] {
			u[i] = byte(rng.IntN(2))
		}
		var c [2 * MaxConvBits]byte
		ConvEncode(c[:], u[:])
		var s [2 * MaxConvBits]int8
		toSoft(s[:], c[:])
		// Errors spaced 20 coded bits apart are well within the code's
		// free distance of 7 per constraint span.
		for i := rng.IntN(20); i < len(s); i += 20 {
			s[i] = -s[i]
		}
		var v Viterbi
		var got [MaxConvBits]byte
		v.Decode(got[:], s[:])
		if got != u {
			t.Fatalf("trial %d: Viterbi.Decode did not correct spaced errors", trial)
		}
	}
}

// Every code word of the cyclic codes (Fire, SCH, RACH, TCH/FS) is a
// multiple of g(D) once the inversion of the parity is undone (TS 45.003
// §4.1.2, §4.7, §4.6, §3.1.2.1). We check that defining property for random
// data by long division of the whole word, independently of the encoder's
// shift register, and that one flipped bit is detected.
func TestCyclicCodesDivide(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, tc := range []struct {
		name string
		c    cyclicCode
		k    int
	}{{"fire", fireCode, 184}, {"sch", schCode, 25}, {"rach", rachCode, 8}, {"rach11", rachCode, 11}, {"tchfs", tchfsCode, 50}} {
		t.Run(tc.name, func(t *testing.T) {
			for range 50 {
				w := make([]byte, tc.k+int(tc.c.n))
				for i := range tc.k {
					w[i] = byte(rng.IntN(2))
				}
				tc.c.encode(w[tc.k:], w[:tc.k])
				for i := tc.k; i < len(w); i++ {
					w[i] ^= 1 // undo the inversion
				}
				// Long division of w(D) by g(D): reuse remainder on w with the
				// last n bits folded in, i.e. w(D) mod g(D) must be 0.
				n := tc.c.n
				var r uint64
				for _, b := range w {
					r = r<<1 | uint64(b)
					if r>>n&1 != 0 {
						r ^= 1<<n | tc.c.gen
					}
				}
				if r != 0 {
					t.Fatalf("%s code word %v leaves remainder %#x", tc.name, w, r)
				}
				if !tc.c.check(w[:tc.k], invert(w[tc.k:])) {
					t.Fatalf("%s check rejects its own code word", tc.name)
				}
				w[rng.IntN(tc.k)] ^= 1
				if tc.c.check(w[:tc.k], invert(w[tc.k:])) {
					t.Fatalf("%s check accepts a single bit error", tc.name)
				}
			}
		})
	}
	// All-zero information gives an all-one parity (the inverted zero
	// remainder), the well-known property of these codes.
	var p [40]byte
	fireCode.encode(p[:], make([]byte, 184))
	for i, b := range p {
		if b != 1 {
			t.Fatalf("Fire parity of zeros: p(%d) = %d, want 1", i, b)
		}
	}
}

func invert(b []byte) []byte {
	out := make([]byte, len(b))
	for i, v := range b {
		out[i] = v ^ 1
	}
	return out
}

func TestXCCHRoundTripWithErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, nflip := range []int{0, 1, 4, 8} {
		for trial := range 100 {
			var msg [23]byte
			for i := range msg {
				msg[i] = byte(rng.Uint32())
			}
			var b [4][116]byte
			EncodeXCCH(&b, &msg)
			for i := range b {
				if b[i][flagHL] != 1 || b[i][flagHU] != 1 {
					t.Fatalf("EncodeXCCH stealing flags of burst %d = %d%d, want 11", i, b[i][flagHL], b[i][flagHU])
				}
			}
			s := softBursts(&b)
			flip(rng, &s, nflip)
			var got [23]byte
			q, ok := DecodeXCCH(&got, &s)
			if !ok || got != msg {
				t.Fatalf("DecodeXCCH with %d flips (trial %d) = %x %v, want %x true", nflip, trial, got, ok, msg)
			}
			if q != (Quality{nflip, 456}) {
				t.Fatalf("DecodeXCCH with %d flips: quality = %+v, want {%d 456}", nflip, q, nflip)
			}
		}
	}
}

// With 15 random errors in 456 bits (3.3 %) nearly every block still
// decodes: what soft-decision Viterbi decoding buys.
func TestXCCHManyErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	const trials = 300
	good := 0
	for range trials {
		var msg [23]byte
		for i := range msg {
			msg[i] = byte(rng.Uint32())
		}
		var b [4][116]byte
		EncodeXCCH(&b, &msg)
		s := softBursts(&b)
		flip(rng, &s, 15)
		var got [23]byte
		if _, ok := DecodeXCCH(&got, &s); ok && got == msg {
			good++
		}
	}
	if good < trials*9/10 {
		t.Errorf("DecodeXCCH with 15 flips decoded %d of %d blocks, want ≥ 90 %%", good, trials)
	}
	t.Logf("15 flips: %d of %d blocks decoded", good, trials)
}

func TestXCCHDetectsGarbage(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	accepted := 0
	for range 500 {
		var s [4][116]int8
		for i := range s {
			for j := range s[i] {
				s[i][j] = int8(rng.IntN(255) - 127)
			}
		}
		var msg [23]byte
		if _, ok := DecodeXCCH(&msg, &s); ok {
			accepted++
		}
	}
	// The Fire code leaves a 2⁻⁴⁰ chance; none of 500 noise blocks may pass.
	if accepted != 0 {
		t.Errorf("DecodeXCCH accepted %d of 500 noise blocks, want 0", accepted)
	}
}

func TestSCHInfo(t *testing.T) {
	for _, tc := range []struct {
		bsic tdma.BSIC
		fn   tdma.FN
	}{
		{tdma.BSIC{}, 1},
		{tdma.BSIC{NCC: 7, BCC: 7}, tdma.HyperFrame - 10},
		{tdma.BSIC{NCC: 3, BCC: 4}, 2047*1326 + 25*51 + 41},
		{tdma.BSIC{NCC: 1, BCC: 0}, 1326 + 11},
	} {
		var info [25]byte
		PackSCHInfo(&info, tc.bsic, tc.fn)
		bsic, t1, t2, t3p := UnpackSCHInfo(&info)
		if bsic != tc.bsic || t1 != tc.fn.T1() || t2 != tc.fn.T2() || t3p != tc.fn.T3p() {
			t.Errorf("UnpackSCHInfo(PackSCHInfo(%v, %v)) = %v %d %d %d, want %v %d %d %d",
				tc.bsic, tc.fn, bsic, t1, t2, t3p, tc.bsic, tc.fn.T1(), tc.fn.T2(), tc.fn.T3p())
		}
		if tc.fn.T3()%10 == 1 {
			if got := tdma.FromT(t1, t2, 10*t3p+1); got != tc.fn {
				t.Errorf("FN from SCH of %v = %v", tc.fn, got)
			}
		}
	}
	// Bit layout, TS 44.018 §9.1.30 sent LSB first per octet: BSIC 63 with
	// everything else 0 puts ones in octet 1 bits 3..8, i.e. d(2)..d(7).
	var info [25]byte
	PackSCHInfo(&info, tdma.BSIC{NCC: 7, BCC: 7}, 1) // FN 1: T1=0, T2=1, T3'=0
	want := "0011111100000000001000000"
	if got := bitString(info[:]); got != want {
		t.Errorf("PackSCHInfo(BSIC 63, FN1) = %s, want %s", got, want)
	}
}

func TestSCHRoundTripWithErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for trial := range 300 {
		bsic := tdma.BSICFromValue(uint8(rng.IntN(64)))
		fn := tdma.FN(rng.IntN(tdma.HyperFrame/51)*51 + 1 + 10*rng.IntN(5))
		var info [25]byte
		PackSCHInfo(&info, bsic, fn)
		var c [78]byte
		EncodeSCH(&c, &info)
		var s [78]int8
		toSoft(s[:], c[:])
		// Two errors far apart.
		i := rng.IntN(30)
		s[i], s[i+40] = -s[i], -s[i+40]
		var got [25]byte
		q, ok := DecodeSCH(&got, &s)
		if !ok || got != info || q != (Quality{2, 78}) {
			t.Fatalf("DecodeSCH trial %d = %v %v %+v, want %v true {2 78}", trial, got, ok, q, info)
		}
	}
}

func TestRACH(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for ra := range 256 {
		bsic := tdma.BSICFromValue(uint8(rng.IntN(64)))
		var c [36]byte
		EncodeRACH(&c, uint8(ra), bsic)
		var s [36]int8
		toSoft(s[:], c[:])
		i := rng.IntN(36)
		s[i] = -s[i]
		got, q, ok := DecodeRACH(&s, bsic)
		if !ok || got != uint8(ra) || q != (Quality{1, 36}) {
			t.Fatalf("DecodeRACH(RA %d, %v) = %d %+v %v, want %d {1 36} true", ra, bsic, got, q, ok, ra)
		}
		other := tdma.BSICFromValue(bsic.Value() ^ uint8(1+rng.IntN(63)))
		toSoft(s[:], c[:])
		if _, _, ok := DecodeRACH(&s, other); ok {
			t.Fatalf("DecodeRACH(RA %d sent to %v) accepted by %v", ra, bsic, other)
		}
	}
	for _, ra := range []uint16{0, 1, 0x7ff, 0x400, 0x123, 0x5a5} {
		bsic := tdma.BSIC{NCC: 2, BCC: 6}
		var c [36]byte
		EncodeRACH11(&c, ra, bsic)
		var s [36]int8
		toSoft(s[:], c[:])
		got, q, ok := DecodeRACH11(&s, bsic)
		if !ok || got != ra || q != (Quality{0, 36}) {
			t.Errorf("DecodeRACH11(%#x) = %#x %+v %v, want %#x {0 36} true", ra, got, q, ok, ra)
		}
	}
}

// A stream of speech and FACCH blocks through encoder and decoder: each
// decode call completes the block sent one call earlier.
func TestTCHFStream(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	var enc TCHFEncoder
	var dec TCHFDecoder
	type block struct {
		facch  bool
		speech [260]byte
		msg    [23]byte
	}
	var prev *block
	for n := range 60 {
		blk := &block{facch: n%5 == 3}
		if blk.facch {
			for i := range blk.msg {
				blk.msg[i] = byte(rng.Uint32())
			}
		} else {
			for i := range blk.speech {
				blk.speech[i] = byte(rng.IntN(2))
			}
		}
		var b [4][116]byte
		if blk.facch {
			enc.EncodeFACCH(&b, &blk.msg)
		} else {
			enc.EncodeSpeech(&b, &blk.speech)
		}
		s := softBursts(&b)
		flip(rng, &s, 3)
		var sp [260]byte
		var m [23]byte
		kind, q, ok := dec.Decode(&sp, &m, &s)
		switch {
		case prev == nil:
			if kind != TCHFNone {
				t.Fatalf("first Decode = %v, want none", kind)
			}
		case prev.facch:
			if kind != TCHFFACCH || !ok || m != prev.msg {
				t.Fatalf("block %d: Decode = %v %v %x, want facch true %x", n-1, kind, ok, m, prev.msg)
			}
		default:
			// Class II bits are uncoded: a flip there is passed through.
			if kind != TCHFSpeech || !ok || [182]byte(sp[:182]) != [182]byte(prev.speech[:182]) {
				t.Fatalf("block %d: Decode = %v %v, want speech true", n-1, kind, ok)
			}
			if q.Bits != 378 || q.BitErrors > 6 {
				t.Fatalf("block %d: quality %+v, want ≤ 6 of 378", n-1, q)
			}
		}
		prev = blk
	}
}

func TestTCHFSBadFrame(t *testing.T) {
	// Corrupt a class Ia bit after coding, beyond the code's reach: the CRC
	// must flag it (a bad frame), not pass it on as speech.
	var d [260]byte
	var c [456]byte
	encodeTCHFS(&c, &d)
	var s [456]int8
	toSoft(s[:], c[:])
	// Flip a dense run of coded bits around d(0)'s position (u(0)).
	for i := 0; i < 12; i++ {
		s[i] = -s[i]
	}
	var got [260]byte
	if _, ok := decodeTCHFS(&got, &s); ok && got != d {
		t.Errorf("decodeTCHFS passed a corrupted frame with a good CRC")
	}
}

func TestFRRTP(t *testing.T) {
	seen := map[uint16]bool{}
	for _, k := range frRTPToClass {
		if k >= 260 || seen[k] {
			t.Fatalf("frRTPToClass is not a permutation: %d", k)
		}
		seen[k] = true
	}
	// TS 45.003 Table 2 puts the MSBs of LARc1 first: d(0) is LARc1 bit 5,
	// the first bit of an RTP frame.
	if frRTPToClass[0] != 0 {
		t.Errorf("frRTPToClass[0] = %d, want 0", frRTPToClass[0])
	}
	rng := rand.New(rand.NewPCG(51, 52))
	for range 20 {
		var f [33]byte
		for i := range f {
			f[i] = byte(rng.Uint32())
		}
		f[0] = 0xD0 | f[0]&15
		var d [260]byte
		if err := FRFromRTP(&d, f[:]); err != nil {
			t.Fatal(err)
		}
		var back [33]byte
		FRToRTP(&back, &d)
		if back != f {
			t.Fatalf("FRToRTP(FRFromRTP(%x)) = %x", f, back)
		}
	}
	for _, bad := range [][]byte{nil, make([]byte, 32), make([]byte, 34), make([]byte, 33)} {
		var d [260]byte
		if err := FRFromRTP(&d, bad); err == nil {
			t.Errorf("FRFromRTP(%x) = nil, want error", bad)
		}
	}
}

// TestSCHInfoLayout checks PackSCHInfo against the field positions an
// independent receiver reads: gr-gsm's SCH decoder (lib/decoding/sch.c)
// takes NCC from d(7..5), BCC from d(4..2), T1 from d(1), d(0), d(15..8),
// d(23), T2 from d(22..18) and T3' from d(17), d(16), d(24), each list most
// significant bit first.
func TestSCHInfoLayout(t *testing.T) {
	field := func(info *[25]byte, idx ...int) int {
		v := 0
		for _, i := range idx {
			v = v<<1 | int(info[i])
		}
		return v
	}
	rng := rand.New(rand.NewPCG(91, 92))
	for range 200 {
		bsic := tdma.BSICFromValue(uint8(rng.IntN(64)))
		fn := tdma.FN(rng.IntN(tdma.HyperFrame/51)*51 + 1 + 10*rng.IntN(5))
		var info [25]byte
		PackSCHInfo(&info, bsic, fn)
		ncc := field(&info, 7, 6, 5)
		bcc := field(&info, 4, 3, 2)
		t1 := field(&info, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8, 23)
		t2 := field(&info, 22, 21, 20, 19, 18)
		t3p := field(&info, 17, 16, 24)
		if ncc != int(bsic.NCC) || bcc != int(bsic.BCC) || t1 != fn.T1() || t2 != fn.T2() || t3p != fn.T3p() {
			t.Fatalf("PackSCHInfo(%v, %v) read as NCC %d BCC %d T1 %d T2 %d T3' %d", bsic, fn, ncc, bcc, t1, t2, t3p)
		}
	}
}

// Every entry point runs without allocating.
func TestZeroAlloc(t *testing.T) {
	var msg [23]byte
	var b4 [4][116]byte
	var s4 [4][116]int8
	var info [25]byte
	var sch [78]byte
	var schs [78]int8
	var rach [36]byte
	var rachs [36]int8
	var enc TCHFEncoder
	var dec TCHFDecoder
	var d [260]byte
	var frame [33]byte
	frame[0] = 0xD0
	bsic := tdma.BSIC{NCC: 1, BCC: 2}
	for name, f := range map[string]func(){
		"EncodeXCCH":   func() { EncodeXCCH(&b4, &msg) },
		"DecodeXCCH":   func() { DecodeXCCH(&msg, &s4) },
		"PackSCHInfo":  func() { PackSCHInfo(&info, bsic, 1) },
		"EncodeSCH":    func() { EncodeSCH(&sch, &info) },
		"DecodeSCH":    func() { DecodeSCH(&info, &schs) },
		"EncodeRACH":   func() { EncodeRACH(&rach, 1, bsic) },
		"DecodeRACH":   func() { DecodeRACH(&rachs, bsic) },
		"EncodeRACH11": func() { EncodeRACH11(&rach, 1, bsic) },
		"DecodeRACH11": func() { DecodeRACH11(&rachs, bsic) },
		"EncodeSpeech": func() { enc.EncodeSpeech(&b4, &d) },
		"EncodeFACCH":  func() { enc.EncodeFACCH(&b4, &msg) },
		"Decode":       func() { dec.Decode(&d, &msg, &s4) },
		"DecodeNil":    func() { dec.Decode(nil, nil, &s4) },
		"FRFromRTP":    func() { FRFromRTP(&d, frame[:]) },
		"FRToRTP":      func() { FRToRTP(&frame, &d) },
	} {
		if n := testing.AllocsPerRun(20, f); n != 0 {
			t.Errorf("%s allocates %v times per call, want 0", name, n)
		}
	}
}

// On pure noise the colour check lets through about 1 burst in 64, and the
// ones it lets through have many bit errors.
func TestRACHOnNoise(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 9))
	const n = 20000
	acc, few := 0, 0
	for range n {
		var s [36]int8
		for i := range s {
			s[i] = int8(rng.IntN(255) - 127)
		}
		if _, q, ok := DecodeRACH(&s, tdma.BSIC{NCC: 1, BCC: 2}); ok {
			acc++
			if q.BitErrors <= 3 {
				few++
			}
		}
	}
	if r := float64(acc) / n; r < 1.0/64*0.7 || r > 1.0/64*1.3 {
		t.Errorf("DecodeRACH accepts %.4f of noise bursts, want about 1/64", r)
	}
	if few > n/2000 {
		t.Errorf("DecodeRACH accepted %d of %d noise bursts with ≤ 3 errors", few, n)
	}
}
