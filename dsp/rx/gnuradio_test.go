package rx

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/dsp/iq"
	"github.com/gsmbox/gsmbox/gsm/tdma"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

// gnuradioSet is what testdata/gen_gnuradio.py writes.
type gnuradioSet struct {
	SPS    int `json:"sps"`
	Window int `json:"window"`
	Lead   int `json:"lead"`
	Bursts []struct {
		Modulator string `json:"modulator"`
		Kind      string `json:"kind"`
		TSC       uint8  `json:"tsc"`
		Delay     int    `json:"delay"`
		Bits      string `json:"bits"`
	} `json:"bursts"`
}

// checkGNURadio demodulates every burst of a set made by GNU Radio's GMSK
// modulators and requires every bit right, and times of arrival that move
// with the delays the generator applied.
func checkGNURadio(t *testing.T, dir string) {
	t.Helper()
	js, err := os.ReadFile(filepath.Join(dir, "gnuradio_bursts.json"))
	if err != nil {
		t.Fatal(err)
	}
	var set gnuradioSet
	if err := json.Unmarshal(js, &set); err != nil {
		t.Fatalf("gnuradio_bursts.json: %v", err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "gnuradio_bursts.cf32"))
	if err != nil {
		t.Fatal(err)
	}
	if want := len(set.Bursts) * set.Window * iq.BytesPerSample; len(raw) != want || set.SPS != 4 {
		t.Fatalf("gnuradio_bursts.cf32: %d bytes at %d sps, want %d at 4", len(raw), set.SPS, want)
	}
	x := make([]complex64, len(raw)/iq.BytesPerSample)
	iq.Decode(x, raw)
	d := mustDemod(t, Config{BurstStart: set.Lead})
	// The generator's modulators have their own group delays; a constant
	// ToA offset per modulator is fine, anything else is not.
	offset := map[string]float64{}
	for i, b := range set.Bursts {
		w := x[i*set.Window : (i+1)*set.Window]
		var want tdma.Burst
		for k := range want {
			want[k] = b.Bits[k] - '0'
		}
		var soft tdma.SoftBurst
		var m Meas
		var ok bool
		n := tdma.BurstBits
		if b.Kind == "access" {
			m, ok = d.Access(&soft, w)
			n = tdma.AccessBurstBits
		} else {
			m, ok = d.Normal(&soft, w, b.TSC)
		}
		if !ok {
			t.Errorf("burst %d (%s %s tsc %d delay %d): not detected (%+v)", i, b.Modulator, b.Kind, b.TSC, b.Delay, m)
			continue
		}
		if e := bitErrors(&soft, &want, 0, n); e != 0 {
			t.Errorf("burst %d (%s %s tsc %d): %d bit errors, want 0", i, b.Modulator, b.Kind, b.TSC, e)
		}
		off := float64(m.ToA) - float64(b.Delay)/float64(set.SPS)
		if o, seen := offset[b.Modulator]; !seen {
			offset[b.Modulator] = off
		} else if math.Abs(off-o) > 0.15 {
			t.Errorf("burst %d (%s %s delay %d): ToA %.3f, %.3f symbols off the modulator's first burst", i, b.Modulator, b.Kind, b.Delay, m.ToA, off-o)
		}
		if m.CI < 15 {
			t.Errorf("burst %d (%s %s): C/I %.1f dB on a clean burst, want ≥ 15", i, b.Modulator, b.Kind, m.CI)
		}
	}
	for mod, o := range offset {
		t.Logf("%s: %d bursts, ToA offset (modulator group delay against dsp/gmsk) %.3f symbols", mod, len(set.Bursts)/2, o)
		if math.Abs(o) > 0.5 {
			t.Errorf("%s: ToA offset %.3f symbols, want within ±0.5 (the generator aligns bit 0)", mod, o)
		}
	}
}

// TestGNURadioVectors: committed bursts from GNU Radio's GMSK modulators
// (testdata/README.md).
func TestGNURadioVectors(t *testing.T) { checkGNURadio(t, "testdata") }

// TestGNURadioLive regenerates bursts with another seed through GNU Radio.
func TestGNURadioLive(t *testing.T) {
	testtool.Need(t, "python3")
	py := "/usr/bin/python3" // Debian's python sees gnuradio; a pyenv one may not
	if _, err := os.Stat(py); err != nil {
		py, _ = exec.LookPath("python3")
	}
	if out, err := exec.Command(py, "-c", "from gnuradio import digital, blocks, gr").CombinedOutput(); err != nil {
		msg := "gnuradio not importable from " + py + " (apt-get install gnuradio): " + strings.TrimSpace(string(out))
		if testtool.Required() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if testing.Short() {
		t.Skip("GNU Radio takes a few seconds to start")
	}
	dir := t.TempDir()
	cmd := exec.Command(py, "testdata/gen_gnuradio.py", dir, "7")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gen_gnuradio.py: %v\n%s", err, out)
	}
	checkGNURadio(t, dir)
}
