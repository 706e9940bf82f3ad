package ms

import (
	"testing"

	"github.com/gsmbox/gsmbox/gsm/cc"
)

// The messages that have the MS attach the user connection before
// Connect (TS 24.008 §5.5.1): a progress indicator #1, #2 or #8 in
// Alerting, Call Proceeding or Progress; nothing else.
func TestInBand(t *testing.T) {
	pi := func(d uint8) cc.ProgressIndicator {
		return cc.ProgressIndicator{Coding: 3, Location: 2, Description: d}
	}
	for _, c := range []struct {
		m    cc.Message
		want bool
	}{
		{&cc.Alerting{}, false},
		{&cc.Alerting{HasProgress: true, Progress: pi(cc.ProgressInBand)}, true},
		{&cc.Alerting{HasProgress: true, Progress: pi(cc.ProgressOrigNotPLMN)}, false},
		{&cc.CallProceeding{HasProgress: true, Progress: pi(cc.ProgressNotEndToEnd)}, true},
		{&cc.CallProceeding{Progress: pi(cc.ProgressInBand)}, false},
		{&cc.Progress{Progress: pi(cc.ProgressInBand)}, true},
		{&cc.Progress{Progress: pi(cc.ProgressDestNotPLMN)}, true},
		{&cc.Progress{Progress: pi(cc.ProgressReturnedToPLMN)}, false},
		{&cc.Connect{HasProgress: true, Progress: pi(cc.ProgressInBand)}, false},
		{nil, false},
	} {
		if got := inBand(c.m); got != c.want {
			t.Errorf("inBand(%T %+v) = %v, want %v", c.m, c.m, got, c.want)
		}
	}
}
