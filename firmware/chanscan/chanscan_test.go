package chanscan_test

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/boards/rf/lime/limetest"
	"github.com/gsmbox/gsmbox/boards/rf/lms7002m"
	"github.com/gsmbox/gsmbox/boards/rf/rftest"
	"github.com/gsmbox/gsmbox/firmware/chanscan"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// foreign returns another operator's cell on GSM900 ARFCN n, placed at
// its downlink frequency at level dBFS.
func foreign(t *testing.T, n tdma.ARFCN, ncc, bcc int, mcc, mnc string, lac, ci int, dbfs float64, neighbours ...int) limetest.Transmitter {
	t.Helper()
	c := config.Default()
	c.Cell.ARFCN, c.Cell.NCC, c.Cell.BCC, c.Cell.LAC, c.Cell.CI = int(n), ncc, bcc, lac, ci
	c.Cell.Neighbours = neighbours
	c.Network.MCC, c.Network.MNC = mcc, mnc
	fc, err := node.NewForeignCell(c, 4, tdma.FN(1000*int(n)))
	if err != nil {
		t.Fatal(err)
	}
	hz, _ := tdma.GSM900.DownlinkHz(n)
	return limetest.Transmitter{Hz: float64(hz), DBFS: dbfs, Src: fc}
}

// openFake brings up a LimeSDR Mini fake hearing tx and carriers, with
// its stream running, as `gsmbox rf scan --dry-run` does.
func openFake(t *testing.T, tx []limetest.Transmitter, carriers []limetest.Carrier) *chanscan.Lime {
	t.Helper()
	board, err := boards.Lookup("rpi4-limesdr")
	if err != nil {
		t.Fatal(err)
	}
	chain := board.RF.Chain
	log := slog.New(slog.DiscardHandler)
	dry := &rftest.DryRun{W: io.Discard, Chain: chain, LimeConfig: limetest.Config{NoiseDBFS: -70, Seed: 1, Transmitters: tx, Carriers: carriers}}
	fe, err := rf.Open(chain, dry, rf.BringupOpts{Band: tdma.GSM900, BoardMaxDBm: board.RF.MaxPowerDBm, Log: log, Sleep: func(time.Duration) {}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := lms7002m.PlanStream(chain.RefClock, 4, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := fe.LMS.ConfigureStream(plan); err != nil {
		t.Fatal(err)
	}
	pacer := limetest.NewPacer()
	pacer.Src = dry.Lime.Render
	dry.Lime.SetRX(pacer)
	s, err := lime.NewStream(fe.Lime, lime.StreamConfig{SampleRate: plan.RateHz, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pacer.Close(); s.Close(); fe.Close() })
	return &chanscan.Lime{LMS: fe.LMS, S: s, Allow: pacer.Allow}
}

// Two foreign cells and a CW interferer on the fake air: the scan finds
// all three, and decodes each cell's BSIC and PLMN, LAC and CI from its
// SCH and SI3, and its neighbours from SI2's BA list; the interferer has
// no cell.
func TestScanDecodesForeignCells(t *testing.T) {
	tx := []limetest.Transmitter{
		foreign(t, 20, 3, 5, "262", "01", 4711, 301, -25, 5, 33, 34, 35, 60, 975),
		foreign(t, 45, 1, 2, "208", "10", 12, 9, -35),
	}
	hz, _ := tdma.GSM900.DownlinkHz(80)
	r := openFake(t, tx, []limetest.Carrier{{Hz: float64(hz), DBFS: -30}})
	var allowed []tdma.ARFCN
	for n := tdma.ARFCN(1); n <= 124; n++ {
		allowed = append(allowed, n)
	}
	res, err := chanscan.Scan(r, tdma.GSM900, allowed, chanscan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[tdma.ARFCN]chanscan.Channel{}
	for _, c := range res {
		got[c.ARFCN] = c
	}
	for _, w := range []struct {
		n        tdma.ARFCN
		bsic     int
		mcc, mnc string
		lac, ci  uint16
		nb       string
	}{{20, 3*8 + 5, "262", "01", 4711, 301, "5,33-35,60,975"}, {45, 1*8 + 2, "208", "10", 12, 9, "none"}} {
		c := got[w.n]
		t.Logf("ARFCN %d: %.1f dBFS, %v", w.n, c.DBFS, c.Cell)
		if c.Cell == nil || int(c.Cell.BSIC.Value()) != w.bsic || !c.Cell.PLMNKnown || c.Cell.MCC != w.mcc || c.Cell.MNC != w.mnc || c.Cell.LAC != w.lac || c.Cell.CI != w.ci {
			t.Errorf("ARFCN %d: cell %+v, want BSIC %d PLMN %s-%s LAC %d CI %d", w.n, c.Cell, w.bsic, w.mcc, w.mnc, w.lac, w.ci)
		}
		if c.Cell == nil || !c.Cell.BAKnown || chanscan.ARFCNList(c.Cell.Neighbours) != w.nb {
			t.Errorf("ARFCN %d: neighbours %+v, want %s", w.n, c.Cell, w.nb)
		}
	}
	if c := got[80]; c.Cell != nil || c.DBFS < -40 {
		t.Errorf("ARFCN 80 (CW interferer): %+v, want strong and no cell", c)
	}
	if c := got[100]; c.DBFS > -65 || c.DBFS < -85 || c.Cell != nil {
		t.Errorf("ARFCN 100 (empty): %+v", c)
	}
}
