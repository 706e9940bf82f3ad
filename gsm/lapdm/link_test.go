package lapdm

import (
	"bytes"
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
