package lapdm

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

func newLink(t *testing.T, side Side, main Channel) *Link {
	t.Helper()
	l, err := NewLink(side, main)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// linkPair establishes SAPI 0 (and SAPI 3) between a network and an MS
// link by running blocks until both are established.
func linkPair(t *testing.T, main Channel, sapi3 bool) (net, ms *Link, fn tdma.FN) {
	t.Helper()
	net, ms = newLink(t, Network, main), newLink(t, MS, main)
	ms.Entity(0).Establish(luReq)
	if sapi3 {
		net.Entity(3).Establish(nil)
	}
	for ; fn < 2000; fn++ {
		net.Tick(fn)
		ms.Tick(fn)
		var b [BlockLen]byte
		if net.NextMain(fn, &b) {
			ms.ReceiveMain(fn, b[:])
		}
		if ms.NextMain(fn, &b) {
			net.ReceiveMain(fn, b[:])
		}
		if net.NextSACCH(fn, &b) {
			ms.ReceiveSACCH(fn, b[:])
		}
		if ms.NextSACCH(fn, &b) {
			net.ReceiveSACCH(fn, b[:])
		}
		if net.Entity(0).State() == StateEstablished && ms.Entity(0).State() == StateEstablished &&
			(!sapi3 || net.Entity(3).State() == StateEstablished && ms.Entity(3).State() == StateEstablished) {
			return net, ms, fn + 1
		}
	}
	t.Fatal("link pair not established")
	return
}

func sapiOf(t *testing.T, b []byte) uint8 {
	t.Helper()
	var f Frame
	if err := f.Unmarshal(b); err != nil {
		t.Fatal(err)
	}
	return f.SAPI
}

// TestLinkPriority: on an SDCCH, SAPI 0 frames go before SAPI 3 frames.
func TestLinkPriority(t *testing.T) {
	net, _, fn := linkPair(t, SDCCH, true)
	net.Entity(3).Send(bytes.Repeat([]byte{0x09}, 30))
	net.Entity(0).Send([]byte{0x05, 0x18, 0x01})
	var b [BlockLen]byte
	if !net.NextMain(fn, &b) || sapiOf(t, b[:]) != 0 {
		t.Fatalf("first frame SAPI %d, want 0", sapiOf(t, b[:]))
	}
	// SAPI 0 waits for its acknowledgement; SAPI 3 uses the next block.
	if !net.NextMain(fn+51, &b) || sapiOf(t, b[:]) != 3 {
		t.Fatalf("second frame SAPI %d, want 3", sapiOf(t, b[:]))
	}
	// Nothing on the SACCH but what the SACCH entity has.
	if net.NextSACCH(fn, &b) {
		t.Fatalf("NextSACCH = % x, want nothing", b)
	}
}

// TestLinkTCH: with a TCH, SAPI 3 runs on the SACCH and alternates with
// the SAPI 0 UI frames there; SAPI 3 frames on the FACCH are ignored.
func TestLinkTCH(t *testing.T) {
	net, ms, fn := linkPair(t, FACCHF, true)
	si5 := []byte{0x49, 0x06, 0x1d}
	sms := bytes.Repeat([]byte{0x09, 0x01}, 20)
	net.Entity(3).Send(sms)
	for range 4 {
		net.SACCH().SendUnitData(si5)
	}
	var seq []uint8
	var got []byte
	for k := range 12 {
		var b [BlockLen]byte
		f := fn.Add(k * 104)
		net.Tick(f)
		ms.Tick(f)
		if !net.NextSACCH(f, &b) {
			seq = append(seq, 9)
			continue
		}
		seq = append(seq, b[2]>>2&7)
		for _, i := range ms.ReceiveSACCH(f, b[:]) {
			if i.Kind == DataInd && i.SAPI == 3 {
				got = bytes.Clone(i.Msg)
			}
		}
		if ms.NextSACCH(f+4, &b) {
			net.ReceiveSACCH(f+4, b[:])
		}
	}
	if !bytes.Equal(got, sms) {
		t.Fatalf("SMS over the SACCH = % x, want % x (SACCH SAPIs %v)", got, sms, seq)
	}
	for i := 1; i < len(seq); i++ {
		if seq[i] == 3 && seq[i-1] == 3 && i < 8 {
			t.Fatalf("SACCH SAPIs %v: SAPI 3 twice in a row while SI waited", seq)
		}
	}
	var b [BlockLen]byte
	fr := Frame{Format: FormatB, SAPI: 3, Type: TypeI, Info: []byte{9, 9}}
	fr.MarshalTo(b[:])
	if ind := net.ReceiveMain(fn, b[:]); len(ind) != 0 {
		t.Fatalf("SAPI 3 on FACCH gave %v, want nothing", ind)
	}
}

// TestLinkShortHeader: a Bter frame goes up whole as SAPI 0 unit data.
func TestLinkShortHeader(t *testing.T) {
	l := newLink(t, Network, SDCCH)
	b := block(t, "0c 12 34", BlockLen)
	ind := l.ReceiveMain(0, b)
	if len(ind) != 1 || ind[0].Kind != UnitDataInd || !bytes.Equal(ind[0].Msg, b) {
		t.Fatalf("ReceiveMain(Bter) = %v, want unit data % x", ind, b)
	}
	sb := append([]byte{0, 0}, b[:21]...)
	ind = l.ReceiveSACCH(0, sb)
	if len(ind) != 1 || ind[0].Kind != UnitDataInd || !bytes.Equal(ind[0].Msg, b[:21]) {
		t.Fatalf("ReceiveSACCH(Bter) = %v", ind)
	}
	if _, err := NewLink(Network, SACCH); err == nil {
		t.Error("NewLink(SACCH) succeeded, want error")
	}
	l.ReleaseLocal()
}

func TestConfig(t *testing.T) {
	for _, c := range []Config{
		{Side: 0, SAPI: 0, Channel: SDCCH},
		{Side: MS, SAPI: 1, Channel: SDCCH},
		{Side: MS, SAPI: 0, Channel: 9},
		{Side: MS, SAPI: 3, Channel: FACCHF},
		{Side: MS, SAPI: 0, Channel: SDCCH, T200: -1},
	} {
		if _, err := NewEntity(c); err == nil {
			t.Errorf("NewEntity(%+v) succeeded, want error", c)
		}
	}
	e := newEntity(t, MS, 3, SACCH)
	if c := e.Config(); c.T200 != 200 || c.N200 != 5 {
		t.Errorf("SACCH defaults T200=%d N200=%d, want 200, 5", c.T200, c.N200)
	}
	if err := e.Send([]byte{1}); err == nil {
		t.Error("Send while idle succeeded, want error")
	}
	e.Establish(nil)
	for range TxQueueLen {
		if err := e.Send([]byte{1}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Send([]byte{1}); err == nil {
		t.Error("Send on a full queue succeeded, want error")
	}
	if err := e.Send(make([]byte, MaxMessage+1)); err == nil {
		t.Error("Send of MaxMessage+1 octets succeeded, want error")
	}
}

// TestLinkLossy runs SAPI 0 and SAPI 3 at once over a lossy dedicated
// channel (SDCCH/8 with its SACCH, and a TCH/F with FACCH and SACCH): every
// message arrives once, in order per SAPI, and neither SAPI starves.
func TestLinkLossy(t *testing.T) {
	// 20% loss on the SDCCH (N200 = 23); 10% with a TCH, where SAPI 3 runs
	// on the SACCH with N200 = 5 and T200 of two SACCH periods, so that
	// six lost round trips in a row (a legitimate link failure) stay
	// unlikely for these seeds.
	for _, tc := range []struct {
		main Channel
		seed uint64
		loss float64
	}{{SDCCH, 1, 0.2}, {SDCCH, 2, 0.2}, {SDCCH, 5, 0.2}, {SDCCH, 6, 0.2}, {SDCCH, 7, 0.2}, {SDCCH, 8, 0.2},
		{FACCHF, 3, 0.1}, {FACCHF, 4, 0.1}, {FACCHH, 9, 0.1}, {FACCHH, 10, 0.1}, {FACCHF, 11, 0.1}, {FACCHF, 12, 0.1}} {
		t.Run(fmt.Sprint(tc.main, "/", tc.seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(tc.seed, 9))
			net, ms := newLink(t, Network, tc.main), newLink(t, MS, tc.main)
			ms.Entity(0).Establish(luReq)
			net.Entity(3).Establish(nil)
			loss := tc.loss
			const n = 4
			var want [2][2][][]byte // [sapi index][direction]
			var got [2][2][][]byte
			sent := [2][2]int{}
			for s := range 2 {
				for d := range 2 {
					for i := range n {
						want[s][d] = append(want[s][d], randMsg(rng, i+10*s+100*d))
					}
				}
			}
			type inflight struct {
				at    tdma.FN
				sacch bool
				blk   [BlockLen]byte
			}
			var toMS, toNet []inflight
			collect := func(d int, ind []Indication) {
				for _, i := range ind {
					// A SABM repeated after the responder already sent I
					// frames (its UA was lost) re-establishes the link
					// with this MDL-ERROR, as in LAPD; no message is lost.
					if i.Kind == ReleaseInd || i.Kind == ErrorInd && i.Cause != CauseSABMEstablished {
						t.Errorf("unexpected %v", i)
					}
					if i.Kind == DataInd {
						s := min(int(i.SAPI), 1)
						got[s][d] = append(got[s][d], bytes.Clone(i.Msg))
					}
				}
			}
			// main channel period and uplink offset; SACCH every 104 frames
			period, offset, delay := 51, 15, 4
			if tc.main != SDCCH {
				period, offset, delay = 4, 0, 8
			}
			done := func() bool {
				for s := range 2 {
					for d := range 2 {
						if len(got[s][d]) < n {
							return false
						}
					}
				}
				return true
			}
			var fn tdma.FN
			for fn = 0; fn < 400000 && !done(); fn++ {
				for s, sapi := range []uint8{0, 3} {
					for d, l := range []*Link{ms, net} {
						e := l.Entity(sapi)
						if e.State() == StateEstablished && sent[s][d] < n && e.Send(want[s][d][sent[s][d]]) == nil {
							sent[s][d]++
						}
					}
				}
				collect(0, ms.Tick(fn))
				collect(1, net.Tick(fn))
				toMS = slices.DeleteFunc(toMS, func(a inflight) bool {
					if a.at != fn {
						return false
					}
					if a.sacch {
						collect(1, ms.ReceiveSACCH(fn, a.blk[:]))
					} else {
						collect(1, ms.ReceiveMain(fn, a.blk[:]))
					}
					return true
				})
				toNet = slices.DeleteFunc(toNet, func(a inflight) bool {
					if a.at != fn {
						return false
					}
					if a.sacch {
						collect(0, net.ReceiveSACCH(fn, a.blk[:]))
					} else {
						collect(0, net.ReceiveMain(fn, a.blk[:]))
					}
					return true
				})
				var b inflight
				if int(fn)%period == 0 && net.NextMain(fn, &b.blk) && rng.Float64() >= loss {
					b.at = fn.Add(delay)
					toMS = append(toMS, b)
				}
				if int(fn)%period == offset && ms.NextMain(fn, &b.blk) && rng.Float64() >= loss {
					b.at = fn.Add(delay)
					toNet = append(toNet, b)
				}
				b.sacch = true
				if int(fn)%104 == 50 && net.NextSACCH(fn, &b.blk) && rng.Float64() >= loss {
					b.at = fn.Add(92)
					toMS = append(toMS, b)
				}
				if int(fn)%104 == 52 && ms.NextSACCH(fn, &b.blk) && rng.Float64() >= loss {
					b.at = fn.Add(92)
					toNet = append(toNet, b)
				}
			}
			for s := range 2 {
				for d := range 2 {
					if len(got[s][d]) != n {
						t.Fatalf("SAPI %d direction %d: %d of %d messages by %v", []int{0, 3}[s], d, len(got[s][d]), n, fn)
					}
					for i := range n {
						if !bytes.Equal(got[s][d][i], want[s][d][i]) {
							t.Fatalf("SAPI %d direction %d message %d differs", []int{0, 3}[s], d, i)
						}
					}
				}
			}
			t.Logf("done at %v", fn)
		})
	}
}
