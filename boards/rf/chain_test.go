package rf

import (
	"errors"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

func TestChainsValidate(t *testing.T) {
	for _, name := range ChainNames() {
		t.Run(name, func(t *testing.T) {
			c, err := LookupChain(name)
			if err != nil {
				t.Fatalf("LookupChain(%q) = %v", name, err)
			}
			if err := c.Validate(); err != nil {
				t.Errorf("Validate(%s) = %v, want nil", name, err)
			}
		})
	}
}

func TestChainValidateFindsEveryProblem(t *testing.T) {
	c := *RPi4HAT
	c.Pins.TXRX = c.Pins.PAEnable // pin clash
	c.Pins.TXLock = ""            // LO without lock detect
	c.Limits.RampStepDB = 0       // no ramp
	c.Filters = append([]BandFilter{}, c.Filters...)
	c.Filters = append(c.Filters, BandFilter{Band: tdma.RGSM900, Code: 7}) // code too wide
	err := c.Validate()
	if !errors.Is(err, ErrChain) {
		t.Fatalf("Validate() = %v, want ErrChain", err)
	}
	if n := len(err.(interface{ Unwrap() []error }).Unwrap()); n != 4 {
		t.Errorf("Validate() reported %d problems, want 4: %v", n, err)
	}
}

func TestLookupChainUnknown(t *testing.T) {
	if _, err := LookupChain("nope"); !errors.Is(err, ErrUnknownChain) {
		t.Errorf("LookupChain(nope) = %v, want ErrUnknownChain", err)
	}
	if _, ok := RPi4HAT.Part(RoleTXLO); !ok {
		t.Errorf("RPi4HAT.Part(tx-lo) missing")
	}
	if f, ok := RPi4HAT.Filter(tdma.DCS1800); !ok || f.Code != 2 {
		t.Errorf("RPi4HAT.Filter(DCS1800) = %v,%v, want code 2", f, ok)
	}
}
