package burstair

import (
	"math/rand/v2"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Colliding access bursts: within CaptureDB neither decodes (the slot
// shows a burst with no information); beyond it the strongest does.
func TestCollisions(t *testing.T) {
	for _, tc := range []struct {
		name      string
		rssi      []float32
		want      int // index of the burst that survives, −1: none
		collision uint64
	}{
		{"alone", []float32{-80}, 0, 0},
		{"equal", []float32{-80, -82}, -1, 2},
		{"captured", []float32{-90, -70, -85}, 1, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := New(0)
			for i, r := range tc.rssi {
				b := tdma.RxBurst{TN: 0, Kind: tdma.KindAccess, RSSI: r}
				b.Soft[0] = int8(i + 1)
				a.rach = append(a.rach, b)
			}
			var got []tdma.RxBurst
			if err := a.Receive(nil, func(b *tdma.RxBurst) { got = append(got, *b) }); err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("Receive emitted %d bursts, want 1 (the slot)", len(got))
			}
			switch {
			case tc.want < 0 && got[0].Soft[0] != 0:
				t.Errorf("a burst decodable (soft %d) after a collision within %d dB", got[0].Soft[0], CaptureDB)
			case tc.want >= 0 && got[0].Soft[0] != int8(tc.want+1):
				t.Errorf("burst %d survived, want %d", got[0].Soft[0]-1, tc.want)
			}
			if a.st.Collisions != tc.collision {
				t.Errorf("Collisions = %d, want %d", a.st.Collisions, tc.collision)
			}
		})
	}
}

// The shared decoder answers as coding.DecodeXCCH does, from its memory
// or not.
func TestDecoderMatches(t *testing.T) {
	a := New(0)
	d := a.Decoder()
	rng := rand.New(rand.NewPCG(1, 2))
	var blocks [12][4][116]int8
	for i := range blocks {
		var msg [23]byte
		for j := range msg {
			msg[j] = byte(rng.UintN(256))
		}
		var enc [4][116]byte
		coding.EncodeXCCH(&enc, &msg)
		for b := range enc {
			for k, v := range enc[b] {
				blocks[i][b][k] = 100
				if v == 1 {
					blocks[i][b][k] = -100
				}
			}
		}
		if i%3 == 2 {
			blocks[i][1] = [116]int8{} // a lost burst
		}
	}
	// Several phones hear each block in turn.
	for i := range blocks {
		for round := range 3 {
			var want, got [23]byte
			wq, wok := coding.DecodeXCCH(&want, &blocks[i])
			q, ok := d.DecodeXCCH(&got, &blocks[i])
			if got != want || q != wq || ok != wok {
				t.Fatalf("round %d block %d: DecodeXCCH = %x %v %v, want %x %v %v", round, i, got, q, ok, want, wq, wok)
			}
		}
	}
	if a.memo.st.hits == 0 {
		t.Error("the decoder never reused a decoding")
	}
}

// Where the plan listens for a normal burst and no phone sent one, the
// air reports a burst not received, as a transceiver reports an empty
// slot's noise; a slot a phone sent on, and slots the plan has off or on
// access bursts, get nothing more.
func TestEmptySlotsReported(t *testing.T) {
	a := New(100)
	var dl [tdma.Slots]tdma.TxBurst
	if err := a.Transmit(100, &dl); err != nil {
		t.Fatal(err)
	}
	a.up = append(a.up, tdma.RxBurst{FN: 100, TN: 2, Kind: tdma.KindNormal})
	plan := phy.PlanFunc(func(fn tdma.FN, p *phy.Plan) {
		if fn != 100 {
			t.Errorf("Plan asked for FN %d, want the frame transmitted, 100", fn)
		}
		*p = phy.Plan{}
		p.Slots[0] = phy.RxAccess
		p.Slots[2], p.Slots[5] = phy.RxNormal, phy.RxNormal
	})
	var got []tdma.RxBurst
	if err := a.Receive(plan, func(b *tdma.RxBurst) { got = append(got, *b) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].TN != 2 || got[0].Kind != tdma.KindNormal || got[1].TN != 5 || got[1].Kind != tdma.KindNone || got[1].FN != 100 {
		t.Errorf("Receive emitted %+v, want the phone's burst on TN2 and a burst not received on TN5 at FN 100", got)
	}
}
