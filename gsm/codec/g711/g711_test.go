package g711

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gsmbox/gsmbox/tools/testtool"
)

var update = flag.Bool("update", false, "regenerate testdata with python3 audioop")

// TestKnownValues checks values fixed by ITU-T G.711 Tables 1 and 2 (the
// decoder outputs of the end points of the characteristics, scaled to 16
// bits) and the code words of the first and last intervals.
func TestKnownValues(t *testing.T) {
	tests := []struct {
		name      string
		got, want int
	}{
		{"ALawToLinear(0xD5)", int(ALawToLinear(0xD5)), 8},      // +1 in 13-bit units, first interval
		{"ALawToLinear(0x55)", int(ALawToLinear(0x55)), -8},     // -1
		{"ALawToLinear(0xAA)", int(ALawToLinear(0xAA)), 32256},  // +4032, last interval
		{"ALawToLinear(0x2A)", int(ALawToLinear(0x2A)), -32256}, // -4032
		{"ALawToLinear(0xC5)", int(ALawToLinear(0xC5)), 264},    // segment 1 start: +33
		{"ULawToLinear(0xFF)", int(ULawToLinear(0xFF)), 0},      // +0
		{"ULawToLinear(0x7F)", int(ULawToLinear(0x7F)), 0},      // -0
		{"ULawToLinear(0x80)", int(ULawToLinear(0x80)), 32124},  // +8031
		{"ULawToLinear(0x00)", int(ULawToLinear(0x00)), -32124}, // -8031
		{"ULawToLinear(0xEF)", int(ULawToLinear(0xEF)), 4 * 33}, // segment 1, first step: 33
		{"LinearToALaw(0)", int(LinearToALaw(0)), 0xD5},
		{"LinearToALaw(-1)", int(LinearToALaw(-1)), 0x55},
		{"LinearToALaw(32767)", int(LinearToALaw(32767)), 0xAA},
		{"LinearToALaw(-32768)", int(LinearToALaw(-32768)), 0x2A},
		{"LinearToULaw(0)", int(LinearToULaw(0)), 0xFF},
		{"LinearToULaw(32767)", int(LinearToULaw(32767)), 0x80},
		{"LinearToULaw(-32768)", int(LinearToULaw(-32768)), 0x00},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("%s = %#x, want %#x", tt.name, tt.got, tt.want)
			}
		})
	}
}

// TestSegmentBoundaries checks that the code changes segment exactly at
// the G.711 decision values (13-bit A-law: 32, 64, ..., 2048; 14-bit
// µ-law: 31, 95, 223, 479, 991, 2015, 4063).
func TestSegmentBoundaries(t *testing.T) {
	for seg := 1; seg < 8; seg++ {
		lo := int16((16 << seg) << 3) // first 16-bit value of A-law segment seg
		if got := int(LinearToALaw(lo)^0xD5) >> 4; got != seg {
			t.Errorf("segment(LinearToALaw(%d)) = %d, want %d", lo, got, seg)
		}
		if got := int(LinearToALaw(lo-1)^0xD5) >> 4; got != seg-1 {
			t.Errorf("segment(LinearToALaw(%d)) = %d, want %d", lo-1, got, seg-1)
		}
		ulo := int16((32<<seg - 33) << 2)
		if got := int(^LinearToULaw(ulo)&0x7F) >> 4; got != seg {
			t.Errorf("segment(LinearToULaw(%d)) = %d, want %d", ulo, got, seg)
		}
		if got := int(^LinearToULaw(ulo-1)&0x7F) >> 4; got != seg-1 {
			t.Errorf("segment(LinearToULaw(%d)) = %d, want %d", ulo-1, got, seg-1)
		}
	}
}

// TestRoundTripCodes: every code decodes to a value that encodes back to
// the same code, except µ-law negative zero (0x7F), which becomes +0.
func TestRoundTripCodes(t *testing.T) {
	for c := 0; c < 256; c++ {
		if got := LinearToALaw(ALawToLinear(byte(c))); got != byte(c) {
			t.Errorf("LinearToALaw(ALawToLinear(%#02x)) = %#02x, want %#02x", c, got, c)
		}
		want := byte(c)
		if c == 0x7F {
			want = 0xFF
		}
		if got := LinearToULaw(ULawToLinear(byte(c))); got != want {
			t.Errorf("LinearToULaw(ULawToLinear(%#02x)) = %#02x, want %#02x", c, got, want)
		}
	}
}

// TestMonotonic: the encoders are monotonic in the input.
func TestMonotonic(t *testing.T) {
	prevA, prevU := ALawToLinear(LinearToALaw(-32768)), ULawToLinear(LinearToULaw(-32768))
	for x := -32767; x < 32768; x++ {
		a, u := ALawToLinear(LinearToALaw(int16(x))), ULawToLinear(LinearToULaw(int16(x)))
		if a < prevA || u < prevU {
			t.Fatalf("decode(encode(%d)) decreased: A %d -> %d, µ %d -> %d", x, prevA, a, prevU, u)
		}
		prevA, prevU = a, u
	}
}

// tables is the exhaustive behaviour: encodings of all 65536 inputs
// (from -32768 up) and decodings of all 256 codes (16-bit little endian).
type tables struct{ alaw, ulaw, alin, ulin []byte }

func ours() tables {
	var tb tables
	in := make([]int16, 65536)
	for i := range in {
		in[i] = int16(i - 32768)
	}
	tb.alaw, tb.ulaw = make([]byte, 65536), make([]byte, 65536)
	EncodeALaw(tb.alaw, in)
	EncodeULaw(tb.ulaw, in)
	codes := make([]byte, 256)
	for i := range codes {
		codes[i] = byte(i)
	}
	al, ul := make([]int16, 256), make([]int16, 256)
	DecodeALaw(al, codes)
	DecodeULaw(ul, codes)
	for i := range al {
		tb.alin = append(tb.alin, byte(al[i]), byte(uint16(al[i])>>8))
		tb.ulin = append(tb.ulin, byte(ul[i]), byte(uint16(ul[i])>>8))
	}
	return tb
}

// audioopScript prints nothing; it writes the four tables to the files
// named on its command line.
const audioopScript = `
import sys, struct, warnings
warnings.simplefilter("ignore")
import audioop
lin = struct.pack('<65536h', *range(-32768, 32768))
codes = bytes(range(256))
out = [audioop.lin2alaw(lin, 2), audioop.lin2ulaw(lin, 2), audioop.alaw2lin(codes, 2), audioop.ulaw2lin(codes, 2)]
for name, data in zip(sys.argv[1:], out):
    open(name, 'wb').write(data)
`

var tableFiles = []string{"lin2alaw.bin", "lin2ulaw.bin", "alaw2lin.bin", "ulaw2lin.bin"}

func audioop(t *testing.T, dir string) tables {
	t.Helper()
	py := testtool.Need(t, "python3")
	args := []string{"-c", audioopScript}
	for _, f := range tableFiles {
		args = append(args, filepath.Join(dir, f))
	}
	if out, err := exec.Command(py, args...).CombinedOutput(); err != nil {
		if bytes.Contains(out, []byte("No module named 'audioop'")) {
			msg := py + " has no audioop module (removed in Python 3.13); use a python3 <= 3.12"
			if testtool.Required() {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
		t.Fatalf("python3 audioop: %v: %s", err, out)
	}
	return readTables(t, dir)
}

func readTables(t *testing.T, dir string) tables {
	t.Helper()
	var b [4][]byte
	for i, f := range tableFiles {
		var err error
		if b[i], err = os.ReadFile(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	return tables{b[0], b[1], b[2], b[3]}
}

func compareTables(t *testing.T, got, want tables) {
	t.Helper()
	check := func(name string, got, want []byte, unit int) {
		if len(got) != len(want) {
			t.Errorf("%s: len %d, want %d", name, len(got), len(want))
			return
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s differs at entry %d (input %d): % x, want % x", name, i/unit, i/unit-32768*(2-unit),
					got[i/unit*unit:i/unit*unit+unit], want[i/unit*unit:i/unit*unit+unit])
				return
			}
		}
	}
	check("LinearToALaw", got.alaw, want.alaw, 1)
	check("LinearToULaw", got.ulaw, want.ulaw, 1)
	check("ALawToLinear", got.alin, want.alin, 2)
	check("ULawToLinear", got.ulin, want.ulin, 2)
}

// TestAudioopLive compares all 65536 inputs and 256 codes with Python's
// audioop (an independent C implementation), run now.
func TestAudioopLive(t *testing.T) {
	compareTables(t, ours(), audioop(t, t.TempDir()))
}

// TestVectors compares with the committed audioop tables (testdata/README.md).
func TestVectors(t *testing.T) {
	if *update {
		audioop(t, "testdata")
	}
	compareTables(t, ours(), readTables(t, "testdata"))
}
