package rsl

import (
	"sync"
	"testing"
)

func frameOf(i int) *SpeechFrame {
	var f SpeechFrame
	for b := 0; b < 32; b++ {
		f.Bits[b] = byte(i >> b & 1)
	}
	f.Bits[SpeechBits-1] = byte(i & 1)
	f.Bad = i%3 == 0
	return &f
}

func numberOf(f *SpeechFrame) int {
	n := 0
	for b := 0; b < 32; b++ {
		n |= int(f.Bits[b]) << b
	}
	return n
}

// A ring keeps its frames in order and bit for bit, and a full one drops
// the oldest, counted.
func TestSpeechRing(t *testing.T) {
	var r SpeechRing
	var f SpeechFrame
	if r.Get(&f) {
		t.Fatal("Get on an empty ring returned a frame")
	}
	for i := range SpeechPortFrames + 3 {
		ok := r.Put(frameOf(i))
		if ok != (i < SpeechPortFrames) {
			t.Errorf("Put #%d = %v, want %v", i, ok, i < SpeechPortFrames)
		}
	}
	if r.Len() != SpeechPortFrames || r.Dropped() != 3 || r.Puts() != SpeechPortFrames+3 {
		t.Errorf("Len %d Dropped %d Puts %d, want %d, 3, %d", r.Len(), r.Dropped(), r.Puts(), SpeechPortFrames, SpeechPortFrames+3)
	}
	for i := 3; i < SpeechPortFrames+3; i++ {
		if !r.Get(&f) {
			t.Fatalf("Get #%d: empty", i)
		}
		if want := frameOf(i); f != *want {
			t.Errorf("Get #%d = frame %d bad %v, want frame %d bad %v", i, numberOf(&f), f.Bad, i, want.Bad)
		}
	}
	if r.Get(&f) || r.Len() != 0 {
		t.Error("ring not empty after taking every frame")
	}
}

// Under a producer and a consumer running at once (go test -race), every
// frame taken is a whole frame that was put, in increasing order, and
// taken + dropped + left = put.
func TestSpeechRingConcurrent(t *testing.T) {
	var r SpeechRing
	const n = 20000
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range n {
			r.Put(frameOf(i))
		}
	}()
	last, taken := -1, 0
	var f SpeechFrame
	for done := false; !done; {
		if r.Puts() == n {
			done = true // one more drain below
		}
		for r.Get(&f) {
			k := numberOf(&f)
			if k <= last || *frameOf(k) != f {
				t.Fatalf("took frame %d (whole %v) after %d", k, *frameOf(k) == f, last)
			}
			last = k
			taken++
		}
	}
	wg.Wait()
	for r.Get(&f) {
		taken++
	}
	if uint64(taken)+r.Dropped() != n {
		t.Errorf("taken %d + dropped %d != put %d", taken, r.Dropped(), n)
	}
}

func BenchmarkSpeechRing(b *testing.B) {
	var r SpeechRing
	f := frameOf(5)
	var g SpeechFrame
	b.ReportAllocs()
	for b.Loop() {
		r.Put(f)
		r.Get(&g)
	}
}
