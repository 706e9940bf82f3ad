package fr

import (
	"bytes"
	"encoding/binary"
	"math"
	"os/exec"
	"testing"

	"github.com/gsmbox/gsmbox/tools/testtool"
)

// espeak synthesises text with espeak-ng (22050 Hz WAV on stdout) and
// resamples it to 8 kHz, scaled by gain and clipped.
func espeak(t *testing.T, prog, voice, text string, gain float64) []int16 {
	t.Helper()
	cmd := exec.Command(prog, "-v", voice, "--stdout", text)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v: %s", prog, err, errb.String())
	}
	rate, pcm, ok := parseWAV(out.Bytes())
	if !ok {
		t.Fatalf("%s: output is not a 16-bit mono WAV", prog)
	}
	return resample(pcm, rate, 8000, gain)
}

// parseWAV returns the sample rate and samples of a 16-bit mono PCM WAV.
// A streamed WAV may carry a bogus data length, so the data chunk runs to
// the end of the buffer.
func parseWAV(b []byte) (rate int, pcm []int16, ok bool) {
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return 0, nil, false
	}
	for p := 12; p+8 <= len(b); {
		id, n := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:]))
		p += 8
		switch id {
		case "fmt ":
			if p+16 > len(b) || binary.LittleEndian.Uint16(b[p:]) != 1 ||
				binary.LittleEndian.Uint16(b[p+2:]) != 1 || binary.LittleEndian.Uint16(b[p+14:]) != 16 {
				return 0, nil, false
			}
			rate = int(binary.LittleEndian.Uint32(b[p+4:]))
		case "data":
			if rate == 0 {
				return 0, nil, false
			}
			return rate, bytesPCM(b[p:]), true
		}
		if n < 0 || p+n > len(b) {
			return 0, nil, false
		}
		p += n + n&1
	}
	return 0, nil, false
}

// resample converts by windowed-sinc interpolation (Blackman window, 32
// zero crossings each side, cut-off at 0.45 of the lower rate).
func resample(in []int16, from, to int, gain float64) []int16 {
	ratio := float64(from) / float64(to)
	fc := 0.45 * math.Min(1, 1/ratio) // cycles per input sample
	const half = 16
	width := float64(half) / (2 * fc)
	n := int(float64(len(in)) / ratio)
	out := make([]int16, n)
	for i := range out {
		x := float64(i) * ratio
		lo, hi := int(math.Ceil(x-width)), int(math.Floor(x+width))
		var acc float64
		for j := max(lo, 0); j <= hi && j < len(in); j++ {
			d := float64(j) - x
			w := 0.42 + 0.5*math.Cos(math.Pi*d/width) + 0.08*math.Cos(2*math.Pi*d/width)
			s := 2 * fc
			if d != 0 {
				s = math.Sin(2*math.Pi*fc*d) / (math.Pi * d)
			}
			acc += float64(in[j]) * s * w
		}
		out[i] = clip16(acc * gain)
	}
	return out
}

// TestToastSpeechLive compares the codec with toast/untoast on synthetic
// speech from espeak-ng at several levels, including clipped.
func TestToastSpeechLive(t *testing.T) {
	prog := testtool.Need(t, "espeak-ng")
	toast := testtool.Need(t, "toast")
	untoast := testtool.Need(t, "untoast")
	cases := []struct {
		name, voice, text string
		gain              float64
	}{
		{"en_normal", "en", "The quick brown fox jumps over the lazy dog. Call me at five five five, one two three four.", 1},
		{"de_quiet", "de", "Guten Morgen, hier spricht die Basisstation.", 0.05},
		{"fr_clipped", "fr", "Bonjour, ceci est un test du codec plein débit.", 12},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pcm := espeak(t, prog, c.voice, c.text, c.gain)
			want := toastEncode(t, toast, pcm)
			got := encodeAll(pcm)
			if !bytes.Equal(got, want) {
				t.Fatalf("Encode(%s) differs from toast from frame %d of %d", c.name, firstFrameDiff(got, want), len(want)/FrameSize)
			}
			wantPCM := untoastDecode(t, untoast, want)
			gotPCM, err := decodeAll(want)
			if err != nil {
				t.Fatal(err)
			}
			if i := firstSampleDiff(gotPCM, wantPCM); i != len(wantPCM) || len(gotPCM) != len(wantPCM) {
				t.Fatalf("Decode(toast(%s)) differs from untoast at sample %d of %d", c.name, i, len(wantPCM))
			}
		})
	}
}
