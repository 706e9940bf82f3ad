package burstair

import (
	"context"
	"slices"

	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/ms"
	"github.com/gsmbox/gsmbox/gsm/ms/mstest"
	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// CaptureDB is how much stronger one of colliding access bursts must be
// to be decoded.
const CaptureDB = 10

// Phone is one phone's place on the air.
type Phone struct {
	MS *ms.Phone
	// RSSI is the level its uplink arrives at, dBm; ToA its time of
	// arrival, symbols (the cell derives the timing advance from it).
	RSSI, ToA float32
	// Origin is the phone radio's frame count offset: its frame count is
	// the cell's FN − Origin.
	Origin int
}

// Stats counts what happened on the air.
type Stats struct {
	Frames     uint64
	Access     uint64 // access bursts sent
	Collisions uint64 // access bursts lost to another in the same slot
}

// Air is the burst-level air of one carrier.
type Air struct {
	phones []*Phone
	fn     tdma.FN
	closed bool
	st     Stats
	ul     [tdma.Slots]tdma.TxBurst
	up     []tdma.RxBurst // the uplink of the frame, for Receive
	rach   []tdma.RxBurst
	memo   memo
	plan   phy.Plan
	noise  tdma.RxBurst
}

var _ phy.Carrier = (*Air)(nil)

// New returns an empty air whose first frame is fn.
func New(fn tdma.FN) *Air { return &Air{fn: fn} }

// Set puts p on the air in place i (growing the places as needed),
// replacing whoever was there.
func (a *Air) Set(i int, p *Phone) {
	for len(a.phones) <= i {
		a.phones = append(a.phones, nil)
	}
	a.phones[i] = p
}

// Remove takes the phone in place i off the air (switched off).
func (a *Air) Remove(i int) {
	if i < len(a.phones) {
		a.phones[i] = nil
	}
}

// Phone returns the phone in place i, or nil.
func (a *Air) Phone(i int) *Phone {
	if i < len(a.phones) {
		return a.phones[i]
	}
	return nil
}

// Stats returns the air's counters.
func (a *Air) Stats() Stats { return a.st }

// Close ends the air: Next returns phy.ErrClosed.
func (a *Air) Close() { a.closed = true }

// Next implements phy.Carrier: the air keeps no time of its own.
func (a *Air) Next(ctx context.Context) (tdma.FN, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if a.closed {
		return 0, phy.ErrClosed
	}
	return a.fn, nil
}

// Transmit implements phy.Carrier: every phone hears frame fn and makes
// its uplink for the same frame.
func (a *Air) Transmit(fn tdma.FN, dl *[tdma.Slots]tdma.TxBurst) error {
	a.up, a.rach = a.up[:0], a.rach[:0]
	for _, p := range a.phones {
		if p == nil {
			continue
		}
		local := fn.Add(-p.Origin)
		mstest.Downlink(p.MS, local, dl)
		if !p.MS.Frame(local, &a.ul) {
			continue
		}
		mstest.UplinkFrom(p.MS, fn, &a.ul, p.RSSI, p.ToA, func(rb *tdma.RxBurst) {
			if rb.Kind == tdma.KindAccess {
				a.st.Access++
				a.rach = append(a.rach, *rb)
				return
			}
			a.up = append(a.up, *rb)
		})
	}
	a.fn = fn.Add(1)
	a.st.Frames++
	return nil
}

// Receive implements phy.Carrier: the frame's uplink, with colliding
// access bursts resolved. Where plan has the receiver listen for a
// normal burst and no phone sent one, it reports a burst not received
// (KindNone), as a transceiver reports the noise of an empty slot: the
// cell then counts the bad blocks of a channel whose phone is gone, and
// its radio link timeout frees it (TS 45.008 §5.2).
func (a *Air) Receive(plan phy.Planner, emit func(b *tdma.RxBurst)) error {
	var sent [tdma.Slots]bool
	for i := range a.up {
		sent[a.up[i].TN&7] = true
		emit(&a.up[i])
	}
	if plan != nil {
		fn := a.fn.Add(-1)
		plan.Plan(fn, &a.plan)
		for tn, rx := range a.plan.Slots {
			if rx == phy.RxNormal && !sent[tn] {
				a.noise = tdma.RxBurst{FN: fn, TN: tdma.TN(tn), Kind: tdma.KindNone}
				emit(&a.noise)
			}
		}
	}
	if len(a.rach) == 0 {
		return nil
	}
	// Access bursts share TN0's RACH: group by timeslot all the same.
	slices.SortStableFunc(a.rach, func(x, y tdma.RxBurst) int {
		switch {
		case x.TN != y.TN:
			return int(x.TN) - int(y.TN)
		case x.RSSI > y.RSSI:
			return -1
		case x.RSSI < y.RSSI:
			return 1
		}
		return 0
	})
	for i := 0; i < len(a.rach); {
		j := i + 1
		for j < len(a.rach) && a.rach[j].TN == a.rach[i].TN {
			j++
		}
		b := &a.rach[i]
		if j-i > 1 && b.RSSI-a.rach[i+1].RSSI < CaptureDB {
			// Energy on the slot, but nothing decodes.
			a.st.Collisions += uint64(j - i)
			clear(b.Soft[:])
		} else {
			a.st.Collisions += uint64(j - i - 1)
		}
		emit(b)
		i = j
	}
	return nil
}

// Decoder returns an ms.XCCHDecoder for the phones on this air: the
// phones that listen to the same common-channel block hear the same soft
// bits here, so the last few decodings are kept and reused (the soft
// bits compared in full), which spares a soak most of its Viterbi work.
func (a *Air) Decoder() ms.XCCHDecoder { return &a.memo }

// memo remembers the last decodings.
type memo struct {
	e    [8]memoEntry
	next int
	st   struct{ hits, misses uint64 }
}

type memoEntry struct {
	valid bool
	soft  [4][116]int8
	msg   [23]byte
	q     coding.Quality
	ok    bool
}

// DecodeXCCH implements ms.XCCHDecoder.
func (m *memo) DecodeXCCH(dst *[23]byte, soft *[4][116]int8) (coding.Quality, bool) {
	for i := range m.e {
		if e := &m.e[i]; e.valid && e.soft == *soft {
			m.st.hits++
			*dst = e.msg
			return e.q, e.ok
		}
	}
	m.st.misses++
	e := &m.e[m.next]
	m.next = (m.next + 1) % len(m.e)
	e.q, e.ok = coding.DecodeXCCH(&e.msg, soft)
	e.soft, e.valid = *soft, true
	*dst = e.msg
	return e.q, e.ok
}
