package sim

import (
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/dsp/channel"
	"github.com/gsmbox/gsmbox/dsp/iq"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/dsp/radio/iqfile"
	"github.com/gsmbox/gsmbox/dsp/trx"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

const B = 5000

func mustAir(t testing.TB, cfg Config) *Air {
	t.Helper()
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func mustConnect(t testing.TB, a *Air, from, to *Endpoint, cfg channel.Config) {
	t.Helper()
	if err := a.Connect(from, to, cfg); err != nil {
		t.Fatal(err)
	}
}

// signal returns a deterministic test waveform for timestamps [ts, ts+n).
func signal(seed uint64, ts radio.Timestamp, n int) []complex64 {
	x := make([]complex64, n)
	for i := range x {
		t := float64(ts) + float64(i)
		f := 20000 + 10000*float64(seed)
		x[i] = complex64(cmplx.Exp(complex(0, 2*math.Pi*f*t/radio.SampleRate4+float64(seed))))
	}
	return x
}

// lockstep drives endpoints in one goroutine: every writer writes block
// k+1, then every reader reads block k.
func lockstep(t testing.TB, writers map[*Endpoint]uint64, readers []*Endpoint, blocks int) map[*Endpoint][]complex64 {
	t.Helper()
	out := map[*Endpoint][]complex64{}
	for w, seed := range writers {
		if _, _, err := w.Write(signal(seed, 0, B), 0); err != nil {
			t.Fatal(err)
		}
	}
	buf := make([]complex64, B)
	for k := 0; k < blocks; k++ {
		for w, seed := range writers {
			ts := radio.Timestamp((k + 1) * B)
			if _, f, err := w.Write(signal(seed, ts, B), ts); err != nil || f != 0 {
				t.Fatalf("%s.Write(%d) = %v, %v", w.Name(), ts, f, err)
			}
		}
		for _, r := range readers {
			if _, f, err := r.Read(buf, radio.Timestamp(k*B)); err != nil || f != 0 {
				t.Fatalf("%s.Read(%d) = %v, %v", r.Name(), k*B, f, err)
			}
			out[r] = append(out[r], buf...)
		}
	}
	return out
}

// A phone hears the cell through exactly the link's channel.
func TestLinkMatchesChannel(t *testing.T) {
	a := mustAir(t, Config{Seed: 1})
	bts, ms := a.Endpoint("bts"), a.Endpoint("ms")
	link := channel.Config{Delay: 37.4, PathLoss: 6, FreqOffset: 300, AWGN: true, EbN0: 30, Taps: []channel.Tap{{}, {Delay: 4, Gain: -10}}}
	mustConnect(t, a, bts, ms, link)
	got := lockstep(t, map[*Endpoint]uint64{bts: 1}, []*Endpoint{ms}, 3)[ms]

	link.SampleRate = radio.SampleRate4
	link.Seed = mix(1, 1)
	ch, _ := channel.New(link)
	x := signal(1, 0, 4*B)
	want := make([]complex64, 3*B)
	for k := 0; k < 3; k++ {
		ch.AddSignal(want[k*B:(k+1)*B], int64(k*B), x, 0)
		ch.AddNoise(want[k*B:(k+1)*B], int64(k*B))
	}
	for i := range want {
		if cmplx.Abs(complex128(got[i]-want[i])) > 1e-5 {
			t.Fatalf("ms sample %d = %v, want %v", i, got[i], want[i])
		}
	}
	// The delay shows: only noise (σ ≈ 0.03) before sample 30.
	if p := iq.PeakAbs(got[:30]); p > 0.15 {
		t.Errorf("signal before the propagation delay: peak %v", p)
	}
}

// The uplink is the sum of the phones' transmissions.
func TestUplinkSum(t *testing.T) {
	run := func(phones []uint64) []complex64 {
		a := mustAir(t, Config{Seed: 7})
		bts := a.Endpoint("bts")
		ws := map[*Endpoint]uint64{}
		for i, seed := range []uint64{1, 2} {
			ms := a.Endpoint("ms")
			// Links get seeds by creation order, so always create both.
			mustConnect(t, a, ms, bts, channel.Config{Delay: float64(10 + 30*i), PathLoss: float64(3 * i)})
			on := false
			for _, p := range phones {
				if p == seed {
					ws[ms], on = seed, true
				}
			}
			if !on {
				ms.Close() // a phone that is off must not hold up the air
			}
		}
		return lockstep(t, ws, []*Endpoint{bts}, 2)[bts]
	}
	both, one, two := run([]uint64{1, 2}), run([]uint64{1}), run([]uint64{2})
	for i := range both {
		if d := cmplx.Abs(complex128(both[i] - one[i] - two[i])); d > 1e-5 {
			t.Fatalf("uplink sample %d = %v, want %v + %v", i, both[i], one[i], two[i])
		}
	}
	if iq.Power(one[100:]) < 0.9 || iq.Power(two[100:]) < 0.45 {
		t.Errorf("uplink powers %v, %v, want ≈1 and ≈0.5", iq.Power(one[100:]), iq.Power(two[100:]))
	}
}

// A cell and two phones on their own goroutines, each running a
// transceiver-style loop, produce exactly what the single-goroutine
// lock-step produces: the result does not depend on scheduling.
func TestDeterministicConcurrent(t *testing.T) {
	setup := func() (*Air, *Endpoint, []*Endpoint) {
		a := mustAir(t, Config{Seed: 42})
		bts := a.Endpoint("bts")
		var ms []*Endpoint
		for i := 0; i < 2; i++ {
			m := a.Endpoint("ms")
			mustConnect(t, a, bts, m, channel.Config{Delay: 3.3 + float64(i), AWGN: true, EbN0: 15, FreqOffset: 100})
			mustConnect(t, a, m, bts, channel.Config{Delay: 3.3 + float64(i), AWGN: true, EbN0: 15})
			ms = append(ms, m)
		}
		return a, bts, ms
	}
	const blocks = 12
	a, bts, ms := setup()
	ref := lockstep(t, map[*Endpoint]uint64{bts: 1, ms[0]: 2, ms[1]: 3}, []*Endpoint{bts, ms[0], ms[1]}, blocks)
	a.Close()

	_, bts2, ms2 := setup()
	eps := []*Endpoint{bts2, ms2[0], ms2[1]}
	got := make([][]complex64, 3)
	var wg sync.WaitGroup
	for i, e := range eps {
		wg.Go(func() {
			buf := make([]complex64, B)
			seed := uint64(i + 1)
			// Write two blocks ahead, then read one, write one.
			e.Write(signal(seed, 0, B), 0)
			for k := 0; k < blocks; k++ {
				ts := radio.Timestamp((k + 1) * B)
				e.Write(signal(seed, ts, B), ts)
				if _, _, err := e.Read(buf, radio.Timestamp(k*B)); err != nil {
					t.Errorf("%d: Read: %v", i, err)
					return
				}
				got[i] = append(got[i], buf...)
			}
		})
	}
	wg.Wait()
	for i, e := range []*Endpoint{bts, ms[0], ms[1]} {
		if h1, h2 := hash(ref[e]), hash(got[i]); h1 != h2 {
			t.Errorf("endpoint %d: concurrent run differs from lock-step run", i)
		}
	}
}

func hash(x []complex64) uint64 {
	h := fnv.New64a()
	b := make([]byte, 8*len(x))
	iq.Encode(b, x)
	h.Write(b)
	return h.Sum64()
}

// A writer cannot run more than Window blocks ahead of its reader, and
// Close releases it.
func TestBackpressureAndClose(t *testing.T) {
	a := mustAir(t, Config{Window: 2})
	bts, ms := a.Endpoint("bts"), a.Endpoint("ms")
	mustConnect(t, a, bts, ms, channel.Config{})
	x := make([]complex64, B)
	for k := 0; k < 2; k++ {
		if _, _, err := bts.Write(x, radio.Timestamp(k*B)); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error)
	go func() {
		_, _, err := bts.Write(x, 2*B)
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("third block written with the reader at 0: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	buf := make([]complex64, B)
	if _, _, err := ms.Read(buf, 0); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("writer still blocked after the reader advanced")
	}
	// A reader waiting for data is released by Close.
	go func() {
		_, _, err := ms.Read(buf, 10*B)
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	ms.Close()
	if err := <-done; !errors.Is(err, radio.ErrClosed) {
		t.Errorf("Read interrupted by Close = %v, want ErrClosed", err)
	}
	// With its only reader gone, the cell writes freely.
	if _, _, err := bts.Write(x, 20*B); err != nil {
		t.Errorf("Write after reader closed = %v", err)
	}
	if _, f, _ := bts.Write(x, 19*B); f != radio.Underrun {
		t.Errorf("Write in the past flags = %v, want underrun", f)
	}
	a.Close()
	if _, _, err := bts.Write(x, 30*B); !errors.Is(err, radio.ErrClosed) {
		t.Errorf("Write after Air.Close = %v, want ErrClosed", err)
	}
}

func TestConfigErrors(t *testing.T) {
	if _, err := New(Config{Window: 1}); err == nil {
		t.Error("New(Window 1) succeeded")
	}
	a := mustAir(t, Config{})
	x, y := a.Endpoint("x"), a.Endpoint("y")
	if err := a.Connect(x, y, channel.Config{Delay: 20000}); !errors.Is(err, ErrConfig) {
		t.Errorf("Connect(delay beyond MaxDelay) = %v, want ErrConfig", err)
	}
	if err := a.Connect(x, y, channel.Config{Delay: -1}); err == nil {
		t.Error("Connect(negative delay) succeeded")
	}
}

// The cell's transmitter on the air, recorded by a listener into an IQ
// file at 1 MS/s: what `gsmbox sim --iq-out` does.
func TestListenerToFile(t *testing.T) {
	a := mustAir(t, Config{Seed: 3})
	bts := a.Endpoint("bts")
	var file bytes.Buffer
	sink, err := iqfile.NewSink(&file, iqfile.Config{FileRate: 1e6})
	if err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	rec, err := a.Record(bts, channel.Config{AWGN: true, EbN0: 25}, sink, 0)
	if err != nil {
		t.Fatal(err)
	}
	tx, _ := trx.NewTransmitter(trx.TxConfig{})
	var bursts [8]tdma.TxBurst
	for tn := range bursts {
		bursts[tn].Kind = tdma.KindDummy
	}
	bursts[0].Kind = tdma.KindFCCH
	const frames = 26
	for fn := tdma.FN(0); fn < frames; fn++ {
		if _, err := tx.WriteFrame(bts, fn, &bursts); err != nil {
			t.Fatal(err)
		}
	}
	bts.Close() // the listener hears silence from here on
	if err := rec.StopAt(frames * B); err != nil {
		t.Fatal(err)
	}
	// A goroutine that has called wg.Done may still be on its way out
	// when Wait returns; give it a moment before calling it a leak.
	n := runtime.NumGoroutine()
	for deadline := time.Now().Add(2 * time.Second); n > before && time.Now().Before(deadline); n = runtime.NumGoroutine() {
		time.Sleep(time.Millisecond)
	}
	if n > before {
		t.Errorf("%d goroutines after StopAt, %d before Record: the recorder leaked", n, before)
	}
	sink.Close()
	if got, want := sink.Samples(), int64(frames*B*12/13); got < want-2 || got > want+2 {
		t.Errorf("file has %d samples, want %d", got, want)
	}
	y, err := iq.ReadAll(file.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	// Frame 5's TN0 is an FCCH burst: a tone at +67.7 kHz, about 1 MS/s.
	start := (5*B + 10 + 60) * 12 / 13
	seg := y[start : start+120*4*12/13]
	var acc complex128
	for i := 0; i+1 < len(seg); i++ {
		acc += complex128(seg[i+1] * complex(real(seg[i]), -imag(seg[i])))
	}
	if f := cmplx.Phase(acc) * 1e6 / (2 * math.Pi); math.Abs(f-67708.3) > 100 {
		t.Errorf("FCCH in recorded file at %.0f Hz, want 67708", f)
	}
}

func BenchmarkAirFrame(b *testing.B) {
	a := mustAir(b, Config{Seed: 1})
	bts := a.Endpoint("bts")
	r := rand.New(rand.NewPCG(1, 1))
	var eps []*Endpoint
	for i := 0; i < 2; i++ {
		ms := a.Endpoint("ms")
		mustConnect(b, a, bts, ms, channel.Config{Delay: 10 * r.Float64(), AWGN: true, EbN0: 20, FreqOffset: 50})
		mustConnect(b, a, ms, bts, channel.Config{Delay: 10 * r.Float64(), AWGN: true, EbN0: 20})
		eps = append(eps, ms)
	}
	all := append([]*Endpoint{bts}, eps...)
	x := signal(1, 0, B)
	buf := make([]complex64, B)
	for _, e := range all {
		e.Write(x, 0)
	}
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		for _, e := range all {
			e.Write(x, radio.Timestamp((k+1)*B))
		}
		for _, e := range all {
			e.Read(buf, radio.Timestamp(k*B))
		}
		k++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
}

// Receiver noise is added once, however many phones the cell hears; idle
// phones add nothing.
func TestReceiverNoiseManyPhones(t *testing.T) {
	run := func(idle int) []complex64 {
		a := mustAir(t, Config{Seed: 5})
		bts := a.Endpoint("bts")
		if err := bts.SetNoise(0.01); err != nil {
			t.Fatal(err)
		}
		ws := map[*Endpoint]uint64{}
		active := a.Endpoint("active")
		mustConnect(t, a, active, bts, channel.Config{Delay: 12.5})
		ws[active] = 1
		for i := 0; i < idle; i++ {
			ms := a.Endpoint("idle")
			mustConnect(t, a, ms, bts, channel.Config{Delay: float64(i)})
			ws[ms] = 0 // written below as silence
		}
		out := map[*Endpoint][]complex64{}
		buf := make([]complex64, B)
		zero := make([]complex64, B)
		for k := -1; k < 3; k++ {
			for w, seed := range ws {
				ts := radio.Timestamp((k + 1) * B)
				x := zero
				if seed != 0 {
					x = signal(seed, ts, B)
				}
				if _, _, err := w.Write(x, ts); err != nil {
					t.Fatal(err)
				}
			}
			if k < 0 {
				continue
			}
			if _, _, err := bts.Read(buf, radio.Timestamp(k*B)); err != nil {
				t.Fatal(err)
			}
			out[bts] = append(out[bts], buf...)
		}
		return out[bts]
	}
	one, many := run(0), run(20)
	for i := range one {
		if one[i] != many[i] {
			t.Fatalf("sample %d with 20 idle phones = %v, alone %v", i, many[i], one[i])
		}
	}
	// The noise before the signal arrives has the variance set.
	a := mustAir(t, Config{Seed: 5})
	e := a.Endpoint("rx")
	e.SetNoise(0.01)
	y := make([]complex64, 20000)
	if _, _, err := e.Read(y, 0); err != nil {
		t.Fatal(err)
	}
	if p := iq.Power(y); math.Abs(p-0.01)/0.01 > 0.03 {
		t.Errorf("receiver noise power = %.5f, want 0.01", p)
	}
	if err := e.SetNoise(-1); err == nil {
		t.Error("SetNoise(-1) succeeded")
	}
}

// A cell hearing 32 phones of which 2 transmit, at 4 sps.
func BenchmarkAirFrame32Phones(b *testing.B) {
	a := mustAir(b, Config{Seed: 1})
	bts := a.Endpoint("bts")
	bts.SetNoise(1e-3)
	var phones []*Endpoint
	for i := 0; i < 32; i++ {
		ms := a.Endpoint("ms")
		mustConnect(b, a, bts, ms, channel.Config{Delay: float64(i) / 3, AWGN: true, EbN0: 20})
		mustConnect(b, a, ms, bts, channel.Config{Delay: float64(i) / 3})
		phones = append(phones, ms)
	}
	x := signal(1, 0, B)
	zero := make([]complex64, B)
	buf := make([]complex64, B)
	all := append([]*Endpoint{bts}, phones...)
	for _, e := range all {
		e.Write(x, 0)
	}
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		ts := radio.Timestamp((k + 1) * B)
		bts.Write(x, ts)
		for i, p := range phones {
			if i < 2 {
				p.Write(x, ts)
			} else {
				p.Write(zero, ts)
			}
		}
		for _, e := range all {
			e.Read(buf, radio.Timestamp(k*B))
		}
		k++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
}

// runVillage runs a cell and phones endpoints on their own goroutines,
// as `gsmbox sim` does, for frames frames: the cell transmits every frame,
// active phones transmit, every endpoint reads every frame. It returns
// the sum of what each endpoint received, per endpoint.
func runVillage(tb testing.TB, cfg Config, phones, active, frames int) []complex128 {
	a := mustAir(tb, cfg)
	bts := a.Endpoint("bts")
	if err := bts.SetNoise(1e-3); err != nil {
		tb.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 7))
	eps := []*Endpoint{bts}
	for i := 0; i < phones; i++ {
		ms := a.Endpoint(fmt.Sprintf("ms%d", i))
		d := float64(r.IntN(124))
		mustConnect(tb, a, bts, ms, channel.Config{Delay: d, PathLoss: 20 * r.Float64(), FreqOffset: 6000*r.Float64() - 3000, AWGN: true, EbN0: 12})
		mustConnect(tb, a, ms, bts, channel.Config{Delay: d, PathLoss: 20 * r.Float64()})
		eps = append(eps, ms)
	}
	x := signal(1, 0, B)
	zero := make([]complex64, B)
	sums := make([]complex128, len(eps))
	var wg sync.WaitGroup
	for i, e := range eps {
		wg.Go(func() {
			buf := make([]complex64, B)
			tx := zero
			if i <= active {
				tx = x
			}
			e.Write(tx, 0)
			for k := 0; k < frames; k++ {
				if _, _, err := e.Write(tx, radio.Timestamp((k+1)*B)); err != nil {
					return
				}
				if _, _, err := e.Read(buf, radio.Timestamp(k*B)); err != nil {
					return
				}
				for j := 0; j < len(buf); j += 7 {
					sums[i] += complex128(buf[j])
				}
			}
			e.Close()
		})
	}
	wg.Wait()
	return sums
}

// TestParallelDeterministic: blocks computed in parallel outside the lock
// give what the serial air gives.
func TestParallelDeterministic(t *testing.T) {
	par := runVillage(t, Config{Seed: 9}, 20, 3, 10)
	ser := runVillage(t, Config{Seed: 9, Serial: true}, 20, 3, 10)
	for i := range par {
		if par[i] != ser[i] {
			t.Fatalf("endpoint %d: parallel sum %v, serial %v", i, par[i], ser[i])
		}
	}
}

// BenchmarkVillage: a cell and 200 phones at 4 sps, each endpoint on its
// own goroutine (as `gsmbox sim`): the cell transmits every frame, 4
// phones transmit, every phone reads every frame through its noisy,
// delayed, frequency-shifted downlink. xRT is air time over wall time.
func BenchmarkVillage(b *testing.B) {
	for _, serial := range []bool{true, false} {
		name := "air=parallel"
		if serial {
			name = "air=serial"
		}
		b.Run(name, func(b *testing.B) {
			frames := 0
			for b.Loop() {
				runVillage(b, Config{Seed: 1, Serial: serial}, 200, 4, 200)
				frames += 200
			}
			b.ReportMetric(float64(frames)*float64(B)/radio.SampleRate4/b.Elapsed().Seconds(), "xRT")
		})
	}
}

// TestSilentWriterCommits: a transmitter that only writes silence (and
// never reads) still commits its time, so its receiver is not held up,
// and a sound arrives intact, with silence written over its history
// slots later.
func TestSilentWriterCommits(t *testing.T) {
	a := mustAir(t, Config{Seed: 3})
	tx := a.Endpoint("tx")
	rx := a.Endpoint("rx")
	mustConnect(t, a, tx, rx, channel.Config{Delay: 3})
	zero := make([]complex64, B)
	x := signal(2, 0, B)
	buf := make([]complex64, B)
	done := make(chan error, 1)
	go func() {
		for k := 0; k < 40; k++ {
			src := zero
			if k == 2 {
				src = x
			}
			if _, _, err := tx.Write(src, radio.Timestamp(k*B)); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	read := make(chan error, 1)
	go func() {
		// Up to the last block written: it needs the last write committed.
		for k := 0; k < 40; k++ {
			if _, _, err := rx.Read(buf, radio.Timestamp(k*B)); err != nil {
				read <- err
				return
			}
			if k == 2 {
				for i := 3; i < B; i++ {
					if buf[i] != x[i-3] {
						read <- fmt.Errorf("block 2 sample %d = %v, want %v", i, buf[i], x[i-3])
						return
					}
				}
			}
		}
		read <- nil
	}()
	select {
	case err := <-read:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		a.Close()
		t.Fatal("receiver stalled: the silent writer's time was not committed")
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
