package node

import (
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// RadioSnapshot.Transmitter says what the transmitter of a USB radio
// does, from the interlock and the stream: keyed (on or ramping, with
// power and carrier) or off and why.
func TestRadioTransmitterLine(t *testing.T) {
	ready := rf.InterlockStatus{Band: tdma.GSM900, FreqHz: 947_400_000, TargetDBm: 5, PowerDBm: 5, PLLLocked: true, ClockOK: true}
	with := func(f func(*rf.InterlockStatus)) rf.InterlockStatus { s := ready; f(&s); return s }
	up := func(is rf.InterlockStatus, healthy bool) RadioSnapshot {
		return RadioSnapshot{Frontend: FrontendLime, Up: true, Stream: lime.Stats{Healthy: healthy}, Interlock: is}
	}
	for _, tc := range []struct {
		name string
		r    RadioSnapshot
		want string
	}{
		{"keyed", up(with(func(s *rf.InterlockStatus) { s.State = rf.TXOn }), true), "keyed: PA on at 5.0 dBm, 947.4 MHz (GSM900)"},
		{"ramping", up(with(func(s *rf.InterlockStatus) { s.State, s.PowerDBm = rf.TXRamping, -21 }), true), "keyed: PA ramping to 5.0 dBm (now -21.0 dBm), 947.4 MHz (GSM900)"},
		{"stream lost", up(with(func(s *rf.InterlockStatus) {
			s.State, s.LastTrip, s.LastDetail, s.StreamFault = rf.TXTripped, rf.TripStreamLost, "sample stream unhealthy", true
		}), false), "OFF: interlock tripped (stream-lost: sample stream unhealthy); keyed again once the sample stream is healthy"},
		{"pll trip", up(with(func(s *rf.InterlockStatus) { s.State, s.LastTrip = rf.TXTripped, rf.TripPLLUnlock }), true), "OFF: interlock tripped (pll-unlock)"},
		{"unhealthy", up(ready, false), "OFF: sample stream unhealthy"},
		{"refused", RadioSnapshot{Up: true, Stream: lime.Stats{Healthy: true}, Interlock: with(func(s *rf.InterlockStatus) { s.ClockOK = false }),
			NotKeyed: "rf: not ready: reference clock not disciplined (and no operator override)"},
			"OFF: not keyed: rf: not ready: reference clock not disciplined (and no operator override)"},
		{"starting", up(ready, true), "OFF: not keyed yet (waiting for the sample stream)"},
		{"scanning", RadioSnapshot{Scanning: true}, "OFF: scanning the band for a channel (nothing is transmitted during the scan)"},
		{"down", RadioSnapshot{LastError: "cell: front end lime-usb: device not found"}, "OFF: cell off the air: cell: front end lime-usb: device not found"},
		{"never up", RadioSnapshot{}, "OFF: radio not started"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.r.Transmitter(); got != tc.want {
				t.Errorf("Transmitter() = %q, want %q", got, tc.want)
			}
		})
	}
	// A front end the firmware brought up and nothing keyed says why.
	for is, want := range map[*rf.InterlockStatus]string{
		{PLLLocked: false}:                "(TX PLL not locked)",
		{PLLLocked: true}:                 "(reference clock not disciplined)",
		{PLLLocked: true, Override: true}: "OFF: not keyed",
	} {
		if got := TransmitterLine(*is); !strings.HasPrefix(got, "OFF: not keyed") || !strings.HasSuffix(got, want) {
			t.Errorf("TransmitterLine(%+v) = %q, want …%q", *is, got, want)
		}
	}
}
