package iqfile_test

import (
	"bytes"
	"errors"
	"math"
	"math/cmplx"
	"testing"

	"github.com/gsmbox/gsmbox/dsp/channel"
	"github.com/gsmbox/gsmbox/dsp/iq"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/dsp/radio/iqfile"
)

func ramp(n int, start float32) []complex64 {
	x := make([]complex64, n)
	for i := range x {
		x[i] = complex(start+float32(i), 0)
	}
	return x
}

func TestSinkTimestamps(t *testing.T) {
	var buf bytes.Buffer
	s, err := iqfile.NewSink(&buf, iqfile.Config{})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		ts    radio.Timestamp
		x     []complex64
		flags radio.Flags
	}{
		{100, ramp(3, 1), 0},               // file starts at 100: 1 2 3
		{105, ramp(2, 10), 0},              // gap of 2 zeros: 0 0 10 11
		{106, ramp(3, 20), radio.Underrun}, // 106 already sent: 21 22
	}
	for _, st := range steps {
		n, f, err := s.Write(st.x, st.ts)
		if err != nil || n != len(st.x) || f != st.flags {
			t.Errorf("Write(%v, %d) = %d, %v, %v, want %d, %v, nil", st.x, st.ts, n, f, err, len(st.x), st.flags)
		}
	}
	rx := []complex64{5}
	if n, f, err := s.Read(rx, 0); n != 1 || f != 0 || err != nil || rx[0] != 0 {
		t.Errorf("Read = %d %v %v %v, want silence", n, f, err, rx)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Write(rx, 200); !errors.Is(err, radio.ErrClosed) {
		t.Errorf("Write after Close = %v, want ErrClosed", err)
	}
	got, err := iq.ReadAll(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := []complex64{1, 2, 3, 0, 0, 10, 11, 21, 22}
	if len(got) != len(want) {
		t.Fatalf("file = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("file[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

// At 1 MS/s a tone keeps its frequency and the file has 12/13 as many
// samples; a channel's frequency offset shows up in the file.
func TestSinkResampleChannel(t *testing.T) {
	var buf bytes.Buffer
	s, err := iqfile.NewSink(&buf, iqfile.Config{FileRate: 1e6, Channel: &channel.Config{FreqOffset: 1000, PathLoss: 6.0206}})
	if err != nil {
		t.Fatal(err)
	}
	const f0 = 50000.0
	x := make([]complex64, 13000)
	for i := range x {
		x[i] = complex64(cmplx.Exp(complex(0, 2*math.Pi*f0*float64(i)/radio.SampleRate4)))
	}
	for off := 0; off < len(x); off += 5000 {
		end := min(off+5000, len(x))
		if _, _, err := s.Write(x[off:end], radio.Timestamp(off)); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	y, _ := iq.ReadAll(buf.Bytes())
	if len(y) < 11990 || len(y) > 12001 {
		t.Fatalf("file has %d samples, want ≈12000", len(y))
	}
	var acc complex128
	var p float64
	for i := 200; i < len(y)-1; i++ {
		acc += complex128(y[i+1] * complex(real(y[i]), -imag(y[i])))
		p += float64(real(y[i])*real(y[i]) + imag(y[i])*imag(y[i]))
	}
	p /= float64(len(y) - 201)
	f := cmplx.Phase(acc) * 1e6 / (2 * math.Pi)
	if math.Abs(f-(f0+1000)) > 1 {
		t.Errorf("tone in file at %.2f Hz, want %.2f", f, f0+1000)
	}
	if math.Abs(p-0.25) > 0.001 {
		t.Errorf("power in file %.4f, want 0.25 (6 dB path loss)", p)
	}
}
