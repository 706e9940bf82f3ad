package media

import (
	"math/rand/v2"
	"testing"
)

// jbRun simulates a stream into a jitter buffer in 1 ms steps: packets
// of ptime ms sent every ptime ms, delayed by delay(i) ms (or lost when
// it is negative), a pop every 20 ms. It returns what each pop played
// (the frame index of the first octet, -1 concealed, -2 none) and the
// buffer.
func jbRun(t *testing.T, frames, ptime int, delay func(i int) int, setJitter bool) ([]int, *jitterBuffer, uint64) {
	var j jitterBuffer
	j.reset(160, true, 0xD5, 2, 15)
	type arrival struct {
		at, i int
	}
	var q []arrival
	for i := 0; i < frames*20/ptime; i++ {
		if d := delay(i); d >= 0 {
			q = append(q, arrival{i*ptime + d, i})
		}
	}
	var out []int
	var dst [160]byte
	var r receiver
	var underruns uint64 // until the last frame played
	for ms := 0; ms < frames*20+500; ms++ {
		for k := 0; k < len(q); k++ {
			if q[k].at == ms {
				i := q[k].i
				payload := make([]byte, ptime*8)
				for o := range payload {
					payload[o] = byte((i*ptime*8 + o) / 160) // the frame index, per octet
				}
				ts := uint32(1000 + i*ptime*8)
				r.updateJitter(ts, uint32(ms*8))
				if setJitter {
					j.setJitter(uint32(r.jitter >> 4))
				}
				j.insert(ts, payload)
			}
		}
		if ms%20 == 5 {
			switch j.pop(dst[:]) {
			case jbFrame:
				out = append(out, int(dst[0]))
				underruns = j.underruns
			case jbConcealed:
				out = append(out, -1)
			default:
				out = append(out, -2)
			}
		}
	}
	return out, &j, underruns
}

func played(out []int) (frames, concealed int, ordered bool) {
	ordered = true
	last := -1
	end := len(out)
	for end > 0 && out[end-1] < 0 {
		end-- // the tail after the stream ended
	}
	for _, k := range out[:end] {
		switch {
		case k >= 0:
			if k <= last {
				ordered = false
			}
			last = k
			frames++
		case k == -1:
			concealed++
		}
	}
	return
}

func TestJitterBuffer(t *testing.T) {
	const n = 200 // frames; indexes are octets, so keep them < 256
	r := rand.New(rand.NewPCG(9, 9))
	for _, c := range []struct {
		name          string
		ptime         int
		delay         func(i int) int
		adapt         bool
		minFrames     int
		maxConcealed  int
		wantShrunk    bool
		wantUnderruns bool
	}{
		{"steady", 20, func(int) int { return 3 }, true, n, 0, false, false},
		{"10 ms packets", 10, func(int) int { return 3 }, true, n, 0, false, false},
		{"60 ms packets", 60, func(int) int { return 3 }, true, n - 3, 1, false, false},
		{"5% loss", 20, func(i int) int {
			if i%20 == 7 {
				return -1
			}
			return 2
		}, true, n - n/20, n/20 + 1, false, false},
		{"reordered pairs", 20, func(i int) int {
			if i%10 == 3 {
				return 25 // arrives after i+1
			}
			return 2
		}, true, n, 0, false, false},
		{"jitter 0-80 ms", 20, func(int) int { return r.IntN(80) }, true, n, 0, false, false},
		{"a 200 ms spike, then steady", 20, func(i int) int {
			if i >= 50 && i < 60 {
				return 200 - (i-50)*20
			}
			return 2
		}, false, n - 10, 10, true, true}, // held through the spike, then shrunk back
	} {
		t.Run(c.name, func(t *testing.T) {
			out, j, underruns := jbRun(t, n, c.ptime, c.delay, c.adapt)
			frames, concealed, ordered := played(out)
			t.Logf("played %d, concealed %d, late %d, shrunk %d, underruns %d, target %d", frames, concealed, j.late, j.shrunk, underruns, j.target)
			if !ordered {
				t.Error("frames played out of order")
			}
			if frames < c.minFrames || concealed > c.maxConcealed {
				t.Errorf("played %d frames, concealed %d; want ≥ %d and ≤ %d", frames, concealed, c.minFrames, c.maxConcealed)
			}
			if c.wantShrunk != (j.shrunk > 0) {
				t.Errorf("shrunk %d times, want shrinking %v", j.shrunk, c.wantShrunk)
			}
			if c.wantUnderruns != (underruns > 0) {
				t.Errorf("%d underruns, want some: %v", underruns, c.wantUnderruns)
			}
		})
	}
}

// The target follows the jitter and a late spike's delay is given back:
// after the spike the buffer is no deeper than target+2.
func TestJitterBufferShrinksBack(t *testing.T) {
	_, j, _ := jbRun(t, 200, 20, func(i int) int {
		if i >= 50 && i < 60 {
			return 200 - (i-50)*20
		}
		return 2
	}, false)
	if j.shrunk == 0 || j.shrunk > 10 {
		t.Errorf("shrunk %d times, want 1..10", j.shrunk)
	}
	if j.target != 2 {
		t.Errorf("target %d, want 2 (not adapting)", j.target)
	}
}

// A jump in the peer's timestamps (a restarted sender) restarts the
// buffer; a packet from long ago is late.
func TestJitterBufferResync(t *testing.T) {
	var j jitterBuffer
	j.reset(33, false, 0, 2, 10)
	g := make([]byte, 33)
	for i := 0; i < 5; i++ {
		j.insert(uint32(i*160), g)
	}
	var dst [160]byte
	for i := 0; i < 4; i++ {
		j.pop(dst[:33])
	}
	if r := j.insert(0, g); r != jbLate {
		t.Errorf("insert of a played frame = %d, want late", r)
	}
	if r := j.insert(1<<30, g); r != jbResync || j.resyncs != 1 {
		t.Errorf("insert after a jump = %d (resyncs %d), want a resync", r, j.resyncs)
	}
	if r := j.insert(1<<30+80, g); r != jbBad {
		t.Errorf("GSM frame off the 20 ms grid = %d, want bad", r)
	}
}
