package fr

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/tools/testtool"
)

var update = flag.Bool("update", false, "regenerate testdata/vectors with toast, untoast and espeak-ng")

// vectorSet names the committed vectors: name.raw is the input PCM,
// name.gsm what toast made of it and name.dec what untoast made of
// name.gsm. The "_frames" sets have no .raw: their .gsm is made directly.
var vectorSet = []string{"speech_en", "speech_de_clipped", "sweep", "pink", "random_pcm", "dc_impulses", "random_frames", "extreme_frames"}

func vectorInput(t *testing.T, name string) []int16 {
	switch name {
	case "speech_en":
		return espeak(t, testtool.Need(t, "espeak-ng"), "en", "One small step for a man, one giant leap for mankind.", 1)
	case "speech_de_clipped":
		return espeak(t, testtool.Need(t, "espeak-ng"), "de", "Achtung, die Zelle sendet jetzt.", 10)
	case "sweep":
		return sweep(8000, 50, 3950, 20000)
	case "pink":
		return pink(4000, 25000, 1)
	case "random_pcm":
		return randomPCM(4000, 2)
	case "dc_impulses":
		return concat(constant(1600, 32767), constant(1600, -32768), impulses(1600, 41, -32768))
	}
	return nil
}

func regenerateVectors(t *testing.T) {
	toast := testtool.Need(t, "toast")
	untoast := testtool.Need(t, "untoast")
	dir := filepath.Join("testdata", "vectors")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range vectorSet {
		var gsm []byte
		switch name {
		case "random_frames":
			gsm = randomFrames(100, 7)
		case "extreme_frames":
			gsm = extremeFrames()
		default:
			pcm := vectorInput(t, name)
			if err := os.WriteFile(filepath.Join(dir, name+".raw"), pcmBytes(pcm), 0o644); err != nil {
				t.Fatal(err)
			}
			gsm = toastEncode(t, toast, pcm)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".gsm"), gsm, 0o644); err != nil {
			t.Fatal(err)
		}
		dec := untoastDecode(t, untoast, gsm)
		if err := os.WriteFile(filepath.Join(dir, name+".dec"), pcmBytes(dec), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestVectors checks the codec against the committed toast/untoast
// vectors (see testdata/README.md); it needs no external program.
func TestVectors(t *testing.T) {
	if *update {
		regenerateVectors(t)
	}
	dir := filepath.Join("testdata", "vectors")
	for _, name := range vectorSet {
		t.Run(name, func(t *testing.T) {
			gsm, err := os.ReadFile(filepath.Join(dir, name+".gsm"))
			if err != nil {
				t.Fatal(err)
			}
			if raw, err := os.ReadFile(filepath.Join(dir, name+".raw")); err == nil {
				if got := encodeAll(bytesPCM(raw)); !bytes.Equal(got, gsm) {
					t.Errorf("Encode(%s.raw) differs from %s.gsm from frame %d", name, name, firstFrameDiff(got, gsm))
				}
			} else if !strings.HasSuffix(name, "_frames") {
				t.Fatal(err)
			}
			dec, err := os.ReadFile(filepath.Join(dir, name+".dec"))
			if err != nil {
				t.Fatal(err)
			}
			want := bytesPCM(dec)
			got, err := decodeAll(gsm)
			if err != nil {
				t.Fatal(err)
			}
			if i := firstSampleDiff(got, want); i != len(want) || len(got) != len(want) {
				t.Errorf("Decode(%s.gsm) differs from %s.dec at sample %d of %d", name, name, i, len(want))
			}
		})
	}
}
