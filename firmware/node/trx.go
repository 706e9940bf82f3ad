package node

import (
	"log/slog"
	"time"

	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/tdma"
	"github.com/gsmbox/gsmbox/gsm/trxproto"
	"github.com/gsmbox/gsmbox/gsm/trxproto/trxclient"
)

// TRXOptions are the knobs of the PHY over the TRX protocol.
type TRXOptions struct {
	Advance    int           // frames ahead of the transceiver's clock (default 20)
	Lost       time.Duration // without IND CLOCK this long, re-initialise (default 3 s)
	MaxVersion int           // highest TRXD version to ask for
	Log        *slog.Logger
}

// TRXCarrier returns the node's carrier as a PHY over the TRX protocol
// on link: the transceiver is tuned to the configuration's ARFCN and
// given the carrier's TSC and timeslot combinations.
func (n *Node) TRXCarrier(link *trxproto.Link, o TRXOptions) (*trxclient.Client, error) {
	c := n.cfg.Config
	tc := trxclient.Config{Link: link, Band: c.Band(), ARFCN: c.ARFCN(), TSC: n.l1cfg.TSC(),
		Advance: o.Advance, Lost: o.Lost, MaxVersion: o.MaxVersion, Log: o.Log}
	for tn, comb := range n.cell.Stats().Timeslots {
		tc.Slots[tn] = SlotType(comb)
	}
	cl, err := trxclient.New(tc)
	if err != nil {
		return nil, err
	}
	n.trx.Store(cl)
	return cl, nil
}

// slotSwitched passes a dynamic timeslot's switch to the external
// transceiver, if there is one (the cell's OnSwitch, on the frame loop:
// SetSlot does not wait).
func (n *Node) slotSwitched(tn tdma.TN, to l1.Combination, _ tdma.FN) {
	if cl := n.trx.Load(); cl != nil {
		cl.SetSlot(tn, SlotType(to))
	}
}

// SlotType is the SETSLOT code of a channel combination.
func SlotType(c l1.Combination) trxproto.SlotType {
	switch c {
	case l1.CombIV:
		return trxproto.SlotBCCH
	case l1.CombV:
		return trxproto.SlotBCCHSD4
	case l1.CombVII:
		return trxproto.SlotSDCCH8
	case l1.CombI:
		return trxproto.SlotTCHF
	}
	return trxproto.SlotFill
}
