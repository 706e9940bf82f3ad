package node

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/gsm/bts"
	"github.com/gsmbox/gsmbox/gsm/core"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/gsmtap"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/rsl"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// FrameDuration is one TDMA frame, 120/26 ms (TS 45.002 §4.3.1).
const FrameDuration = phy.FrameDuration

// CellSettings turns a validated configuration into the cell's settings
// (without NewLink, which the core supplies).
func CellSettings(c *config.Config, log *slog.Logger) bts.Config {
	rc := rr.DefaultCellConfig()
	rc.PLMN = l3.PLMN{MCC: c.Network.MCC, MNC: c.Network.MNC}
	rc.LAC = uint16(c.Cell.LAC)
	rc.CI = uint16(c.Cell.CI)
	rc.BSIC = c.BSIC()
	rc.Band = c.Band()
	rc.ARFCN = c.ARFCN()
	rc.Neighbours = c.Neighbours()
	rc.CombinedCCCH = c.Cell.CombinedCCCH
	rc.BSAGBlksRes = uint8(c.Cell.AGBlocksReserved)
	rc.BSPAMfrms = uint8(c.Cell.PagingMultiframes)
	rc.T3212 = uint8(c.Cell.PeriodicLU.Duration / (6 * time.Minute))
	rc.MaxMSTxPowerDBm = c.Cell.MSTxPowerMaxDBm
	rc.RxLevAccessMinDBm = c.Cell.RxLevAccessMinDBm
	if rc.RxLevAccessMinDBm > -48 {
		rc.RxLevAccessMinDBm = -48 // RXLEV 62 is the top of the coded range
	}
	rc.CellBarred = c.Cell.Barred
	rc.MaxRetrans = uint8(c.Cell.RACHMaxRetrans)
	rc.TxIntegerSlots = c.Cell.RACHTxInteger
	rc.RadioLinkTimeout = uint8(c.Cell.RadioLinkTimeout)
	rc.DTX = rr.DTXShallNot
	if c.Cell.DTX {
		rc.DTX = rr.DTXMay
	}
	bc := bts.Config{Cell: rc, Log: log, MSPowerTargetDBm: float32(c.Cell.MSPowerTargetDBm), VeryEarlyAssignment: c.Cell.VeryEarlyAssignment}
	for _, tn := range c.Cell.SDCCH8Timeslots {
		bc.SDCCH8 = append(bc.SDCCH8, tdma.TN(tn))
	}
	for _, tn := range c.Cell.TCHFTimeslots {
		bc.TCHF = append(bc.TCHF, tdma.TN(tn))
	}
	for _, tn := range c.DynamicTS() {
		bc.DynamicTS = append(bc.DynamicTS, tdma.TN(tn))
	}
	return bc
}

// Layout builds the cell of a configuration without a core: the
// carrier's layer-1 layout (timeslot combinations, TSC) for whoever needs
// it without running the network (the virtual phones of `gsmbox trx`).
func Layout(c *config.Config) (*bts.Cell, error) {
	return bts.New(CellSettings(c, nil))
}

// OnAirLine is the console line that says the cell transmits; the QEMU
// boot test and operators look for "on air" and the ARFCN in it.
func OnAirLine(c *config.Config) string {
	hz, _ := c.Band().DownlinkHz(c.ARFCN())
	return fmt.Sprintf("cell on air: ARFCN %d (%v, %.1f MHz), %v, PLMN %s-%s, LAC %d, CI %d, %g dBm",
		c.ARFCN(), c.Band(), float64(hz)/1e6, c.BSIC(), c.Network.MCC, c.Network.MNC, c.Cell.LAC, c.Cell.CI, c.Cell.TxPowerDBm)
}

// buildNetwork builds the cell and the core network above it over reg.
// It is the one place where bts.Cell and core.Network are constructed
// and joined: a change to either API is adapted here.
func buildNetwork(c *config.Config, log *slog.Logger, tap *gsmtap.Sender, reg *registry.Registry, clk core.Clock, virtual bool,
	cdrs core.CDRSink, onCall func(core.CallResult), onResult func(mm.Result), sms core.SMSConfig, tr core.Trunk,
	onSwitch func(tdma.TN, l1.Combination, tdma.FN)) (*bts.Cell, *core.Network, error) {
	ciphers, _ := c.CipherSet()
	lai := l3.LAI{PLMN: l3.PLMN{MCC: c.Network.MCC, MNC: c.Network.MNC}, LAC: uint16(c.Cell.LAC)}
	short := c.Network.ShortName
	if short == "" {
		short = c.Network.Name
	}
	net, err := core.New(core.Config{
		MM: mm.Config{LAI: lai, Ciphers: ciphers, NoAuth: !c.Security.Authenticate,
			AuthEvery: c.Security.AuthEvery, KeyMaxAge: c.Security.KeyMaxAge.Duration, KeyReuseA51: c.Security.KeyReuseA51,
			FullName: c.Network.Name, ShortName: short, SendTime: true,
			EmergencyCalls: c.Emergency.WithoutSIM},
		Calls: core.CallConfig{NoAnswer: c.Calls.NoAnswer.Duration, Emergency: c.Emergency.Target,
			EmergencyNumbers: c.Emergency.Numbers, CDR: cdrs, OnCall: onCall, Trunk: tr},
		HLR:      core.NewHLR(reg),
		Clock:    clk,
		SyncHLR:  virtual,
		Log:      log,
		OnResult: onResult,
		SMS:      sms,
		USSD:     ussdService(c),
	})
	if err != nil {
		return nil, nil, err
	}
	settings := CellSettings(c, log)
	settings.ID, settings.Up, settings.OnSwitch = cellID, net.Up(), onSwitch
	if tap != nil {
		settings.Tap = bts.GSMTAPTap(tap, c.Band())
	}
	cell, err := bts.New(settings)
	if err != nil {
		return nil, nil, err
	}
	net.AddCell(cellID, cell.Down())
	return cell, net, nil
}

// cellID is the node's one carrier, as the core knows it.
const cellID rsl.CellID = 1
