package firmware

import (
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/firmware/leds"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/firmware/status"
)

// Issue 17 item 5: a Lime cell running on its stream whose transmitter
// nothing lets key (no GPS, no GSM cell in range, no override) says so
// in the operator's words in the status file (and so the USB report,
// which is that text) and on the LEDs, instead of showing "on air"; a
// cell calibrated from cells shows where its clock comes from.
func TestClockReferenceStatus(t *testing.T) {
	none := &node.RadioSnapshot{Frontend: "lime-usb", Chain: "limesdr-mini", Up: true,
		Interlock: rf.InterlockStatus{State: rf.TXOff, ClockSource: rf.ClockSourceNone, ClockDetail: rf.NoClockReference},
		ClockCal:  &node.ClockCalibration{Error: "no GSM cell in range on GSM900"}}
	lines := strings.Join(radioLines(none), "\n")
	if !strings.Contains(lines, "clock:       none: no clock reference: connect GPS, or put the box in range of a GSM cell, or set [radio] clock_override = true") {
		t.Errorf("radioLines(no clock) =\n%s\nwant the clock line in the operator's words", lines)
	}
	if !noClockReference(none) {
		t.Errorf("noClockReference(no clock) = false")
	}
	s := &statusService{txAllowed: true}
	snap := status.Snapshot{Health: "ok", Frames: 100, Radio: radioLines(none), NoClockReference: true,
		Transmitter: "NOT KEYED: " + rf.NoClockReference}
	if p := s.pattern(snap, 50); p.Name != leds.NoClockReference.Name {
		t.Errorf("LEDs with no clock reference = %s, want %s (frames move, but nothing is transmitted)", p.Name, leds.NoClockReference.Name)
	}
	if txt := snap.Render(); !strings.Contains(txt, "put the box in range of a GSM cell") {
		t.Errorf("status text (the USB report's) lacks the reason:\n%s", txt)
	}

	cells := &node.RadioSnapshot{Frontend: "lime-usb", Chain: "limesdr-mini", Up: true,
		Interlock: rf.InterlockStatus{State: rf.TXOn, ClockSource: rf.ClockSourceCells, ClockDetail: "cells ARFCN 20 (…): reference was +2000.0 ppb, now +0.1 ± 0.1 ppb"}}
	lines = strings.Join(radioLines(cells), "\n")
	if !strings.Contains(lines, "clock:       calibrated-from-cells: cells ARFCN 20") || noClockReference(cells) {
		t.Errorf("radioLines(calibrated) =\n%s", lines)
	}
	snap.NoClockReference = false
	if p := s.pattern(snap, 50); p.Name != leds.OnAir.Name {
		t.Errorf("LEDs calibrated from cells = %s, want %s", p.Name, leds.OnAir.Name)
	}
}
