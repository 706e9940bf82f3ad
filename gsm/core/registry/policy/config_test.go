package policy_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/core/registry/policy"
)

func TestConfig(t *testing.T) {
	p, err := policy.Config{Mode: "closed", MSISDNRange: "1000-1999", OpenPrefixes: []string{"00101"},
		HomePrefixes: []string{"00101"}, UnknownCause: int64(11), ForeignCause: "#15", BarredCause: "illegal ms"}.Policy()
	if err != nil {
		t.Fatal(err)
	}
	if p.Mode != policy.ModeClosed || p.MSISDNRange.String() != "1000-1999" || p.UnknownCause != 11 || p.ForeignCause != 15 || p.BarredCause != 3 {
		t.Errorf("Policy() = %+v", p)
	}
	if got, want := p.String(), "closed, open for [00101], MSISDNs 1000-1999"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	_, err = policy.Config{Mode: "sometimes", MSISDNRange: "9-1", UnknownCause: 3.5}.Policy()
	var fe *policy.FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("Policy(bad) = %v, want FieldErrors", err)
	}
	for _, key := range []string{"policy", "msisdn_range", "unknown_cause"} {
		if !strings.Contains(err.Error(), key+":") {
			t.Errorf("Policy(bad) error lacks key %q: %v", key, err)
		}
	}
	if p, err := (policy.Config{}).Policy(); err != nil || p.Mode != policy.ModeClosed {
		t.Errorf("empty PolicyConfig = %+v, %v, want closed", p, err)
	}
	if _, err := (policy.Config{Mode: "open"}).Policy(); err == nil {
		t.Errorf("open without msisdn_range = nil error")
	}
}
