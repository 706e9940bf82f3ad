package rr

import (
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/gsmtap"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/tdma"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

// TestTsharkCellParameters varies the CellConfig knobs and checks how
// tshark reads them in SI3, SI4 and SI6.
func TestTsharkCellParameters(t *testing.T) {
	testtool.Short(t)
	type want struct {
		ccchConf, agBlks, paMfrms, t3212, txpwr, rxlev, retrans, txInt, barred, re, rlt, dtxBCCH, dtxSACCH, ncc string
	}
	p := l3.PLMN{MCC: "001", MNC: "01"}
	cases := []struct {
		c    CellConfig
		want want
	}{
		{testConfig(p, tdma.GSM900, 10), want{"1", "1", "2", "10", "5", "0", "3", "10", "0", "1", "7", "2", "2", "0xff"}},
		{func() CellConfig {
			c := testConfig(p, tdma.DCS1800, 600)
			c.CombinedCCCH, c.BSAGBlksRes, c.BSPAMfrms, c.T3212 = false, 3, 5, 240
			c.MaxMSTxPowerDBm, c.RxLevAccessMinDBm = 30, -100
			c.MaxRetrans, c.TxIntegerSlots, c.CellBarred, c.ReestAllowed = 4, 50, true, true
			c.RadioLinkTimeout, c.DTX, c.NCCPermitted = 64, DTXMay, 0x05
			return c
		}(), want{"0", "3", "5", "240", "0", "10", "2", "15", "1", "0", "15", "0", "4", "0x05"}},
		{func() CellConfig {
			c := testConfig(p, tdma.PCS1900, 700)
			c.MaxMSTxPowerDBm, c.RxLevAccessMinDBm, c.MaxRetrans, c.TxIntegerSlots = 33, -48, 1, 3
			c.RadioLinkTimeout, c.DTX = 4, DTXShall
			return c
		}(), want{"1", "1", "2", "10", "30", "62", "0", "0", "0", "1", "0", "1", "3", "0xff"}},
	}
	var pk []capture
	for _, tc := range cases {
		s, err := BuildSystemInformation(tc.c)
		if err != nil {
			t.Fatal(err)
		}
		pk = append(pk, capture{gsmtap.ChanBCCH, s.SI3[:]}, capture{gsmtap.ChanSDCCH | gsmtap.ChanACCH, s.SI6[:]})
	}
	pkts := dissect(t, writeCapture(t, tdma.GSM900, 1, pk))
	si3 := fieldLines(pkts, "gsm_a.rr.ccch_conf", "gsm_a.rr.bs_ag_blks_res", "gsm_a.rr.bs_pa_mfrms", "gsm_a.rr.t3212",
		"gsm_a.rr.ms_txpwr_max_cch", "gsm_a.rr.rxlev_access_min", "gsm_a.rr.max_retrans", "gsm_a.rr.tx_integer",
		"gsm_a.rr.cell_barr_access", "gsm_a.rr.re", "gsm_a.rr.radio_link_timeout", "gsm_a.rr.dtx_bcch", "gsm_a.rr.dtx_sacch", "gsm_a.rr.ncc_permitted")
	for i, tc := range cases {
		w := tc.want
		want3 := strings.Join([]string{w.ccchConf, w.agBlks, w.paMfrms, w.t3212, w.txpwr, w.rxlev, w.retrans, w.txInt, w.barred, w.re, w.rlt, w.dtxBCCH, "", ""}, "|")
		want6 := strings.Join([]string{"", "", "", "", "", "", "", "", "", "", w.rlt, "", w.dtxSACCH, w.ncc}, "|")
		if got := si3[2*i]; got != want3 {
			t.Errorf("case %d SI3: tshark = %q, want %q", i, got, want3)
		}
		if got := si3[2*i+1]; got != want6 {
			t.Errorf("case %d SI6: tshark = %q, want %q", i, got, want6)
		}
	}
	// The DTX text for the SACCH codes we chose.
	var text string
	for _, p := range pkts {
		text += p.Text
	}
	for _, s := range []string{
		"MS may use uplink discontinuous transmission on a TCH-F. The MS may use uplink discontinuous transmission on TCH-H",
		"MS shall use uplink discontinuous transmission on a TCH-F. The MS may use uplink discontinuous transmission on TCH-H",
		"MS shall not use uplink discontinuous transmission on a TCH-F. The MS shall not use uplink discontinuous transmission on TCH-H",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("tshark -V lacks %q", s)
		}
	}
}
