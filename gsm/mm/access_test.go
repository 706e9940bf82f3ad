package mm

import (
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/l3"
)

// A rejected or failed channel request does not count as a location
// updating attempt (TS 24.008 §4.4.4.9 (b), (c)): however congested the
// cell, the phone keeps trying every T3213 instead of giving up until
// T3212 after MaxLUAttempts.
func TestAccessFailedIsNotAnAttempt(t *testing.T) {
	var ki crypto.Ki
	m := NewMS(&MSConfig{}, NewSIM("001010000000001", crypto.COMP128v1, ki, crypto.OPc{}))
	lai := l3.LAI{PLMN: l3.PLMN{MCC: "001", MNC: "01"}, LAC: 1}
	now := time.Unix(1000, 0)
	m.LocationUpdate(now, lai, LUNormal)
	for i := 0; i < 3*MaxLUAttempts; i++ {
		m.AccessFailed(now)
		if m.attempts != 0 {
			t.Fatalf("after %d access failures the attempt counter is %d, want 0", i+1, m.attempts)
		}
		acts := m.Tick(now.Add(T3213Default - time.Millisecond))
		if len(acts) != 0 {
			t.Fatalf("retry before T3213: %v", acts)
		}
		now = now.Add(T3213Default)
		acts = m.Tick(now)
		if len(acts) != 1 || acts[0].Kind != MSStartLU {
			t.Fatalf("after T3213: actions %v, want a new location update", acts)
		}
		m.LocationUpdate(now, lai, acts[0].Type)
	}
	// A connection lost after it came up does count.
	m.Released(now)
	if m.attempts != 1 {
		t.Errorf("after a released LU the attempt counter is %d, want 1", m.attempts)
	}
}
