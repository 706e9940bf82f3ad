package trx

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gsmbox/gsmbox/dsp/channel"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/dsp/sim"
	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// cellFrames is a cell's TN0 downlink in the shape of a 51-multiframe
// (TS 45.002 §7 Table 3): FCCH at FN mod 51 = 0, 10, 20, 30, 40, SCH one
// frame later with known bits, normal bursts with TSC 5 and known data
// elsewhere; the transceiver fills the other slots with dummy bursts.
type cellFrames struct {
	sch    tdma.Burst
	normal [51]tdma.Burst
}

func newCellFrames(r *rand.Rand) *cellFrames {
	c := &cellFrames{}
	var sd [tdma.SCHDataBits]byte
	for i := range sd {
		sd[i] = byte(r.IntN(2))
	}
	tdma.SCH(&c.sch, &sd)
	for k := range c.normal {
		var nd [tdma.NormalDataBits]byte
		for i := range nd {
			nd[i] = byte(r.IntN(2))
		}
		tdma.Normal(&c.normal[k], &nd, 5)
	}
	return c
}

func (c *cellFrames) burst(fn tdma.FN) tdma.TxBurst {
	b := tdma.TxBurst{FN: fn, TN: 0}
	switch t3 := fn.T3(); {
	case t3%10 == 0 && t3 < 50:
		b.Kind = tdma.KindFCCH
	case t3%10 == 1 && t3 < 50:
		b.Kind, b.Bits = tdma.KindSCH, c.sch
	default:
		b.Kind, b.Bits = tdma.KindNormal, c.normal[t3]
	}
	return b
}

// fakePhone is the layer above the radio: it searches, reads the SCH a
// frame after the FCCH, then receives TN0 of every frame, and sends one
// access burst; it records what it got.
type fakePhone struct {
	fcchAt   tdma.FN
	synced   bool
	schAt    tdma.FN
	offset   int // radio FN + offset = cell FN, from where the FCCH was
	cell     *cellFrames
	normal   int
	errs     int
	toa      []float32
	schErrs  int
	sentAt   tdma.FN
	sent     bool
	accessFN tdma.FN
	fcchSeen bool
}

func (f *fakePhone) Listen(fn tdma.FN, plan *phy.Plan) {
	*plan = phy.Plan{}
	switch {
	case !f.fcchSeen:
		plan.Slots[0] = phy.RxFCCH
	case fn == f.schAt:
		plan.Slots[0] = phy.RxSCH
	case f.synced:
		plan.Slots[0], plan.TSC[0] = phy.RxNormal, 5
	}
}

func (f *fakePhone) Receive(b *tdma.RxBurst) {
	switch b.Kind {
	case tdma.KindFCCH:
		f.fcchSeen, f.fcchAt, f.schAt = true, b.FN, b.FN.Add(1)
	case tdma.KindSCH:
		for i := range b.Soft {
			if (b.Soft[i] < 0) != (f.cell.sch[i] == 1) {
				f.schErrs++
			}
		}
		f.synced = true
	case tdma.KindNormal:
		// The FCCH the radio aligned to was at some cell FN ≡ 0 mod 10;
		// the test knows which (see TestPhoneRadio).
		want := f.cell.burst(b.FN.Add(f.offset))
		if want.Kind != tdma.KindNormal {
			return
		}
		f.normal++
		f.toa = append(f.toa, b.ToA)
		for i := range b.Soft {
			if (b.Soft[i] < 0) != (want.Bits[i] == 1) {
				f.errs++
			}
		}
	}
}

func (f *fakePhone) Frame(fn tdma.FN, out *[tdma.Slots]tdma.TxBurst) bool {
	for i := range out {
		out[i].Kind = tdma.KindNone
	}
	if f.synced && !f.sent && fn.Sub(f.schAt) > 20 {
		var ad [tdma.AccessDataBits]byte
		tdma.Access(&out[0].Bits, &ad)
		out[0].Kind = tdma.KindAccess
		f.sent, f.accessFN = true, fn
		return true
	}
	return false
}

func (f *fakePhone) TA() uint8 { return 0 }

// TestPhoneRadio: a phone's radio on the simulated air, 37.5 samples
// (9.4 symbols) from the cell, with a 2.5 kHz carrier offset and noise,
// finds the FCCH, corrects its carrier, demodulates the SCH a frame later
// and then normal bursts at the synchronised timing with few errors and
// a ToA near 0; its access burst reaches the cell's transceiver with a
// ToA of the round trip, 18.75 symbols (TS 45.010 §5.2).
func TestPhoneRadio(t *testing.T) {
	const delay = 37.5 // samples, one way
	const startFN = 1000
	air, err := sim.New(sim.Config{SampleRate: radio.SampleRate4, Block: 5000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer air.Close()
	bts, ms := air.Endpoint("bts"), air.Endpoint("ms")
	if err := air.Connect(bts, ms, channel.Config{Delay: delay, FreqOffset: 2500, AWGN: true, EbN0: 12, Seed: 4}); err != nil {
		t.Fatal(err)
	}
	if err := air.Connect(ms, bts, channel.Config{Delay: delay, AWGN: true, EbN0: 15, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	cell, err := NewTransceiver(TransceiverConfig{FillC0: true, Tx: TxConfig{FN0: startFN}})
	if err != nil {
		t.Fatal(err)
	}
	pr, err := NewPhoneRadio(PhoneConfig{})
	if err != nil {
		t.Fatal(err)
	}
	cf := newCellFrames(rand.New(rand.NewPCG(1, 2)))
	fp := &fakePhone{cell: cf}
	var access []tdma.RxBurst
	modes := fixedPlan(phy.RxAccess)
	emit := func(b *tdma.RxBurst) {
		if b.Kind == tdma.KindAccess {
			access = append(access, *b)
		}
	}
	const lead = 3
	for k := 0; k < 200; k++ {
		fn := tdma.FN(startFN + k)
		for j := 0; j <= lead; j++ {
			if b := cf.burst(fn.Add(j)); k == 0 || j == lead {
				cell.Submit(&b)
			}
		}
		if k == 0 {
			for j := 0; j < lead; j++ {
				if _, err := cell.WriteFrame(bts, fn.Add(j), 0, false); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := cell.WriteFrame(bts, fn.Add(lead), 0, false); err != nil {
			t.Fatal(err)
		}
		if fp.fcchSeen && fp.offset == 0 {
			// The radio's frame fp.fcchAt is the cell's frame holding the
			// FCCH it found: the one of the multiframe in progress.
			fp.offset = int(lastFCCH(tdma.FN(startFN).Add(int(fp.fcchAt)))) - int(fp.fcchAt)
		}
		if err := pr.Step(ms, fp); err != nil {
			t.Fatal(err)
		}
		if k >= 2 {
			if _, err := cell.ReadFrame(bts, fn.Add(-2), modes(5), emit); err != nil {
				t.Fatal(err)
			}
		}
	}
	st := pr.Stats()
	if !fp.fcchSeen || fp.fcchAt > 12 {
		t.Fatalf("FCCH found at radio frame %d (seen %v), want within 11 frames", fp.fcchAt, fp.fcchSeen)
	}
	if math.Abs(st.FreqHz-2500) > 150 {
		t.Errorf("carrier correction %.0f Hz, want 2500 ± 150", st.FreqHz)
	}
	if !fp.synced || fp.schErrs > 3 {
		t.Errorf("SCH: synced %v with %d bit errors, want ≤ 3", fp.synced, fp.schErrs)
	}
	if fp.normal < 100 {
		t.Fatalf("%d normal bursts received, want ≥ 100 (stats %+v)", fp.normal, st)
	}
	if ber := float64(fp.errs) / float64(148*fp.normal); ber > 0.01 {
		t.Errorf("normal-burst BER %.4f at 12 dB, want < 1 %%", ber)
	}
	var mean float64
	for _, v := range fp.toa[len(fp.toa)/2:] {
		mean += float64(v)
	}
	mean /= float64(len(fp.toa) - len(fp.toa)/2)
	if math.Abs(mean) > 0.5 {
		t.Errorf("mean ToA after tracking %.2f symbols, want |ToA| ≤ 0.5", mean)
	}
	if len(access) != 1 {
		t.Fatalf("cell received %d access bursts, want 1", len(access))
	}
	if want := 2 * delay / 4; math.Abs(float64(access[0].ToA)-want) > 0.6 {
		t.Errorf("access burst ToA %.2f symbols, want %.2f (round trip)", access[0].ToA, want)
	}
	if got := access[0].FN; got != fp.accessFN.Add(fp.offset) {
		t.Errorf("access burst at cell FN %d, want %d", got, fp.accessFN.Add(fp.offset))
	}
	t.Logf("FCCH at radio frame %d; %+v; access ToA %.2f", fp.fcchAt, st, access[0].ToA)
}

// lastFCCH returns the cell frame of the last FCCH at or before c: the
// one the radio found while reading (up to a burst before) cell frame c.
func lastFCCH(c tdma.FN) tdma.FN {
	for c.T3()%10 != 0 || c.T3() == 50 {
		c = c.Add(-1)
	}
	return c
}

// BenchmarkPhoneRadioStep is the radio's per-frame step while
// synchronised and receiving one slot, on a stream that returns a
// recorded downlink: it does not allocate.
func BenchmarkPhoneRadioStep(b *testing.B) {
	pr, err := NewPhoneRadio(PhoneConfig{})
	if err != nil {
		b.Fatal(err)
	}
	tx, _ := NewTransmitter(TxConfig{})
	cf := newCellFrames(rand.New(rand.NewPCG(1, 2)))
	s := &loopStream{frame: make([]complex64, tx.FrameLen())}
	var frame [8]tdma.TxBurst
	frame[0] = cf.burst(5)
	for i := 1; i < 8; i++ {
		frame[i].Kind = tdma.KindDummy
	}
	tx.RenderFrame(s.frame, 5, &frame)
	fp := &fakePhone{cell: cf, fcchSeen: true, synced: true, schAt: 1 << 20, sent: true}
	b.ReportAllocs()
	for b.Loop() {
		if err := pr.Step(s, fp); err != nil {
			b.Fatal(err)
		}
		fp.toa = fp.toa[:0]
	}
}

// loopStream returns the same frame at every timestamp and swallows
// writes.
type loopStream struct{ frame []complex64 }

func (l *loopStream) SampleRate() float64 { return radio.SampleRate4 }
func (l *loopStream) Read(dst []complex64, ts radio.Timestamp) (int, radio.Flags, error) {
	n := int64(len(l.frame))
	k := int64(ts) % n
	if k < 0 {
		k += n
	}
	for i := 0; i < len(dst); {
		c := copy(dst[i:], l.frame[k:])
		i += c
		k = 0
	}
	return len(dst), 0, nil
}
func (l *loopStream) Write(src []complex64, ts radio.Timestamp) (int, radio.Flags, error) {
	return len(src), 0, nil
}
func (l *loopStream) Close() error { return nil }
