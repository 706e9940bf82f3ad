package trunk

import (
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/cc"
)

// The parsing the trunk owns: Reason headers, routes. Neither panics;
// a Q.850 cause read is in range; a route that parses matches without
// panicking.
func FuzzQ850(f *testing.F) {
	for _, s := range []string{"Q.850;cause=16", `Q.850;cause=17;text="Busy"`, "SIP;cause=200, Q.850 ; cause = 41", "Q.850;cause=999", "", ";;,,=", "q.850;CAUSE=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if v, ok := q850(s); ok && (v < 1 || v > 127) {
			t.Errorf("q850(%q) = %d", s, v)
		}
		_ = CauseOfStatus(len(s)%700, s)
	})
}

func FuzzRoute(f *testing.F) {
	for _, s := range []string{"00", "+49", "^\\+?1[0-9]{10}$", "+", "^((", "12a"} {
		f.Add(s, "004930123")
	}
	f.Fuzz(func(t *testing.T, rule, number string) {
		r, err := ParseRoute(rule)
		if err != nil {
			return
		}
		m := r.Match(number)
		if !strings.HasPrefix(rule, "^") && !strings.HasPrefix(rule, "+") && m != strings.HasPrefix(number, rule) {
			t.Errorf("route %q on %q = %v", rule, number, m)
		}
	})
}

// Every cause maps to a final failure status, and the statuses the
// provider sends map back to the causes TS 29.163 gives.
func TestCauseMapping(t *testing.T) {
	for v := cc.CauseValue(0); v < 128; v++ {
		if code, reason := StatusOfCause(v); code < 400 || code > 699 || reason == "" {
			t.Errorf("StatusOfCause(%d) = %d %q", v, code, reason)
		}
	}
	for _, c := range []struct {
		status int
		reason string
		want   cc.CauseValue
	}{{486, "", 17}, {404, "", 1}, {480, "", 18}, {503, "", 41}, {408, "", 102}, {603, "", 21},
		{486, "Q.850;cause=34", 34}, {499, "", 127}, {599, "", 41}, {699, "", 31}} {
		if got := CauseOfStatus(c.status, c.reason); got != c.want {
			t.Errorf("CauseOfStatus(%d, %q) = %d, want %d", c.status, c.reason, got, c.want)
		}
	}
	for _, c := range []struct {
		v    cc.CauseValue
		want int
	}{{1, 404}, {17, 486}, {18, 480}, {19, 480}, {21, 403}, {34, 503}, {41, 503}, {102, 504}, {65, 488}} {
		if got, _ := StatusOfCause(c.v); got != c.want {
			t.Errorf("StatusOfCause(#%d) = %d, want %d", c.v, got, c.want)
		}
	}
}
