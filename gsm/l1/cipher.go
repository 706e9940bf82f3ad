package l1

import (
	"fmt"
	"log/slog"

	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/crypto/a5"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Dir is the direction of a burst, which selects one of the two keystream
// blocks A5 produces per TDMA frame (3GPP TS 43.020 Annex C.1.2: BLOCK1
// deciphers BTS→MS, BLOCK2 MS→BTS).
type Dir uint8

const (
	// DirDown is the downlink, BTS to MS: the network enciphers with it,
	// the mobile deciphers.
	DirDown Dir = iota
	// DirUp is the uplink, MS to BTS: the mobile enciphers with it, the
	// network deciphers.
	DirUp
)

func (d Dir) String() string {
	if d == DirUp {
		return "uplink"
	}
	return "downlink"
}

// cipheredBits is the number of enciphered bits per normal burst.
const cipheredBits = 114

// Burst positions of the two halves of enciphered bits of a normal burst.
// TS 45.002 §5.2.3 numbers the 116 data bits e0..e57 (bits 3..60) and
// e58..e115 (bits 87..144); TS 45.003 §4.1.5 puts the stealing flags in
// e57 = hl (bit 60) and e58 = hu (bit 87). The 114 keystream bits of TS
// 43.020 Annex C go, in order, onto the other 114: e0..e56 (bits 3..59)
// and e59..e115 (bits 88..144); the stealing flags, the training sequence
// and the tail bits are sent in clear. gr-gsm's and libosmocore's
// deciphering touch the same positions (testdata/README.md).
const (
	cipherHalf = cipheredBits / 2 // 57
	burstHalf1 = tdma.TailBits    // 3
	burstHalf2 = tdma.NormalTSCStart + tdma.TSCBits + 1
	// In the 116-bit data of a normal burst (tdma.Normal, tdma.NormalData)
	// the flags are at 57 and 58 and the second half starts at 59.
	dataHalf2 = cipherHalf + 2
)

// Cipher is the A5 ciphering state of one dedicated channel on one side of
// the air interface: the algorithm and Kc in use (the A5/3 key schedule is
// expanded once, by Set). The zero value is off (A5/0). The network side
// has one per channel inside Downlink and Uplink (Downlink.SetCipher,
// Uplink.SetCipher); a mobile keeps its own and calls EncryptBurst for its
// uplink bursts and DecryptSoft / DecryptSoftData for what it receives.
//
// Its methods do not allocate, except the first Set, which allocates the
// key storage once. A Cipher is not safe for concurrent use (it holds
// keystream scratch) and must not be copied after Set. Kc is a secret:
// String and LogValue give the algorithm only, the key material sits
// behind a pointer so that printing a struct holding a Cipher with %+v
// shows no key, and Off wipes it.
type Cipher struct {
	alg a5.Alg
	k   *cipherKey
}

type cipherKey struct {
	kc  [8]byte
	a53 a5.A53Key
	ks  [cipheredBits]byte
}

// Set starts ciphering with algorithm alg and key kc; it takes effect for
// the next burst handled. a5.Alg0 turns ciphering off. It refuses A5/2
// (a5.ErrBanned) and algorithms a5 does not implement (a5.ErrUnsupported),
// leaving the state as it was.
func (c *Cipher) Set(alg a5.Alg, kc [8]byte) error {
	switch alg {
	case a5.Alg0:
		c.Off()
		return nil
	case a5.Alg1:
		c.Off()
		if c.k == nil {
			c.k = new(cipherKey)
		}
		c.alg, c.k.kc = alg, kc
	case a5.Alg3:
		c.Off()
		if c.k == nil {
			c.k = new(cipherKey)
		}
		c.alg = alg
		c.k.a53.Init(kc)
	case a5.Alg2:
		return fmt.Errorf("cipher: %w", a5.ErrBanned)
	default:
		return fmt.Errorf("cipher %v: %w", alg, a5.ErrUnsupported)
	}
	return nil
}

// Off stops ciphering and wipes the key.
func (c *Cipher) Off() {
	c.alg = a5.Alg0
	if c.k != nil {
		clear(c.k.kc[:])
		c.k.a53.Zero()
		clear(c.k.ks[:])
	}
}

// Alg returns the algorithm in use (a5.Alg0 when off).
func (c *Cipher) Alg() a5.Alg { return c.alg }

// On reports whether ciphering is on.
func (c *Cipher) On() bool { return c.alg != a5.Alg0 }

// String gives the algorithm, never the key.
func (c *Cipher) String() string { return c.alg.String() }

// GoString gives the algorithm, never the key (for %#v).
func (c *Cipher) GoString() string { return "l1.Cipher{" + c.alg.String() + "}" }

// LogValue implements slog.LogValuer: the algorithm, never the key.
func (c *Cipher) LogValue() slog.Value { return slog.StringValue(c.alg.String()) }

// Keystream writes the 114 keystream bits (one per octet) for the burst of
// direction dir in frame fn: COUNT is derived from fn (TS 43.020 Annex
// C.1.2, a5.Count). When off, the keystream is all zero.
func (c *Cipher) Keystream(dir Dir, fn tdma.FN, ks *[cipheredBits]byte) {
	count := a5.Count(fn)
	dl, ul := ks, (*[cipheredBits]byte)(nil)
	if dir == DirUp {
		dl, ul = nil, ks
	}
	switch c.alg {
	case a5.Alg1:
		a5.A51Count(dl, ul, &c.k.kc, count)
	case a5.Alg3:
		c.k.a53.KeystreamCount(dl, ul, count)
	default:
		clear(ks[:])
	}
}

// EncryptBurst enciphers (or, the same operation, deciphers) the hard bits
// of normal burst b of direction dir sent in frame fn in place: the 114
// bits e0..e56 and e59..e115 (burst bits 3..59 and 88..144) are XORed
// with the keystream; tail bits, stealing flags and training sequence are
// not touched (TS 43.020 Annex C). It does nothing when off.
func (c *Cipher) EncryptBurst(dir Dir, fn tdma.FN, b *tdma.Burst) {
	if c.alg == a5.Alg0 {
		return
	}
	c.Keystream(dir, fn, &c.k.ks)
	xorHalves(b[burstHalf1:burstHalf1+cipherHalf], b[burstHalf2:burstHalf2+cipherHalf], &c.k.ks)
}

// EncryptData is EncryptBurst on the 116 data bits of a normal burst (the
// layout of tdma.Normal: e0..e56, hl, hu, e59..e115) before they are put
// into a burst.
func (c *Cipher) EncryptData(dir Dir, fn tdma.FN, d *[tdma.NormalDataBits]byte) {
	if c.alg == a5.Alg0 {
		return
	}
	c.Keystream(dir, fn, &c.k.ks)
	xorHalves(d[:cipherHalf], d[dataHalf2:dataHalf2+cipherHalf], &c.k.ks)
}

// DecryptSoft deciphers the soft bits of normal burst s of direction dir
// received in frame fn in place, by negating the soft bits of the 114
// enciphered positions where the keystream bit is 1 (the sign carries the
// hard decision, as a5.ApplySoft). It does nothing when off.
func (c *Cipher) DecryptSoft(dir Dir, fn tdma.FN, s *tdma.SoftBurst) {
	if c.alg == a5.Alg0 {
		return
	}
	c.Keystream(dir, fn, &c.k.ks)
	flipHalves(s[burstHalf1:burstHalf1+cipherHalf], s[burstHalf2:burstHalf2+cipherHalf], &c.k.ks)
}

// DecryptSoftData is DecryptSoft on the 116 soft data bits of a normal
// burst as tdma.NormalData extracts them (e0..e56, hl, hu, e59..e115).
func (c *Cipher) DecryptSoftData(dir Dir, fn tdma.FN, d *[tdma.NormalDataBits]int8) {
	if c.alg == a5.Alg0 {
		return
	}
	c.Keystream(dir, fn, &c.k.ks)
	flipHalves(d[:cipherHalf], d[dataHalf2:dataHalf2+cipherHalf], &c.k.ks)
}

// DecodeXCCH decodes an SDCCH/SACCH/FACCH-style block of four bursts for
// a receiver that has ciphering on: soft holds the 116 soft data bits of
// each burst as received (tdma.NormalData), fns the frame of each burst,
// dir the direction they travelled. It deciphers a copy with c (soft is
// not changed) and decodes it with coding.DecodeXCCH; when that fails and
// tryClear is set, it decodes the block in clear as well and reports
// ciphered false if that worked. With ciphering off it just decodes.
//
// tryClear is for the moments of TS 44.018 §3.4.7.2 when the peer may not
// have switched yet: a mobile, which deciphers from the Ciphering Mode
// Command on while the network enciphers the downlink only after the
// Ciphering Mode Complete, sets it until its first block decodes
// deciphered. It does not allocate.
func (c *Cipher) DecodeXCCH(dir Dir, fns *[4]tdma.FN, soft *[4][tdma.NormalDataBits]int8, msg *[23]byte, tryClear bool) (q coding.Quality, ok, ciphered bool) {
	if c.alg == a5.Alg0 {
		q, ok = coding.DecodeXCCH(msg, soft)
		return q, ok, false
	}
	d := *soft
	for i := range d {
		c.DecryptSoftData(dir, fns[i], &d[i])
	}
	q, ok = coding.DecodeXCCH(msg, &d)
	if ok || !tryClear {
		return q, ok, true
	}
	var clr [23]byte
	if q2, ok2 := coding.DecodeXCCH(&clr, soft); ok2 {
		*msg = clr
		return q2, true, false
	}
	return q, false, true
}

func xorHalves(a, b []byte, ks *[cipheredBits]byte) {
	a, b = a[:cipherHalf], b[:cipherHalf]
	for i := range cipherHalf {
		a[i] ^= ks[i] & 1
		b[i] ^= ks[cipherHalf+i] & 1
	}
}

func flipHalves(a, b []int8, ks *[cipheredBits]byte) {
	a, b = a[:cipherHalf], b[:cipherHalf]
	for i := range cipherHalf {
		if ks[i]&1 != 0 {
			a[i] = negSoft(a[i])
		}
		if ks[cipherHalf+i]&1 != 0 {
			b[i] = negSoft(b[i])
		}
	}
}

// negSoft negates a soft bit; −128 (outside the −127..127 convention, but
// possible from the air) becomes 127.
func negSoft(v int8) int8 {
	if v == -128 {
		return 127
	}
	return -v
}

// cipherIndex maps a dedicated channel to its cipher state: an SDCCH and
// its SACCH share one, as do a TCH/F, its FACCH/F and its SACCH/TF (TS
// 43.020 §4.2: one Kc per connection, applied to every dedicated channel).
// It checks the channel exists in cfg.
func cipherIndex(lay *Layout, ch Chan) (tn, sub int, err error) {
	tn, sub = int(ch.TN), int(ch.Sub)
	if tn > 7 {
		return 0, 0, fmt.Errorf("%w: %v: TN out of range", ErrCipherChan, ch)
	}
	// A dynamic timeslot's channels count under the combination before
	// its last switch and the one after (layout.go).
	was, comb := lay.either(tn)
	switch ch.Kind {
	case ChanSDCCH4, ChanSACCHC4:
		if comb != CombV || sub > 3 {
			return 0, 0, fmt.Errorf("%w: %v not on this carrier (TN%d is %v)", ErrCipherChan, ch, tn, comb)
		}
	case ChanSDCCH8, ChanSACCHC8:
		if (comb != CombVII && was != CombVII) || sub > 7 {
			return 0, 0, fmt.Errorf("%w: %v not on this carrier (TN%d is %v)", ErrCipherChan, ch, tn, comb)
		}
	case ChanTCHF, ChanFACCHF, ChanSACCHTF:
		if comb != CombI && was != CombI {
			return 0, 0, fmt.Errorf("%w: %v not on this carrier (TN%d is %v)", ErrCipherChan, ch, tn, comb)
		}
		sub = 0
	default:
		return 0, 0, fmt.Errorf("%w: %v is not a dedicated channel", ErrCipherChan, ch)
	}
	return tn, sub, nil
}

// burstCipher returns the cipher state of the channel of a burst at the
// given position, or nil when it is not a dedicated channel or not
// ciphered. Only called with channels the multiframe tables produced.
func burstCipher(tab *[8][8]Cipher, tn tdma.TN, ch Chan) *Cipher {
	var c *Cipher
	switch ch.Kind {
	case ChanSDCCH4, ChanSACCHC4, ChanSDCCH8, ChanSACCHC8:
		c = &tab[tn&7][ch.Sub&7]
	case ChanTCHF, ChanFACCHF, ChanSACCHTF:
		c = &tab[tn&7][0]
	default:
		return nil
	}
	if c.alg == a5.Alg0 {
		return nil
	}
	return c
}

// SetCipher starts enciphering the downlink of dedicated channel ch (an
// SDCCH with its SACCH, or a TCH/F with its FACCH/F and SACCH/TF; naming
// either selects both) with algorithm alg and key kc, from the next burst
// Frame produces on it. a5.Alg0 is the same as CipherOff.
//
// TS 44.018 §3.4.7.2: the network starts enciphering the downlink only
// once it has received a correctly deciphered frame from the mobile (an
// UplinkBlock with Ciphered and Good set on the channel, normally the
// layer-2 frame carrying the Ciphering Mode Complete), after starting
// uplink deciphering with Uplink.SetCipher when it sends the Ciphering
// Mode Command. The cell must call CipherOff when it releases the channel.
func (d *Downlink) SetCipher(ch Chan, alg a5.Alg, kc [8]byte) error {
	tn, sub, err := cipherIndex(&d.lay, ch)
	if err != nil {
		return fmt.Errorf("downlink: %w", err)
	}
	if err := d.ciph[tn][sub].Set(alg, kc); err != nil {
		return fmt.Errorf("downlink %v: %w", ch, err)
	}
	return nil
}

// CipherOff stops enciphering the downlink of dedicated channel ch (and
// its associated channels) and wipes the key. A channel not on the
// carrier is ignored.
func (d *Downlink) CipherOff(ch Chan) {
	if tn, sub, err := cipherIndex(&d.lay, ch); err == nil {
		d.ciph[tn][sub].Off()
	}
}

// CipherAlg returns the algorithm enciphering the downlink of ch (a5.Alg0
// when off or not a dedicated channel of the carrier).
func (d *Downlink) CipherAlg(ch Chan) a5.Alg {
	tn, sub, err := cipherIndex(&d.lay, ch)
	if err != nil {
		return a5.Alg0
	}
	return d.ciph[tn][sub].alg
}

// ulCipher is the uplink cipher state of one channel: confirmed is set by
// the first block that decodes correctly after deciphering; until then a
// block that fails deciphered is tried in clear, since the mobile starts
// enciphering only when it has received the Ciphering Mode Command (TS
// 44.018 §3.4.7.2) and the network cannot know exactly when.
type ulCipher struct {
	Cipher
	confirmed bool
}

// SetCipher starts deciphering the uplink of dedicated channel ch (an
// SDCCH with its SACCH, or a TCH/F with its FACCH/F and SACCH/TF) with
// algorithm alg and key kc, from the next burst received on it; a5.Alg0
// is the same as CipherOff. TS 44.018 §3.4.7.2: the network does this
// when it sends the Ciphering Mode Command.
//
// Until a block has decoded correctly deciphered, an SDCCH/SACCH block
// that does not decode deciphered is decoded in clear as well (the mobile
// switches at an instant the network does not know); from then on only
// deciphered blocks are accepted. UplinkBlock.Ciphered tells which it was.
// The cell must call CipherOff when it releases the channel.
func (u *Uplink) SetCipher(ch Chan, alg a5.Alg, kc [8]byte) error {
	tn, sub, err := cipherIndex(&u.lay, ch)
	if err != nil {
		return fmt.Errorf("uplink: %w", err)
	}
	c := &u.ciph[tn][sub]
	if err := c.Set(alg, kc); err != nil {
		return fmt.Errorf("uplink %v: %w", ch, err)
	}
	c.confirmed = false
	return nil
}

// CipherOff stops deciphering the uplink of dedicated channel ch (and its
// associated channels) and wipes the key. A channel not on the carrier is
// ignored.
func (u *Uplink) CipherOff(ch Chan) {
	if tn, sub, err := cipherIndex(&u.lay, ch); err == nil {
		u.ciph[tn][sub].Off()
		u.ciph[tn][sub].confirmed = false
	}
}

// CipherAlg returns the algorithm deciphering the uplink of ch, and
// whether a correctly deciphered block has been received since SetCipher.
func (u *Uplink) CipherAlg(ch Chan) (alg a5.Alg, confirmed bool) {
	tn, sub, err := cipherIndex(&u.lay, ch)
	if err != nil {
		return a5.Alg0, false
	}
	c := &u.ciph[tn][sub]
	return c.alg, c.confirmed
}

// ulCipherAt returns the uplink cipher state for a burst position, or nil.
func (u *Uplink) ulCipherAt(tn tdma.TN, ch Chan) *ulCipher {
	var c *ulCipher
	switch ch.Kind {
	case ChanSDCCH4, ChanSACCHC4, ChanSDCCH8, ChanSACCHC8:
		c = &u.ciph[tn&7][ch.Sub&7]
	case ChanTCHF, ChanFACCHF, ChanSACCHTF:
		c = &u.ciph[tn&7][0]
	default:
		return nil
	}
	if c.alg == a5.Alg0 {
		return nil
	}
	return c
}
