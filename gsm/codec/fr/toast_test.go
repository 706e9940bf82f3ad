package fr

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/tools/testtool"
)

// runTool runs prog with args and returns its stdout.
func runTool(t *testing.T, prog string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(prog, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v: %s", prog, args, err, errb.String())
	}
	return out.Bytes()
}

func toastEncode(t *testing.T, toast string, pcm []int16) []byte {
	t.Helper()
	in := filepath.Join(t.TempDir(), "in.raw")
	if err := os.WriteFile(in, pcmBytes(pcm), 0o644); err != nil {
		t.Fatal(err)
	}
	// -c: write to stdout and keep the input; -l: 16-bit linear input.
	return runTool(t, toast, "-l", "-c", in)
}

func untoastDecode(t *testing.T, untoast string, gsm []byte) []int16 {
	t.Helper()
	in := filepath.Join(t.TempDir(), "in.gsm")
	if err := os.WriteFile(in, gsm, 0o644); err != nil {
		t.Fatal(err)
	}
	return bytesPCM(runTool(t, untoast, "-l", "-c", in))
}

func firstFrameDiff(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i / FrameSize
		}
	}
	return min(len(a), len(b)) / FrameSize
}

func firstSampleDiff(a, b []int16) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestToastLive compares the codec with Debian's toast/untoast (libgsm) on
// freshly generated seeded signals: our encoder's frames must equal
// toast's byte for byte, and our decoder's samples must equal untoast's,
// for toast's frames and for random frames.
func TestToastLive(t *testing.T) {
	toast := testtool.Need(t, "toast")
	untoast := testtool.Need(t, "untoast")
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	for _, sig := range testSignals(seed) {
		t.Run(sig.name, func(t *testing.T) {
			want := toastEncode(t, toast, sig.pcm)
			got := encodeAll(sig.pcm)
			if !bytes.Equal(got, want) {
				t.Fatalf("Encode(%s) differs from toast from frame %d of %d (len %d, want %d)",
					sig.name, firstFrameDiff(got, want), len(want)/FrameSize, len(got), len(want))
			}
			wantPCM := untoastDecode(t, untoast, want)
			gotPCM, err := decodeAll(want)
			if err != nil {
				t.Fatal(err)
			}
			if i := firstSampleDiff(gotPCM, wantPCM); i != len(wantPCM) || len(gotPCM) != len(wantPCM) {
				t.Fatalf("Decode(toast(%s)) differs from untoast at sample %d of %d", sig.name, i, len(wantPCM))
			}
		})
	}
	t.Run("random_frames", func(t *testing.T) {
		gsm := append(extremeFrames(), randomFrames(500, seed)...)
		want := untoastDecode(t, untoast, gsm)
		got, err := decodeAll(gsm)
		if err != nil {
			t.Fatal(err)
		}
		if i := firstSampleDiff(got, want); i != len(want) || len(got) != len(want) {
			t.Fatalf("Decode(random) differs from untoast at sample %d (frame %d) of %d", i, i/FrameSamples, len(want))
		}
	})
}

// extremeFrames are frames with every parameter at its minimum, maximum
// or alternating, and out-of-range LTP lags, to reach the saturation paths.
func extremeFrames() []byte {
	var out []byte
	for _, fill := range []func(i int, w uint8) uint8{
		func(i int, w uint8) uint8 { return 1<<w - 1 },
		func(i int, w uint8) uint8 { return 0 },
		func(i int, w uint8) uint8 { return uint8(i&1) * (1<<w - 1) },
		func(i int, w uint8) uint8 { return uint8(i+1) & 1 * (1<<w - 1) },
	} {
		for rep := 0; rep < 8; rep++ {
			var v [NumParams]uint8
			for i := range v {
				v[i] = fill(i, ParamBits[i])
			}
			for j := 0; j < 4; j++ {
				v[8+17*j] = uint8([]int{40, 120, 39, 121, 0, 127, 80, 41}[(rep+j)%8])
				v[9+17*j] = 3 // maximum LTP gain drives the saturation paths
			}
			var p Params
			p.SetValues(&v)
			var b [FrameSize]byte
			p.Pack(&b)
			out = append(out, b[:]...)
		}
	}
	return out
}
