package core

import (
	"errors"
	"maps"
	"slices"

	"github.com/gsmbox/gsmbox/gsm/core/smsc"
	"github.com/gsmbox/gsmbox/gsm/sms/tp"
)

// SendText queues an operator's text, from the configured sender name,
// for each number in to (a broadcast is the list of every subscriber's
// number): stored durably, then delivered like any message. done, if not
// nil, is called on the core's goroutine with the IDs given (one per part
// and recipient) once they are durable, or the error. Safe from any
// goroutine; it never blocks (ErrInboxFull).
func (n *Network) SendText(to []string, text string, done func(ids []uint64, err error)) error {
	if n.sms == nil {
		return ErrNoSMS
	}
	to = slices.Clone(to)
	return n.do(func() {
		s := n.sms
		var recs []smsc.Record
		for i, msisdn := range to {
			rs, err := smsc.TextRecords(s.cfg.Sender, msisdn, text, n.now, s.cfg.Validity, uint16(s.nextID+uint64(i)))
			if err != nil {
				if done != nil {
					done(nil, err)
				}
				return
			}
			for j := range rs {
				rs[j].ID = s.nextID
				s.nextID++
			}
			recs = append(recs, rs...)
		}
		if len(s.msgs)+len(recs) > s.cfg.MaxQueued {
			if done != nil {
				done(nil, errors.New("core: SMS queue full"))
			}
			return
		}
		ok := n.smsWrite(recs, func(err error) {
			if err != nil {
				if done != nil {
					done(nil, err)
				}
				return
			}
			ids := make([]uint64, len(recs))
			for i := range recs {
				r := recs[i]
				s.add(&r)
				ids[i] = r.ID
			}
			for _, msisdn := range to {
				n.smsAttempt(msisdn, true)
			}
			if done != nil {
				done(ids, nil)
			}
		})
		if !ok && done != nil {
			done(nil, ErrInboxFull)
		}
	})
}

// CancelSMS deletes a queued message (the operator's cancel); its sender
// gets a status report if it asked (TP-ST "deleted by the SC"). done, if
// not nil, gets smsc.ErrNotFound for a message not queued.
func (n *Network) CancelSMS(id uint64, done func(error)) error {
	if n.sms == nil {
		return ErrNoSMS
	}
	return n.do(func() {
		s := n.sms
		r := s.msgs[id]
		if r == nil {
			if done != nil {
				done(smsc.ErrNotFound)
			}
			return
		}
		if rc := s.rcpts[r.To]; rc != nil && rc.conn != nil {
			// Being delivered now: it may already be on the phone.
			if sc := rc.conn.sms; sc != nil && sc.mt != nil && sc.mt.rec == r {
				if done != nil {
					done(errors.New("core: message is being delivered"))
				}
				return
			}
		}
		n.smsWrite(n.smsFinal(r, smsc.Cancelled, 0, tp.StatusDeletedBySC), done)
	})
}

// SMSQueue returns copies of the messages queued now; safe from any
// goroutine.
func (n *Network) SMSQueue() []smsc.Record {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.sms == nil {
		return nil
	}
	out := make([]smsc.Record, 0, len(n.sms.msgs))
	for _, id := range slices.Sorted(maps.Keys(n.sms.msgs)) {
		out = append(out, *n.sms.msgs[id])
	}
	return out
}

// do queues fn to run on the core's goroutine.
func (n *Network) do(fn func()) error {
	select {
	case n.inbox <- command{fn: fn}:
		return nil
	default:
		return ErrInboxFull
	}
}
