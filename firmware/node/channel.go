package node

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/boards/rf/lms7002m"
	"github.com/gsmbox/gsmbox/firmware/chanscan"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// openFront brings the board's front end up for c (ServiceConfig.Radio),
// counting a failure in the radio's state for status.
func (s *Service) openFront(c *config.Config) (*rf.Frontend, error) {
	front, err := s.cfg.Radio(c)
	if err != nil {
		s.radio.mu.Lock()
		s.radio.failures++
		s.radio.lastErr = err.Error()
		s.radio.mu.Unlock()
	}
	return front, err
}

// receiveOnly starts a sample stream on a front end just brought up, for
// listening before the cell transmits (the channel scan, the clock's
// calibration against nearby cells): the transmitter must be off, and
// the stream is not wired to the interlock or the PPS latch.
func (s *Service) receiveOnly(front *rf.Frontend, sps int, log *slog.Logger) (*lime.Stream, error) {
	if !txOff(front) {
		return nil, fmt.Errorf("the transmitter is not off after bring-up")
	}
	plan, err := lms7002m.PlanStream(front.Chain.RefClock, sps, 0)
	if err != nil {
		return nil, err
	}
	if err := front.LMS.ConfigureStream(plan); err != nil {
		return nil, fmt.Errorf("stream clocks: %w", err)
	}
	sc := s.cfg.Stream
	sc.SampleRate, sc.OnHealth, sc.Arrivals = plan.RateHz, nil, nil
	if sc.Log == nil {
		sc.Log = log
	}
	if sc.Clock == nil {
		sc.Clock = s.cfg.Clock
	}
	st, err := lime.NewStream(front.Lime, sc)
	if err != nil {
		return nil, fmt.Errorf("stream start: %w", err)
	}
	return st, nil
}

// ChannelChoice is the outcome of the boot-time channel scan ([cell]
// arfcn = "auto"): the choice, the scan it was made from, and the
// configuration the cell then runs.
type ChannelChoice struct {
	chanscan.Choice
	Band string `json:"band"`
	// Scan is every channel measured, in ARFCN order.
	Scan []chanscan.Channel `json:"scan"`
	// TXOff says the transmitter was checked off before and after the
	// scan (interlock off, the LMS7002M's TX pad powered down): nothing
	// was transmitted while the band was scanned.
	TXOff bool `json:"tx_off_during_scan"`
	// Config is the configuration with the chosen ARFCN in force.
	Config *config.Config `json:"-"`
}

// Summary is one line for status: the choice and why.
func (c *ChannelChoice) Summary() string {
	return fmt.Sprintf("auto %s, %s", c.Band, c.Choice.Summary())
}

// Lines renders the choice and the scan for the status file, `gsmbox
// status` and the USB report: the choice and why, what was scanned and
// found occupied, and each GSM cell heard with its identity and its
// neighbours.
func (c *ChannelChoice) Lines() []string {
	out := []string{"channel:     " + c.Summary()}
	scanned := make([]tdma.ARFCN, len(c.Scan))
	for i, x := range c.Scan {
		scanned[i] = x.ARFCN
	}
	out = append(out, fmt.Sprintf("scan:        %d channels (ARFCN %s) with the transmitter off, floor %.1f dBFS; occupied: %s",
		len(c.Scan), chanscan.ARFCNList(scanned), c.FloorDBFS, chanscan.ARFCNList(c.OccupiedARFCNs)))
	for _, x := range c.Cells {
		out = append(out, fmt.Sprintf("cell heard:  ARFCN %d, %.1f dBFS: %s", x.ARFCN, x.DBFS, x.Cell))
	}
	if len(c.Neighbours) > 0 {
		how := "avoided"
		if !c.NeighboursAvoided {
			how = "NOT avoided (no channel left clear of them)"
		}
		out = append(out, fmt.Sprintf("neighbours:  of the cells heard: %s, %s", chanscan.ARFCNList(c.Neighbours), how))
	}
	return out
}

// Table is the scan channel by channel, for the USB report: ARFCN,
// power, and the cell found there.
func (c *ChannelChoice) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ARFCN  dBFS    cell\n")
	for _, x := range c.Scan {
		mark := ""
		switch {
		case x.ARFCN == c.ARFCN:
			mark = "<- chosen"
		case x.Cell != nil:
			mark = x.Cell.String()
		}
		fmt.Fprintf(&b, "%5d  %6.1f  %s\n", x.ARFCN, x.DBFS, mark)
	}
	return b.String()
}

// txOff reports whether the front end's transmitter is off: the
// interlock not keyed and the TX pad powered down.
func txOff(fe *rf.Frontend) bool {
	st := fe.Guard.Status().State
	return st != rf.TXOn && st != rf.TXRamping && (fe.LMS == nil || !fe.LMS.TXEnabled())
}

// chooseChannel scans the band before the cell transmits and returns
// the configuration with the chosen ARFCN; nil when the ARFCN is fixed.
// The front end is brought up for the scan only (its PA is off from the
// bring-up and nothing keys it: the keyer runs only with the cell) and
// closed again. No free channel is an error: the cell stays off the air
// and the supervisor tries again after its back-off.
func (s *Service) chooseChannel(ctx context.Context, c *config.Config) (*ChannelChoice, error) {
	if !c.Cell.ARFCNAuto {
		return nil, nil
	}
	log := s.cfg.Log
	allowed, err := c.AllowedARFCNs()
	if err != nil {
		return nil, err
	}
	front, err := s.openFront(c)
	if err != nil {
		return nil, fmt.Errorf("cell: channel scan: front end: %w", err)
	}
	defer front.Close()
	s.radio.mu.Lock()
	s.radio.scanning = true
	s.radio.mu.Unlock()
	defer func() {
		s.radio.mu.Lock()
		s.radio.scanning = false
		s.radio.mu.Unlock()
	}()
	if front.Lime == nil || front.LMS == nil {
		return nil, fmt.Errorf("cell: channel scan: chain %s has no USB transceiver", front.Chain.Name)
	}
	sps := c.Radio.SamplesPerSymbol
	st, err := s.receiveOnly(front, sps, log)
	if err != nil {
		return nil, fmt.Errorf("cell: channel scan: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { _ = st.Close() })
	band := c.Band()
	// The whole band is measured, not only the allowed channels: the
	// noise floor is the band's median (a licence for a few channels,
	// all of them taken, would otherwise be its own floor and look
	// free), a cell just outside the allowed range still gets its guard
	// channels, and its BA list is read.
	log.Info("scanning the band for a channel before transmitting", "band", band, "channels", len(band.Channels()), "allowed", len(allowed))
	res, err := chanscan.Scan(&chanscan.Lime{LMS: front.LMS, S: st, Allow: s.cfg.ScanAllow}, band, nil, chanscan.Options{SPS: sps})
	stop()
	_ = st.Close()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("cell: channel scan: %w", err)
	}
	off := txOff(front)
	if !off {
		return nil, fmt.Errorf("cell: channel scan: the transmitter was on during the scan")
	}
	ch, err := chanscan.Choose(band, res, chanscan.ChooseOptions{Allowed: allowed, Avoid: c.Neighbours()})
	if err != nil {
		log.Error("no channel to transmit on; the cell stays off the air", "err", err)
		return nil, fmt.Errorf("cell: %w", err)
	}
	nc := c.Clone()
	nc.Cell.ARFCN, nc.Cell.ARFCNAuto = int(ch.ARFCN), false
	for _, x := range ch.Cells {
		log.Info("GSM cell on the air", "arfcn", x.ARFCN, "dbfs", fmt.Sprintf("%.1f", x.DBFS), "cell", x.Cell.String())
	}
	if len(ch.Neighbours) > 0 {
		log.Info("neighbour channels of the cells heard", "arfcns", chanscan.ARFCNList(ch.Neighbours), "avoided", ch.NeighboursAvoided)
	}
	log.Info("channel chosen", "arfcn", ch.ARFCN, "reason", ch.Reason)
	return &ChannelChoice{Choice: ch, Band: band.String(), Scan: res, TXOff: off, Config: nc}, nil
}
