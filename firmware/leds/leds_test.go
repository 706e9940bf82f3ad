package leds

import (
	"context"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/firmware/clock"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

func levels(g, r *gpiotest.Pin) (bool, bool) {
	return bool(g.Read()), bool(r.Read())
}

func TestPatterns(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	g, r := &gpiotest.Pin{N: "GPIO5"}, &gpiotest.Pin{N: "GPIO6"}
	p := NewPlayer(g, r, clk, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Serve(ctx) }()
	// wait blocks until the player is waiting on its next step.
	wait := func() {
		t.Helper()
		if !clk.BlockUntil(1, 5*time.Second) {
			t.Fatal("player not waiting")
		}
	}
	expect := func(what string, wantG, wantR bool) {
		t.Helper()
		wait()
		if gl, rl := levels(g, r); gl != wantG || rl != wantR {
			t.Errorf("%s: (green, red) = (%v, %v), want (%v, %v)", what, gl, rl, wantG, wantR)
		}
	}
	expect("booting t=0", true, false)
	clk.Advance(500 * time.Millisecond)
	expect("booting t=500ms", false, false)
	clk.Advance(500 * time.Millisecond)
	expect("booting t=1s", true, false)

	p.Show(OnAir)
	// The player drops its old timer and waits on the new pattern's.
	for d := time.Now().Add(5 * time.Second); time.Now().Before(d); time.Sleep(time.Millisecond) {
		if gl, _ := levels(g, r); gl && clk.Waiters() >= 2 {
			break
		}
	}
	clk.Advance(time.Second)
	expect("on air", true, false)

	// eventually polls for the LEDs to reach a state.
	eventually := func(what string, wantG, wantR bool) {
		t.Helper()
		for d := time.Now().Add(5 * time.Second); time.Now().Before(d); time.Sleep(time.Millisecond) {
			if gl, rl := levels(g, r); gl == wantG && rl == wantR {
				return
			}
		}
		gl, rl := levels(g, r)
		t.Fatalf("%s: (green, red) = (%v, %v), want (%v, %v)", what, gl, rl, wantG, wantR)
	}
	p.Flash(USBRejected, 2*time.Second)
	eventually("usb-rejected first step", false, true)
	for clk.Waiters() < 3 { // flash end, step hold, the old on-air hold
		time.Sleep(time.Millisecond)
	}
	clk.Advance(100 * time.Millisecond)
	eventually("usb-rejected second step", false, false)
	clk.Advance(2 * time.Second) // flash over: back to on air
	eventually("after flash", true, false)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve = %v", err)
	}
	if g.Read() != gpio.Low || r.Read() != gpio.Low {
		t.Errorf("LEDs not off after stop")
	}
}

func TestLookup(t *testing.T) {
	for _, n := range []string{"booting", "on-air", "error", "usb-applying", "usb-applied", "usb-rejected"} {
		if _, err := Lookup(n); err != nil {
			t.Errorf("Lookup(%q) = %v", n, err)
		}
	}
	if _, err := Lookup("disco"); err == nil {
		t.Error("Lookup(disco) = nil error")
	}
}
