package l1

import (
	"errors"
	"fmt"
	"math"

	"github.com/gsmbox/gsmbox/gsm/gsmtap"
	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Config describes the BCCH carrier C0 of a cell to the Downlink and the
// Uplink. It is plain data, fixed for the life of the Downlink/Uplink built
// from it (system information, which changes, goes into Downlink.BCCH).
type Config struct {
	// ARFCN is the carrier's channel number. l1 only passes it to the Tap.
	ARFCN tdma.ARFCN
	// BSIC is sent on the SCH and used to decode access bursts (TS 45.003
	// §4.6). Its BCC is the training sequence of every normal burst on C0
	// (TS 45.002 §5.2.3).
	BSIC tdma.BSIC
	// Slots is the channel combination of each timeslot. TN0 must be CombIV
	// or CombV; the others CombVII, CombI or CombOff. C0 is transmitted
	// continuously, so every timeslot and frame without a burst of its own
	// carries a dummy burst (TS 45.002 §5.2.6, TS 45.008 §7.1).
	Slots [8]Combination
	// BSAgBlksRes is BS_AG_BLKS_RES: the CCCH blocks reserved for AGCH,
	// counted from block 0 (0..7 with CombIV, 0..2 with CombV). It must
	// match the Control Channel Description the cell sends in SI3.
	BSAgBlksRes int
	// BSPaMfrms is BS_PA_MFRMS (2..9): the number of 51-multiframes over
	// which the paging groups are spread. It must match SI3.
	BSPaMfrms int
	// BCCHExt turns CCCH block 0 into the BCCH Ext in the multiframes whose
	// TC has an extended-BCCH message to send (see BCCH). It needs
	// BSAgBlksRes ≥ 1, so that BCCH Ext only ever displaces access grants,
	// never a paging group's block.
	BCCHExt bool
	// IdleCCCH is the 23-octet block sent in every PCH or AGCH block that
	// has nothing else to carry: a Paging Request Type 1 with no identities
	// (TS 44.018 §9.1.22; built by gsm/rr). It must be set.
	IdleCCCH [23]byte
	// Tap, when not nil, is called with every block sent and every block
	// and access burst received, for GSMTAP mirroring.
	Tap Tap
}

// TSC returns the training sequence code of normal bursts on C0.
func (c *Config) TSC() uint8 { return c.BSIC.BCC & 7 }

// CCCH returns the CCCH layout of the configuration.
func (c *Config) CCCH() (CCCH, error) {
	return NewCCCH(c.Slots[0], c.BSAgBlksRes, c.BSPaMfrms)
}

// Validate reports every problem with the configuration at once.
func (c *Config) Validate() error {
	var errs []error
	if !c.BSIC.Valid() {
		errs = append(errs, fmt.Errorf("%w: %v out of range", ErrConfig, c.BSIC))
	}
	if c.Slots[0] != CombIV && c.Slots[0] != CombV {
		errs = append(errs, fmt.Errorf("%w: TN0 has combination %v, want IV or V", ErrConfig, c.Slots[0]))
	} else if _, err := c.CCCH(); err != nil {
		errs = append(errs, err)
	}
	for tn := 1; tn < 8; tn++ {
		switch c.Slots[tn] {
		case CombOff, CombI, CombVII:
		default:
			errs = append(errs, fmt.Errorf("%w: TN%d has combination %v, want off, I or VII", ErrConfig, tn, c.Slots[tn]))
		}
	}
	if c.BCCHExt && c.BSAgBlksRes < 1 {
		errs = append(errs, fmt.Errorf("%w: BCCH Ext needs BS_AG_BLKS_RES ≥ 1, have %d", ErrConfig, c.BSAgBlksRes))
	}
	if c.IdleCCCH == ([23]byte{}) {
		errs = append(errs, fmt.Errorf("%w: IdleCCCH (empty Paging Request Type 1) not set", ErrConfig))
	}
	return errors.Join(errs...)
}

// Tap receives a copy of every block l1 sends or receives, so the cell can
// mirror them as GSMTAP. It is called on the per-frame path: it must not
// block and must not retain ev or ev.Data.
type Tap func(ev *TapEvent)

// TapEvent is one block seen by l1.
type TapEvent struct {
	Uplink bool
	Chan   Chan
	// FN is the frame number of the block's first burst.
	FN    tdma.FN
	ARFCN tdma.ARFCN
	// Data is the 23-octet block, or the single RA octet of an access burst.
	Data []byte
	// RSSI (dBm) and ToA (symbols) of an uplink block or access burst.
	RSSI, ToA float32
}

// GSMTAP returns the GSMTAP header under which the block is mirrored (its
// payload is ev.Data): the channel type and sub-slot of ev.Chan, the
// direction, and for uplink blocks the signal level.
func (ev *TapEvent) GSMTAP() gsmtap.Header {
	typ, sub := ev.Chan.GSMTAP()
	h := gsmtap.Um(typ, ev.ARFCN, ev.Chan.TN, ev.FN, sub)
	h.Uplink = ev.Uplink
	if ev.Uplink {
		h.SignalDBm = int8(max(math.MinInt8, min(math.MaxInt8, math.Round(float64(ev.RSSI)))))
	}
	return h
}

// Plan implements phy.Planner: what the cell's receiver listens for on
// each timeslot of uplink frame fn under the carrier's combinations
// (TS 45.002 §6.4.1, clause 7 tables): access bursts on the RACH, normal
// bursts with the carrier's TSC on every other mapped channel, nothing on
// idle positions.
func (c *Config) Plan(fn tdma.FN, p *phy.Plan) {
	l := NewLayout(c.Slots)
	l.Plan(c.TSC(), fn, p)
}
