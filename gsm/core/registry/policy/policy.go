package policy

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
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
	if len(r.First) != len(r.Last) || !l3.Digits(r.First, 1, 15) || !l3.Digits(r.Last, 1, 15) {
		return fieldErr("msisdn_range", "%q: both ends must be decimal numbers of the same length (at most 15 digits)", r.String())
	}
	if r.First > r.Last {
		return fieldErr("msisdn_range", "%q: first is above last", r.String())
	}
	return nil
}

// Size returns the number of MSISDNs in the range (valid ranges only).
func (r Range) Size() uint64 {
	a, _ := strconv.ParseUint(r.First, 10, 64)
	b, _ := strconv.ParseUint(r.Last, 10, 64)
	return b - a + 1
}

// At returns the i-th MSISDN of the range (0-based), zero-padded.
func (r Range) At(i uint64) string {
	a, _ := strconv.ParseUint(r.First, 10, 64)
	return fmt.Sprintf("%0*d", len(r.First), a+i)
}

// Index returns the position of m in the range, if it is in it.
func (r Range) Index(m string) (uint64, bool) {
	if len(m) != len(r.First) || !l3.Digits(m, 1, 15) || m < r.First || m > r.Last {
		return 0, false
	}
	a, _ := strconv.ParseUint(r.First, 10, 64)
	v, _ := strconv.ParseUint(m, 10, 64)
	return v - a, true
}

// Policy is the registration policy registry.Decide applies. The lead wires it from
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
	UnknownCause mm.Cause
	// ForeignCause rejects an unknown IMSI of another network. Zero: #13
	// Roaming not allowed in this location area (the MS bars our LA, and
	// only until it is switched off, §4.4.4.7).
	ForeignCause mm.Cause
	// BarredCause rejects a provisioned but barred subscriber. Zero: #3
	// Illegal MS.
	BarredCause mm.Cause
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
			if !l3.Digits(x, 1, 15) {
				errs = append(errs, fieldErr(l.name, "%q is not an IMSI prefix of 1..15 digits", x))
			}
		}
	}
	return errors.Join(errs...)
}

// Opens reports whether an unknown IMSI is auto-provisioned.
func (p *Policy) Opens(imsi string) bool {
	return p.Mode == ModeOpen || hasPrefix(imsi, p.OpenPrefixes)
}

// Home reports whether an IMSI belongs to this network's own subscribers
// (every IMSI does when HomePrefixes is empty).
func (p *Policy) Home(imsi string) bool {
	return len(p.HomePrefixes) == 0 || hasPrefix(imsi, p.HomePrefixes)
}

func hasPrefix(s string, prefixes []string) bool {
	for _, x := range prefixes {
		if strings.HasPrefix(s, x) {
			return true
		}
	}
	return false
}
