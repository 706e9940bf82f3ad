package coding

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Fuzz targets for every decoder: soft bits from the air are arbitrary, so
// a decoder must never panic, its quality figure must stay in range, and a
// block it accepts must survive re-encoding and decoding unchanged.

var writeSeeds = flag.Bool("write-seeds", false, "rewrite the seed corpora in testdata/fuzz")

// softFrom fills dst with data as soft bits (int8), zero-padded.
func softFrom(dst []int8, data []byte) {
	clear(dst)
	for i := range dst {
		if i < len(data) {
			dst[i] = int8(data[i])
		}
	}
}

func hardToBytes(b []byte) []byte {
	out := make([]byte, len(b))
	for i, v := range b {
		if v != 0 {
			out[i] = 0x81 // −127
		} else {
			out[i] = 0x7f
		}
	}
	return out
}

func checkQuality(t *testing.T, q Quality, bits int) {
	t.Helper()
	if q.Bits != bits || q.BitErrors < 0 || q.BitErrors > q.Bits {
		t.Fatalf("quality %+v out of range for %d bits", q, bits)
	}
}

func FuzzDecodeXCCH(f *testing.F) {
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var s [4][116]int8
		for b := range s {
			if len(data) > b*116 {
				softFrom(s[b][:], data[b*116:])
			}
		}
		var msg [23]byte
		q, ok := DecodeXCCH(&msg, &s)
		checkQuality(t, q, 456)
		if !ok {
			return
		}
		var c [4][116]byte
		EncodeXCCH(&c, &msg)
		s2 := softBursts(&c)
		var back [23]byte
		if q2, ok2 := DecodeXCCH(&back, &s2); !ok2 || back != msg || q2.BitErrors != 0 {
			t.Fatalf("re-decode of %x = %x %v %+v", msg, back, ok2, q2)
		}
	})
}

func FuzzDecodeSCH(f *testing.F) {
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var s [78]int8
		softFrom(s[:], data)
		var info [25]byte
		q, ok := DecodeSCH(&info, &s)
		checkQuality(t, q, 78)
		bsic, t1, t2, t3p := UnpackSCHInfo(&info)
		if !bsic.Valid() || t1 > 2047 || t2 > 31 || t3p > 7 {
			t.Fatalf("UnpackSCHInfo out of range: %v %d %d %d", bsic, t1, t2, t3p)
		}
		if !ok {
			return
		}
		var c [78]byte
		EncodeSCH(&c, &info)
		toSoft(s[:], c[:])
		var back [25]byte
		if q2, ok2 := DecodeSCH(&back, &s); !ok2 || back != info || q2.BitErrors != 0 {
			t.Fatalf("re-decode of %v = %v %v %+v", info, back, ok2, q2)
		}
	})
}

func FuzzDecodeRACH(f *testing.F) {
	f.Add(uint8(0), []byte{})
	f.Fuzz(func(t *testing.T, bsicv uint8, data []byte) {
		bsic := tdma.BSICFromValue(bsicv & 63)
		var s [36]int8
		softFrom(s[:], data)
		ra, q, ok := DecodeRACH(&s, bsic)
		checkQuality(t, q, 36)
		if ok {
			var c [36]byte
			EncodeRACH(&c, ra, bsic)
			var s2 [36]int8
			toSoft(s2[:], c[:])
			if ra2, q2, ok2 := DecodeRACH(&s2, bsic); !ok2 || ra2 != ra || q2.BitErrors != 0 {
				t.Fatalf("re-decode of RA %d = %d %v %+v", ra, ra2, ok2, q2)
			}
		}
		ra11, q, ok := DecodeRACH11(&s, bsic)
		checkQuality(t, q, 36)
		if ra11 > 0x7ff {
			t.Fatalf("DecodeRACH11 = %#x, more than 11 bits", ra11)
		}
		if ok {
			var c [36]byte
			EncodeRACH11(&c, ra11, bsic)
			var s2 [36]int8
			toSoft(s2[:], c[:])
			if ra2, q2, ok2 := DecodeRACH11(&s2, bsic); !ok2 || ra2 != ra11 || q2.BitErrors != 0 {
				t.Fatalf("re-decode of RA11 %d = %d %v %+v", ra11, ra2, ok2, q2)
			}
		}
	})
}

// FuzzTCHFDecoder feeds three groups of four bursts to a decoder: the
// second and third calls complete blocks.
func FuzzTCHFDecoder(f *testing.F) {
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var d TCHFDecoder
		for call := range 3 {
			var s [4][116]int8
			for b := range s {
				off := (call*4 + b) * 116
				if len(data) > off {
					softFrom(s[b][:], data[off:])
				}
			}
			var sp [260]byte
			var m [23]byte
			kind, q, ok := d.Decode(&sp, &m, &s)
			switch kind {
			case TCHFNone:
				if call != 0 {
					t.Fatalf("call %d: no block", call)
				}
			case TCHFSpeech:
				checkQuality(t, q, 378)
				for _, v := range sp {
					if v > 1 {
						t.Fatalf("speech bit %d", v)
					}
				}
				var frame [33]byte
				FRToRTP(&frame, &sp)
				var back [260]byte
				if err := FRFromRTP(&back, frame[:]); err != nil || back != sp {
					t.Fatalf("RTP round trip: %v", err)
				}
			case TCHFFACCH:
				checkQuality(t, q, 456)
				if ok {
					var c [456]byte
					encodeBlock228(&c, &m)
					var cs [456]int8
					toSoft(cs[:], c[:])
					var back [23]byte
					if q2, ok2 := decodeBlock228(&back, &cs); !ok2 || back != m || q2.BitErrors != 0 {
						t.Fatalf("FACCH re-decode of %x = %x %v", m, back, ok2)
					}
				}
			default:
				t.Fatalf("kind %v", kind)
			}
		}
	})
}

func FuzzFRFromRTP(f *testing.F) {
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var d [260]byte
		if err := FRFromRTP(&d, data); err != nil {
			return
		}
		var back [33]byte
		FRToRTP(&back, &d)
		if string(back[:]) != string(data) {
			t.Fatalf("FRToRTP(FRFromRTP(%x)) = %x", data, back)
		}
	})
}

// TestWriteSeeds regenerates the committed seed corpora (valid blocks,
// noisy blocks, short inputs) with -write-seeds.
func TestWriteSeeds(t *testing.T) {
	if !*writeSeeds {
		t.Skip("run with -write-seeds to rewrite testdata/fuzz")
	}
	write := func(target, name string, args ...any) {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		s := "go test fuzz v1\n"
		for _, a := range args {
			switch v := a.(type) {
			case []byte:
				s += fmt.Sprintf("[]byte(%q)\n", v)
			case uint8:
				s += fmt.Sprintf("byte(%q)\n", v)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	msg := [23]byte{0x49, 0x06, 0x1b, 0x00, 0x01, 0x00, 0xf1, 0x10, 0x00, 0x01, 0x49, 0x03, 0x05, 0x1e, 0x45, 0x00, 0x3b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b}
	var xb [4][116]byte
	EncodeXCCH(&xb, &msg)
	var xs []byte
	for b := range xb {
		xs = append(xs, hardToBytes(xb[b][:])...)
	}
	write("FuzzDecodeXCCH", "valid", xs)
	noisy := append([]byte(nil), xs...)
	for i := 0; i < len(noisy); i += 37 {
		noisy[i] ^= 0xfe
	}
	write("FuzzDecodeXCCH", "noisy", noisy)
	write("FuzzDecodeXCCH", "short", []byte{1, 2, 3})

	var info [25]byte
	PackSCHInfo(&info, tdma.BSIC{NCC: 3, BCC: 5}, 1326*100+21)
	var sc [78]byte
	EncodeSCH(&sc, &info)
	write("FuzzDecodeSCH", "valid", hardToBytes(sc[:]))
	write("FuzzDecodeSCH", "zeros", make([]byte, 78))

	var rc [36]byte
	EncodeRACH(&rc, 0x23, tdma.BSIC{NCC: 1, BCC: 2})
	write("FuzzDecodeRACH", "valid", uint8(10), hardToBytes(rc[:]))
	EncodeRACH11(&rc, 0x5a5, tdma.BSIC{NCC: 1, BCC: 2})
	write("FuzzDecodeRACH", "valid11", uint8(10), hardToBytes(rc[:]))
	write("FuzzDecodeRACH", "wrongbsic", uint8(63), hardToBytes(rc[:]))

	var e TCHFEncoder
	var tch []byte
	var d [260]byte
	for i := range d {
		d[i] = byte(i*7/3) & 1
	}
	for call := range 3 {
		var b [4][116]byte
		if call == 1 {
			e.EncodeFACCH(&b, &msg)
		} else {
			e.EncodeSpeech(&b, &d)
		}
		for k := range b {
			tch = append(tch, hardToBytes(b[k][:])...)
		}
	}
	write("FuzzTCHFDecoder", "speech-facch-speech", tch)
	write("FuzzTCHFDecoder", "short", []byte{0x80, 0x7f})

	frame := make([]byte, 33)
	frame[0] = 0xd5
	for i := 1; i < 33; i++ {
		frame[i] = byte(i * 29)
	}
	write("FuzzFRFromRTP", "valid", frame)
	write("FuzzFRFromRTP", "badsig", append([]byte{0x15}, frame[1:]...))

	efr := [31]byte{0xC7}
	for i := 1; i < 31; i++ {
		efr[i] = byte(i * 53)
	}
	var ed [260]byte
	if err := EFRFromRTP(&ed, efr[:]); err != nil {
		t.Fatal(err)
	}
	write("FuzzEFRToRTP", "valid", ed[:])
	ed[efrRepeat0+1] ^= 1
	ed[3] ^= 1
	write("FuzzEFRToRTP", "bad-crc-split-copy", ed[:])
}
