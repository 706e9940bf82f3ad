package l1_test

import (
	"math"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/l1/l1test"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// The uplink's per-class measurements: good blocks on an SDCCH and a
// SACCH set their class's level and count, a block lost whole counts as
// bad without touching the level, a corrupted one raises the BLER, and
// access bursts count on the RACH.
func TestUplinkMeasByClass(t *testing.T) {
	cfg := cfgV()
	ul, err := l1.NewUplink(cfg, &l1test.Sink{})
	if err != nil {
		t.Fatal(err)
	}
	feed := func(ch l1.Chan, from tdma.FN, spoil bool) {
		msg := testMsg(1)
		bursts := uplinkBursts(t, &cfg, ch, from, &msg)
		for i := range bursts {
			if spoil {
				for j := range bursts[i].Soft {
					bursts[i].Soft[j] = 0 // erasures: the block cannot decode
				}
			}
			ul.Burst(&bursts[i])
		}
	}
	sdcch := l1.Chan{Kind: l1.ChanSDCCH4, TN: 0, Sub: 2}
	sacch := l1.Chan{Kind: l1.ChanSACCHC4, TN: 0, Sub: 0}
	feed(sdcch, 0, false)
	feed(sacch, 0, false)
	st := ul.Stats().ByClass
	if m := st[l1.MeasSDCCH]; m.Blocks != 1 || m.BadBlocks != 0 || m.LevelDBm != -61.5 || m.BLER != 0 || m.Levels != 1 {
		t.Errorf("SDCCH = %+v, want 1 good block at -61.5 dBm", m)
	}
	if m := st[l1.MeasSACCH]; m.Blocks != 1 || m.LevelDBm != -61.5 {
		t.Errorf("SACCH = %+v", m)
	}
	if m := st[l1.MeasTCH]; m.Blocks != 0 {
		t.Errorf("TCH = %+v, want untouched", m)
	}

	// A spoiled SDCCH block: bad, BLER 1/16 of the way to 1.
	feed(sdcch, 51, true)
	m := ul.Stats().ByClass[l1.MeasSDCCH]
	if m.Blocks != 2 || m.BadBlocks != 1 || math.Abs(float64(m.BLER)-1.0/16) > 1e-6 {
		t.Errorf("after a bad block SDCCH = %+v, want BLER 1/16", m)
	}

	// RACH: one good access burst and one that does not decode.
	good := accessBurst(4, 0x8a, testBSIC)
	ul.Burst(&good)
	bad := accessBurst(51+4, 0x8a, tdma.BSIC{NCC: 3, BCC: 4})
	ul.Burst(&bad)
	if m := ul.Stats().ByClass[l1.MeasRACH]; m.Blocks != 2 || m.BadBlocks != 1 || m.LevelDBm != -70 || m.Levels != 1 {
		t.Errorf("RACH = %+v, want 2 bursts, 1 bad, level -70 dBm from the good one", m)
	}
	if l1.MeasRACH.String() != "RACH" || l1.MeasSACCH.String() != "SACCH" {
		t.Error("MeasClass names")
	}
}
