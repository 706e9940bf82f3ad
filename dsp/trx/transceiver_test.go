package trx

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gsmbox/gsmbox/dsp/channel"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/dsp/radio/radiotest"
	"github.com/gsmbox/gsmbox/dsp/sim"
	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// A phone on the simulated air sends an access burst and normal bursts on
// the uplink; the transceiver hands them up with the right frame,
// timeslot, kind, soft bits and time of arrival, with the receiver at
// the transmitter's 4 sps (the default) and at 2 behind its decimator.
func TestTransceiverUplink(t *testing.T) {
	for _, sps := range []int{0, 2} {
		t.Run(fmt.Sprintf("rxsps=%d", sps), func(t *testing.T) {
			cfg := TransceiverConfig{FillC0: true}
			cfg.Rx.SPS = sps
			testTransceiverUplink(t, cfg)
		})
	}
	for _, sps := range []int{1, 3, 8} {
		cfg := TransceiverConfig{}
		cfg.Rx.SPS = sps
		if _, err := NewTransceiver(cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("NewTransceiver(Rx.SPS %d) error = %v, want ErrConfig", sps, err)
		}
	}
}

func testTransceiverUplink(t *testing.T, cfg TransceiverConfig) {
	trx, err := NewTransceiver(cfg)
	if err != nil {
		t.Fatal(err)
	}
	air, err := sim.New(sim.Config{SampleRate: radio.SampleRate4, Block: 5000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer air.Close()
	bts, ms := air.Endpoint("bts"), air.Endpoint("ms")
	const delaySymbols = 3 // within the normal-burst search of ±4 symbols
	if err := air.Connect(ms, bts, channel.Config{SampleRate: radio.SampleRate4, Delay: 4 * delaySymbols, AWGN: true, EbN0: 20, Seed: 2}); err != nil {
		t.Fatal(err)
	}
	phone, err := NewTransmitter(TxConfig{Offset: 3 * 625})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	var access, normal tdma.Burst
	var ad [tdma.AccessDataBits]byte
	var nd [tdma.NormalDataBits]byte
	for i := range ad {
		ad[i] = byte(r.IntN(2))
	}
	for i := range nd {
		nd[i] = byte(r.IntN(2))
	}
	tdma.Access(&access, &ad)
	tdma.Normal(&normal, &nd, 5)
	frame := func(fn tdma.FN) *[8]tdma.TxBurst {
		var f [8]tdma.TxBurst
		if fn == 3 {
			f[2] = tdma.TxBurst{Kind: tdma.KindAccess, Bits: access}
			f[3] = tdma.TxBurst{Kind: tdma.KindNormal, Bits: normal}
		}
		return &f
	}
	modes := fixedPlan(phy.RxOff, phy.RxOff, phy.RxAccess, phy.RxNormal, phy.RxNormal)
	type got struct {
		fn   tdma.FN
		tn   tdma.TN
		kind tdma.BurstKind
		toa  float32
		soft tdma.SoftBurst
	}
	var seen []got
	if _, err := phone.WriteFrame(ms, 0, frame(0)); err != nil {
		t.Fatal(err)
	}
	for fn := tdma.FN(0); fn < 6; fn++ {
		if _, err := phone.WriteFrame(ms, fn+1, frame(fn+1)); err != nil {
			t.Fatal(err)
		}
		if _, err := trx.WriteFrame(bts, fn+1, 0, false); err != nil {
			t.Fatal(err)
		}
		if _, err := trx.ReadFrame(bts, fn, modes(5), func(b *tdma.RxBurst) {
			seen = append(seen, got{b.FN, b.TN, b.Kind, b.ToA, b.Soft})
		}); err != nil {
			t.Fatal(err)
		}
	}
	// Frames 0..4 are demodulated (frame 5 waits for frame 6), 3 slots each.
	if len(seen) != 15 {
		t.Fatalf("ReadFrame emitted %d bursts, want 15", len(seen))
	}
	for _, g := range seen {
		want := tdma.KindNone
		if g.fn == 3 && g.tn == 2 {
			want = tdma.KindAccess
		}
		if g.fn == 3 && g.tn == 3 {
			want = tdma.KindNormal
		}
		if g.kind != want {
			t.Errorf("burst FN%d TN%d kind = %v, want %v", g.fn, g.tn, g.kind, want)
			continue
		}
		if want == tdma.KindNone {
			continue
		}
		if math.Abs(float64(g.toa)-delaySymbols) > 0.25 {
			t.Errorf("burst FN%d TN%d ToA = %.2f, want %d", g.fn, g.tn, g.toa, delaySymbols)
		}
		ref, n := &normal, tdma.BurstBits
		if want == tdma.KindAccess {
			ref, n = &access, tdma.AccessBurstBits
		}
		for i := range n {
			if (g.soft[i] < 0) != (ref[i] == 1) {
				t.Errorf("burst FN%d TN%d soft bit %d = %d, sent %d", g.fn, g.tn, i, g.soft[i], ref[i])
				break
			}
		}
	}
}

// Submitted bursts go out at their frame, empty slots get dummy bursts,
// and late bursts are refused.
func TestTransceiverDownlink(t *testing.T) {
	trx, err := NewTransceiver(TransceiverConfig{FillC0: true, Queue: 8})
	if err != nil {
		t.Fatal(err)
	}
	s := radiotest.New(radio.SampleRate4)
	var b tdma.Burst
	b[7] = 1
	if !trx.Submit(&tdma.TxBurst{FN: 2, TN: 1, Kind: tdma.KindNormal, Bits: b, Att: 3}) {
		t.Fatal("Submit(FN2) refused")
	}
	for fn := tdma.FN(0); fn < 3; fn++ {
		if _, err := trx.WriteFrame(s, fn, 2, false); err != nil {
			t.Fatal(err)
		}
	}
	if trx.Submit(&tdma.TxBurst{FN: 1, TN: 0, Kind: tdma.KindNormal}) {
		t.Error("Submit(FN1) after FN2 was sent accepted")
	}
	if trx.Submit(&tdma.TxBurst{FN: 20, TN: 0, Kind: tdma.KindNormal}) {
		t.Error("Submit(FN20) beyond an 8-frame queue accepted")
	}
	// Reference: what a plain transmitter makes of the same frame.
	ref, _ := NewTransmitter(TxConfig{})
	var want [8]tdma.TxBurst
	for tn := range want {
		want[tn] = tdma.TxBurst{Kind: tdma.KindDummy, Att: 2}
	}
	want[1] = tdma.TxBurst{Kind: tdma.KindNormal, Bits: b, Att: 5}
	exp := make([]complex64, 5000)
	ref.RenderFrame(exp, 2, &want)
	w := s.Writes()[2]
	for i := range exp {
		if d := w.Samples[i] - exp[i]; real(d)*real(d)+imag(d)*imag(d) > 1e-10 {
			t.Fatalf("frame 2 sample %d = %v, want %v", i, w.Samples[i], exp[i])
		}
	}
	st := trx.Stats()
	if st.Frames != 3 || st.Submitted != 1 || st.Late != 1 || st.Early != 1 || st.Filled != 23 {
		t.Errorf("Stats() = %+v, want 3 frames, 1 submitted, 1 late, 1 early, 23 filled", st)
	}
}

func BenchmarkTransceiverFrame(b *testing.B) {
	trx, _ := NewTransceiver(TransceiverConfig{FillC0: true})
	var s discard
	b.ReportAllocs()
	fn := tdma.FN(0)
	for b.Loop() {
		trx.Submit(&tdma.TxBurst{FN: fn, TN: 0, Kind: tdma.KindNormal})
		trx.WriteFrame(s, fn, 0, false)
		fn = fn.Add(1)
	}
}

// discard is a stream that drops what it is sent and receives silence.
type discard struct{}

func (discard) SampleRate() float64 { return radio.SampleRate4 }
func (discard) Read(dst []complex64, ts radio.Timestamp) (int, radio.Flags, error) {
	clear(dst)
	return len(dst), 0, nil
}
func (discard) Write(src []complex64, ts radio.Timestamp) (int, radio.Flags, error) {
	return len(src), 0, nil
}
func (discard) Close() error { return nil }

// The uplink side on noise: every active slot demodulated, no allocation.
func BenchmarkTransceiverReadFrame(b *testing.B) {
	trx, _ := NewTransceiver(TransceiverConfig{})
	air, _ := sim.New(sim.Config{SampleRate: radio.SampleRate4, Block: 5000, Seed: 1})
	defer air.Close()
	bts := air.Endpoint("bts")
	bts.SetNoise(1e-3)
	plan := fixedPlan(phy.RxAccess, phy.RxNormal)(0)
	n := 0
	emit := func(*tdma.RxBurst) { n++ }
	fn := tdma.FN(0)
	b.ReportAllocs()
	for b.Loop() {
		trx.WriteFrame(bts, fn.Add(1), 0, false)
		trx.ReadFrame(bts, fn, plan, emit)
		fn = fn.Add(1)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
}

// fixedPlan returns a planner factory: the same modes in every frame, with
// training sequence tsc on every slot.
func fixedPlan(modes ...phy.Rx) func(tsc uint8) phy.Planner {
	return func(tsc uint8) phy.Planner {
		var p phy.Plan
		copy(p.Slots[:], modes)
		for tn := range p.TSC {
			p.TSC[tn] = tsc
		}
		return phy.PlanFunc(func(_ tdma.FN, dst *phy.Plan) { *dst = p })
	}
}
