package bts

import (
	"testing"

	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// The per-channel-type uplink measurements count the blocks of channels
// in use only: a phone on an SDCCH gives SDCCH and SACCH blocks at its
// level with no errors, while noise on every other SDCCH position of TN0
// (free channels) counts for nothing; its access burst counts on the
// RACH.
func TestUplinkByClass(t *testing.T) {
	a := newAir(t, testConfig())
	sent := false
	for len(a.ccch) == 0 && a.fn < 51*4 {
		a.step(func(fn tdma.FN, tn tdma.TN) *tdma.RxBurst {
			if sent {
				return nil
			}
			b := rach(a.cell, fn, tn, 0x03, 0)
			sent = b != nil
			return b
		})
	}
	if len(a.ccch) == 0 {
		t.Fatal("no immediate assignment")
	}
	ch := l1.Chan{Kind: l1.ChanSDCCH4, TN: 0, Sub: a.ccch[0].Chan.SubChan}
	sabm := [23]byte{0x01, 0x3f, 0x01, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b}
	meas := [23]byte{0x05, 0x00, 0x01, 0x03, 0x01}
	for until := a.fn.Add(51 * 8); a.fn.Before(until); {
		a.step(func(fn tdma.FN, tn tdma.TN) *tdma.RxBurst {
			if b := dedicatedBurst(a.cell, fn, tn, ch, false, &sabm); b != nil {
				b.RSSI = -72
				return b
			}
			if b := dedicatedBurst(a.cell, fn, tn, ch, true, &meas); b != nil {
				b.RSSI = -72
				return b
			}
			if tn == 0 {
				return &tdma.RxBurst{FN: fn, TN: tn, Kind: tdma.KindNormal, RSSI: -110} // noise elsewhere
			}
			return nil
		})
	}
	st := a.cell.Stats()
	sd, sa, rach := st.UplinkByClass[l1.MeasSDCCH], st.UplinkByClass[l1.MeasSACCH], st.UplinkByClass[l1.MeasRACH]
	if sd.Blocks == 0 || sd.BadBlocks != 0 || sd.LevelDBm != -72 || sd.BLER != 0 {
		t.Errorf("SDCCH = %+v, want the phone's blocks only, at -72 dBm, no errors", sd)
	}
	if sa.Blocks == 0 || sa.BadBlocks != 0 || sa.LevelDBm != -72 {
		t.Errorf("SACCH = %+v", sa)
	}
	if st.Uplink.BadBlocks == 0 {
		t.Fatal("the noise on free channels was not decoded at all: the test proves nothing")
	}
	if rach.Blocks != 1 || rach.BadBlocks != 0 || rach.LevelDBm != -60 {
		t.Errorf("RACH = %+v, want the one access burst at -60 dBm", rach)
	}
	if tch := st.UplinkByClass[l1.MeasTCH]; tch.Blocks != 0 {
		t.Errorf("TCH = %+v, want none", tch)
	}
}
