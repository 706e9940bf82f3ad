package lapdm

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Link is the data link layer of one dedicated channel at one end: the
// SAPI 0 entity on the main channel (SDCCH or FACCH), the SAPI 3 entity
// (on the SDCCH, or on the SACCH when the main channel is a TCH's FACCH:
// SMS during a call goes on the SACCH, TS 44.006 §4), and the SAPI 0 UI entity of the SACCH (format B4: SI5/SI6
// downlink, measurement reports uplink).
//
// On the main channel SAPI 0 frames go first and SAPI 3 frames fill the
// blocks SAPI 0 does not need, but SAPI 3 gets at least every third block
// while it has frames waiting. On the SACCH, SAPI 0 UI frames and SAPI 3
// frames alternate when both are waiting, so neither the system
// information / measurement reports nor an SMS is starved.
//
// Like Entity, a Link is a pure state machine owned by one goroutine.
type Link struct {
	main       Channel
	sapi0      *Entity
	sapi3      *Entity
	sacch      *Entity
	sacch3     bool // SAPI 3 runs on the SACCH
	lastSACCH3 bool // the last SACCH block carried SAPI 3
	skipped3   int  // main channel blocks given to SAPI 0 while SAPI 3 waited
	ind        [12]Indication
	nind       int
	bter       [BlockLen]byte
}

// NewLink returns the link of a dedicated channel whose main channel is
// SDCCH, FACCHF or FACCHH, with all entities idle.
func NewLink(side Side, main Channel) (*Link, error) {
	if main != SDCCH && main != FACCHF && main != FACCHH {
		return nil, fmt.Errorf("%w: main channel %v", ErrConfig, main)
	}
	l := &Link{main: main, sacch3: main != SDCCH}
	var err error
	if l.sapi0, err = NewEntity(Config{Side: side, SAPI: 0, Channel: main}); err != nil {
		return nil, err
	}
	ch3 := main
	if l.sacch3 {
		ch3 = SACCH
	}
	if l.sapi3, err = NewEntity(Config{Side: side, SAPI: 3, Channel: ch3}); err != nil {
		return nil, err
	}
	if l.sacch, err = NewEntity(Config{Side: side, SAPI: 0, Channel: SACCH}); err != nil {
		return nil, err
	}
	return l, nil
}

// Entity returns the acknowledged-mode entity of sapi (0 or 3), or nil.
func (l *Link) Entity(sapi uint8) *Entity {
	switch sapi {
	case 0:
		return l.sapi0
	case 3:
		return l.sapi3
	}
	return nil
}

// SACCH returns the SAPI 0 entity of the SACCH, for UI frames only
// (SendUnitData of SI5/SI6 on the network, measurement reports on the MS).
func (l *Link) SACCH() *Entity { return l.sacch }

func (l *Link) add(ind []Indication) {
	for _, i := range ind {
		if l.nind < len(l.ind) {
			l.ind[l.nind] = i
			l.nind++
		}
	}
}

// Tick runs T200 of every entity; call it each frame (at least once per
// block), before Next. The indications are valid until the next call.
func (l *Link) Tick(fn tdma.FN) []Indication {
	l.nind = 0
	l.add(l.sapi0.Tick(fn))
	l.add(l.sapi3.Tick(fn))
	l.add(l.sacch.Tick(fn))
	return l.ind[:l.nind]
}

// NextMain writes the next frame for the main channel (SDCCH or FACCH)
// block starting at fn into dst; false means nothing to send (L1 sends
// its fill frame).
//
// SAPI 0 goes first, except that SAPI 3 gets the block after it has been
// passed over twice in a row with frames waiting: its acknowledgements
// must not be held back so long that the peer's T200 runs out N200 times
// and the SMS link fails while RR/MM traffic flows.
func (l *Link) NextMain(fn tdma.FN, dst *[BlockLen]byte) bool {
	if !l.sacch3 && l.skipped3 >= 2 && l.sapi3.Next(fn, dst) {
		l.skipped3 = 0
		return true
	}
	if l.sapi0.Next(fn, dst) {
		if !l.sacch3 && l.sapi3.Pending() {
			l.skipped3++
		}
		return true
	}
	l.skipped3 = 0
	return !l.sacch3 && l.sapi3.Next(fn, dst)
}

// NextSACCH writes the next frame for the SACCH block starting at fn
// into dst (octets 0 and 1, the L1 header, are left 0 for L1); false
// means nothing to send (the network then sends its SI5/SI6 rotation, a
// mobile its measurement report).
func (l *Link) NextSACCH(fn tdma.FN, dst *[BlockLen]byte) bool {
	if l.sacch3 && l.sapi3.Pending() && (l.sacch.uiN == 0 || !l.lastSACCH3) {
		if l.sapi3.Next(fn, dst) {
			l.lastSACCH3 = true
			return true
		}
	}
	l.lastSACCH3 = false
	return l.sacch.Next(fn, dst)
}

// ReceiveMain handles a block received on the main channel.
func (l *Link) ReceiveMain(fn tdma.FN, b []byte) []Indication {
	l.nind = 0
	if len(b) == 0 {
		return l.ind[:0]
	}
	if b[0]&3 == 0 {
		l.shortHeader(b)
		return l.ind[:l.nind]
	}
	switch b[0] >> 2 & 7 {
	case 0:
		l.add(l.sapi0.Receive(fn, b))
	case 3:
		if !l.sacch3 {
			l.add(l.sapi3.Receive(fn, b))
		}
	}
	return l.ind[:l.nind]
}

// ReceiveSACCH handles a SACCH block, L1 header included.
func (l *Link) ReceiveSACCH(fn tdma.FN, b []byte) []Indication {
	l.nind = 0
	if len(b) <= SACCHL1HeaderLen {
		return l.ind[:0]
	}
	a := b[SACCHL1HeaderLen]
	if a&3 == 0 {
		l.shortHeader(b[SACCHL1HeaderLen:])
		return l.ind[:l.nind]
	}
	switch a >> 2 & 7 {
	case 0:
		l.add(l.sacch.Receive(fn, b))
	case 3:
		if l.sacch3 {
			l.add(l.sapi3.Receive(fn, b))
		}
	}
	return l.ind[:l.nind]
}

// shortHeader passes a format Bter frame (short L2 header, TS 44.006
// §2.1) to L3 as unit data of SAPI 0; Msg is the whole frame, fill
// included, as the frame has no length.
func (l *Link) shortHeader(b []byte) {
	n := copy(l.bter[:], b)
	if l.nind < len(l.ind) {
		l.ind[l.nind] = Indication{Kind: UnitDataInd, SAPI: 0, Msg: l.bter[:n]}
		l.nind++
	}
}

// ReleaseLocal releases every entity locally (channel released or lost).
func (l *Link) ReleaseLocal() {
	l.sapi0.ReleaseLocal()
	l.sapi3.ReleaseLocal()
	l.sacch.ReleaseLocal()
	l.lastSACCH3 = false
	l.skipped3 = 0
}
