package rx_test

import (
	"math/rand/v2"
	"testing"

	"github.com/gsmbox/gsmbox/dsp/channel"
	"github.com/gsmbox/gsmbox/dsp/gmsk"
	"github.com/gsmbox/gsmbox/dsp/iq"
	"github.com/gsmbox/gsmbox/dsp/rx"
	"github.com/gsmbox/gsmbox/dsp/trx"
	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// TestTransmitterFrames: frames rendered by dsp/trx's Transmitter (the
// uplink a phone would send: access bursts on TS0, normal bursts with their
// TSC elsewhere, each slot attenuated by TN dB) through a noisy link, cut into slot windows the way the
// package comment tells dsp/trx to, and received.
func TestTransmitterFrames(t *testing.T) {
	const sps, margin = 4, 6 // margin in symbols either side of a slot
	tx, err := trx.NewTransmitter(trx.TxConfig{Modulator: gmsk.Config{SPS: sps}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := rx.NewDemodulator(rx.Config{Config: gmsk.Config{SPS: sps}, BurstStart: tx.Modulator().Lead() + margin*sps, RSSIOffset: -30})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(41, 41))
	bsic := tdma.BSIC{NCC: 1, BCC: 2}
	frame := make([]complex64, tx.FrameLen())
	air := make([]complex64, tx.FrameLen()+2*margin*sps+16*sps)
	for fn := tdma.FN(0); fn < 4; fn++ {
		var bursts [tdma.Slots]tdma.TxBurst
		var ra uint8
		for tn := range bursts {
			b := &bursts[tn]
			if tn == 0 {
				ra = uint8(r.IntN(256))
				var coded [36]byte
				coding.EncodeRACH(&coded, ra, bsic)
				tdma.Access(&b.Bits, &coded)
				b.Kind = tdma.KindAccess
				continue
			}
			var data [tdma.NormalDataBits]byte
			for i := range data {
				data[i] = byte(r.IntN(2))
			}
			tdma.Normal(&b.Bits, &data, uint8(tn))
			b.Kind = tdma.KindNormal
			b.Att = uint8(tn)
		}
		tx.RenderFrame(frame, fn, &bursts)
		// The whole frame arrives 9.5 symbols late (a phone 3.5 km away),
		// in noise; air[0] is margin symbols before the frame.
		const late = 9.5
		ch, err := channel.New(channel.Config{SampleRate: tx.SampleRate(), Delay: (margin + late) * sps, AWGN: true, EbN0: 25, Seed: uint64(fn), FreqOffset: 150})
		if err != nil {
			t.Fatal(err)
		}
		clear(air)
		ch.AddSignal(air, 0, frame, 0)
		ch.AddNoise(air, 0)
		for tn := 0; tn < tdma.Slots; tn++ {
			// Slot tn's window: from margin symbols before the slot to
			// margin symbols after it.
			w := air[tn*tx.SlotLen() : (tn+1)*tx.SlotLen()+2*margin*sps]
			var got tdma.RxBurst
			if tn == 0 {
				m, ok := d.Access(&got.Soft, w)
				if !ok {
					t.Fatalf("FN %d TN 0: Access() not detected", fn)
				}
				m.Fill(&got)
				var s36 [36]int8
				tdma.AccessData(&s36, (*[148]int8)(&got.Soft))
				if gotRA, _, ok := coding.DecodeRACH(&s36, bsic); !ok || gotRA != ra {
					t.Errorf("FN %d: RACH = %d ok=%v, want %d", fn, gotRA, ok, ra)
				}
				if m.TA() != 10 && m.TA() != 9 {
					t.Errorf("FN %d: TA = %d (ToA %.2f), want 9 or 10 for 9.5 symbols", fn, m.TA(), m.ToA)
				}
				continue
			}
			// Normal bursts are searched ±4 symbols: with a 9.5-symbol delay
			// they are only found once the phone applies its timing advance.
			// Model that by looking 9 symbols later in the stream.
			off := 9 * sps
			w = air[tn*tx.SlotLen()+off : (tn+1)*tx.SlotLen()+2*margin*sps+off]
			m, ok := d.Normal(&got.Soft, w, uint8(tn))
			if !ok {
				t.Errorf("FN %d TN %d: Normal() not detected (%+v)", fn, tn, m)
				continue
			}
			m.Fill(&got)
			errs := 0
			for i := range got.Soft {
				if (got.Soft[i] < 0) != (bursts[tn].Bits[i] == 1) {
					errs++
				}
			}
			if errs > 2 {
				t.Errorf("FN %d TN %d: %d bit errors at %d dB SNR, want ≤ 2", fn, tn, errs, 25-tn)
			}
			if got.ToA < 0.3 || got.ToA > 0.7 {
				t.Errorf("FN %d TN %d: ToA = %.2f, want 0.5", fn, tn, got.ToA)
			}
			// Attenuated by tn dB from full scale (noise is 19 dB below
			// full scale), −30 dB calibration.
			want := -30 - float64(tn)
			if got.RSSI < float32(want-0.5) || got.RSSI > float32(want+0.8) {
				t.Errorf("FN %d TN %d: RSSI = %.1f dBm, want about %.1f", fn, tn, got.RSSI, want)
			}
			if got.FreqOffset < 50 || got.FreqOffset > 250 {
				t.Errorf("FN %d TN %d: FreqOffset = %.0f Hz, want about 150", fn, tn, got.FreqOffset)
			}
		}
	}
}

// TestCellSearch: a virtual phone's path on the downlink. Two frames from
// dsp/trx's Transmitter, FCCH on TS0 of the first and SCH on TS0 of the
// second (TS 45.002 §6.3.1.3), dummy bursts elsewhere, arrive with a 6 kHz
// carrier offset and noise. FCCH finds the burst and the offset; after
// correcting the carrier, SCH one frame later decodes with gsm/coding.
func TestCellSearch(t *testing.T) {
	const sps = 4
	tx, err := trx.NewTransmitter(trx.TxConfig{Modulator: gmsk.Config{SPS: sps}})
	if err != nil {
		t.Fatal(err)
	}
	const margin = 8 // symbols
	d, err := rx.NewDemodulator(rx.Config{Config: gmsk.Config{SPS: sps}, BurstStart: tx.Modulator().Lead() + margin*sps})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(42, 42))
	var info [25]byte
	for i := range info {
		info[i] = byte(r.IntN(2))
	}
	var coded [78]byte
	coding.EncodeSCH(&coded, &info)
	frames := make([]complex64, 2*tx.FrameLen())
	for f := 0; f < 2; f++ {
		var bursts [tdma.Slots]tdma.TxBurst
		for tn := range bursts {
			bursts[tn].Kind = tdma.KindDummy
		}
		if f == 0 {
			bursts[0].Kind = tdma.KindFCCH
		} else {
			bursts[0].Kind = tdma.KindSCH
			tdma.SCH(&bursts[0].Bits, &coded)
		}
		tx.RenderFrame(frames[f*tx.FrameLen():], tdma.FN(f), &bursts)
	}
	const start = 1234 // samples of the stream before frame 0
	air := make([]complex64, start+len(frames)+100)
	ch, err := channel.New(channel.Config{SampleRate: tx.SampleRate(), Delay: start, AWGN: true, EbN0: 8, Seed: 9, FreqOffset: 6000})
	if err != nil {
		t.Fatal(err)
	}
	ch.AddSignal(air, 0, frames, 0)
	ch.AddNoise(air, 0)

	res, ok := d.FCCH(air[:start+tx.FrameLen()])
	if !ok {
		t.Fatalf("FCCH() not found (purity %.2f)", res.Purity)
	}
	if want := start + tx.Modulator().Lead(); res.Start < want-12 || res.Start > want+12 {
		t.Errorf("FCCH().Start = %d, want %d ± 12", res.Start, want)
	}
	if res.FreqOffset < 5900 || res.FreqOffset > 6100 {
		t.Errorf("FCCH().FreqOffset = %.0f, want 6000 ± 100", res.FreqOffset)
	}
	// Correct the carrier, then look for the SCH a frame later.
	nco := iq.NewNCO(-res.FreqOffset, tx.SampleRate())
	nco.Mix(air, air)
	sch := res.Start - tx.Modulator().Lead() + tx.FrameLen() - margin*sps
	var soft tdma.SoftBurst
	m, ok := d.SCH(&soft, air[sch:sch+tx.SlotLen()+2*margin*sps])
	if !ok {
		t.Fatalf("SCH() not detected (%+v)", m)
	}
	var s78 [78]int8
	tdma.SCHData(&s78, (*[148]int8)(&soft))
	var got [25]byte
	if _, ok := coding.DecodeSCH(&got, &s78); !ok || got != info {
		t.Errorf("DecodeSCH = %v ok=%v, want %v", got, ok, info)
	}
	t.Logf("FCCH at %d, offset %.1f Hz; SCH ToA %.2f symbols, residual offset %.0f Hz, C/I %.1f dB", res.Start, res.FreqOffset, m.ToA, m.FreqOffset, m.CI)
}
