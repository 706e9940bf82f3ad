package firmware

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/boards/rf/rftest"
	"github.com/gsmbox/gsmbox/firmware/config"
)

// On a board with an RF HAT the supervisor brings the chain up, runs its
// interlock as a service, and its last act leaves the PA off.
func TestRFBringUpAndLastAct(t *testing.T) {
	board, err := boards.Lookup("rpi4")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	dry := &rftest.DryRun{W: &out, Chain: board.RF.Chain}
	log := slog.New(slog.DiscardHandler)
	fe, err := bringUpRF(board, config.Default(), dry, log)
	if err != nil {
		t.Fatalf("bringUpRF() = %v\n%s", err, out.String())
	}
	if s := fe.Guard.Status(); s.State != rf.TXOff || s.FreqHz != 947_400_000 {
		t.Errorf("after bring-up: %+v, want off and tuned to 947.4 MHz", s)
	}
	// Key the transmitter (the clock gate overridden, as an operator may
	// at a site without GPS) so the last act has something to undo.
	fe.Guard.SetOverride(true)
	if err := fe.Guard.SetPower(10); err != nil {
		t.Fatal(err)
	}
	if err := fe.Guard.KeyUp(); err != nil {
		t.Fatalf("KeyUp() = %v", err)
	}
	if l, _ := dry.Level(board.RF.Chain.Pins.PAEnable); l != gpio.High {
		t.Fatalf("PA enable %s = %v after KeyUp, want High", board.RF.Chain.Pins.PAEnable, l)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	svc := rfService{fe}
	go func() { done <- svc.Serve(ctx) }()
	time.Sleep(250 * time.Millisecond) // a couple of interlock polls
	cancel()
	if err := <-done; err != nil {
		t.Errorf("rf service stopped with %v", err)
	}
	// Serve's own exit already made the front end safe; key it again so
	// the supervisor's last act is what is tested.
	fe.Guard.ClearTrip()
	if err := fe.Guard.TuneARFCN(62); err != nil {
		t.Fatal(err)
	}
	if err := fe.Guard.KeyUp(); err != nil {
		t.Fatalf("KeyUp() again = %v", err)
	}
	rfShutdown(fe, log)
	if l, isOut := dry.Level(board.RF.Chain.Pins.PAEnable); !isOut || l != gpio.Low {
		t.Errorf("PA enable %s = %v (output %v) after the last act, want driven low", board.RF.Chain.Pins.PAEnable, l, isOut)
	}
}
