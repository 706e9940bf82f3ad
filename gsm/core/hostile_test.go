package core

import (
	"math/rand/v2"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/bts"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// drain runs the world with no phones transmitting for long enough that
// every timer of a dedicated channel (T3101, the radio link counter, MM's
// timers and the release guard) has run out.
func (w *world) drain() {
	w.phones = nil
	for range 51 * 140 {
		w.step()
	}
}

func (w *world) busy() int {
	n := 0
	for _, s := range w.cell.Channels() {
		if s != bts.ChanFree {
			n++
		}
	}
	return n
}

// A phone that vanishes in the middle of its location update leaves no
// channel behind: the radio link counter releases it, and MM records the
// connection as lost.
func TestPhoneVanishes(t *testing.T) {
	rg, _ := registry.ParseRange("5000-5099")
	w := newWorld(t, registry.Policy{Mode: registry.ModeOpen, MSISDNRange: rg}, mm.Config{})
	p := w.addPhone(sim("001010000000301", crypto.COMP128v1), 23)
	for range 51 * 40 {
		w.step()
		if w.cell.Stats().Dedicated.Activated > 0 {
			break // the phone is on its channel, its LU under way
		}
	}
	if w.busy() == 0 || p.Stats().Registered {
		t.Fatalf("the phone is not mid-procedure: channels %v, registered %v", w.cell.Channels(), p.Stats().Registered)
	}
	w.drain()
	if n := w.busy(); n != 0 {
		t.Fatalf("%d channels still in use after the phone vanished", n)
	}
	// The network may already have accepted the update when the phone
	// went; what it cannot have is the phone's confirmation of the TMSI.
	if len(w.ended) != 1 || w.ended[0].TMSIConfirmed {
		t.Fatalf("results %+v, want one connection ended without the TMSI confirmed", w.ended)
	}
	if st := w.cell.Stats().Dedicated; st.RadioLinkLost+st.Released == 0 {
		t.Errorf("dedicated stats %+v: the channel was freed by neither the radio link counter nor the link", st)
	}
}

// hostileBurst makes an uplink burst of garbage: random soft bits, random
// kinds, at any frame and timeslot.
func hostileBurst(r *rand.Rand, fn tdma.FN) *tdma.RxBurst {
	b := &tdma.RxBurst{FN: fn, TN: tdma.TN(r.IntN(8)), Kind: tdma.BurstKind(r.IntN(7)), ToA: float32(r.NormFloat64() * 40), RSSI: float32(-r.IntN(120))}
	for i := range b.Soft {
		b.Soft[i] = int8(r.IntN(255) - 127)
	}
	return b
}

// FuzzHostileUplink feeds the cell and the core garbage bursts mixed with
// valid ones: access bursts that decode (so channels are assigned) and
// then random blocks on those channels. Nothing panics, and once the
// garbage stops every channel comes free.
func FuzzHostileUplink(f *testing.F) {
	f.Add(uint64(1), uint16(200))
	f.Add(uint64(7), uint16(2000))
	f.Add(uint64(42), uint16(60))
	f.Fuzz(func(t *testing.T, seed uint64, frames uint16) {
		rg, _ := registry.ParseRange("5000-5099")
		w := newWorld(&testing.T{}, registry.Policy{Mode: registry.ModeOpen, MSISDNRange: rg}, mm.Config{})
		w.t = nil
		r := rand.New(rand.NewPCG(seed, 3))
		for i := range int(frames) % 3000 {
			w.cell.Frame(w.fn, &w.dl)
			if i%3 == 0 {
				if b := rach(w, r); b != nil {
					w.cell.Receive(b)
				}
			}
			w.cell.Receive(hostileBurst(r, w.fn))
			w.core()
		}
		w.drain()
		if n := w.busy(); n != 0 {
			t.Fatalf("%d channels still in use after the garbage stopped", n)
		}
	})
}

// rach returns a valid access burst when fn is a RACH frame on TN0, so the
// hostile test also gets channels assigned to abuse.
func rach(w *world, r *rand.Rand) *tdma.RxBurst {
	b := hostileBurst(r, w.fn)
	b.TN, b.Kind = 0, tdma.KindAccess
	var coded [36]byte
	encodeRACH(&coded, uint8(r.IntN(256)), w.cell)
	for i := range b.Soft {
		b.Soft[i] = 127
	}
	for i, v := range coded {
		if v == 1 {
			b.Soft[tdma.AccessDataStart+i] = -127
		}
	}
	b.ToA = float32(r.IntN(64))
	return b
}
