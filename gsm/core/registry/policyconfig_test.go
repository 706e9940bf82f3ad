package registry_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/core/registry"
)

func TestPolicyConfig(t *testing.T) {
	p, err := registry.PolicyConfig{Mode: "closed", MSISDNRange: "1000-1999", OpenPrefixes: []string{"00101"},
		HomePrefixes: []string{"00101"}, UnknownCause: int64(11), ForeignCause: "#15", BarredCause: "illegal ms"}.Policy()
	if err != nil {
		t.Fatal(err)
	}
	if p.Mode != registry.ModeClosed || p.MSISDNRange.String() != "1000-1999" || p.UnknownCause != 11 || p.ForeignCause != 15 || p.BarredCause != 3 {
		t.Errorf("Policy() = %+v", p)
	}
	if got, want := p.String(), "closed, open for [00101], MSISDNs 1000-1999"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	_, err = registry.PolicyConfig{Mode: "sometimes", MSISDNRange: "9-1", UnknownCause: 3.5}.Policy()
	var fe *registry.FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("Policy(bad) = %v, want FieldErrors", err)
	}
	for _, key := range []string{"policy", "msisdn_range", "unknown_cause"} {
		if !strings.Contains(err.Error(), key+":") {
			t.Errorf("Policy(bad) error lacks key %q: %v", key, err)
		}
	}
	if p, err := (registry.PolicyConfig{}).Policy(); err != nil || p.Mode != registry.ModeClosed {
		t.Errorf("empty PolicyConfig = %+v, %v, want closed", p, err)
	}
	if _, err := (registry.PolicyConfig{Mode: "open"}).Policy(); err == nil {
		t.Errorf("open without msisdn_range = nil error")
	}
}
