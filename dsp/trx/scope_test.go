package trx

import (
	"testing"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// TestScope: captures land every Every-th frame, bursts keep the last
// ScopeBursts in order, and a capture while a reader holds the scope is
// skipped and counted, not waited for.
func TestScope(t *testing.T) {
	s := NewScope(4)
	var c Capture
	if s.Copy(&c) {
		t.Fatal("Copy of an empty scope = true")
	}
	frame := make([]complex64, 100)
	for fn := tdma.FN(0); fn < 12; fn++ {
		if !s.due(fn) {
			continue
		}
		frame[0] = complex(float32(fn), 0)
		if !s.capture(fn, frame, 1e6) {
			t.Fatalf("capture(%d) = false on a free scope", fn)
		}
	}
	for i := range ScopeBursts + 3 {
		s.burst(tdma.TN(i%8), func(dst *[tdma.BurstBits]complex64) { dst[0] = complex(float32(i), 0) })
	}
	if !s.Copy(&c) || c.FN != 8 || c.Frames != 3 || real(c.Samples[0]) != 8 || c.SampleRate != 1e6 {
		t.Fatalf("Copy = FN %d, %d frames, sample %v, rate %g; want 8, 3, 8, 1e6", c.FN, c.Frames, c.Samples[0], c.SampleRate)
	}
	if len(c.Symbols) != ScopeBursts || real(c.Symbols[0][0]) != 3 || real(c.Symbols[ScopeBursts-1][0]) != ScopeBursts+2 {
		t.Fatalf("Copy kept %d bursts, first %v last %v; want %d from 3 to %d", len(c.Symbols), c.Symbols[0][0], c.Symbols[len(c.Symbols)-1][0], ScopeBursts, ScopeBursts+2)
	}
	s.mu.Lock() // a reader copying out
	if s.capture(12, frame, 1e6) {
		t.Error("capture while a reader holds the scope = true, want skipped")
	}
	s.burst(0, func(*[tdma.BurstBits]complex64) { t.Error("burst written while a reader holds the scope") })
	s.mu.Unlock()
	s.Copy(&c)
	if c.Skipped != 2 {
		t.Errorf("Skipped = %d, want 2", c.Skipped)
	}
}

// BenchmarkScopeCapture: the frame loop's cost of a capture (one frame at
// 4 sps copied); it runs every 13th frame.
func BenchmarkScopeCapture(b *testing.B) {
	s := NewScope(1)
	frame := make([]complex64, 5000)
	b.ReportAllocs()
	s.capture(0, frame, 1e6)
	for b.Loop() {
		s.capture(0, frame, 1e6)
	}
}
