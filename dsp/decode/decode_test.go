package decode

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"github.com/gsmbox/gsmbox/dsp/iq"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// tone returns n samples of a complex tone at f Hz sampled at rate, as
// IQ file bytes.
func tone(n int, f, rate float64) []byte {
	x := make([]complex64, n)
	for i := range x {
		x[i] = complex64(cmplx.Exp(complex(0, 2*math.Pi*f*float64(i)/rate)))
	}
	var b bytes.Buffer
	iq.NewWriter(&b).WriteSamples(x)
	return b.Bytes()
}

// TestSourceTimestamps: at 4 sps the samples come back by timestamp, zero
// before the file, overlapping windows allowed, io.EOF past the end.
func TestSourceTimestamps(t *testing.T) {
	raw := tone(30000, 1000, radio.SampleRate4)
	want, _ := iq.ReadAll(raw)
	s, err := NewSource(bytes.NewReader(raw), 0)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]complex64, 6000)
	for _, ts := range []radio.Timestamp{-100, 4000, 9000, 14500, 20000, 26000} {
		if _, _, err := s.Read(buf, ts); err != nil {
			t.Fatalf("Read at %d: %v", ts, err)
		}
		for i, v := range buf {
			k := int(ts) + i
			var w complex64
			if k >= 0 && k < len(want) {
				w = want[k]
			}
			if v != w {
				t.Fatalf("Read at %d: sample %d = %v, want %v", ts, k, v, w)
			}
		}
	}
	if _, _, err := s.Read(buf, 30000); !errors.Is(err, io.EOF) {
		t.Errorf("Read past the end: err = %v, want io.EOF", err)
	}
}

// TestSourceResamples: a tone recorded at 2 Msamples/s comes out at 4 sps
// with its frequency and level.
func TestSourceResamples(t *testing.T) {
	const rate = 2e6
	s, err := NewSource(bytes.NewReader(tone(200000, 50e3, rate)), rate)
	if err != nil {
		t.Fatal(err)
	}
	y := make([]complex64, 20000)
	if _, _, err := s.Read(y, 10000); err != nil {
		t.Fatal(err)
	}
	var acc complex128
	var p float64
	for i := 1; i < len(y); i++ {
		acc += complex128(y[i] * complex(real(y[i-1]), -imag(y[i-1])))
		p += float64(real(y[i])*real(y[i]) + imag(y[i])*imag(y[i]))
	}
	f := cmplx.Phase(acc) / (2 * math.Pi) * radio.SampleRate4
	if math.Abs(f-50e3) > 10 || math.Abs(p/float64(len(y)-1)-1) > 0.01 {
		t.Errorf("resampled tone at %.1f Hz, power %.4f; want 50000 Hz, 1", f, p/float64(len(y)-1))
	}
	if _, err := NewSource(bytes.NewReader(nil), -1); err == nil {
		t.Error("NewSource at −1 samples/s succeeded")
	}
}

// listenAll asks for the FCCH until found, then counts what comes.
type listenAll struct{ fcch, frames int }

func (l *listenAll) Listen(fn tdma.FN, plan *phy.Plan) {
	*plan = phy.Plan{}
	plan.Slots[0] = phy.RxFCCH
	l.frames++
}
func (l *listenAll) Receive(b *tdma.RxBurst) {
	if b.Kind == tdma.KindFCCH {
		l.fcch++
	}
}
func (l *listenAll) Frame(tdma.FN, *[tdma.Slots]tdma.TxBurst) bool { return false }
func (l *listenAll) TA() uint8                                     { return 0 }

// TestRunStopsAtEnd: Run reads the whole file frame by frame, and stops
// at MaxFrames.
func TestRunStopsAtEnd(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	x := make([]complex64, 5000*20)
	for i := range x {
		x[i] = complex(float32(r.NormFloat64()), float32(r.NormFloat64()))
	}
	var buf bytes.Buffer
	iq.NewWriter(&buf).WriteSamples(x)
	raw := buf.Bytes()
	var l listenAll
	st, err := Run(context.Background(), bytes.NewReader(raw), Config{}, &l)
	if err != nil {
		t.Fatal(err)
	}
	if st.Frames < 19 || st.Frames > 22 {
		t.Errorf("Run over 20 frames of noise: %d frames", st.Frames)
	}
	st, err = Run(context.Background(), bytes.NewReader(raw), Config{MaxFrames: 5}, &l)
	if err != nil || st.Frames != 5 {
		t.Errorf("Run with MaxFrames 5: %d frames, %v", st.Frames, err)
	}
}

// FuzzRun: whatever the file holds, Run neither panics nor loops.
func FuzzRun(f *testing.F) {
	f.Add(tone(12000, 67708, radio.SampleRate4), 0.0)
	f.Add([]byte{1, 2, 3}, 2e6)
	f.Fuzz(func(t *testing.T, b []byte, rate float64) {
		var l listenAll
		Run(context.Background(), bytes.NewReader(b), Config{Rate: rate, MaxFrames: 50}, &l)
	})
}
