package l1_test

import (
	"encoding/hex"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/crypto/a5"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/l1/l1test"
	"github.com/gsmbox/gsmbox/gsm/tdma"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

// chainSpec names a gr-gsm chain that deciphers with alg and kc (see
// testdata/grgsm_decode_bursts.py).
func chainSpec(mode string, tn int, alg a5.Alg, kc [8]byte) string {
	return mode + ":" + strconv.Itoa(tn) + ":" + strconv.Itoa(int(alg)) + ":" + hex.EncodeToString(kc[:])
}

func compareChain(t *testing.T, name string, got, want []string, min int) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("gr-gsm %s =\n%s\nwant\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(want) < min {
		t.Errorf("%s: only %d blocks expected, want ≥ %d", name, len(want), min)
	}
	t.Logf("%s: %d blocks decoded by gr-gsm", name, len(got))
}

// gr-gsm, with its own A5 (libosmogsm through its decryption block, as
// grgsm_decode -e/-k), deciphers the SDCCH/SACCH blocks our Downlink
// enciphers: A5/1 on SDCCH/4(1) with its SACCH on TN0, A5/3 on
// SDCCH/8(6) with its SACCH on TN1. Its deciphering chain decodes exactly
// those blocks, its clear chain exactly the others, and a chain with a
// wrong Kc none.
func TestGrGSMDeciphersDownlink(t *testing.T) {
	testtool.Need(t, "grgsm_decode")
	testtool.Need(t, "python3")
	cfg := cfgV()
	var tap l1test.Tap
	cfg.Tap = tap.Func()
	src := &l1test.Source{}
	dl, err := l1.NewDownlink(cfg, src)
	if err != nil {
		t.Fatal(err)
	}
	for _, ty := range []l1.SIType{l1.SI1, l1.SI2, l1.SI3, l1.SI4} {
		m := siBlock(ty)
		dl.BCCH.Set(ty, &m)
	}
	sd4 := l1.Chan{Kind: l1.ChanSDCCH4, Sub: 1}
	sd8 := l1.Chan{Kind: l1.ChanSDCCH8, TN: 1, Sub: 6}
	for i, ch := range []l1.Chan{
		sd4, {Kind: l1.ChanSACCHC4, Sub: 1}, {Kind: l1.ChanSDCCH4, Sub: 3},
		sd8, {Kind: l1.ChanSACCHC8, TN: 1, Sub: 6}, {Kind: l1.ChanSDCCH8, TN: 1, Sub: 2},
	} {
		for j := range 3 {
			src.Queue(ch, testMsg(byte(0x10*i+j)))
		}
	}
	if err := dl.SetCipher(sd4, a5.Alg1, testKc1); err != nil {
		t.Fatal(err)
	}
	if err := dl.SetCipher(sd8, a5.Alg3, testKc3); err != nil {
		t.Fatal(err)
	}
	const start, frames = tdma.FN(51*8*3 + 40), 4 * 102
	var bursts []tdma.TxBurst
	var out [8]tdma.TxBurst
	for i := range frames {
		dl.Frame(start.Add(i), &out)
		bursts = append(bursts, out[0], out[1])
	}
	file := filepath.Join(t.TempDir(), "bursts")
	writeBurstFile(t, file, bursts, cfg.ARFCN, false)

	a51 := chainSpec("BCCH_SDCCH4", 0, a5.Alg1, testKc1)
	a51wrong := chainSpec("BCCH_SDCCH4", 0, a5.Alg1, wrongKc)
	a53 := chainSpec("SDCCH8", 1, a5.Alg3, testKc3)
	all := grgsmDecode(t, file, "BCCH_SDCCH4:0 "+a51+" "+a51wrong, "SDCCH8:1 "+a53)

	var clear0, ciph0, clear1, ciph1 []string
	for _, ev := range tap.Events {
		line := blockLine(ev.Chan, ev.FN, ev.Data)
		switch {
		case ev.Chan.TN == 0 && sameDedicated(ev.Chan, sd4):
			ciph0 = append(ciph0, line)
		case ev.Chan.TN == 0:
			clear0 = append(clear0, line)
		case ev.Chan.TN == 1 && sameDedicated(ev.Chan, sd8):
			ciph1 = append(ciph1, line)
		case ev.Chan.TN == 1:
			clear1 = append(clear1, line)
		}
	}
	compareChain(t, "TN0 in clear", all["BCCH_SDCCH4:0"], clear0, 40)
	compareChain(t, "TN0 A5/1", all[a51], ciph0, 6)
	compareChain(t, "TN0 A5/1 wrong Kc", all[a51wrong], nil, 0)
	compareChain(t, "TN1 in clear", all["SDCCH8:1"], clear1, 40)
	compareChain(t, "TN1 A5/3", all[a53], ciph1, 6)
}

// The mobile's side against gr-gsm: uplink blocks enciphered with
// Cipher.EncryptBurst(DirUp) (A5/3 on SDCCH/4(1) and its SACCH, A5/1 on
// SDCCH/8(6) and its SACCH) are deciphered by gr-gsm with the uplink
// keystream, and by our Uplink (Ciphered); the other channels stay clear.
func TestGrGSMDeciphersUplink(t *testing.T) {
	testtool.Need(t, "grgsm_decode")
	testtool.Need(t, "python3")
	cfg := cfgV()
	sink := &l1test.Sink{}
	ul, err := l1.NewUplink(cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	sd4 := l1.Chan{Kind: l1.ChanSDCCH4, Sub: 1}
	sd8 := l1.Chan{Kind: l1.ChanSDCCH8, TN: 1, Sub: 6}
	if err := ul.SetCipher(sd4, a5.Alg3, testKc3); err != nil {
		t.Fatal(err)
	}
	if err := ul.SetCipher(sd8, a5.Alg1, testKc1); err != nil {
		t.Fatal(err)
	}
	ms4, ms8 := newCipher(t, a5.Alg3, testKc3), newCipher(t, a5.Alg1, testKc1)
	const start, frames = tdma.FN(51 * 10), 2 * 102
	var bursts []tdma.TxBurst
	for i := range frames {
		fn := start.Add(i)
		for tn := tdma.TN(0); tn < 2; tn++ {
			bursts = append(bursts, tdma.TxBurst{FN: fn, TN: tn, Kind: tdma.KindDummy, Bits: tdma.Dummy})
		}
	}
	n := 0
	for i := range frames {
		fn := start.Add(i)
		for tn := tdma.TN(0); tn < 2; tn++ {
			s := cfg.Slots[tn].Uplink(tn, fn)
			if s.Burst != 0 || !s.Chan.Kind.Dedicated() || fn.Add(3).Sub(start) >= frames {
				continue
			}
			n++
			msg := testMsg(byte(n))
			var c *l1.Cipher
			switch {
			case sameDedicated(s.Chan, sd4):
				c = ms4
			case sameDedicated(s.Chan, sd8):
				c = ms8
			}
			rx := uplinkCiphered(t, &cfg, s.Chan, fn, &msg, c)
			for k := range rx {
				ul.Burst(&rx[k])
				b := &bursts[2*rx[k].FN.Sub(start)+int(tn)]
				b.Kind = tdma.KindNormal
				for j := range b.Bits {
					b.Bits[j] = 0
					if rx[k].Soft[j] < 0 {
						b.Bits[j] = 1
					}
				}
			}
		}
	}
	file := filepath.Join(t.TempDir(), "bursts")
	writeBurstFile(t, file, bursts, cfg.ARFCN, true)
	a53 := chainSpec("BCCH_SDCCH4", 0, a5.Alg3, testKc3)
	a51 := chainSpec("SDCCH8", 1, a5.Alg1, testKc1)
	all := grgsmDecode(t, file, "BCCH_SDCCH4:0 "+a53+" SDCCH8:1 "+a51)
	var clear0, ciph0, clear1, ciph1 []string
	for _, b := range sink.Blocks {
		if !b.Good {
			t.Errorf("our Uplink: %v block at FN %d bad", b.Chan, b.FN)
			continue
		}
		line := blockLine(b.Chan, b.FN, b.Msg[:])
		want := sameDedicated(b.Chan, sd4) || sameDedicated(b.Chan, sd8)
		if b.Ciphered != want {
			t.Errorf("our Uplink: %v block at FN %d Ciphered %v, want %v", b.Chan, b.FN, b.Ciphered, want)
		}
		switch {
		case b.Chan.TN == 0 && b.Ciphered:
			ciph0 = append(ciph0, line)
		case b.Chan.TN == 0:
			clear0 = append(clear0, line)
		case b.Ciphered:
			ciph1 = append(ciph1, line)
		default:
			clear1 = append(clear1, line)
		}
	}
	compareChain(t, "uplink TN0 in clear", all["BCCH_SDCCH4:0"], clear0, 10)
	compareChain(t, "uplink TN0 A5/3", all[a53], ciph0, 3)
	compareChain(t, "uplink TN1 in clear", all["SDCCH8:1"], clear1, 10)
	compareChain(t, "uplink TN1 A5/1", all[a51], ciph1, 3)
}

// A TCH/F enciphered with A5/1: gr-gsm's TCH/F chain with its decryption
// on both the traffic and the SACCH/TF bursts (as grgsm_decode -m TCHF
// -e 1 -k) gives our speech frames, FACCH/F and SACCH/TF blocks.
func TestGrGSMDeciphersTCHF(t *testing.T) {
	testtool.Need(t, "grgsm_decode")
	testtool.Need(t, "python3")
	cfg := cfgV()
	cfg.Slots[2] = l1.CombI
	var tap l1test.Tap
	cfg.Tap = tap.Func()
	src := &l1test.Source{}
	var speech []string
	r := rand.New(rand.NewPCG(8, 1))
	for i := range 30 {
		f := l1test.TrafficFrame{Kind: l1.TrafficSpeech}
		for j := range f.Speech {
			f.Speech[j] = byte(r.IntN(2))
		}
		if i%7 == 3 {
			f = l1test.TrafficFrame{Kind: l1.TrafficFACCH, FACCH: testMsg(0x80 + byte(i))}
		} else {
			var rtp [coding.FRFrameSize]byte
			coding.FRToRTP(&rtp, &f.Speech)
			speech = append(speech, hex.EncodeToString(rtp[:]))
		}
		src.QueueTraffic(2, f)
	}
	for i := range 3 {
		src.Queue(l1.Chan{Kind: l1.ChanSACCHTF, TN: 2}, testMsg(0x40+byte(i)))
	}
	dl, err := l1.NewDownlink(cfg, src)
	if err != nil {
		t.Fatal(err)
	}
	if err := dl.SetCipher(l1.Chan{Kind: l1.ChanTCHF, TN: 2}, a5.Alg1, testKc1); err != nil {
		t.Fatal(err)
	}
	const frames = 2*104 + 26
	var bursts []tdma.TxBurst
	var out [8]tdma.TxBurst
	for i := range frames {
		dl.Frame(tdma.FN(i), &out)
		bursts = append(bursts, out[2])
	}
	file := filepath.Join(t.TempDir(), "bursts")
	writeBurstFile(t, file, bursts, cfg.ARFCN, false)
	chain := chainSpec("TCHF", 2, a5.Alg1, testKc1)
	all := grgsmDecode(t, file, chain)
	byFN := func(l []string) {
		sort.SliceStable(l, func(i, j int) bool {
			a, _ := strconv.Atoi(strings.Fields(l[i])[0])
			b, _ := strconv.Atoi(strings.Fields(l[j])[0])
			return a < b
		})
	}
	var want []string
	for _, ev := range tap.Events {
		if ev.Chan.TN == 2 && ev.FN+8 < frames { // gr-gsm cannot have blocks running past the file
			want = append(want, blockLine(ev.Chan, ev.FN, ev.Data))
		}
	}
	got := all[chain]
	byFN(got)
	byFN(want)
	// With its decryption block in the chain, gr-gsm's TCH/F decoder
	// drops the odd speech frame or FACCH/F block at random (about one
	// run in two; the same burst file decodes completely on other runs,
	// and without decryption every run is complete): what it gives must
	// be ours, in order, with at most three missing. A fault in our
	// ciphering would lose every frame, not one.
	subsequence(t, "TCH/F A5/1 FACCH/F and SACCH/TF", got, want, 3)
	subsequence(t, "TCH/F A5/1 speech", all[chain+"/voice"], speech, 3)
}

// subsequence checks that got is want with at most drop entries missing.
func subsequence(t *testing.T, name string, got, want []string, drop int) {
	t.Helper()
	i := 0
	for _, g := range got {
		for i < len(want) && want[i] != g {
			i++
		}
		if i == len(want) {
			t.Errorf("gr-gsm %s =\n%s\nwant (in order, %d at most missing)\n%s", name, strings.Join(got, "\n"), drop, strings.Join(want, "\n"))
			return
		}
		i++
	}
	if len(got)+drop < len(want) || len(want) < 10 {
		t.Errorf("gr-gsm %s: %d of %d decoded, want at most %d missing", name, len(got), len(want), drop)
	}
	t.Logf("%s: %d of %d decoded by gr-gsm", name, len(got), len(want))
}
