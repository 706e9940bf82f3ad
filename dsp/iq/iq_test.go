package iq

import (
	"bytes"
	"errors"
	"io"
	"math"
	"math/cmplx"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/tools/testtool"
)

func TestPowerDBFS(t *testing.T) {
	cases := []struct {
		name string
		x    []complex64
		want float64 // dBFS
	}{
		{"full scale", []complex64{1, 1i, -1, -1i}, 0},
		{"half amplitude", []complex64{0.5, 0.5i}, -6.0206},
		{"tenth", []complex64{0.1, -0.1}, -20},
		{"mixed", []complex64{1, 0}, -3.0103},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := DBFS(c.x); math.Abs(got-c.want) > 1e-3 {
				t.Errorf("DBFS(%v) = %v, want %v", c.x, got, c.want)
			}
		})
	}
	if got := DBFS(nil); !math.IsInf(got, -1) {
		t.Errorf("DBFS(nil) = %v, want -Inf", got)
	}
	if got := Amplitude(-20); math.Abs(float64(got)-0.1) > 1e-7 {
		t.Errorf("Amplitude(-20) = %v, want 0.1", got)
	}
}

func TestAddScale(t *testing.T) {
	a := []complex64{1, 2, 3}
	Add(a, []complex64{1, 1})
	Scale(a, 2)
	AddScaled(a, []complex64{1i, 1i, 1i, 1i}, 2)
	want := []complex64{4 + 2i, 6 + 2i, 6 + 2i}
	for i := range a {
		if a[i] != want[i] {
			t.Errorf("a[%d] = %v, want %v", i, a[i], want[i])
		}
	}
	if got := PeakAbs([]complex64{3 + 4i, 1}); got != 5 {
		t.Errorf("PeakAbs = %v, want 5", got)
	}
}

// Mixing in blocks of odd sizes equals the exact rotation exp(j2πfn/fs).
func TestNCOContinuity(t *testing.T) {
	const rate = 1083333.3333333333
	for _, f := range []float64{67708.333, -200000, 1, 541000} {
		n := NewNCO(f, rate)
		x := make([]complex64, 10000)
		for i := range x {
			x[i] = 1
		}
		for off, size := 0, 1; off < len(x); off, size = off+size, size*2+1 {
			end := min(off+size, len(x))
			n.Mix(x[off:end], x[off:end])
		}
		for i := range x {
			want := cmplx.Exp(complex(0, 2*math.Pi*f*float64(i)/rate))
			if d := cmplx.Abs(complex128(x[i]) - want); d > 1e-6 {
				t.Fatalf("NCO(%v).Mix sample %d = %v, want %v", f, i, x[i], want)
			}
		}
		wantPh := math.Mod(2*math.Pi*f*float64(len(x))/rate, 2*math.Pi)
		if wantPh < 0 {
			wantPh += 2 * math.Pi
		}
		if d := math.Abs(math.Remainder(n.Phase()-wantPh, 2*math.Pi)); d > 1e-9 {
			t.Errorf("NCO(%v).Phase() = %v, want %v", f, n.Phase(), wantPh)
		}
	}
}

func TestFileRoundTrip(t *testing.T) {
	x := []complex64{0, 1, -1i, 0.25 - 0.5i, complex(float32(math.Inf(1)), 3)}
	var buf bytes.Buffer
	w := NewWriter(&buf)
	if err := w.WriteSamples(x[:2]); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteSamples(x[2:]); err != nil {
		t.Fatal(err)
	}
	if w.Count() != 5 || buf.Len() != 40 {
		t.Fatalf("Count, Len = %d, %d, want 5, 40", w.Count(), buf.Len())
	}
	// 0.25 is 0x3e800000: little-endian bytes 00 00 80 3e.
	if got := buf.Bytes()[24:28]; !bytes.Equal(got, []byte{0, 0, 0x80, 0x3e}) {
		t.Errorf("encoding of 0.25 = % x, want 00 00 80 3e", got)
	}
	r := NewReader(&oneByteReader{r: bytes.NewReader(buf.Bytes())})
	var got []complex64
	dst := make([]complex64, 2)
	for {
		n, err := r.ReadSamples(dst)
		got = append(got, dst[:n]...)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != len(x) {
		t.Fatalf("ReadSamples read %d samples, want %d", len(got), len(x))
	}
	for i := range x {
		if got[i] != x[i] {
			t.Errorf("sample %d = %v, want %v", i, got[i], x[i])
		}
	}
	r = NewReader(bytes.NewReader(buf.Bytes()[:13]))
	if _, err := r.ReadSamples(dst); err != nil {
		t.Fatalf("first sample: %v", err)
	}
	if _, err := r.ReadSamples(dst); !errors.Is(err, ErrPartial) {
		t.Errorf("ReadSamples on 5 trailing bytes = %v, want ErrPartial", err)
	}
	if _, err := ReadAll(make([]byte, 9)); !errors.Is(err, ErrPartial) {
		t.Errorf("ReadAll(9 bytes) = %v, want ErrPartial", err)
	}
}

type oneByteReader struct{ r io.Reader }

func (o *oneByteReader) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:1]
	}
	return o.r.Read(p)
}

// numpy, which reads GNU Radio file-sink output, agrees on the format.
func TestFileNumpy(t *testing.T) {
	testtool.Short(t)
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		py = testtool.Need(t, "python3")
	}
	if err := exec.Command(py, "-c", "import numpy").Run(); err != nil {
		if testtool.Required() {
			t.Fatalf("numpy not importable by %s: %v", py, err)
		}
		t.Skipf("numpy not importable by %s", py)
	}
	path := filepath.Join(t.TempDir(), "x.cfile")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := NewWriter(f)
	if err := w.WriteSamples([]complex64{1 + 2i, -0.5 + 0.25i, 3e-3i}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out, err := exec.Command(py, "-c",
		`import numpy,sys; x=numpy.fromfile(sys.argv[1], dtype=numpy.complex64); print(" ".join("%g,%g" % (v.real, v.imag) for v in x))`,
		path).CombinedOutput()
	if err != nil {
		t.Fatalf("numpy: %v: %s", err, out)
	}
	if got, want := strings.TrimSpace(string(out)), "1,2 -0.5,0.25 0,0.003"; got != want {
		t.Errorf("numpy.fromfile = %q, want %q", got, want)
	}
}

func FuzzReader(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0})
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		x, err := ReadAll(b)
		if len(b)%8 != 0 {
			if err == nil {
				t.Fatalf("ReadAll(%d bytes) succeeded", len(b))
			}
			return
		}
		if err != nil {
			t.Fatalf("ReadAll(%d bytes) = %v", len(b), err)
		}
		back := make([]byte, len(b))
		if len(x) > 0 {
			Encode(back, x)
		}
		if !bytes.Equal(back, b) {
			t.Fatalf("Encode(ReadAll(b)) != b")
		}
		r := NewReader(bytes.NewReader(b))
		dst := make([]complex64, 3)
		total := 0
		for {
			n, err := r.ReadSamples(dst)
			total += n
			if err != nil {
				break
			}
		}
		if total != len(x) {
			t.Fatalf("Reader read %d samples, ReadAll %d", total, len(x))
		}
	})
}

func BenchmarkNCOMix(b *testing.B) {
	n := NewNCO(1000, 1083333.33)
	x := make([]complex64, 5000)
	b.ReportAllocs()
	for b.Loop() {
		n.Mix(x, x)
	}
}
