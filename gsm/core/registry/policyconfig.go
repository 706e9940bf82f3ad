package registry

import (
	"errors"
	"fmt"
	"strconv"
)

// PolicyConfig is the registration policy as the [subscribers] section of
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
type PolicyConfig struct {
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
func (c PolicyConfig) Policy() (Policy, error) {
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
		dst *Cause
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

func causeValue(key string, v any) (Cause, error) {
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
