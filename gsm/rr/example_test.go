package rr_test

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

func ExampleBuildSystemInformation() {
	cfg := rr.DefaultCellConfig()
	cfg.PLMN = l3.PLMN{MCC: "001", MNC: "01"}
	cfg.LAC, cfg.CI = 1, 1
	cfg.BSIC = tdma.BSIC{NCC: 0, BCC: 7}
	cfg.Band, cfg.ARFCN = tdma.DCS1800, 871
	cfg.Neighbours = []tdma.ARFCN{868, 874}
	si, err := rr.BuildSystemInformation(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("SI3 % x\n", si.SI3)
	// L1 picks the block for TC = (FN div 51) mod 8.
	fmt.Printf("TC 6 % x\n", si.ForTC(6)[:3])
	// Output:
	// SI3 49 06 1b 00 01 00 f1 10 00 01 c9 00 0a 27 5f 40 e9 00 00 2b 2b 2b 2b
	// TC 6 49 06 1b
}

func ExampleImmediateAssignment() {
	// Answer a channel request with RA 0x0b received in frame 1234567 by
	// assigning SDCCH/4 sub-channel 2 on timeslot 0.
	req := rr.ParseChannelRequest(0x0b, true)
	ia := rr.ImmediateAssignment{
		Chan: rr.ChannelDesc{Type: rr.ChanSDCCH4, SubChan: 2, TN: 0, TSC: 7, ARFCN: 871},
		Ref:  rr.NewRequestRef(req.RA, 1234567),
		TA:   1,
	}
	var b [rr.BlockLen]byte
	if err := ia.MarshalTo(&b); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(req.Cause)
	fmt.Printf("% x\n", b[:12])
	// Output:
	// location updating
	// 2d 06 3f 00 30 e3 67 0b 19 49 01 00
}
