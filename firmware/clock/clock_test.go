package clock

import (
	"testing"
	"time"
)

func TestFake(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := NewFake(start)
	a := f.After(2 * time.Second)
	b := f.After(time.Second)
	f.Advance(time.Second)
	select {
	case got := <-b:
		if want := start.Add(time.Second); !got.Equal(want) {
			t.Errorf("After(1s) fired at %v, want %v", got, want)
		}
	default:
		t.Fatal("After(1s) did not fire after Advance(1s)")
	}
	select {
	case <-a:
		t.Fatal("After(2s) fired after 1s")
	default:
	}
	if n := f.Waiters(); n != 1 {
		t.Errorf("Waiters() = %d, want 1", n)
	}
	f.Advance(time.Second)
	<-a
	if got := f.Now(); !got.Equal(start.Add(2 * time.Second)) {
		t.Errorf("Now() = %v, want start+2s", got)
	}
}
