package phy

import (
	"context"
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Rx says what a receiver listens for on one timeslot of one frame.
type Rx uint8

// Receive modes. The network side uses Off, Normal and Access; a mobile
// uses Off, FCCH, SCH and Normal.
const (
	// RxOff: the slot is not received.
	RxOff Rx = iota
	// RxFCCH: search the frame's samples for a frequency correction
	// burst (TS 45.002 §5.2.4) anywhere: the mobile is not synchronised.
	// The receiver reports a KindFCCH burst with TN 0 and the FN of the
	// frame in which it aligned its timing to the burst, having corrected
	// its carrier by the burst's frequency offset.
	RxFCCH
	// RxSCH: a synchronisation burst (§5.2.5), reported as KindSCH.
	RxSCH
	// RxNormal: a normal burst with the slot's training sequence,
	// reported as KindNormal, or KindNone when nothing was detected.
	RxNormal
	// RxAccess: an access burst (§5.2.7: RACH or handover access),
	// reported as KindAccess; failing that a normal burst, as RxNormal.
	RxAccess
)

var rxNames = [...]string{"off", "fcch", "sch", "normal", "access"}

func (r Rx) String() string {
	if int(r) < len(rxNames) {
		return rxNames[r]
	}
	return fmt.Sprintf("Rx(%d)", uint8(r))
}

// Plan is what to receive in one frame: a mode and a training sequence
// code per timeslot.
type Plan struct {
	Slots [tdma.Slots]Rx
	// TSC is the training sequence of each RxNormal (and RxAccess, for
	// its normal-burst fallback) slot, 0..7.
	TSC [tdma.Slots]uint8
}

// Any reports whether any slot is received.
func (p *Plan) Any() bool {
	for _, m := range p.Slots {
		if m != RxOff {
			return true
		}
	}
	return false
}

// Planner says what the receiver listens for in each frame: the uplink
// layout of a cell's carrier (gsm/l1.Config), or what a layer 1 told a
// transceiver over TRXC (gsm/trxproto.State).
type Planner interface {
	// Plan fills p for frame fn. The Carrier calls it from the cell
	// loop's goroutine (inside Receive), once per received frame; it
	// must not block or allocate.
	Plan(fn tdma.FN, p *Plan)
}

// PlanFunc is a function that is a Planner.
type PlanFunc func(fn tdma.FN, p *Plan)

// Plan calls f.
func (f PlanFunc) Plan(fn tdma.FN, p *Plan) { f(fn, p) }

// Carrier is one carrier's burst PHY as the network side sees it: the
// cell loop of that carrier (firmware/node) is its only caller, and
// calls, once per TDMA frame and in this order,
//
//	fn, err := c.Next(ctx)         // which frame to produce now
//	cell.Frame(fn, &bursts)
//	err = c.Transmit(fn, &bursts)  // its downlink
//	err = c.Receive(plan, emit)    // whatever uplink has come in
//
// Implementations: dsp/trx.StreamCarrier (the in-process transceiver on a
// radio.Stream: the simulated air or a board's front end) and
// gsm/trxproto/trxclient.Client (an external transceiver over the TRX
// protocol); phytest.Carrier is the fake.
type Carrier interface {
	// Next returns the frame whose downlink the loop produces next. It
	// blocks until that frame is due, as the PHY reckons time: a
	// transceiver with its own clock (IND CLOCK over TRX) blocks here,
	// and re-establishes a lost transceiver here; a sample stream that
	// the loop drives returns at once (the stream's reads and writes are
	// the pace, and the node paces the loop to real time with its
	// injected clock, or leaves it free-running in virtual time). Frame
	// numbers increase by one per call, except after a resynchronisation,
	// when they jump. It returns ctx.Err() when ctx ends, and ErrClosed
	// when the PHY has stopped for good.
	Next(ctx context.Context) (tdma.FN, error)
	// Transmit hands over the eight downlink bursts of frame fn (the FN
	// Next just returned). Bursts of KindNone are not sent (a C0
	// transceiver fills them with dummy bursts). The PHY copies what it
	// keeps; it must not block on the network or the disk beyond one
	// frame's sample write. An error other than ErrClosed is fatal for
	// the loop.
	Transmit(fn tdma.FN, bursts *[tdma.Slots]tdma.TxBurst) error
	// Receive calls emit, on the caller's goroutine, for every uplink
	// burst that has come in since the last call, in frame order, with
	// its measurements (RSSI dBm, ToA in symbols, C/I dB); KindNone when a
	// slot the plan listens to held nothing. plan says what each slot of
	// each uplink frame listens for (the PHY asks it for the frames it
	// demodulates). emit must not keep b. Receive does not block: it
	// returns what has arrived.
	Receive(plan Planner, emit func(b *tdma.RxBurst)) error
}
