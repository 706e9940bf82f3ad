package policy

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gsmbox/gsmbox/gsm/mm"
)

// Config is the registration policy as the [subscribers] section of
// gsmbox.toml spells it, for the config loader to decode into and turn
// into a Policy with Policy(). The struct tags are plain strings: this
// package does not import the TOML decoder.
//
//	[subscribers]
//	policy = "closed"            # or "open"
//	msisdn_range = "1000-1999"
//	open_prefixes = ["00101"]
//	home_prefixes = ["00101"]
//	unknown_cause = 2            # number, "#2" or the cause's name
//	foreign_cause = 13
//	barred_cause = 3
type Config struct {
	Mode         string   `toml:"policy"`
	MSISDNRange  string   `toml:"msisdn_range"`
	OpenPrefixes []string `toml:"open_prefixes"`
	HomePrefixes []string `toml:"home_prefixes"`
	UnknownCause any      `toml:"unknown_cause"` // int64 (TOML integer) or string
	ForeignCause any      `toml:"foreign_cause"`
	BarredCause  any      `toml:"barred_cause"`
}

// Policy validates c and returns the Policy, reporting every problem (each
// a *FieldError naming its key) at once. An empty policy means closed.
func (c Config) Policy() (Policy, error) {
	var p Policy
	var errs []error
	if c.Mode != "" {
		m, err := ParseMode(c.Mode)
		errs = append(errs, err)
		p.Mode = m
	}
	rg, err := ParseRange(c.MSISDNRange)
	errs = append(errs, err)
	p.MSISDNRange = rg
	p.OpenPrefixes, p.HomePrefixes = c.OpenPrefixes, c.HomePrefixes
	for _, f := range []struct {
		key string
		v   any
		dst *mm.Cause
	}{{"unknown_cause", c.UnknownCause, &p.UnknownCause}, {"foreign_cause", c.ForeignCause, &p.ForeignCause}, {"barred_cause", c.BarredCause, &p.BarredCause}} {
		cause, err := causeValue(f.key, f.v)
		errs = append(errs, err)
		*f.dst = cause
	}
	if err := errors.Join(errs...); err != nil {
		return Policy{}, err
	}
	if err := p.Validate(); err != nil {
		return Policy{}, err
	}
	return p, nil
}

func causeValue(key string, v any) (mm.Cause, error) {
	var s string
	switch x := v.(type) {
	case nil:
		return 0, nil
	case string:
		s = x
	case int64:
		s = strconv.FormatInt(x, 10)
	case int:
		s = strconv.Itoa(x)
	default:
		return 0, fieldErr(key, "want a cause number or name, have %T", v)
	}
	c, err := ParseCause(s)
	if err != nil {
		return 0, fieldErr(key, "%v", err)
	}
	return c, nil
}

// String returns the policy in the config's words, for logs and status.
func (p Policy) String() string {
	s := p.Mode.String()
	if len(p.OpenPrefixes) > 0 && p.Mode == ModeClosed {
		s = fmt.Sprintf("closed, open for %v", p.OpenPrefixes)
	}
	if !p.MSISDNRange.IsZero() {
		s += ", MSISDNs " + p.MSISDNRange.String()
	}
	return s
}

// ParseCause accepts a cause number ("13", "#13") or a name known to
// String, case-insensitively; for the policy's config keys.
func ParseCause(s string) (mm.Cause, error) {
	var n int
	if _, err := fmt.Sscanf(s, "#%d", &n); err == nil && n > 0 && n < 256 {
		return mm.Cause(n), nil
	}
	if _, err := fmt.Sscanf(s, "%d", &n); err == nil && n > 0 && n < 256 && fmt.Sprint(n) == s {
		return mm.Cause(n), nil
	}
	for n := 1; n < 256; n++ {
		if _, name, ok := strings.Cut(mm.Cause(n).String(), " "); ok && strings.EqualFold(name, s) {
			return mm.Cause(n), nil
		}
	}
	return 0, fieldErr("cause", "%q is not a TS 24.008 §10.5.3.6 cause number or name", s)
}
