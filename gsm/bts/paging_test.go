package bts

import (
	"testing"

	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/rsl"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Paging commands of one frame for one paging group share blocks (TS
// 44.018 §3.3.2.1.1): five TMSIs and an IMSI go out as a Paging Request
// Type 3 (four TMSIs) and a Type 1 (the fifth TMSI and the IMSI); later
// two TMSIs and an IMSI as one Type 2. Every identity is on the PCH.
func TestPagingPacked(t *testing.T) {
	cfg := testConfig()
	var pch []rr.Message
	cfg.Tap = func(ev *l1.TapEvent) {
		if ev.Uplink || ev.Chan.Kind != l1.ChanPCH {
			return
		}
		if m, err := rr.DecodeCCCH(ev.Data); err == nil {
			switch m.(type) {
			case *rr.PagingRequest1, *rr.PagingRequest2, *rr.PagingRequest3:
				pch = append(pch, m)
			}
		}
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	const imsi = "001010000000123" // one paging group for all
	put := func(id l3.MobileIdentity) {
		b := make([]byte, id.MarshalSize())
		n, _ := id.MarshalTo(b)
		c.Down().Put(rsl.Down{Kind: rsl.PagingCmd, Msg: b[:n], IMSI: imsi})
	}
	for i := range 5 {
		put(l3.TMSI(0x1000 + uint32(i)))
	}
	put(l3.IMSI(imsi))
	var out [tdma.Slots]tdma.TxBurst
	for fn := range tdma.FN(51 * 8) {
		c.Frame(fn, &out)
	}
	put(l3.TMSI(0x2000))
	put(l3.TMSI(0x2001))
	put(l3.IMSI(imsi))
	for fn := tdma.FN(51 * 8); fn < 51*16; fn++ {
		c.Frame(fn, &out)
	}
	if got := c.Stats().Dedicated.Paged; got != 3 {
		t.Errorf("%d paging blocks queued, want 3", got)
	}
	seen := map[string]bool{}
	var types []string
	for _, m := range pch {
		switch m := m.(type) {
		case *rr.PagingRequest1:
			if m.Count == 0 {
				continue // the empty paging of an idle group
			}
			types = append(types, "1")
			for i := range m.Count {
				seen[m.Identity[i].String()] = true
			}
		case *rr.PagingRequest2:
			types = append(types, "2")
			seen[l3.TMSI(m.TMSI[0]).String()+"/2"] = m.TMSI[0] == 0x2000 && m.TMSI[1] == 0x2001 && m.HasIdentity3 && m.Identity3.Digits == imsi
		case *rr.PagingRequest3:
			types = append(types, "3")
			for _, tm := range m.TMSI {
				seen[l3.TMSI(tm).String()] = true
			}
		}
	}
	if len(types) != 3 || types[0] != "3" || types[1] != "1" || types[2] != "2" {
		t.Errorf("paging request types %v, want [3 1 2]", types)
	}
	if !seen[l3.TMSI(0x2000).String()+"/2"] {
		t.Error("the Type 2 does not carry the two TMSIs and the IMSI")
	}
	for i := range 5 {
		if !seen[l3.TMSI(0x1000+uint32(i)).String()] {
			t.Errorf("TMSI %#x not paged", 0x1000+i)
		}
	}
	if !seen[l3.IMSI(imsi).String()] {
		t.Error("IMSI not paged")
	}
}
