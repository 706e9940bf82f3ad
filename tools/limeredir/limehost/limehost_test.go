package limehost

import (
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/dsp/sim"
)

// TestClock: the board's RX runs only to a frame and the slack behind
// the newest TX; a stream restart maps board time 0 past the air's
// frontier on a frame boundary and releases an RX read left waiting.
func TestClock(t *testing.T) {
	air, err := sim.New(sim.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer air.Close()
	const frame = 5000
	c := newClock(air.Endpoint("bts"), frame)
	c.restart() // the first stream: board time is air time
	read := func(ts radio.Timestamp) chan error {
		done := make(chan error, 1)
		go func() {
			_, _, err := c.Read(make([]complex64, 1020), ts)
			done <- err
		}()
		return done
	}
	blocked := func(ch chan error) bool {
		select {
		case <-ch:
			return false
		case <-time.After(50 * time.Millisecond):
			return true
		}
	}
	r := read(0)
	if !blocked(r) {
		t.Fatal("RX read before any TX returned")
	}
	// TX up to 2 frames: RX may run to 2×5000 − 5000 − 200 = 4800.
	if _, _, err := c.Write(make([]complex64, 2*frame), 0); err != nil {
		t.Fatal(err)
	}
	if err := <-r; err != nil {
		t.Fatalf("RX read after TX = %v", err)
	}
	if st := c.Stats(); st.Allowed != 2*frame-frame-200 || st.Writes != 1 || st.Gaps != 0 {
		t.Errorf("after one TX write: %+v", st)
	}
	if r := read(4000); !blocked(r) {
		t.Error("RX read past the allowed 4800 returned")
	} else {
		// A restart (the board's counter back to 0) releases it.
		c.restart()
		if err := <-r; err != nil {
			t.Errorf("stale RX read = %v", err)
		}
	}
	st := c.Stats()
	if st.Starts != 2 || st.Base != 4*frame || st.Base%frame != 0 {
		t.Errorf("after the restart: %+v, want base %d (two frames past the 2-frame frontier)", st, 4*frame)
	}
	// The new stream's TX lands at base + ts; a gap in its timestamps
	// is counted.
	c.Write(make([]complex64, frame), frame)
	c.Write(make([]complex64, frame), 3*frame)
	if st := c.Stats(); st.Gaps != 1 || st.Allowed != st.Base+4*frame-frame-200 {
		t.Errorf("after the new stream's TX: %+v", st)
	}
	c.Close()
	if _, _, err := c.Read(make([]complex64, 10), 1<<30); err == nil {
		t.Error("Read after Close: nil error")
	}
}
