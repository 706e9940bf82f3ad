package registry

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Mode is the registration mode of a Policy.
type Mode uint8

const (
	// ModeClosed accepts only provisioned IMSIs (and, in a mix, IMSIs under
	// Policy.OpenPrefixes). It is the zero value: a registry that nobody
	// configured admits nobody it does not know.
	ModeClosed Mode = iota
	// ModeOpen accepts any IMSI and provisions it with the next free MSISDN.
	ModeOpen
)

func (m Mode) String() string {
	switch m {
	case ModeClosed:
		return "closed"
	case ModeOpen:
		return "open"
	}
	return fmt.Sprintf("Mode(%d)", uint8(m))
}

// ParseMode parses "open" or "closed".
func ParseMode(s string) (Mode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "closed":
		return ModeClosed, nil
	case "open":
		return ModeOpen, nil
	}
	return ModeClosed, fieldErr("policy", "%q is not open or closed", s)
}

// Range is an inclusive range of MSISDNs with the same number of digits,
// written "1000-1999".
type Range struct {
	First, Last string
}

// IsZero reports whether the range is unset.
func (r Range) IsZero() bool { return r == Range{} }

func (r Range) String() string {
	if r.IsZero() {
		return ""
	}
	return r.First + "-" + r.Last
}

// ParseRange parses "FIRST-LAST" ("" is the zero Range).
func ParseRange(s string) (Range, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Range{}, nil
	}
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return Range{}, fieldErr("msisdn_range", "%q is not FIRST-LAST", s)
	}
	r := Range{First: strings.TrimSpace(a), Last: strings.TrimSpace(b)}
	return r, r.Validate()
}

// Validate checks that both ends are MSISDNs of one length, First <= Last.
func (r Range) Validate() error {
	if r.IsZero() {
		return nil
	}
	if len(r.First) != len(r.Last) || len(r.First) > 15 || !allDigits(r.First) || !allDigits(r.Last) || r.First == "" {
		return fieldErr("msisdn_range", "%q: both ends must be decimal numbers of the same length (at most 15 digits)", r.String())
	}
	if r.First > r.Last {
		return fieldErr("msisdn_range", "%q: first is above last", r.String())
	}
	return nil
}

// size returns the number of MSISDNs in the range.
func (r Range) size() uint64 {
	a, _ := strconv.ParseUint(r.First, 10, 64)
	b, _ := strconv.ParseUint(r.Last, 10, 64)
	return b - a + 1
}

// at returns the i-th MSISDN of the range (0-based), zero-padded.
func (r Range) at(i uint64) string {
	a, _ := strconv.ParseUint(r.First, 10, 64)
	return fmt.Sprintf("%0*d", len(r.First), a+i)
}

// index returns the position of m in the range, if it is in it.
func (r Range) index(m string) (uint64, bool) {
	if len(m) != len(r.First) || !allDigits(m) || m < r.First || m > r.Last {
		return 0, false
	}
	a, _ := strconv.ParseUint(r.First, 10, 64)
	v, _ := strconv.ParseUint(m, 10, 64)
	return v - a, true
}

// Policy is the registration policy Decide applies. The lead wires it from
// the [subscribers] section of gsmbox.toml.
type Policy struct {
	// Mode is ModeClosed (the default) or ModeOpen.
	Mode Mode
	// OpenPrefixes are IMSI prefixes (an MCC, an MCC+MNC, or longer) that
	// are auto-provisioned even when Mode is ModeClosed: the "mix". Ignored in
	// Open mode.
	OpenPrefixes []string
	// MSISDNRange is where auto-provisioned subscribers get their numbers.
	// Required when anything is open.
	MSISDNRange Range
	// HomePrefixes are the IMSI prefixes of this network's own subscribers
	// (normally MCC+MNC). An unknown IMSI under them is rejected with
	// UnknownCause; any other unknown IMSI, a roamer, with ForeignCause.
	// Empty: every IMSI counts as home.
	HomePrefixes []string
	// UnknownCause rejects an unknown home IMSI. Zero: #2 IMSI unknown in
	// HLR (TS 24.008 §10.5.3.6; the MS then treats its SIM as invalid for
	// non-GPRS services until switched off, §4.4.4.7).
	UnknownCause Cause
	// ForeignCause rejects an unknown IMSI of another network. Zero: #13
	// Roaming not allowed in this location area (the MS bars our LA, and
	// only until it is switched off, §4.4.4.7).
	ForeignCause Cause
	// BarredCause rejects a provisioned but barred subscriber. Zero: #3
	// Illegal MS.
	BarredCause Cause
}

// Validate reports every problem in the policy.
func (p *Policy) Validate() error {
	var errs []error
	if p.Mode != ModeClosed && p.Mode != ModeOpen {
		errs = append(errs, fieldErr("policy", "unknown mode %d", uint8(p.Mode)))
	}
	if err := p.MSISDNRange.Validate(); err != nil {
		errs = append(errs, err)
	}
	if (p.Mode == ModeOpen || len(p.OpenPrefixes) > 0) && p.MSISDNRange.IsZero() {
		errs = append(errs, fieldErr("msisdn_range", "needed to provision open registrations"))
	}
	for _, l := range []struct {
		name string
		v    []string
	}{{"open_prefixes", p.OpenPrefixes}, {"home_prefixes", p.HomePrefixes}} {
		for _, x := range l.v {
			if x == "" || len(x) > 15 || !allDigits(x) {
				errs = append(errs, fieldErr(l.name, "%q is not an IMSI prefix of 1..15 digits", x))
			}
		}
	}
	return errors.Join(errs...)
}

// opens reports whether an unknown IMSI is auto-provisioned.
func (p *Policy) opens(imsi string) bool {
	return p.Mode == ModeOpen || hasPrefix(imsi, p.OpenPrefixes)
}

func hasPrefix(s string, prefixes []string) bool {
	for _, x := range prefixes {
		if strings.HasPrefix(s, x) {
			return true
		}
	}
	return false
}

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
	if !r.policy.opens(imsi) {
		if len(r.policy.HomePrefixes) == 0 || hasPrefix(imsi, r.policy.HomePrefixes) {
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
		} else if i, ok := rg.index(string(v)); ok {
			start = i
		}
		n := rg.size()
		for k := uint64(0); k < n; k++ {
			m := rg.at((start + k) % n)
			if _, err := tx.IMSIByMSISDN(m); errors.Is(err, ErrNotFound) {
				s = Subscriber{IMSI: imsi, MSISDN: m, Created: now}
				if err := tx.Put(&s); err != nil {
					return err
				}
				created = true
				return tx.SetMeta(metaNextMSISDN, []byte(rg.at((start+k+1)%n)))
			} else if err != nil {
				return err
			}
		}
		return fmt.Errorf("%w: MSISDN range %s is full", ErrExhausted, rg)
	})
	return s, created, err
}
