package l1_test

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/crypto/a5"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/l1/l1test"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// The ciphering start of TS 44.018 §3.4.7.2 as a cell drives it, and a
// mobile's side of it: the network deciphers the uplink from the
// Ciphering Mode Command on; the mobile enciphers from when it receives
// it; the first block the network decodes deciphered (the Ciphering Mode
// Complete) is when it starts enciphering the downlink.
func ExampleUplink_SetCipher() {
	cfg := l1.Config{
		ARFCN:       62,
		BSIC:        tdma.BSIC{NCC: 0, BCC: 7},
		Slots:       [8]l1.Combination{l1.CombV, l1.CombVII},
		BSAgBlksRes: 1,
		BSPaMfrms:   2,
		IdleCCCH:    l1test.EmptyPaging,
	}
	sink := &l1test.Sink{} // the cell
	ul, _ := l1.NewUplink(cfg, sink)
	dl, _ := l1.NewDownlink(cfg, nil)
	sdcch := l1.Chan{Kind: l1.ChanSDCCH8, TN: 1, Sub: 4}
	kc := [8]byte{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef} // from A8 / the registry

	// Network: sending the Ciphering Mode Command (A5/3).
	if err := ul.SetCipher(sdcch, a5.Alg3, kc); err != nil {
		fmt.Println(err)
		return
	}
	// Mobile: on receiving it.
	var ms l1.Cipher
	ms.Set(a5.Alg3, kc)

	// The mobile's Ciphering Mode Complete, enciphered burst by burst.
	msg := l1.UplinkFillFrame
	for _, rx := range mobileBlock(&cfg, sdcch, &msg, &ms) {
		ul.Burst(&rx)
	}
	b := sink.Blocks[0]
	fmt.Println(b.Chan, "good:", b.Good, "ciphered:", b.Ciphered)
	if b.Good && b.Ciphered {
		dl.SetCipher(sdcch, a5.Alg3, kc) // downlink enciphered from the next burst
	}
	fmt.Println("downlink:", dl.CipherAlg(sdcch), "cipher:", &ms)
	// Output:
	// SDCCH/8(4) TN1 good: true ciphered: true
	// downlink: A5/3 cipher: A5/3
}

// mobileBlock is a mobile's uplink block on ch: encoded, put into normal
// bursts on the uplink positions of ch, enciphered with c, and received
// without noise.
func mobileBlock(cfg *l1.Config, ch l1.Chan, msg *[23]byte, c *l1.Cipher) []tdma.RxBurst {
	var enc [4][116]byte
	coding.EncodeXCCH(&enc, msg)
	var out []tdma.RxBurst
	for fn := tdma.FN(0); len(out) < 4 && fn < 102; fn++ {
		s := cfg.Slots[ch.TN].Uplink(ch.TN, fn)
		if s.Chan != ch || int(s.Burst) != len(out) {
			continue
		}
		var b tdma.Burst
		tdma.Normal(&b, &enc[s.Burst], cfg.TSC())
		c.EncryptBurst(l1.DirUp, fn, &b)
		rx := tdma.RxBurst{FN: fn, TN: ch.TN, Kind: tdma.KindNormal, TSC: cfg.TSC()}
		for i, v := range b {
			rx.Soft[i] = 100
			if v != 0 {
				rx.Soft[i] = -100
			}
		}
		out = append(out, rx)
	}
	return out
}
