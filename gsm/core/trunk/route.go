package trunk

import (
	"fmt"
	"regexp"
	"strings"
)

// Route is one routing rule: a dialled-number prefix or a pattern.
type Route struct {
	prefix string
	plus   bool // the prefix was written with "+": "+" or "00" before it
	re     *regexp.Regexp
}

// ParseRoute reads a rule: "00", "+49" (a leading "+" matches "+" or
// "00" as dialled), or a regular expression starting with ^, matched
// against the whole dialled number.
func ParseRoute(s string) (Route, error) {
	if strings.HasPrefix(s, "^") {
		re, err := regexp.Compile(s)
		if err != nil {
			return Route{}, fmt.Errorf("%w: route %q: %v", ErrConfig, s, err)
		}
		return Route{re: re}, nil
	}
	r := Route{prefix: s}
	if strings.HasPrefix(s, "+") {
		r.plus, r.prefix = true, s[1:]
	}
	for _, c := range r.prefix {
		if c < '0' || c > '9' {
			return Route{}, fmt.Errorf("%w: route %q: want digits, a leading + or a ^pattern", ErrConfig, s)
		}
	}
	return r, nil
}

// Match reports whether the rule takes number (as dialled).
func (r Route) Match(number string) bool {
	if r.re != nil {
		return r.re.MatchString(number)
	}
	if r.plus {
		switch {
		case strings.HasPrefix(number, "+"):
			number = number[1:]
		case strings.HasPrefix(number, "00"):
			number = number[2:]
		default:
			return false
		}
	}
	return strings.HasPrefix(number, r.prefix)
}
