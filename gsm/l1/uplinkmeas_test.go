package l1_test

import (
	"math"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/l1/l1test"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// The RACH's measurements: a decoded access burst sets the level, one
// that does not decode counts as bad without touching it.
func TestUplinkRACHMeas(t *testing.T) {
	ul, err := l1.NewUplink(cfgV(), &l1test.Sink{})
	if err != nil {
		t.Fatal(err)
	}
	good := accessBurst(4, 0x8a, testBSIC)
	ul.Burst(&good)
	bad := accessBurst(51+4, 0x8a, tdma.BSIC{NCC: 3, BCC: 4})
	ul.Burst(&bad)
	if m := ul.Stats().RACH; m.Blocks != 2 || m.BadBlocks != 1 || m.LevelDBm != -70 || m.Levels != 1 || math.Abs(float64(m.BLER)-1.0/16) > 1e-6 {
		t.Errorf("RACH = %+v, want 2 bursts, 1 bad (BLER 1/16), level -70 dBm from the good one", m)
	}
}

// ChannelMeas's running averages: the first block sets them, each next
// moves them 1/16 of the way.
func TestChannelMeasAdd(t *testing.T) {
	var m l1.ChannelMeas
	m.Add(true, true, -60)
	if m.LevelDBm != -60 || m.BLER != 0 || m.Blocks != 1 {
		t.Fatalf("after one good block %+v", m)
	}
	m.Add(false, true, -76)
	if m.LevelDBm != -61 || m.BLER != 1.0/16 || m.BadBlocks != 1 {
		t.Errorf("after a bad block %+v, want level -61, BLER 1/16", m)
	}
	m.Add(false, false, 0) // nothing received: the level stays
	if m.LevelDBm != -61 || m.Levels != 2 || m.Blocks != 3 {
		t.Errorf("after an empty block %+v", m)
	}
	if l1.MeasRACH.String() != "RACH" || l1.MeasSACCH.String() != "SACCH" {
		t.Error("MeasClass names")
	}
	if c, ok := l1.MeasClassOf(l1.ChanFACCHF); !ok || c != l1.MeasTCH {
		t.Error("FACCH/F is not TCH")
	}
	if _, ok := l1.MeasClassOf(l1.ChanBCCH); ok {
		t.Error("BCCH has an uplink class")
	}
}
