package ms

import (
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/rr"
)

// paging2 checks a Paging Request Type 2 (TS 44.018 §9.1.23): two TMSIs
// and an optional third identity of any kind.
func (p *Phone) paging2(m *rr.PagingRequest2) {
	ids := [3]l3.MobileIdentity{l3.TMSI(m.TMSI[0]), l3.TMSI(m.TMSI[1])}
	n := 2
	if m.HasIdentity3 {
		ids[2], n = m.Identity3, 3
	}
	p.pagedBy(ids[:n], m.ChanNeeded[:n])
}

// paging3 checks a Paging Request Type 3 (TS 44.018 §9.1.24): four TMSIs.
func (p *Phone) paging3(m *rr.PagingRequest3) {
	var ids [4]l3.MobileIdentity
	for i, t := range m.TMSI {
		ids[i] = l3.TMSI(t)
	}
	p.pagedBy(ids[:], m.ChanNeeded[:])
}

// pagedBy answers paging when one of ids is the phone's (as paging does
// for Type 1), asking for the channel need says the network needs.
func (p *Phone) pagedBy(ids []l3.MobileIdentity, need []rr.ChanNeeded) {
	if p.cfg.Upper == nil {
		return
	}
	for i, id := range ids {
		if p.cfg.Upper.Paged(id) {
			p.stats.Pages++
			if p.state == StateIdle && !p.t3122On {
				p.pageResp = true
				p.startAccessNeed(rr.EstPaging, need[i])
			}
			return
		}
	}
}
