package trx

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"github.com/gsmbox/gsmbox/dsp/gmsk"
	"github.com/gsmbox/gsmbox/dsp/iq"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/dsp/radio/radiotest"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

func randomNormal(r *rand.Rand, tsc uint8) tdma.Burst {
	var d [tdma.NormalDataBits]byte
	for i := range d {
		d[i] = byte(r.IntN(2))
	}
	var b tdma.Burst
	tdma.Normal(&b, &d, tsc)
	return b
}

func TestClock(t *testing.T) {
	c := NewClock(5000, tdma.HyperFrame-2, 1000)
	cases := []struct {
		fn tdma.FN
		ts radio.Timestamp
	}{
		{tdma.HyperFrame - 2, 1000},
		{tdma.HyperFrame - 1, 6000},
		{0, 11000}, // across the hyperframe wrap
		{5, 36000},
		{3, 26000},
	}
	for _, cs := range cases {
		if got := c.Timestamp(cs.fn); got != cs.ts {
			t.Errorf("Timestamp(%v) = %d, want %d", cs.fn, got, cs.ts)
		}
		if fn, off := c.FN(cs.ts + 17); fn != cs.fn || off != 17 {
			t.Errorf("FN(%d) = %v, %d, want %v, 17", cs.ts+17, fn, off, cs.fn)
		}
	}
	if fn, off := c.FN(25999); fn != 2 || off != 4999 {
		t.Errorf("FN(25999) = %v, %d, want FN2, 4999", fn, off)
	}
	// A whole hyperframe later the FN repeats while timestamps grow.
	far := c.Timestamp(3) + tdma.HyperFrame*5000
	if fn, _ := c.FN(far); fn != 3 {
		t.Errorf("FN(+1 hyperframe) = %v, want FN3", fn)
	}
}

func TestRenderFrame(t *testing.T) {
	tx, err := NewTransmitter(TxConfig{TS0: 50000, FN0: 10})
	if err != nil {
		t.Fatal(err)
	}
	if tx.FrameLen() != 5000 || tx.SlotLen() != 625 || tx.BurstStart(3) != 3*625+10 {
		t.Fatalf("FrameLen, SlotLen, BurstStart(3) = %d, %d, %d", tx.FrameLen(), tx.SlotLen(), tx.BurstStart(3))
	}
	r := rand.New(rand.NewPCG(1, 2))
	var bursts [8]tdma.TxBurst
	kinds := [8]tdma.BurstKind{tdma.KindFCCH, tdma.KindSCH, tdma.KindNormal, tdma.KindDummy, tdma.KindNone, tdma.KindAccess, tdma.KindNormal, tdma.KindNone}
	for tn := range bursts {
		bursts[tn] = tdma.TxBurst{FN: 11, TN: tdma.TN(tn), Kind: kinds[tn], Bits: randomNormal(r, uint8(tn))}
	}
	bursts[6].Att = 10
	dst := make([]complex64, 5000)
	for i := range dst {
		dst[i] = 99 // must all be overwritten
	}
	if ts := tx.RenderFrame(dst, 11, &bursts); ts != 55000 {
		t.Errorf("RenderFrame(FN11) timestamp = %d, want 55000", ts)
	}
	m := gmsk.NewModulator(gmsk.Config{})
	ref := make([]complex64, 625)
	for tn, b := range bursts {
		clear(ref)
		m.ModulateBurst(ref, &b.Bits, b.Kind)
		g := complex(float32(math.Pow(10, -float64(b.Att)/20)), 0)
		slot := dst[tn*625 : (tn+1)*625]
		for i := range slot {
			if want := g * ref[i]; cmplx.Abs(complex128(slot[i]-want)) > 1e-6 {
				t.Fatalf("TN%d (%v) sample %d = %v, want %v", tn, b.Kind, i, slot[i], want)
			}
		}
		useful := slot[10+8 : 10+140*4]
		p := iq.DBFS(useful)
		switch {
		case b.Kind == tdma.KindNone:
			if iq.PeakAbs(slot) != 0 {
				t.Errorf("TN%d: KindNone slot not silent", tn)
			}
		case b.Kind == tdma.KindAccess:
			if p := iq.DBFS(slot[10+8 : 10+80*4]); math.Abs(p) > 0.01 {
				t.Errorf("TN%d access useful power = %.2f dBFS, want 0", tn, p)
			}
			if iq.PeakAbs(slot[10+92*4:]) != 0 {
				t.Errorf("TN%d: access burst not silent after its 88 bits", tn)
			}
		case b.Att == 10:
			if math.Abs(p+10) > 0.01 {
				t.Errorf("TN%d att 10: power = %.2f dBFS, want −10", tn, p)
			}
		default:
			if math.Abs(p) > 0.01 {
				t.Errorf("TN%d: useful power = %.2f dBFS, want 0", tn, p)
			}
		}
	}
}

func TestWriteFrame(t *testing.T) {
	s := radiotest.New(radio.SampleRate4)
	tx, err := NewTransmitter(TxConfig{FN0: tdma.HyperFrame - 1, Offset: 3*625 - 4*7})
	if err != nil {
		t.Fatal(err)
	}
	var bursts [8]tdma.TxBurst
	bursts[0].Kind = tdma.KindDummy
	for i, fn := range []tdma.FN{tdma.HyperFrame - 1, 0, 1} {
		if f, err := tx.WriteFrame(s, fn, &bursts); err != nil || f != 0 {
			t.Fatalf("WriteFrame(%v) = %v, %v", fn, f, err)
		}
		w := s.Writes()[i]
		if want := radio.Timestamp(i*5000 + 3*625 - 28); w.TS != want || len(w.Samples) != 5000 {
			t.Errorf("write %d at %d (%d samples), want %d (5000)", i, w.TS, len(w.Samples), want)
		}
	}
	// Re-writing an old frame is an underrun.
	if f, _ := tx.WriteFrame(s, 0, &bursts); f != radio.Underrun {
		t.Errorf("WriteFrame(old FN) flags = %v, want underrun", f)
	}
}

func TestTxConfigErrors(t *testing.T) {
	for _, cfg := range []TxConfig{
		{Modulator: gmsk.Config{SPS: 2}},
		{Modulator: gmsk.Config{SPS: 6}},
		{Modulator: gmsk.Config{SPS: 100}},
	} {
		if _, err := NewTransmitter(cfg); err == nil {
			t.Errorf("NewTransmitter(%+v) succeeded", cfg)
		}
	}
	if _, err := NewTransmitter(TxConfig{Modulator: gmsk.Config{SPS: 16}}); err != nil {
		t.Errorf("NewTransmitter(SPS 16) = %v", err)
	}
}

func BenchmarkRenderFrame(b *testing.B) {
	tx, _ := NewTransmitter(TxConfig{})
	r := rand.New(rand.NewPCG(3, 4))
	var bursts [8]tdma.TxBurst
	for tn := range bursts {
		bursts[tn] = tdma.TxBurst{Kind: tdma.KindNormal, Bits: randomNormal(r, 0), Att: uint8(tn)}
	}
	dst := make([]complex64, tx.FrameLen())
	b.ReportAllocs()
	fn := tdma.FN(0)
	for b.Loop() {
		tx.RenderFrame(dst, fn, &bursts)
		fn = fn.Add(1)
	}
	b.ReportMetric(8*float64(b.N)/b.Elapsed().Seconds(), "bursts/s")
}
