package rf_test

import (
	"io"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/physic"

	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/boards/rf/lms7002m"
	"github.com/gsmbox/gsmbox/boards/rf/rftest"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// The bring-up selects the TX output, the LNA and the board's RF switch
// the board wires to its connectors, for every GSM band: the chip's
// registers hold what the board documentation says (written out here,
// not taken from the chain), and the fake board, which models the
// connectors' wiring itself, hears the RX and passes the TX.
func TestBringupSelectsAntennaPaths(t *testing.T) {
	type want struct {
		tx     lms7002m.TXBand
		rx     lms7002m.RXPath
		fpga17 uint16
	}
	for _, c := range []struct {
		chain *rf.Chain
		bands map[tdma.Band]want
	}{
		// LimeSDR Mini v1: RX below 1.7 GHz on LNAW (0x17[9:8] = 2),
		// above on LNAH (1); TX below 2 GHz on TX1_2 (0x17[13:12] = 2).
		{rf.LimeSDRMini, map[tdma.Band]want{
			tdma.GSM850: {lms7002m.TXBand2, lms7002m.RXLNAW, 0x2200}, tdma.GSM900: {lms7002m.TXBand2, lms7002m.RXLNAW, 0x2200},
			tdma.DCS1800: {lms7002m.TXBand2, lms7002m.RXLNAH, 0x2100}, tdma.PCS1900: {lms7002m.TXBand2, lms7002m.RXLNAH, 0x2100},
		}},
		// LimeNET Micro v3: RX below 1.7 GHz on LNAL (0x17 bits 10..8
		// = 5, bit 1), above on LNAH (6); TX on TX1_2 (bits 14..12 = 6).
		{rf.LimeNETMicro, map[tdma.Band]want{
			tdma.GSM850: {lms7002m.TXBand2, lms7002m.RXLNAL, 0x6502}, tdma.GSM900: {lms7002m.TXBand2, lms7002m.RXLNAL, 0x6502},
			tdma.DCS1800: {lms7002m.TXBand2, lms7002m.RXLNAH, 0x6602}, tdma.PCS1900: {lms7002m.TXBand2, lms7002m.RXLNAH, 0x6602},
		}},
	} {
		for band, w := range c.bands {
			t.Run(c.chain.Name+"/"+band.String(), func(t *testing.T) {
				chs := band.Channels()
				n := chs[len(chs)/2]
				dry := &rftest.DryRun{W: io.Discard, Chain: c.chain}
				var steps []rf.Step
				fe, err := rf.Open(c.chain, dry, rf.BringupOpts{Band: band, ARFCN: n, BoardMaxDBm: 10, Log: quiet(), Sleep: func(time.Duration) {}},
					func(s rf.Step) { steps = append(steps, s) })
				if err != nil {
					t.Fatalf("Open() = %v", err)
				}
				defer fe.Close()
				b, p, err := fe.LMS.Paths()
				if err != nil || b != w.tx || p != w.rx {
					t.Errorf("Paths() = %v, %v, %v; want %v, %v", b, p, err, w.tx, w.rx)
				}
				if g := dry.Lime.FPGA(lime.FPGARFSwitch); g != w.fpga17 {
					t.Errorf("FPGA 0x17 = 0x%04x, want 0x%04x", g, w.fpga17)
				}
				if rx, tx := dry.Lime.Routed(); !rx || !tx {
					t.Errorf("fake board: RX routed %v, TX routed %v", rx, tx)
				}
				var seen int
				for _, s := range steps {
					if s.Name == "SXT tune" && strings.Contains(s.Detail, "path "+w.tx.String()) ||
						s.Name == "SXR tune" && strings.Contains(s.Detail, "path "+w.rx.String()) {
						seen++
					}
				}
				if seen != 2 {
					t.Errorf("tune steps do not name the paths %v / %v: %+v", w.tx, w.rx, steps)
				}
			})
		}
	}
}

// A retune across 1.7 GHz (the channel scan, the clock calibration and
// rf capture tune SXR directly) switches the LNA and the switch with it.
func TestRetuneSwitchesLNA(t *testing.T) {
	dry := &rftest.DryRun{W: io.Discard, Chain: rf.LimeSDRMini}
	fe, err := rf.Open(rf.LimeSDRMini, dry, rf.BringupOpts{Band: tdma.GSM900, ARFCN: 62, BoardMaxDBm: 10, Log: quiet(), Sleep: func(time.Duration) {}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fe.Close()
	for _, x := range []struct {
		hz   physic.Frequency
		want lms7002m.RXPath
	}{{1842 * physic.MegaHertz, lms7002m.RXLNAH}, {947 * physic.MegaHertz, lms7002m.RXLNAW}} {
		if _, err := fe.LMS.Tune(lms7002m.RX, x.hz); err != nil {
			t.Fatal(err)
		}
		if _, p, _ := fe.LMS.Paths(); p != x.want {
			t.Errorf("RX at %v on %v, want %v", x.hz, p, x.want)
		}
		if rx, _ := dry.Lime.Routed(); !rx {
			t.Errorf("RX at %v not routed to the antenna (FPGA 0x17 = 0x%04x)", x.hz, dry.Lime.FPGA(lime.FPGARFSwitch))
		}
	}
	if _, err := fe.LMS.Tune(lms7002m.RX, 5*physic.MegaHertz); err == nil {
		t.Error("RX tune outside every route accepted")
	}
}

// The fake catches a wrong table: a chain that puts the Mini's GSM900
// receiver on LNAH, or its TX on band 1, brings up but hears and sends
// nothing.
func TestWrongRouteIsDeaf(t *testing.T) {
	for _, tt := range []struct {
		name   string
		mutate func(c *rf.Chain)
		rx, tx bool
	}{
		{"rx-lnah", func(c *rf.Chain) {
			c.RXRoutes = []rf.Route{{Lo: 10 * physic.MegaHertz, Hi: 3800 * physic.MegaHertz, RXPath: lms7002m.RXLNAH,
				Switch: []rf.SwitchSetting{{Mask: 0x0300, Value: 0x0100}}}}
		}, false, true},
		{"rx-switch-only", func(c *rf.Chain) {
			c.RXRoutes = []rf.Route{{Lo: 10 * physic.MegaHertz, Hi: 3800 * physic.MegaHertz, RXPath: lms7002m.RXLNAW,
				Switch: []rf.SwitchSetting{{Mask: 0x0300, Value: 0x0100}}}}
		}, false, true},
		{"tx-band1", func(c *rf.Chain) {
			c.TXRoutes = []rf.Route{{Lo: 10 * physic.MegaHertz, Hi: 3800 * physic.MegaHertz, TXBand: lms7002m.TXBand1,
				Switch: []rf.SwitchSetting{{Mask: 0x3000, Value: 0x1000}}}}
		}, true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := *rf.LimeSDRMini
			tt.mutate(&c)
			dry := &rftest.DryRun{W: io.Discard, Chain: &c}
			fe, err := rf.Open(&c, dry, rf.BringupOpts{Band: tdma.GSM900, ARFCN: 62, BoardMaxDBm: 10, Log: quiet(), Sleep: func(time.Duration) {}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer fe.Close()
			if rx, tx := dry.Lime.Routed(); rx != tt.rx || tx != tt.tx {
				t.Errorf("Routed() = %v, %v; want %v, %v", rx, tx, tt.rx, tt.tx)
			}
		})
	}
}
