package soak

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/firmware/config"
)

func testConfig(t *testing.T) *config.Config {
	c := config.Default()
	c.Subscribers.DB = filepath.Join(t.TempDir(), "subscribers.db")
	c.Cell.PeriodicLU = config.Duration{Duration: 6 * time.Minute}
	return c
}

// The opening storm of the default cell: a village of strict phones all
// register, none is left waiting for T3212, the slowest within a minute.
func TestStorm(t *testing.T) {
	n := 100
	if testing.Short() {
		n = 40
	}
	rep, err := Run(context.Background(), Config{Config: testConfig(t), Phones: n, Duration: 3 * time.Minute, Seed: 7, Provision: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d phones: storm mean %.1f s, worst %.1f s; %d registered, %d gave up; air %.0f s in %.1f s wall",
		n, rep.StormMeanS, rep.StormWorstS, rep.Registered, rep.GaveUp, rep.AirS, rep.WallS)
	if rep.Registered != n || rep.GaveUp != 0 || !rep.Settled {
		t.Errorf("%d/%d registered, %d gave up, settled %v; want all, none, true", rep.Registered, n, rep.GaveUp, rep.Settled)
	}
	if rep.StormWorstS > 60 {
		t.Errorf("slowest phone registered after %.1f s of air, want under 60 s", rep.StormWorstS)
	}
}

// A shortened soak: phones switch off and on, detach and attach, do
// periodic updates, call each other and text each other for 15 minutes
// of air; at the end every phone is registered, no channel is held
// without a phone, no call is left, the queues are empty, and the
// goroutines are as many as after the opening storm.
func TestSoakShort(t *testing.T) {
	air := 15 * time.Minute
	if testing.Short() {
		air = 8 * time.Minute
	}
	rep, err := Run(context.Background(), Config{Config: testConfig(t), Phones: 60, Duration: air, Seed: 3,
		Soak: true, Churn: 4 * time.Minute, Provision: true,
		CallEvery: 20 * time.Minute, Talk: 20 * time.Second, SMSEvery: 10 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("soak: %.0f s air in %.1f s wall; %d battery pulls, %d detaches, %d power-ons; %d LU accepted, %d detached; goroutines %d→%d, heap %d→%d kB",
		rep.AirS, rep.WallS, rep.BatteryPulls, rep.Detaches, rep.PowerOns, rep.Accepted, rep.Detached,
		rep.First.Goroutines, rep.Last.Goroutines, rep.First.HeapBytes>>10, rep.Last.HeapBytes>>10)
	if !rep.Settled || rep.Registered != rep.Phones || rep.GaveUp != 0 {
		t.Errorf("end: settled %v (%s), %d/%d registered, %d gave up; want settled, all, none", rep.Settled, rep.Unsettled, rep.Registered, rep.Phones, rep.GaveUp)
	}
	if rep.LeakedChannels != 0 || rep.Last.ChannelsInUse != 0 {
		t.Errorf("end: %d channels in use, %d without a phone; want none", rep.Last.ChannelsInUse, rep.LeakedChannels)
	}
	if rep.Detaches == 0 || rep.BatteryPulls == 0 || rep.Detached == 0 {
		t.Errorf("churn: %d detaches (%d handled by the core), %d battery pulls; want some of each", rep.Detaches, rep.Detached, rep.BatteryPulls)
	}
	// Periodic updates: every phone that stayed on for 6 minutes did one.
	if rep.Accepted < uint64(rep.PowerOns) {
		t.Errorf("%d location updates accepted for %d power-ons; periodic updates missing", rep.Accepted, rep.PowerOns)
	}
	tr := rep.Traffic
	t.Logf("traffic: %+v; core calls %+v; SMSC accepted %d delivered %d queued %d",
		tr, rep.Calls, rep.SMS.Accepted, rep.SMS.Delivered, rep.SMS.Queued)
	if tr.Dialled == 0 || tr.Connected == 0 || rep.Calls.Answered == 0 || rep.Calls.Relays == 0 {
		t.Errorf("calls: %d dialled, %d connected, core %+v; want calls answered and relayed", tr.Dialled, tr.Connected, rep.Calls)
	}
	if tr.CallsEnded != tr.Dialled {
		t.Errorf("%d calls dialled, %d ended; want every one over", tr.Dialled, tr.CallsEnded)
	}
	if tr.SMSSent == 0 || tr.SMSAccepted == 0 || tr.SMSReceived == 0 {
		t.Errorf("texts: %d sent, %d accepted by the SMSC, %d received; want some of each", tr.SMSSent, tr.SMSAccepted, tr.SMSReceived)
	}
	if l := rep.Last; l.ActiveCalls != 0 {
		t.Errorf("end: %d calls still active in the core", l.ActiveCalls)
	}
	if l := rep.Last; l.AccessQueue != 0 || l.DownQueue != 0 || l.UpQueue != 0 || l.HLRQueue != 0 || l.Connections != 0 {
		t.Errorf("end: queues access %d, down %d, up %d, HLR %d, connections %d; want all empty", l.AccessQueue, l.DownQueue, l.UpQueue, l.HLRQueue, l.Connections)
	}
	if f, l := rep.First.HeapBytes, rep.Last.HeapBytes; l > f+f/2 {
		t.Errorf("live heap %d kB after the storm, %d kB at the end: it grows", f>>10, l>>10)
	}
	if rep.Last.Goroutines > rep.First.Goroutines {
		t.Errorf("goroutines %d after the storm, %d at the end", rep.First.Goroutines, rep.Last.Goroutines)
	}
}
