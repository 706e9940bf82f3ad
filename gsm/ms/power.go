package ms

import "github.com/gsmbox/gsmbox/gsm/l1"

// PoweredOffer is implemented by an Upper that wants to know when the
// phone is switched off (PowerOff).
type PoweredOffer interface {
	PoweredOff()
}

// PowerOff switches the phone off at once, as when its battery is
// pulled: a dedicated channel is abandoned without a word (the network
// finds out by its radio link counter) and the cell is forgotten. Stats
// and milestones stay. The SIM keeps its TMSI and LAI, so after PowerOn
// the phone camps again and its MM attaches (TS 24.008 §4.4.3). Call it
// on the phone's goroutine.
func (p *Phone) PowerOff() {
	link := p.ded.link
	if link != nil {
		link.ReleaseLocal()
	}
	p.ded.cipher.Off()
	*p = Phone{cfg: p.cfg, log: p.log, rng: p.rng, stats: p.stats, best: p.best, comb0: l1.CombIV,
		ded: dedicated{link: link, discRepeated: p.ded.discRepeated}}
	if u, ok := p.cfg.Upper.(PoweredOffer); ok {
		u.PoweredOff()
	}
}
