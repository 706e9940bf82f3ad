package core

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/ms"
	"github.com/gsmbox/gsmbox/gsm/ms/mstest"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// maxReleaseFrames is 0.5 s of air in TDMA frames (120/26 ms each).
const maxReleaseFrames = 108

// stepLossy is step with a lossy dedicated channel: while a phone is in
// dedicated mode before its Channel Release, each 4-frame block period of
// its downlink and uplink is lost with probability loss. With cutUA, the
// phone's downlink is cut for the first 60 frames after the Channel
// Release reached it, which loses the UA to its first DISC.
func (w *world) stepLossy(r *rand.Rand, loss float64, cutUA bool, dropped *int) {
	w.cell.Frame(w.fn, &w.dl)
	for i, p := range w.phones {
		local := w.fn.Add(-w.origin[i])
		if p.State() == ms.StateReleasing && !w.releasing[i] {
			w.releasing[i], w.relAt[i] = true, w.fn
		} else if p.State() != ms.StateReleasing {
			w.releasing[i] = false
		}
		lose := false
		if p.State() == ms.StateDedicated && w.fn%4 == 0 {
			lose = r.Float64() < loss
			w.lost[i] = lose
		} else if p.State() == ms.StateDedicated {
			lose = w.lost[i]
		} else {
			w.lost[i] = false
		}
		cut := cutUA && w.releasing[i] && w.fn.Sub(w.relAt[i]) < 60
		if lose || cut {
			*dropped++
		} else {
			mstest.Downlink(p, local, &w.dl)
		}
		p.Frame(local, &w.ul)
		if !lose {
			mstest.UplinkFrom(p, w.fn, &w.ul, -70, float32(i%4), w.cell.Receive)
		}
	}
	w.core()
}

// Every transaction ends with the phone back in idle within 0.5 s of air
// after the Channel Release reaches it: the network answers its DISC with
// UA before freeing the channel, and the release guard runs from when
// Channel Release went out, not from when it was queued. It holds with a
// clean channel and with blocks lost before the release (so LAPDm
// retransmits MM Information and the Channel Release comes late). When
// the UA to the DISC is lost, the MS repeats its DISC after T200 and the
// network, holding the channel for T3111, still answers it: still within
// 0.5 s, and the MS never falls back on its T3110.
func TestReleaseAirTime(t *testing.T) {
	for _, tc := range []struct {
		loss  float64
		cutUA bool
		max   int
	}{{0, false, maxReleaseFrames}, {0.2, false, maxReleaseFrames}, {0.2, true, maxReleaseFrames}} {
		loss := tc.loss
		t.Run(fmt.Sprintf("loss=%g,cutUA=%v", loss, tc.cutUA), func(t *testing.T) {
			rg, _ := registry.ParseRange("5000-5099")
			w := newWorld(t, registry.Policy{Mode: registry.ModeOpen, MSISDNRange: rg},
				mm.Config{FullName: "Village Network of the Long Valley", ShortName: "Village", SendTime: true})
			for i := range 8 {
				w.addPhone(sim(fmt.Sprintf("0010100000%05d", 700+i), crypto.COMP128v1), 17+400*i)
			}
			w.lost = make([]bool, len(w.phones))
			w.releasing = make([]bool, len(w.phones))
			w.relAt = make([]tdma.FN, len(w.phones))
			r := rand.New(rand.NewPCG(5, 9))
			dropped := 0
			for range 51 * 800 {
				w.stepLossy(r, loss, tc.cutUA, &dropped)
				done := true
				for _, p := range w.phones {
					done = done && p.Stats().Registered && p.State() == ms.StateIdle
				}
				if done && len(w.ended) >= len(w.phones) {
					break
				}
			}
			if rep := w.cell.Stats().Dedicated.IRepeated; loss > 0 && (dropped == 0 || rep == 0) {
				t.Fatalf("%d block periods dropped, %d I frames repeated: the lossy run forced no retransmission", dropped, rep)
			} else {
				t.Logf("%d block periods dropped, the network repeated %d I frames", dropped, rep)
			}
			for i, p := range w.phones {
				st := p.Stats()
				if !st.Registered || st.Released == 0 {
					t.Errorf("phone %d: registered %v, %d timed releases, want registered and released", i, st.Registered, st.Released)
					continue
				}
				if tc.cutUA && st.DISCRepeats == 0 {
					t.Errorf("phone %d repeated no DISC: the lost UA was not exercised", i)
				}
				if st.ReleaseFramesMax > tc.max || st.ReleaseTimeouts != 0 {
					t.Errorf("phone %d: release took up to %d frames (%d ended unanswered, %d DISCs repeated), want at most %d frames",
						i, st.ReleaseFramesMax, st.ReleaseTimeouts, st.DISCRepeats, tc.max)
				}
				t.Logf("phone %d: %d releases, last %d frames, worst %d, %d DISCs repeated", i, st.Released, st.ReleaseFramesLast, st.ReleaseFramesMax, st.DISCRepeats)
			}
			for range 51 * 4 {
				w.step()
			}
			if n := w.busy(); n != 0 {
				t.Errorf("%d channels still in use after every phone went idle", n)
			}
		})
	}
}

// What the network cannot serve yet gets the answer the protocols define:
// CP-ERROR #97 to SMS on SAPI 3 (TS 24.011 §7.2.3), RELEASE COMPLETE to
// call control (TS 24.008 §8.3.1).
func TestUnservedAnswers(t *testing.T) {
	for _, tt := range []struct {
		name string
		msg  []byte
		cc   bool
		want []byte
	}{
		{"CP-DATA", []byte{0x09, 0x01, 0x00}, false, []byte{0x89, 0x10, 97}},
		{"CP-DATA TI 3 from network side", []byte{0xb9, 0x01}, false, []byte{0x39, 0x10, 97}},
		{"CP-ACK", []byte{0x89, 0x04}, false, nil},
		{"CP-ERROR", []byte{0x89, 0x10, 0x11}, false, nil},
		{"SETUP", []byte{0x03, 0x45, 0x04}, true, []byte{0x83, 0x2a, 0x08, 0x02, 0xe2, 0x80 | 79}},
		{"DISCONNECT", []byte{0x13, 0x25, 0x02, 0xe0, 0x90}, true, []byte{0x93, 0x2a, 0x08, 0x02, 0xe2, 0x80 | 81}},
		{"RELEASE COMPLETE", []byte{0x03, 0x2a}, true, nil},
		{"extended TI", []byte{0x73, 0x05, 0x01}, true, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf [16]byte
			var n int
			if tt.cc {
				n = unservedCC(buf[:], tt.msg)
			} else {
				n = unservedSMS(buf[:], tt.msg)
			}
			if got := buf[:n]; string(got) != string(tt.want) {
				t.Errorf("answer to % x = % x, want % x", tt.msg, got, tt.want)
			}
		})
	}
}
