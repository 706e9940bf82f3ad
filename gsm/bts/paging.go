package bts

import (
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/rsl"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// pendingPage is one identity to page, waiting for the end of the
// frame's requests to share a block with others of its paging group.
type pendingPage struct {
	pg   int
	id   l3.MobileIdentity
	need rr.ChanNeeded
}

// page takes a paging command (TS 48.058 §8.5.5): the identity waits,
// with the others that arrive in the same frame, to be packed into as
// few Paging Requests as the paging group needs (flushPages).
func (c *Cell) page(fn tdma.FN, r *rsl.Down) {
	var id l3.MobileIdentity
	if err := id.Unmarshal(r.Msg); err != nil {
		c.ded.PagingFails++
		return
	}
	pg, err := c.dl.PagingGroup(r.IMSI)
	if err != nil || len(c.pages) >= maxPendingPages {
		c.ded.PagingFails++
		return
	}
	need := rr.ChanNeeded(r.Cause & 3)
	if need == rr.NeedTCHF || need == rr.NeedTCHHF {
		c.tchPaged, c.tchPagedUntil = true, fn.Add(T3113Frames)
	}
	c.pages = append(c.pages, pendingPage{pg: pg, id: id, need: need})
}

// T3113Frames is how long after paging for a call the cell takes an
// answer to paging with "any channel" for a call: the network's T3113
// (TS 44.018 §3.3.2.1, §11.1.2; core.DefaultPageTimeout, 10 s).
const T3113Frames = 2167

// maxPendingPages bounds the identities held within one frame.
const maxPendingPages = 64

// flushPages packs the frame's paging identities per paging group (TS
// 44.018 §3.3.2.1.1): four TMSIs in a Paging Request Type 3, two TMSIs
// and one other identity in a Type 2, otherwise two identities (or one)
// in a Type 1; and queues the blocks in their group.
func (c *Cell) flushPages() {
	if len(c.pages) == 0 {
		return
	}
	ps := c.pages
	c.pages = c.pages[:0]

	done := make([]bool, len(ps))
	for i := range ps {
		if done[i] {
			continue
		}
		var tmsi, other []int
		for j := i; j < len(ps); j++ {
			if done[j] || ps[j].pg != ps[i].pg {
				continue
			}
			if ps[j].id.Type == l3.IdentityTMSI {
				tmsi = append(tmsi, j)
			} else {
				other = append(other, j)
			}
		}
		for len(tmsi) >= 4 {
			m := rr.PagingRequest3{}
			for k := range 4 {
				m.TMSI[k], m.ChanNeeded[k] = ps[tmsi[k]].id.TMSI, ps[tmsi[k]].need
				done[tmsi[k]] = true
			}
			tmsi = tmsi[4:]
			c.queuePage(ps[i].pg, &m)
		}
		if len(tmsi) >= 2 && len(other) >= 1 {
			m := rr.PagingRequest2{HasIdentity3: true, Identity3: ps[other[0]].id}
			for k := range 2 {
				m.TMSI[k], m.ChanNeeded[k] = ps[tmsi[k]].id.TMSI, ps[tmsi[k]].need
				done[tmsi[k]] = true
			}
			m.ChanNeeded[2] = ps[other[0]].need
			done[other[0]] = true
			tmsi, other = tmsi[2:], other[1:]
			c.queuePage(ps[i].pg, &m)
		}
		rest := append(tmsi, other...)
		for len(rest) > 0 {
			m := rr.PagingRequest1{Count: 1, Identity: [2]l3.MobileIdentity{ps[rest[0]].id}, ChanNeeded: [2]rr.ChanNeeded{ps[rest[0]].need}}
			done[rest[0]] = true
			if len(rest) > 1 {
				m.Count, m.Identity[1], m.ChanNeeded[1] = 2, ps[rest[1]].id, ps[rest[1]].need
				done[rest[1]] = true
				rest = rest[1:]
			}
			rest = rest[1:]
			c.queuePage(ps[i].pg, &m)
		}
	}
}

// queuePage encodes a Paging Request and queues it in group pg.
func (c *Cell) queuePage(pg int, m interface{ MarshalTo(*[23]byte) error }) {
	var blk [23]byte
	if err := m.MarshalTo(&blk); err != nil {
		c.ded.PagingFails++
		return
	}
	if !c.dl.QueuePaging(pg, &blk) {
		c.ded.PagingFails++
		return
	}
	c.ded.Paged++
}
