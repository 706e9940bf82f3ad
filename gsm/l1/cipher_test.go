package l1_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/crypto/a5"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/l1/l1test"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

var (
	testKc1  = [8]byte{0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF}
	testKc3  = [8]byte{0x2B, 0xD6, 0x45, 0x9F, 0x82, 0xC5, 0xBC, 0x00}
	wrongKc  = [8]byte{0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEE}
	cipherAl = []struct {
		alg a5.Alg
		kc  [8]byte
	}{{a5.Alg1, testKc1}, {a5.Alg3, testKc3}}
)

func unpackHex(t *testing.T, s string) [114]byte {
	t.Helper()
	p, err := hex.DecodeString(s)
	if err != nil || len(p) != 15 {
		t.Fatalf("bad packed keystream %q", s)
	}
	var out [114]byte
	a5.Unpack(&out, (*[15]byte)(p))
	return out
}

func newCipher(t testing.TB, alg a5.Alg, kc [8]byte) *l1.Cipher {
	t.Helper()
	c := new(l1.Cipher)
	if err := c.Set(alg, kc); err != nil {
		t.Fatal(err)
	}
	return c
}

// ciphered reports whether bit i of a normal burst is one of the 114
// enciphered bits e0..e56, e59..e115 (TS 45.002 §5.2.3: bits 3..59 and
// 88..144; the stealing flags at 60 and 87, the training sequence and the
// tail bits are sent in clear), and which keystream bit it gets.
func ciphered(i int) (k int, ok bool) {
	switch {
	case i >= 3 && i <= 59:
		return i - 3, true
	case i >= 88 && i <= 144:
		return i - 88 + 57, true
	}
	return 0, false
}

// The keystream lands on exactly the 114 data bits, in order, and
// is the published one: A5/1 Kc 0123456789ABCDEF at FN 123456 is
// libosmocore's a5 test vector; for A5/3 the keystream is gsm/crypto/a5's
// one-shot path (checked there against TS 55.217 and libosmogsm).
func TestCipherBurstLayout(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var data [tdma.NormalDataBits]byte
	for i := range data {
		data[i] = byte(rng.IntN(2))
	}
	data[57], data[58] = 1, 0 // the stealing flags hl, hu
	var clear tdma.Burst
	tdma.Normal(&clear, &data, 5)

	tests := []struct {
		name string
		alg  a5.Alg
		kc   [8]byte
		fn   tdma.FN
		dir  l1.Dir
		ks   func(t *testing.T) [114]byte
	}{
		{"A5/1 down osmocom", a5.Alg1, testKc1, 123456, l1.DirDown, func(t *testing.T) [114]byte {
			return unpackHex(t, "CBA25576175D3B1C7B2F29A8C1B600")
		}},
		{"A5/1 up osmocom", a5.Alg1, testKc1, 123456, l1.DirUp, func(t *testing.T) [114]byte {
			return unpackHex(t, "D9035E0F2AEC139A05D4A87BB16480")
		}},
		{"A5/3 down", a5.Alg3, testKc3, 98765, l1.DirDown, func(t *testing.T) [114]byte {
			var dl [114]byte
			a5.A53(&dl, nil, testKc3, 98765)
			return dl
		}},
		{"A5/3 up", a5.Alg3, testKc3, tdma.HyperFrame - 1, l1.DirUp, func(t *testing.T) [114]byte {
			var ul [114]byte
			a5.A53(nil, &ul, testKc3, tdma.HyperFrame-1)
			return ul
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ks := tt.ks(t)
			c := newCipher(t, tt.alg, tt.kc)
			var got [114]byte
			c.Keystream(tt.dir, tt.fn, &got)
			if got != ks {
				t.Fatalf("Keystream(%v, %d) = %x, want %x", tt.dir, tt.fn, got, ks)
			}
			b := clear
			c.EncryptBurst(tt.dir, tt.fn, &b)
			for i := range b {
				want := clear[i]
				if k, ok := ciphered(i); ok {
					want ^= ks[k]
				}
				if b[i] != want {
					t.Errorf("EncryptBurst bit %d = %d, want %d", i, b[i], want)
				}
			}
			// The same on the 116 data bits before tdma.Normal.
			d := data
			c.EncryptData(tt.dir, tt.fn, &d)
			var viaData tdma.Burst
			tdma.Normal(&viaData, &d, 5)
			if viaData != b {
				t.Errorf("Normal(EncryptData(d)) != EncryptBurst(Normal(d))")
			}
			// Deciphering soft bits restores the clear burst's signs,
			// whole-burst and on the extracted data.
			var soft tdma.SoftBurst
			hardToSoft((*[tdma.BurstBits]int8)(&soft), &b)
			var sd [tdma.NormalDataBits]int8
			tdma.NormalData(&sd, (*[tdma.BurstBits]int8)(&soft))
			c.DecryptSoft(tt.dir, tt.fn, &soft)
			for i, v := range soft {
				if (v < 0) != (clear[i] == 1) || (v != 127 && v != -127) {
					t.Fatalf("DecryptSoft bit %d = %d, clear bit %d", i, v, clear[i])
				}
			}
			c.DecryptSoftData(tt.dir, tt.fn, &sd)
			for i, v := range sd {
				if (v < 0) != (data[i] == 1) {
					t.Fatalf("DecryptSoftData bit %d = %d, clear bit %d", i, v, data[i])
				}
			}
			// Enciphering twice is the identity.
			c.EncryptBurst(tt.dir, tt.fn, &b)
			if b != clear {
				t.Errorf("EncryptBurst twice changed the burst")
			}
		})
	}
}

func TestCipherSet(t *testing.T) {
	var c l1.Cipher
	if c.On() || c.Alg() != a5.Alg0 {
		t.Errorf("zero Cipher: On() = %v, Alg() = %v, want off", c.On(), c.Alg())
	}
	var b tdma.Burst
	b[10] = 1
	orig := b
	c.EncryptBurst(l1.DirDown, 7, &b)
	if b != orig {
		t.Errorf("EncryptBurst with A5/0 changed the burst")
	}
	tests := []struct {
		alg  a5.Alg
		want error
		on   bool
	}{
		{a5.Alg1, nil, true},
		{a5.Alg3, nil, true},
		{a5.Alg0, nil, false},
		{a5.Alg2, a5.ErrBanned, false},
		{a5.Alg(4), a5.ErrUnsupported, false},
	}
	for _, tt := range tests {
		t.Run(tt.alg.String(), func(t *testing.T) {
			var c l1.Cipher
			err := c.Set(tt.alg, testKc1)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Errorf("Set(%v) = %v, want %v", tt.alg, err, tt.want)
			}
			if c.On() != tt.on {
				t.Errorf("Set(%v): On() = %v, want %v", tt.alg, c.On(), tt.on)
			}
		})
	}
	// A refused algorithm leaves the state as it was.
	c2 := newCipher(t, a5.Alg3, testKc3)
	if err := c2.Set(a5.Alg2, testKc1); err == nil || c2.Alg() != a5.Alg3 {
		t.Errorf("Set(A5/2) over A5/3 = %v, Alg() = %v, want error and A5/3", err, c2.Alg())
	}
	c2.Off()
	var ks [114]byte
	c2.Keystream(l1.DirDown, 5, &ks)
	if c2.On() || ks != ([114]byte{}) {
		t.Errorf("after Off: On() = %v, keystream non-zero %v", c2.On(), ks != [114]byte{})
	}
}

// Kc never shows in formatted output or logs.
func TestCipherKeyNotLogged(t *testing.T) {
	kc := [8]byte{0xDE, 0xAD, 0xBE, 0xEF, 0x55, 0xAA, 0x12, 0x34}
	c := newCipher(t, a5.Alg1, kc)
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, nil))
	log.Info("ciphering", "cipher", c)
	s := buf.String() + fmt.Sprintf("%v %+v %#v %s", c, c, c, c)
	for _, bad := range []string{"deadbeef", "DEADBEEF", "222", "173"} { // hex, 0xDE=222, 0xAD=173
		if strings.Contains(s, bad) {
			t.Errorf("formatted Cipher leaks the key (%q): %s", bad, s)
		}
	}
	if !strings.Contains(buf.String(), "A5/1") {
		t.Errorf("log = %s, want the algorithm", buf.String())
	}
	// Nor in a Downlink or Uplink printed whole (fmt prints unexported
	// fields raw, without their String methods).
	cfg := cfgV()
	dl, _ := l1.NewDownlink(cfg, nil)
	ul, _ := l1.NewUplink(cfg, nil)
	ch := l1.Chan{Kind: l1.ChanSDCCH8, TN: 1, Sub: 2}
	if err := dl.SetCipher(ch, a5.Alg1, kc); err != nil {
		t.Fatal(err)
	}
	if err := ul.SetCipher(ch, a5.Alg1, kc); err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	slog.New(slog.NewTextHandler(&buf, nil)).Info("state", "dl", dl, "ul", ul)
	dump := fmt.Sprintf("%+v %+v %#v", *dl, *ul, *ul) + buf.String()
	for _, bad := range []string{"222 173 190 239", "0xde, 0xad, 0xbe, 0xef", "deadbeef"} {
		if strings.Contains(dump, bad) {
			t.Errorf("printing a Downlink/Uplink leaks the key (%q)", bad)
		}
	}
}

func TestSetCipherChannels(t *testing.T) {
	cfg := cfgV() // TN0 V, TN1 VII, TN2 I
	dl, err := l1.NewDownlink(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	ul, err := l1.NewUplink(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ch l1.Chan
		ok bool
	}{
		{l1.Chan{Kind: l1.ChanSDCCH4, Sub: 3}, true},
		{l1.Chan{Kind: l1.ChanSACCHC4, Sub: 2}, true},
		{l1.Chan{Kind: l1.ChanSDCCH4, Sub: 4}, false},
		{l1.Chan{Kind: l1.ChanSDCCH4, TN: 1}, false},
		{l1.Chan{Kind: l1.ChanSDCCH8, TN: 1, Sub: 7}, true},
		{l1.Chan{Kind: l1.ChanSDCCH8, TN: 1, Sub: 8}, false},
		{l1.Chan{Kind: l1.ChanSDCCH8, TN: 2}, false},
		{l1.Chan{Kind: l1.ChanTCHF, TN: 2}, true},
		{l1.Chan{Kind: l1.ChanSACCHTF, TN: 2}, true},
		{l1.Chan{Kind: l1.ChanTCHF, TN: 3}, false},
		{l1.Chan{Kind: l1.ChanBCCH}, false},
		{l1.Chan{Kind: l1.ChanSDCCH8, TN: 9}, false},
	}
	for _, tt := range tests {
		t.Run(tt.ch.String(), func(t *testing.T) {
			err := dl.SetCipher(tt.ch, a5.Alg1, testKc1)
			if (err == nil) != tt.ok || (err != nil && !errors.Is(err, l1.ErrCipherChan)) {
				t.Errorf("Downlink.SetCipher(%v) = %v, want ok %v", tt.ch, err, tt.ok)
			}
			err = ul.SetCipher(tt.ch, a5.Alg3, testKc3)
			if (err == nil) != tt.ok || (err != nil && !errors.Is(err, l1.ErrCipherChan)) {
				t.Errorf("Uplink.SetCipher(%v) = %v, want ok %v", tt.ch, err, tt.ok)
			}
			if tt.ok {
				if got := dl.CipherAlg(tt.ch); got != a5.Alg1 {
					t.Errorf("Downlink.CipherAlg(%v) = %v, want A5/1", tt.ch, got)
				}
				if got, conf := ul.CipherAlg(tt.ch); got != a5.Alg3 || conf {
					t.Errorf("Uplink.CipherAlg(%v) = %v, %v, want A5/3, false", tt.ch, got, conf)
				}
				dl.CipherOff(tt.ch)
				ul.CipherOff(tt.ch)
				if dl.CipherAlg(tt.ch) != a5.Alg0 {
					t.Errorf("Downlink.CipherOff(%v) left %v", tt.ch, dl.CipherAlg(tt.ch))
				}
			}
		})
	}
	if err := dl.SetCipher(l1.Chan{Kind: l1.ChanSDCCH8, TN: 1}, a5.Alg2, testKc1); !errors.Is(err, a5.ErrBanned) {
		t.Errorf("Downlink.SetCipher(A5/2) = %v, want ErrBanned", err)
	}
	// An SDCCH and its SACCH share the state.
	dl.SetCipher(l1.Chan{Kind: l1.ChanSACCHC8, TN: 1, Sub: 4}, a5.Alg3, testKc3)
	if got := dl.CipherAlg(l1.Chan{Kind: l1.ChanSDCCH8, TN: 1, Sub: 4}); got != a5.Alg3 {
		t.Errorf("SDCCH/8(4) after SetCipher on its SACCH: %v, want A5/3", got)
	}
}

type msBlock struct {
	tn  tdma.TN
	ch  l1.Chan
	fn  tdma.FN
	msg [23]byte
	ok  bool
}

// msReceive decodes the SDCCH/SACCH/BCCH/CCCH blocks in the normal bursts
// of frames as a mobile would, deciphering with decipher(ch, fn) where it
// returns a Cipher.
func msReceive(cfg *l1.Config, frames [][8]tdma.TxBurst, decipher func(ch l1.Chan, fn tdma.FN) *l1.Cipher) []msBlock {
	pend := map[[2]int]*[4][116]int8{}
	var out []msBlock
	for _, fr := range frames {
		for tn := range fr {
			b := &fr[tn]
			if b.Kind != tdma.KindNormal {
				continue
			}
			s := cfg.Slots[tn].Downlink(tdma.TN(tn), b.FN)
			if s.Chan.Kind == l1.ChanTCHF {
				continue
			}
			key := [2]int{tn, int(s.BlockStart(b.FN))}
			p := pend[key]
			if p == nil {
				p = new([4][116]int8)
				pend[key] = p
			}
			var soft [tdma.BurstBits]int8
			hardToSoft(&soft, &b.Bits)
			tdma.NormalData(&p[s.Burst], &soft)
			if c := decipher(s.Chan, b.FN); c != nil {
				c.DecryptSoftData(l1.DirDown, b.FN, &p[s.Burst])
			}
			if s.Burst == 3 {
				m := msBlock{tn: tdma.TN(tn), ch: s.Chan, fn: tdma.FN(key[1])}
				_, m.ok = coding.DecodeXCCH(&m.msg, p)
				out = append(out, m)
				delete(pend, key)
			}
		}
	}
	return out
}

func sameDedicated(a, b l1.Chan) bool {
	base := func(c l1.Chan) l1.Chan {
		switch c.Kind {
		case l1.ChanSACCHC4:
			c.Kind = l1.ChanSDCCH4
		case l1.ChanSACCHC8:
			c.Kind = l1.ChanSDCCH8
		case l1.ChanSACCHTF, l1.ChanFACCHF:
			c.Kind = l1.ChanTCHF
		}
		return c
	}
	return base(a) == base(b)
}

// Network → MS with A5/1 and A5/3: the cell enciphers SDCCH/4(1) with its
// SACCH and SDCCH/8(6) on TN1 with its SACCH; a mobile with the same Kc
// deciphers and decodes every block, equal to what the cell sent; without
// deciphering, or with a wrong Kc, none of the enciphered blocks decodes,
// while the other channels stay clear.
func TestDownlinkCipherRoundTrip(t *testing.T) {
	for _, tc := range cipherAl {
		t.Run(tc.alg.String(), func(t *testing.T) {
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
			clr := l1.Chan{Kind: l1.ChanSDCCH8, TN: 1, Sub: 2}
			for i, ch := range []l1.Chan{sd4, {Kind: l1.ChanSACCHC4, Sub: 1}, sd8, {Kind: l1.ChanSACCHC8, TN: 1, Sub: 6}, clr} {
				for j := range 3 {
					src.Queue(ch, testMsg(byte(0x10*i+j)))
				}
			}
			if err := dl.SetCipher(sd4, tc.alg, tc.kc); err != nil {
				t.Fatal(err)
			}
			if err := dl.SetCipher(l1.Chan{Kind: l1.ChanSACCHC8, TN: 1, Sub: 6}, tc.alg, tc.kc); err != nil {
				t.Fatal(err)
			}
			var frames [][8]tdma.TxBurst
			var out [8]tdma.TxBurst
			for i := range 2 * 102 {
				dl.Frame(tdma.FN(1000+i), &out)
				frames = append(frames, out)
			}
			sent := map[[2]int][23]byte{}
			for _, ev := range tap.Events {
				sent[[2]int{int(ev.Chan.TN), int(ev.FN)}] = [23]byte(ev.Data)
			}
			isCiphered := func(ch l1.Chan) bool { return sameDedicated(ch, sd4) || sameDedicated(ch, sd8) }

			right := newCipher(t, tc.alg, tc.kc)
			wrong := newCipher(t, tc.alg, wrongKc)
			for _, rx := range []struct {
				name string
				c    *l1.Cipher
			}{{"right Kc", right}, {"no deciphering", nil}, {"wrong Kc", wrong}} {
				got := msReceive(&cfg, frames, func(ch l1.Chan, fn tdma.FN) *l1.Cipher {
					if rx.c != nil && isCiphered(ch) {
						return rx.c
					}
					return nil
				})
				nCiph := 0
				for _, b := range got {
					want := rx.c == right || !isCiphered(b.ch)
					if isCiphered(b.ch) {
						nCiph++
					}
					if b.ok != want {
						t.Errorf("%s: %v block at FN %d decodes %v, want %v", rx.name, b.ch, b.fn, b.ok, want)
						continue
					}
					if b.ok && b.msg != sent[[2]int{int(b.tn), int(b.fn)}] {
						t.Errorf("%s: %v block at FN %d = % x, want % x", rx.name, b.ch, b.fn, b.msg, sent[[2]int{int(b.tn), int(b.fn)}])
					}
				}
				if nCiph < 12 {
					t.Errorf("%s: only %d enciphered blocks", rx.name, nCiph)
				}
			}
		})
	}
}

// SetCipher and CipherOff take effect from the next burst: switched on
// at the start of the third SDCCH/8 block and off at the start of the
// sixth, exactly the bursts in between are enciphered (including those of
// the SACCH that fall in the window), and a mobile deciphering exactly
// those decodes every block.
func TestCipherSwitchAtBlockBoundary(t *testing.T) {
	for _, tc := range cipherAl {
		t.Run(tc.alg.String(), func(t *testing.T) {
			cfg := cfgV()
			src := &l1test.Source{}
			ch := l1.Chan{Kind: l1.ChanSDCCH8, TN: 1, Sub: 3}
			for j := range 10 {
				src.Queue(ch, testMsg(byte(j)))
				src.Queue(l1.Chan{Kind: l1.ChanSACCHC8, TN: 1, Sub: 3}, testMsg(byte(0x40+j)))
			}
			dl, err := l1.NewDownlink(cfg, src)
			if err != nil {
				t.Fatal(err)
			}
			var frames [][8]tdma.TxBurst
			var out [8]tdma.TxBurst
			var onFN, offFN tdma.FN
			blocks := 0
			for fn := tdma.FN(0); fn < 4*102; fn++ {
				if s := cfg.Slots[1].Downlink(1, fn); s.Chan == ch && s.Burst == 0 {
					switch blocks {
					case 2:
						if err := dl.SetCipher(ch, tc.alg, tc.kc); err != nil {
							t.Fatal(err)
						}
						onFN = fn
					case 5:
						dl.CipherOff(ch)
						offFN = fn
					}
					blocks++
				}
				dl.Frame(fn, &out)
				frames = append(frames, out)
			}
			ms := newCipher(t, tc.alg, tc.kc)
			window := func(fn tdma.FN) bool { return fn >= onFN && fn < offFN }
			exact := msReceive(&cfg, frames, func(c l1.Chan, fn tdma.FN) *l1.Cipher {
				if sameDedicated(c, ch) && window(fn) {
					return ms
				}
				return nil
			})
			clear := msReceive(&cfg, frames, func(l1.Chan, tdma.FN) *l1.Cipher { return nil })
			var nSD, nCiph int
			for i, b := range exact {
				if !b.ok {
					t.Errorf("%v block at FN %d does not decode deciphering FN %d..%d", b.ch, b.fn, onFN, offFN-1)
				}
				if b.tn != 1 || !sameDedicated(b.ch, ch) {
					continue
				}
				if b.ch == ch {
					nSD++
				}
				// SDCCH/8 and SACCH/C8 blocks are four consecutive frames
				// and the switches are at SDCCH block starts: a block is
				// all in the window or all out, and readable in clear
				// exactly when out.
				touches := window(b.fn)
				if touches {
					nCiph++
				}
				if clear[i].ok == touches {
					t.Errorf("%v block at FN %d decodes in clear: %v (window FN %d..%d)", b.ch, b.fn, clear[i].ok, onFN, offFN-1)
				}
			}
			if nSD < 8 || nCiph < 3 {
				t.Errorf("%d SDCCH blocks, %d enciphered, want ≥ 8 and ≥ 3", nSD, nCiph)
			}
		})
	}
}

// uplinkCiphered is uplinkBursts enciphered by the mobile with c (nil:
// clear).
func uplinkCiphered(t testing.TB, cfg *l1.Config, ch l1.Chan, from tdma.FN, msg *[23]byte, c *l1.Cipher) [4]tdma.RxBurst {
	rx := uplinkBursts(t, cfg, ch, from, msg)
	if c == nil {
		return rx
	}
	for k := range rx {
		var b tdma.Burst
		for i, v := range rx[k].Soft {
			if v < 0 {
				b[i] = 1
			}
		}
		c.EncryptBurst(l1.DirUp, rx[k].FN, &b)
		hardToSoft((*[tdma.BurstBits]int8)(&rx[k].Soft), &b)
	}
	return rx
}

// The ciphering start of TS 44.018 §3.4.7.2 on an SDCCH: the network
// starts deciphering the uplink when it sends the Ciphering Mode Command;
// blocks the mobile still sends in clear get through (Ciphered false);
// the first correctly deciphered block (Ciphering Mode Complete) confirms,
// and the network then enciphers the downlink, which the mobile
// deciphers; from then on a block in clear is refused. A network with the
// wrong Kc decodes nothing the mobile enciphers.
func TestCipherModeSequence(t *testing.T) {
	for _, tc := range cipherAl {
		t.Run(tc.alg.String(), func(t *testing.T) {
			cfg := cfgV()
			sink := &l1test.Sink{}
			ul, err := l1.NewUplink(cfg, sink)
			if err != nil {
				t.Fatal(err)
			}
			sd := l1.Chan{Kind: l1.ChanSDCCH4, Sub: 2}
			sa := l1.Chan{Kind: l1.ChanSACCHC4, Sub: 2}
			ms := newCipher(t, tc.alg, tc.kc)
			fn := tdma.FN(51 * 4)
			send := func(ch l1.Chan, tag byte, c *l1.Cipher) l1.UplinkBlock {
				t.Helper()
				msg := testMsg(tag)
				rx := uplinkCiphered(t, &cfg, ch, fn, &msg, c)
				n := len(sink.Blocks)
				for k := range rx {
					ul.Burst(&rx[k])
				}
				fn = rx[3].FN.Add(1)
				if len(sink.Blocks) != n+1 {
					t.Fatalf("%d blocks delivered for one", len(sink.Blocks)-n)
				}
				b := sink.Blocks[n]
				if b.Good && b.Msg != msg {
					t.Fatalf("%v block = % x, want % x", ch, b.Msg, msg)
				}
				return b
			}
			expect := func(step string, b l1.UplinkBlock, good, ciph, conf bool) {
				t.Helper()
				_, c := ul.CipherAlg(sd)
				if b.Good != good || b.Ciphered != ciph || c != conf {
					t.Errorf("%s: %v block Good %v Ciphered %v, confirmed %v; want %v %v %v", step, b.Chan, b.Good, b.Ciphered, c, good, ciph, conf)
				}
			}
			expect("before", send(sd, 1, nil), true, false, false)
			if err := ul.SetCipher(sd, tc.alg, tc.kc); err != nil { // Ciphering Mode Command sent
				t.Fatal(err)
			}
			expect("MS not yet switched", send(sd, 2, nil), true, false, false)
			expect("MS SACCH not yet switched", send(sa, 3, nil), true, false, false)
			expect("Ciphering Mode Complete", send(sd, 4, ms), true, true, true)
			expect("SACCH enciphered", send(sa, 5, ms), true, true, true)
			expect("clear after confirmation", send(sd, 6, nil), false, true, true)
			expect("enciphered", send(sd, 7, ms), true, true, true)

			// Downlink enciphering after the confirmation.
			src := &l1test.Source{}
			dl, err := l1.NewDownlink(cfg, src)
			if err != nil {
				t.Fatal(err)
			}
			if err := dl.SetCipher(sd, tc.alg, tc.kc); err != nil {
				t.Fatal(err)
			}
			src.Queue(sd, testMsg(0x99))
			var frames [][8]tdma.TxBurst
			var out [8]tdma.TxBurst
			for i := range 51 {
				dl.Frame(fn.Add(i), &out)
				frames = append(frames, out)
			}
			found := false
			for _, b := range msReceive(&cfg, frames, func(ch l1.Chan, fn tdma.FN) *l1.Cipher {
				if sameDedicated(ch, sd) {
					return ms
				}
				return nil
			}) {
				if b.ch == sd {
					found = found || (b.ok && b.msg == testMsg(0x99))
				}
			}
			if !found {
				t.Errorf("mobile did not decode the enciphered downlink block")
			}

			// CipherOff: clear again.
			ul.CipherOff(sd)
			expect("after CipherOff", send(sd, 8, nil), true, false, false)

			// Wrong Kc at the network: nothing enciphered decodes.
			if err := ul.SetCipher(sd, tc.alg, wrongKc); err != nil {
				t.Fatal(err)
			}
			expect("wrong Kc", send(sd, 9, ms), false, true, false)
			expect("wrong Kc SACCH", send(sa, 10, ms), false, true, false)
		})
	}
}

// TCH/F with its FACCH/F and SACCH/TF, enciphered both ways: the downlink
// bursts of TN2 are deciphered by a mobile that loops them back
// enciphered on the uplink; the Uplink deciphers speech, FACCH/F (Ciphered)
// and SACCH/TF. Without the mobile's deciphering nothing decodes.
func TestCipherTCHF(t *testing.T) {
	for _, tc := range cipherAl {
		for _, loop := range []bool{true, false} {
			t.Run(fmt.Sprintf("%v/mobile deciphers %v", tc.alg, loop), func(t *testing.T) {
				cfg := cfgV()
				cfg.Slots[2] = l1.CombI
				src := &l1test.Source{}
				r := rand.New(rand.NewPCG(3, 9))
				var sent []l1test.TrafficFrame
				for i := range 20 {
					f := l1test.TrafficFrame{Kind: l1.TrafficSpeech}
					for j := range f.Speech {
						f.Speech[j] = byte(r.IntN(2))
					}
					if i == 5 {
						f = l1test.TrafficFrame{Kind: l1.TrafficFACCH, FACCH: testMsg(0x77)}
					}
					sent = append(sent, f)
					src.QueueTraffic(2, f)
				}
				tch := l1.Chan{Kind: l1.ChanTCHF, TN: 2}
				src.Queue(l1.Chan{Kind: l1.ChanSACCHTF, TN: 2}, testMsg(0x55))
				dl, err := l1.NewDownlink(cfg, src)
				if err != nil {
					t.Fatal(err)
				}
				sink := &l1test.Sink{}
				ul, err := l1.NewUplink(cfg, sink)
				if err != nil {
					t.Fatal(err)
				}
				if err := dl.SetCipher(tch, tc.alg, tc.kc); err != nil {
					t.Fatal(err)
				}
				if err := ul.SetCipher(tch, tc.alg, tc.kc); err != nil {
					t.Fatal(err)
				}
				ms := newCipher(t, tc.alg, tc.kc)
				var out [8]tdma.TxBurst
				for fn := tdma.FN(0); fn < 2*104; fn++ { // a SACCH/TF block spans 104 frames
					dl.Frame(fn, &out)
					b := out[2].Bits
					if loop && out[2].Kind == tdma.KindNormal {
						ms.EncryptBurst(l1.DirDown, fn, &b) // decipher the downlink
						ms.EncryptBurst(l1.DirUp, fn, &b)   // encipher the uplink
					}
					rx := tdma.RxBurst{FN: fn, TN: 2, Kind: out[2].Kind}
					hardToSoft((*[tdma.BurstBits]int8)(&rx.Soft), &b)
					if rx.Kind != tdma.KindNormal {
						rx.Kind = tdma.KindNone
					}
					ul.Burst(&rx)
				}
				good, k := 0, 0
				for _, f := range sent {
					if f.Kind != l1.TrafficSpeech || k >= len(sink.Traffic) {
						continue
					}
					got := sink.Traffic[k]
					k++
					if got.Good && got.Speech == f.Speech {
						good++
					}
				}
				var facch, sacch int
				for _, b := range sink.Blocks {
					if b.Good && b.Msg == testMsg(0x77) && b.Chan.Kind == l1.ChanFACCHF && b.Ciphered {
						facch++
					}
					if b.Good && b.Msg == testMsg(0x55) && b.Chan.Kind == l1.ChanSACCHTF && b.Ciphered {
						sacch++
					}
				}
				if loop && (good != 19 || facch != 1 || sacch != 1) {
					t.Errorf("%d of %d speech frames good, %d FACCH/F, %d SACCH/TF; want 19, 1, 1", good, len(sink.Traffic), facch, sacch)
				}
				if !loop && (good != 0 || facch != 0 || sacch != 0) {
					t.Errorf("not deciphered: %d speech frames good, %d FACCH/F, %d SACCH/TF; want none", good, facch, sacch)
				}
			})
		}
	}
}

// BenchmarkFrameCiphered is BenchmarkFrame with every dedicated channel
// enciphered (A5/1 on the SDCCHs, A5/3 on the TCH/Fs): 8 bursts per op,
// of which up to 7 ciphered.
func BenchmarkFrameCiphered(b *testing.B) {
	for _, tc := range cipherAl {
		b.Run(tc.alg.String(), func(b *testing.B) {
			cfg := cfgV()
			cfg.Slots = [8]l1.Combination{l1.CombV, l1.CombVII, l1.CombVII, l1.CombI, l1.CombI, l1.CombI, l1.CombI, l1.CombI}
			src := &benchSource{msg: testMsg(9)}
			dl, err := l1.NewDownlink(cfg, src)
			if err != nil {
				b.Fatal(err)
			}
			for _, ty := range []l1.SIType{l1.SI1, l1.SI2, l1.SI3, l1.SI4} {
				m := siBlock(ty)
				dl.BCCH.Set(ty, &m)
			}
			for sub := range uint8(4) {
				dl.SetCipher(l1.Chan{Kind: l1.ChanSDCCH4, Sub: sub}, tc.alg, tc.kc)
			}
			for tn := tdma.TN(1); tn < 3; tn++ {
				for sub := range uint8(8) {
					dl.SetCipher(l1.Chan{Kind: l1.ChanSDCCH8, TN: tn, Sub: sub}, tc.alg, tc.kc)
				}
			}
			for tn := tdma.TN(3); tn < 8; tn++ {
				dl.SetCipher(l1.Chan{Kind: l1.ChanTCHF, TN: tn}, tc.alg, tc.kc)
			}
			var out [8]tdma.TxBurst
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				dl.Frame(tdma.FN(i%tdma.HyperFrame), &out)
			}
		})
	}
}

// BenchmarkBurstCiphered is BenchmarkBurst (TN0 V, TN1 SDCCH/8, TN2 TCH/F)
// with the dedicated channels deciphered; the bursts are enciphered, so
// every block decodes deciphered.
func BenchmarkBurstCiphered(b *testing.B) {
	for _, tc := range cipherAl {
		b.Run(tc.alg.String(), func(b *testing.B) {
			cfg := cfgV()
			ul, err := l1.NewUplink(cfg, nullSink{})
			if err != nil {
				b.Fatal(err)
			}
			ms := newCipher(b, tc.alg, tc.kc)
			for sub := range uint8(4) {
				ul.SetCipher(l1.Chan{Kind: l1.ChanSDCCH4, Sub: sub}, tc.alg, tc.kc)
			}
			for sub := range uint8(8) {
				ul.SetCipher(l1.Chan{Kind: l1.ChanSDCCH8, TN: 1, Sub: sub}, tc.alg, tc.kc)
			}
			ul.SetCipher(l1.Chan{Kind: l1.ChanTCHF, TN: 2}, tc.alg, tc.kc)
			var rx [3 * 102]tdma.RxBurst
			msg := testMsg(1)
			var enc [4][116]byte
			coding.EncodeXCCH(&enc, &msg)
			for fn := range 102 {
				for tn := range 3 {
					r := &rx[3*fn+tn]
					s := cfg.Slots[tn].Uplink(tdma.TN(tn), tdma.FN(fn))
					r.FN, r.TN, r.Kind = tdma.FN(fn), tdma.TN(tn), tdma.KindNormal
					if s.Chan.Kind == l1.ChanRACH {
						*r = accessBurst(tdma.FN(fn), 0x23, testBSIC)
						continue
					}
					var bb tdma.Burst
					tdma.Normal(&bb, &enc[s.Burst&3], cfg.TSC())
					ms.EncryptBurst(l1.DirUp, tdma.FN(fn), &bb)
					for i, v := range bb {
						r.Soft[i] = 80
						if v != 0 {
							r.Soft[i] = -80
						}
					}
				}
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				ul.Burst(&rx[i%len(rx)])
			}
		})
	}
}

// BenchmarkCipherBurst is the bare per-burst cost: keystream and XOR of
// one downlink burst.
func BenchmarkCipherBurst(b *testing.B) {
	for _, tc := range cipherAl {
		b.Run(tc.alg.String(), func(b *testing.B) {
			c := newCipher(b, tc.alg, tc.kc)
			var bb tdma.Burst
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				c.EncryptBurst(l1.DirDown, tdma.FN(i), &bb)
			}
		})
	}
}

// FuzzUplinkBurstCiphered is FuzzUplinkBurst (same input format) with
// ciphering on for SDCCH/4(0,1) (A5/1), the even SDCCH/8 sub-channels of
// TN1 (A5/3) and the TCH/F on TN2 (A5/1): it must never panic, every
// block counted is delivered, and only blocks of ciphered channels are
// marked Ciphered.
func FuzzUplinkBurstCiphered(f *testing.F) {
	f.Add([]byte{0, 0, 0, 47, 0, 1, 0x7f, 0x80, 0})
	f.Add([]byte{0, 0, 0, 20, 1, 1, 0x11, 0x22, 0x33})
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := cfgV()
		cfg.Slots[2] = l1.CombI
		sink := &l1test.Sink{}
		ul, err := l1.NewUplink(cfg, sink)
		if err != nil {
			t.Fatal(err)
		}
		on := func(ch l1.Chan) bool {
			switch ch.Kind {
			case l1.ChanSDCCH4, l1.ChanSACCHC4:
				return ch.Sub < 2
			case l1.ChanSDCCH8, l1.ChanSACCHC8:
				return ch.Sub%2 == 0
			}
			return ch.TN == 2
		}
		for sub := range uint8(4) {
			if ch := (l1.Chan{Kind: l1.ChanSDCCH4, Sub: sub}); on(ch) {
				ul.SetCipher(ch, a5.Alg1, testKc1)
			}
		}
		for sub := range uint8(8) {
			if ch := (l1.Chan{Kind: l1.ChanSDCCH8, TN: 1, Sub: sub}); on(ch) {
				ul.SetCipher(ch, a5.Alg3, testKc3)
			}
		}
		ul.SetCipher(l1.Chan{Kind: l1.ChanTCHF, TN: 2}, a5.Alg1, testKc1)
		for len(data) >= 6 {
			var rx tdma.RxBurst
			rx.FN = tdma.FN(binary.BigEndian.Uint32(data) % tdma.HyperFrame)
			rx.TN = tdma.TN(data[4])
			rx.Kind = tdma.BurstKind(data[5])
			data = data[6:]
			n := copy(rx.Soft[:], asInt8(data))
			data = data[min(n, len(data)):]
			ul.Burst(&rx)
		}
		if st := ul.Stats(); int(st.Blocks) != len(sink.Blocks) || int(st.Access) != len(sink.Access) {
			t.Errorf("Stats() = %+v, delivered %d blocks %d access", st, len(sink.Blocks), len(sink.Access))
		}
		for _, b := range sink.Blocks {
			if b.Ciphered && !on(b.Chan) {
				t.Errorf("%v block at FN %d marked Ciphered on a clear channel", b.Chan, b.FN)
			}
		}
	})
}

// The mobile's decoding through the TS 44.018 §3.4.7.2 window: it
// deciphers from the Ciphering Mode Command on while the cell enciphers
// the downlink only from the third block; with tryClear, Cipher.DecodeXCCH
// decodes the first two in clear (ciphered false) and the rest
// deciphered; without, the first two are lost; with a wrong Kc the
// enciphered ones are.
func TestCipherDecodeXCCHWindow(t *testing.T) {
	for _, tc := range cipherAl {
		t.Run(tc.alg.String(), func(t *testing.T) {
			cfg := cfgV()
			src := &l1test.Source{}
			ch := l1.Chan{Kind: l1.ChanSDCCH8, TN: 1, Sub: 3}
			for j := range 6 {
				src.Queue(ch, testMsg(byte(0x20+j)))
			}
			dl, err := l1.NewDownlink(cfg, src)
			if err != nil {
				t.Fatal(err)
			}
			type blk struct {
				fns  [4]tdma.FN
				soft [4][tdma.NormalDataBits]int8
			}
			var blocks []*blk
			var out [8]tdma.TxBurst
			for fn := tdma.FN(0); fn < 6*51; fn++ { // one SDCCH/8(3) block per multiframe
				s := cfg.Slots[1].Downlink(1, fn)
				if s.Chan == ch && s.Burst == 0 && len(blocks) == 2 {
					dl.SetCipher(ch, tc.alg, tc.kc)
				}
				dl.Frame(fn, &out)
				if s.Chan != ch {
					continue
				}
				if s.Burst == 0 {
					blocks = append(blocks, new(blk))
				}
				b := blocks[len(blocks)-1]
				var soft [tdma.BurstBits]int8
				hardToSoft(&soft, &out[1].Bits)
				b.fns[s.Burst] = fn
				tdma.NormalData(&b.soft[s.Burst], &soft)
			}
			if len(blocks) < 5 {
				t.Fatalf("%d blocks", len(blocks))
			}
			right, wrong := newCipher(t, tc.alg, tc.kc), newCipher(t, tc.alg, wrongKc)
			for i, b := range blocks {
				want := testMsg(byte(0x20 + i))
				before := b.soft
				for _, rx := range []struct {
					name     string
					c        *l1.Cipher
					tryClear bool
					ok, ciph bool
				}{
					{"tryClear", right, true, true, i >= 2},
					{"deciphered only", right, false, i >= 2, true},
					{"wrong Kc", wrong, true, i < 2, i >= 2},
				} {
					var msg [23]byte
					_, ok, ciph := rx.c.DecodeXCCH(l1.DirDown, &b.fns, &b.soft, &msg, rx.tryClear)
					if ok != rx.ok || ciph != rx.ciph || (ok && msg != want) {
						t.Errorf("block %d, %s: DecodeXCCH = ok %v ciphered %v msg % x, want %v %v % x", i, rx.name, ok, ciph, msg[:4], rx.ok, rx.ciph, want[:4])
					}
				}
				if b.soft != before {
					t.Errorf("block %d: DecodeXCCH changed its input", i)
				}
			}
			var msg [23]byte
			b := blocks[3]
			if n := testing.AllocsPerRun(20, func() { right.DecodeXCCH(l1.DirDown, &b.fns, &b.soft, &msg, true) }); n != 0 {
				t.Errorf("DecodeXCCH: %v allocations, want 0", n)
			}
		})
	}
}
