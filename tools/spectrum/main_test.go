package main

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunWritesPNG(t *testing.T) {
	out := filepath.Join(t.TempDir(), "s.png")
	tm := filepath.Join(t.TempDir(), "t.png")
	var stdout, stderr bytes.Buffer
	if err := run([]string{"-o", out, "-time", tm, "-frames", "2", "-step", "40"}, &stdout, &stderr); err != nil {
		t.Fatalf("run = %v\n%s", err, stderr.String())
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("png.Decode = %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1100 || b.Dy() != 740 {
		t.Errorf("image size = %v, want 1100×740", b)
	}
	if _, err := os.Stat(tm); err != nil {
		t.Errorf("time-mask plot: %v", err)
	}
	if !strings.Contains(stdout.String(), "modulation at +400 kHz") {
		t.Errorf("stdout lacks the 400 kHz figure:\n%s", stdout.String())
	}
}

func TestGlyphs(t *testing.T) {
	for r, g := range glyphs {
		for _, row := range g {
			if row > 0x1F {
				t.Errorf("glyph %q row %#x wider than 5 pixels", r, row)
			}
		}
	}
}
