package firmware

import (
	"context"
	"fmt"
	"time"

	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/firmware/clock"
	"github.com/gsmbox/gsmbox/firmware/lan"
	"github.com/gsmbox/gsmbox/firmware/leds"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/firmware/status"
	"github.com/gsmbox/gsmbox/gsm/core/trunk"
)

// snapshot is the status file's content now.
func (a *appliance) snapshot() status.Snapshot {
	h := "ok"
	if f := a.feeder.Load(); f != nil && f.LastError() != nil {
		h = f.LastError().Error()
	} else if err := a.sup.Healthy(); err != nil {
		h = err.Error()
	}
	cs := a.cell.Snapshot()
	tx := a.transmitter(cs.Radio)
	arfcn := a.disk.configs.Current().Cell.ARFCN
	if cs.Radio != nil && cs.Radio.Scan != nil {
		arfcn = int(cs.Radio.Scan.ARFCN) // arfcn = "auto": the channel chosen
	}
	snap := status.Snapshot{
		Version: a.opts.Version, Board: a.board.Name, Model: a.model, Transmitter: tx,
		Uptime: a.uptime(), ConfigSource: a.disk.configs.Source(), ARFCN: arfcn,
		Frames: cs.Frames, Connections: cs.Core.Connections, Subscribers: len(cs.Core.Sessions), Persistent: a.disk.persistent, UncleanShutdown: a.disk.unclean, Health: h,
		LastUSB: a.lastUSB.Load().(string), Services: a.sup.Status(), Registry: a.registryReport(), Radio: radioLines(cs.Radio),
		NoClockReference: noClockReference(cs.Radio),
		Trunks:           trunkLines(cs.Trunks),
	}
	if a.net != nil {
		st := a.net.Status()
		snap.Network, snap.Clock = st.Line(), st.Clock.ClockLine()
	}
	return snap
}

// transmitter is the status's "transmitter" line: the real state of the
// radio the node runs. DISABLED when the board may not transmit at all
// (an unknown board, a front end that did not come up); on a USB radio
// the cell's interlock, keyed or not and why (r); on a board whose front
// end the firmware brought up, that front end's interlock; on the
// simulated air, which has no transmitter, says so.
func (a *appliance) transmitter(r *node.RadioSnapshot) string {
	switch {
	case !a.txAllowed():
		return "DISABLED: " + a.txErr.Error()
	case r != nil:
		return r.Transmitter()
	case a.fe != nil && a.fe.Guard != nil:
		return node.TransmitterLine(a.fe.Guard.Status())
	case a.radioOpener != nil:
		return "OFF: radio not started"
	}
	return "enabled (simulated air: no RF front end)"
}

// usbStatus is the status as the USB report shows it: the status file's
// text, and after it the boot-time channel scan channel by channel.
func (a *appliance) usbStatus() string {
	snap := a.snapshot()
	out := snap.Render()
	if r := a.cell.Snapshot().Radio; r != nil && r.Scan != nil {
		out += "\nchannel scan at boot (" + r.Scan.Band + "):\n" + r.Scan.Table()
	}
	return out
}

// radioLines renders a hardware radio's state for the status file.
func radioLines(r *node.RadioSnapshot) []string {
	if r == nil {
		return nil
	}
	st := r.Stream
	state := "down"
	switch {
	case r.Up && st.Healthy:
		state = "up, healthy"
	case r.Up:
		state = "up, UNHEALTHY (transmitter off)"
	case r.LastError != "":
		state = "down: " + r.LastError
	}
	il := "n/a"
	if r.Up {
		il = r.Interlock.State.String()
	}
	out := []string{
		fmt.Sprintf("radio:       %s (%s): stream %s; interlock %s, %d trips; %d starts, %d failed opens",
			r.Frontend, r.Chain, state, il, r.Interlock.TotalTrips, r.Starts, r.OpenFailures),
		fmt.Sprintf("stream:      RX lost %d packets, TX late %d, underruns %d, overruns %d, unplugs %d, stalls %d; USB RX %.2f MB/s, TX %.2f MB/s",
			st.RXLost, st.Late, st.Underruns, st.Overruns, st.Unplugs, st.Stalls, r.RXBytesPerSec/1e6, r.TXBytesPerSec/1e6),
	}
	if r.Board != "" {
		out = append(out, "usb board:   "+r.Board)
	}
	if r.Scan != nil {
		out = append(out, r.Scan.Lines()...)
	}
	if r.Cal != nil {
		out = append(out, "tx cal:      "+r.Cal.Summary())
	}
	switch {
	case r.Up:
		out = append(out, fmt.Sprintf("clock:       %s: %s", r.Interlock.ClockSource, r.Interlock.ClockDetail))
	case r.ClockCal != nil:
		out = append(out, "clock:       calibration from GSM cells "+r.ClockCal.Summary())
	}
	return out
}

// noClockReference reports whether the cell runs on a hardware radio
// whose transmitter nothing lets key: no GPS lock, no calibration from
// GSM cells, no override.
func noClockReference(r *node.RadioSnapshot) bool {
	return r != nil && r.Up && r.Interlock.ClockSource == rf.ClockSourceNone
}

// trunkLines renders each SIP trunk's state for the status file.
func trunkLines(ts []trunk.Status) []string {
	var out []string
	for _, t := range ts {
		l := fmt.Sprintf("%s %s", t.Name, t.State)
		if t.Detail != "" {
			l += " (" + t.Detail + ")"
		}
		if t.State == "registered" {
			l += fmt.Sprintf(" until %s", t.Expires.UTC().Format(time.TimeOnly))
		}
		l += fmt.Sprintf(", %d calls now, %d out, %d in, %d refused, %d dropped", t.Active, t.CallsOut, t.CallsIn, t.Refused, t.Dropped)
		out = append(out, l)
	}
	return out
}

// statusService writes the status file every few seconds and moves the
// LEDs from "booting" to "on air" (or "error") as the cell runs.
type statusService struct {
	path      string
	snapshot  func() status.Snapshot
	net       func() lan.Status
	clock     clock.Clock
	player    *leds.Player
	txAllowed bool
}

func (s *statusService) Name() string { return "status" }

// pattern is what the LEDs show for snap; last is the frame count of the
// previous look (frames moving means the cell runs).
func (s *statusService) pattern(snap status.Snapshot, last uint64) leds.Pattern {
	switch {
	case !s.txAllowed || snap.Health != "ok":
		return leds.Error
	case snap.NoClockReference:
		return leds.NoClockReference
	case snap.Frames > last && snap.Registry != "":
		return leds.OnAirDataRestored
	case snap.Frames > last && s.net != nil && noNetwork(s.net()):
		return leds.OnAirNoNetwork
	case snap.Frames > last:
		return leds.OnAir
	}
	return leds.Booting
}

func (s *statusService) Serve(ctx context.Context) error {
	var last uint64
	shown := ""
	for {
		snap := s.snapshot()
		if err := status.Write(s.path, snap); err != nil {
			return err
		}
		want := s.pattern(snap, last)
		last = snap.Frames
		if want.Name != shown {
			s.player.Show(want)
			shown = want.Name
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.clock.After(2 * time.Second):
		}
	}
}

// registryReport is Options.RegistryReport's answer, or "".
func (a *appliance) registryReport() string {
	if a.opts.RegistryReport == nil {
		return ""
	}
	return a.opts.RegistryReport()
}
