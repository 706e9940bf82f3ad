package bts

import (
	"testing"

	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/rsl"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// With very early assignment, an answer to paging goes onto a TCH/F
// when it says a TCH/F is needed, or "any channel" (what a phone without
// half rate sends for "TCH/F needed") while a page for a call is recent;
// "SDCCH needed" (SMS) and "any channel" with no call paged get an SDCCH.
// The paging blocks carry the channel needed the core asked for.
func TestAnswerToPagingChannel(t *testing.T) {
	cfg := testConfig()
	cfg.TCHF, cfg.VeryEarlyAssignment = []tdma.TN{2}, true
	cell, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	kind := func(fn tdma.FN, cause rr.EstCause, need rr.ChanNeeded) l1.ChanKind {
		d := cell.chooseChannel(fn, cause, need)
		if d == nil {
			t.Fatalf("no channel for %v/%v", cause, need)
		}
		return d.ch.Kind
	}
	fn := tdma.FN(100)
	for _, c := range []struct {
		cause rr.EstCause
		need  rr.ChanNeeded
		want  l1.ChanKind
	}{{rr.EstPaging, rr.NeedAny, l1.ChanSDCCH4}, {rr.EstSDCCHProcedure, rr.NeedSDCCH, l1.ChanSDCCH4},
		{rr.EstPaging, rr.NeedTCHF, l1.ChanTCHF}, {rr.EstOriginating, rr.NeedTCHF, l1.ChanTCHF}} {
		if k := kind(fn, c.cause, c.need); k != c.want {
			t.Errorf("before paging: %v/%v gets %v, want %v", c.cause, c.need, k, c.want)
		}
	}
	id := l3.TMSI(0x12345678)
	msg := make([]byte, id.MarshalSize())
	if _, err := id.MarshalTo(msg); err != nil {
		t.Fatal(err)
	}
	cell.page(fn, &rsl.Down{Kind: rsl.PagingCmd, Msg: msg, IMSI: "001010000000001", Cause: uint8(rr.NeedTCHF)})
	if len(cell.pages) != 1 || cell.pages[0].need != rr.NeedTCHF {
		t.Fatalf("pending pages %+v", cell.pages)
	}
	cell.flushPages()
	if k := kind(fn.Add(10), rr.EstPaging, rr.NeedAny); k != l1.ChanTCHF {
		t.Errorf("answer to paging (any) after a call page: %v, want TCH/F", k)
	}
	if k := kind(fn.Add(10), rr.EstSDCCHProcedure, rr.NeedSDCCH); k != l1.ChanSDCCH4 {
		t.Errorf("answer to paging (SDCCH) after a call page: %v, want an SDCCH", k)
	}
	cell.tick(fn.Add(T3113Frames))
	if k := kind(fn.Add(T3113Frames+1), rr.EstPaging, rr.NeedAny); k != l1.ChanSDCCH4 {
		t.Errorf("answer to paging (any) after T3113: %v, want an SDCCH", k)
	}
}
