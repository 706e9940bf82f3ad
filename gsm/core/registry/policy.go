package registry

import (
	"errors"
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/core/registry/policy"
)

// The registration policy's types live in the bbolt-free leaf
// gsm/core/registry/policy, which firmware/config shares; these are the
// same types under their registry names.
type (
	// Mode is policy.Mode: open or closed.
	Mode = policy.Mode
	// Range is policy.Range: an inclusive range of MSISDNs.
	Range = policy.Range
	// Policy is policy.Policy: the registration policy Decide applies.
	Policy = policy.Policy
)

// The registration modes (see policy.ModeClosed and policy.ModeOpen).
const (
	ModeClosed = policy.ModeClosed
	ModeOpen   = policy.ModeOpen
)

// ParseMode parses "open" or "closed" (policy.ParseMode).
func ParseMode(s string) (Mode, error) { return policy.ParseMode(s) }

// ParseRange parses "FIRST-LAST" (policy.ParseRange).
func ParseRange(s string) (Range, error) { return policy.ParseRange(s) }

func orCause(c, def Cause) Cause {
	if c == 0 {
		return def
	}
	return c
}

// Decision is the outcome of Decide.
type Decision struct {
	Accept      bool
	Cause       Cause      // the reject cause when !Accept
	Subscriber  Subscriber // the subscriber when Accept
	Provisioned bool       // the subscriber was created by this decision
}

func (d Decision) String() string {
	if d.Accept {
		if d.Provisioned {
			return "accept (provisioned " + d.Subscriber.MSISDN + ")"
		}
		return "accept"
	}
	return "reject " + d.Cause.String()
}

// metaNextMSISDN keeps where the next MSISDN search starts, so that
// provisioning does not rescan the whole range each time.
const metaNextMSISDN = "msisdn_next"

// Decide applies the policy to an IMSI that asks to register (on a
// Location Updating Request, TS 24.008 §4.4.4). It accepts a provisioned
// subscriber unless barred, provisions an unknown one where the policy is
// open, and otherwise rejects with the cause the policy names.
//
// The error is for storage failures only; the Decision is then a reject
// with #17 Network failure, which the MS retries (TS 24.008 §4.4.4.9), so
// a caller that only reads the Decision still does the right thing. An
// open range with no number left is such a failure (ErrExhausted).
func (r *Registry) Decide(imsi string) (Decision, error) {
	fail := Decision{Cause: CauseNetworkFailure}
	if err := ValidateIMSI(imsi); err != nil {
		return Decision{Cause: CauseInvalidMandatoryInfo}, nil
	}
	s, err := r.Get(imsi)
	switch {
	case err == nil:
		if s.Barred {
			return Decision{Cause: orCause(r.policy.BarredCause, CauseIllegalMS)}, nil
		}
		return Decision{Accept: true, Subscriber: s}, nil
	case !errors.Is(err, ErrNotFound):
		return fail, err
	}
	if !r.policy.Opens(imsi) {
		if r.policy.Home(imsi) {
			return Decision{Cause: orCause(r.policy.UnknownCause, CauseIMSIUnknownInHLR)}, nil
		}
		return Decision{Cause: orCause(r.policy.ForeignCause, CauseRoamingNotAllowedInLA)}, nil
	}
	s, provisioned, err := r.provision(imsi)
	if err != nil {
		r.log.Warn("auto-provisioning failed", "imsi", imsi, "err", err)
		return fail, err
	}
	if s.Barred {
		return Decision{Cause: orCause(r.policy.BarredCause, CauseIllegalMS)}, nil
	}
	if provisioned {
		r.log.Info("subscriber auto-provisioned", "imsi", imsi, "msisdn", s.MSISDN)
	}
	return Decision{Accept: true, Subscriber: s, Provisioned: provisioned}, nil
}

// provision creates the subscriber with the next free MSISDN of the
// range, in one transaction. If another caller provisioned the IMSI first,
// it returns that record.
func (r *Registry) provision(imsi string) (Subscriber, bool, error) {
	rg := r.policy.MSISDNRange
	now := r.now().UTC()
	var s Subscriber
	var created bool
	err := r.store.Update(func(tx Tx) error {
		created = false
		var err error
		if s, err = tx.Get(imsi); err == nil {
			return nil
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		start := uint64(0)
		if v, err := tx.Meta(metaNextMSISDN); err != nil {
			return err
		} else if i, ok := rg.Index(string(v)); ok {
			start = i
		}
		n := rg.Size()
		for k := uint64(0); k < n; k++ {
			m := rg.At((start + k) % n)
			if _, err := tx.IMSIByMSISDN(m); errors.Is(err, ErrNotFound) {
				s = Subscriber{IMSI: imsi, MSISDN: m, Created: now}
				if err := tx.Put(&s); err != nil {
					return err
				}
				created = true
				return tx.SetMeta(metaNextMSISDN, []byte(rg.At((start+k+1)%n)))
			} else if err != nil {
				return err
			}
		}
		return fmt.Errorf("%w: MSISDN range %s is full", ErrExhausted, rg)
	})
	return s, created, err
}
