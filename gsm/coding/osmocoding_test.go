package coding

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// These tests compare our encoders bit for bit with libosmocoding
// (libosmocore's TS 45.003 implementation, Debian libosmocoding0), driven
// through testdata/osmocoding.py.

func TestXCCHAgainstLibosmocoding(t *testing.T) {
	o := startOracle(t, "osmocoding.py")
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 40 {
		var msg [23]byte
		for j := range msg {
			msg[j] = byte(rng.Uint32())
		}
		if i == 0 {
			msg = [23]byte{0x55, 0x06, 0x19} // Sysinfo-like prefix, rest zero
		}
		var got [4][116]byte
		EncodeXCCH(&got, &msg)
		want := o.ask("xcch " + hex.EncodeToString(msg[:]))
		g := bitString(got[0][:]) + bitString(got[1][:]) + bitString(got[2][:]) + bitString(got[3][:])
		if g != want {
			t.Errorf("EncodeXCCH(%x) =\n%s, want\n%s", msg, g, want)
		}
	}
}

func TestSCHAgainstLibosmocoding(t *testing.T) {
	o := startOracle(t, "osmocoding.py")
	for _, c := range []struct {
		bsic tdma.BSIC
		fn   tdma.FN
	}{
		{tdma.BSIC{NCC: 0, BCC: 0}, 1},
		{tdma.BSIC{NCC: 7, BCC: 7}, tdma.HyperFrame - 51 + 41},
		{tdma.BSIC{NCC: 2, BCC: 5}, 1326*1000 + 11},
		{tdma.BSIC{NCC: 5, BCC: 2}, 2047*1326 + 31},
		{tdma.BSIC{NCC: 1, BCC: 3}, 123456*51 + 21},
	} {
		// The SCH information element laid out as TS 44.018 §9.1.30 draws it.
		t1, t2, t3p := c.fn.T1(), c.fn.T2(), c.fn.T3p()
		octets := []byte{c.bsic.Value()<<2 | byte(t1>>9), byte(t1 >> 1), byte(t1&1)<<7 | byte(t2)<<2 | byte(t3p>>1), byte(t3p & 1)}
		var info [25]byte
		PackSCHInfo(&info, c.bsic, c.fn)
		var got [78]byte
		EncodeSCH(&got, &info)
		want := o.ask("sch " + hex.EncodeToString(octets))
		if g := bitString(got[:]); g != want {
			t.Errorf("EncodeSCH(%v, %v) = %s, want %s", c.bsic, c.fn, g, want)
		}
	}
}

func TestRACHAgainstLibosmocoding(t *testing.T) {
	o := startOracle(t, "osmocoding.py")
	for _, bsic := range []uint8{0, 1, 7, 21, 42, 63} {
		for ra := 0; ra < 256; ra += 17 {
			var got [36]byte
			EncodeRACH(&got, uint8(ra), tdma.BSICFromValue(bsic))
			want := o.ask(fmt.Sprintf("rach %d %d", ra, bsic))
			if g := bitString(got[:]); g != want {
				t.Errorf("EncodeRACH(%d, %d) = %s, want %s", ra, bsic, g, want)
			}
		}
		for _, ra := range []uint16{0, 1, 0x400, 0x7ff, 1234, 0x2aa} {
			var got [36]byte
			EncodeRACH11(&got, ra, tdma.BSICFromValue(bsic))
			want := o.ask(fmt.Sprintf("rach11 %d %d", ra, bsic))
			if g := bitString(got[:]); g != want {
				t.Errorf("EncodeRACH11(%d, %d) = %s, want %s", ra, bsic, g, want)
			}
		}
	}
}

// oneBlock encodes a single block into a fresh encoder and returns all eight
// bursts it touches, the way libosmocoding's gsm0503_tch_fr_encode writes a
// block into zeroed bursts.
func oneBlock(speech *[33]byte, facch *[23]byte) string {
	var e TCHFEncoder
	var first [4][116]byte
	if facch != nil {
		e.EncodeFACCH(&first, facch)
	} else {
		var d [260]byte
		if err := FRFromRTP(&d, speech[:]); err != nil {
			panic(err)
		}
		e.EncodeSpeech(&first, &d)
	}
	s := ""
	for b := range 4 {
		s += bitString(first[b][:])
	}
	for b := range 4 {
		s += bitString(e.pend[b][:])
	}
	return s
}

func TestTCHFAgainstLibosmocoding(t *testing.T) {
	o := startOracle(t, "osmocoding.py")
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20 {
		var f [33]byte
		for j := range f {
			f[j] = byte(rng.Uint32())
		}
		f[0] = 0xD0 | f[0]&0x0F
		got := oneBlock(&f, nil)
		if want := o.ask("tchfr " + hex.EncodeToString(f[:])); got != want {
			t.Errorf("TCH/FS block of %x =\n%s, want\n%s", f, got, want)
		}
		var m [23]byte
		for j := range m {
			m[j] = byte(rng.Uint32())
		}
		got = oneBlock(nil, &m)
		if want := o.ask("facch " + hex.EncodeToString(m[:])); got != want {
			t.Errorf("FACCH/F block of %x =\n%s, want\n%s", m, got, want)
		}
	}
}

// libosmocoding's decoders read our noisy bursts too: the soft-bit
// convention and the error count agree.
func TestLibosmocodingDecodesOurs(t *testing.T) {
	o := startOracle(t, "osmocoding.py")
	rng := rand.New(rand.NewPCG(81, 82))
	soft := func(s []int8) string {
		f := make([]string, len(s))
		for i, v := range s {
			f[i] = fmt.Sprint(v)
		}
		return strings.Join(f, " ")
	}
	for range 10 {
		var msg [23]byte
		for j := range msg {
			msg[j] = byte(rng.Uint32())
		}
		var b [4][116]byte
		EncodeXCCH(&b, &msg)
		s := softBursts(&b)
		flip(rng, &s, 6)
		got := o.ask("xcchdec " + soft(s[0][:]) + " " + soft(s[1][:]) + " " + soft(s[2][:]) + " " + soft(s[3][:]))
		if want := hex.EncodeToString(msg[:]) + " 1 6"; got != want {
			t.Errorf("libosmocoding xcch decode of ours = %q, want %q", got, want)
		}
		ra, bsic := uint8(rng.IntN(256)), tdma.BSICFromValue(uint8(rng.IntN(64)))
		var c [36]byte
		EncodeRACH(&c, ra, bsic)
		var rs [36]int8
		toSoft(rs[:], c[:])
		rs[5] = -rs[5]
		got = o.ask(fmt.Sprintf("rachdec %d %s", bsic.Value(), soft(rs[:])))
		if want := fmt.Sprintf("%d 1 1", ra); got != want {
			t.Errorf("libosmocoding rach decode of ours = %q, want %q", got, want)
		}
	}
}
