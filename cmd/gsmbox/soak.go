package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/node/soak"
)

// soakOpts are the `gsmbox sim` flags for the burst-level air and soaks.
type soakOpts struct {
	tier2      bool
	soak       bool
	churn      time.Duration
	periodicLU time.Duration
	callEvery  time.Duration
	smsEvery   time.Duration
}

func addSoakFlags(fs *flag.FlagSet) *soakOpts {
	o := &soakOpts{}
	fs.BoolVar(&o.tier2, "tier2", false, "with --phones: run the phones on the burst-level air (tier 2: no DSP, RACH collisions modelled), hundreds of times faster")
	fs.BoolVar(&o.soak, "soak", false, "with --phones: keep the phones living for the whole --duration (battery pulls, IMSI detach and attach, periodic updates), then check for leaks; implies --tier2")
	o.churn = time.Hour
	fs.Var(durationValue{&o.churn, func(d time.Duration) error { return config.CheckPositiveDuration(d, 30*24*time.Hour) }}, "churn", "with --soak: mean time between one phone's switch-offs")
	fs.Var(durationValue{&o.periodicLU, func(d time.Duration) error { return config.CheckDuration(d, 25*time.Hour) }}, "periodic-lu", "with --soak: override the config's periodic_lu (T3212, a multiple of 6m); 0: 6m without --config, else the config's")
	o.callEvery, o.smsEvery = 2*time.Hour, time.Hour
	fs.Var(durationValue{&o.callEvery, func(d time.Duration) error { return config.CheckDuration(d, 30*24*time.Hour) }}, "call-every", "with --soak: mean time between one phone's calls to another (talking --talk, 30s unless given); 0: no calls")
	fs.Var(durationValue{&o.smsEvery, func(d time.Duration) error { return config.CheckDuration(d, 30*24*time.Hour) }}, "sms-every", "with --soak: mean time between one phone's text messages to another; 0: no texts")
	return o
}

// runTier2 runs `gsmbox sim --tier2` or `--soak`: the node with the
// phones on the burst-level air, and the soak report.
func runTier2(ctx context.Context, cfg *config.Config, configGiven bool, ph *phoneOpts, o *soakOpts, duration time.Duration, stdout, stderr io.Writer) error {
	if ph.n < 1 {
		return fmt.Errorf("%w: --tier2 and --soak need --phones", errUsage)
	}
	if o.soak {
		switch {
		case o.periodicLU > 0:
			cfg.Cell.PeriodicLU = config.Duration{Duration: o.periodicLU}
		case !configGiven:
			cfg.Cell.PeriodicLU = config.Duration{Duration: 6 * time.Minute}
		}
	}
	var callEvery, smsEvery, talk time.Duration
	if o.soak {
		callEvery, smsEvery, talk = o.callEvery, o.smsEvery, ph.talk
		if !ph.talkSet {
			talk = 0 // the soak's default
		}
		if callEvery > 0 || smsEvery > 0 {
			ph.provision = true // calls and texts need the phones' MSISDNs
		}
	}
	seed := ph.seed
	if seed == 0 {
		seed = uint64(cfg.Sim.Seed)
	}
	mode := "storm"
	if o.soak {
		mode = fmt.Sprintf("soak (churn mean %v, periodic_lu %v, a call every %v and a text every %v per phone)", o.churn, cfg.Cell.PeriodicLU.Duration, callEvery, smsEvery)
	}
	fmt.Fprintf(stdout, "%d virtual phones on the burst-level air (tier 2, no DSP; seed %d): %s for %v of air\n", ph.n, seed, mode, duration)
	var live func(soak.Sample)
	if ph.live > 0 {
		live = func(s soak.Sample) {
			fmt.Fprintf(stdout, "air %7.0f s  wall %6.1f s  on %3d  registered %3d  dedicated %3d  channels %2d  queues access %d down %d up %d hlr %d  overload %d  rss %5.1f MB  heap %6.0f kB  goroutines %d\n",
				s.AirS, s.WallS, s.PhonesOn, s.Registered, s.Dedicated, s.ChannelsInUse, s.AccessQueue, s.DownQueue, s.UpQueue, s.HLRQueue,
				s.Overload, float64(s.RSSBytes)/(1<<20), float64(s.HeapBytes)/1024, s.Goroutines)
			if callEvery > 0 || smsEvery > 0 {
				fmt.Fprintf(stdout, "                         calls active %d  smsc queue %d\n", s.ActiveCalls, s.SMSQueue)
			}
		}
	}
	sample := ph.live
	if sample <= 0 || sample == 5*time.Second {
		sample = 0 // the default: about 48 samples
	}
	rep, err := soak.Run(ctx, soak.Config{Config: cfg, Phones: ph.n, Duration: duration, Seed: seed, Soak: o.soak,
		Churn: o.churn, Provision: ph.provision, Sample: sample, OnSample: live,
		CallEvery: callEvery, SMSEvery: smsEvery, Talk: talk})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "simulated %.0f s of air in %.1f s: %.0f× real time\n", rep.AirS, rep.WallS, rep.AirS/max(rep.WallS, 1e-3))
	fmt.Fprintf(stdout, "storm: every phone registered once after %.1f s of air (mean %.1f s)\n", rep.StormWorstS, rep.StormMeanS)
	if o.soak {
		fmt.Fprintf(stdout, "churn: %d battery pulls, %d IMSI detaches, %d power-ons; core: %d location updates accepted, %d detaches\n",
			rep.BatteryPulls, rep.Detaches, rep.PowerOns, rep.Accepted, rep.Detached)
		t, c := rep.Traffic, rep.Calls
		fmt.Fprintf(stdout, "calls: %d dialled, %d connected, %d ended; core: %d answered, %d busy, %d no channel, %d legs lost mid-call\n",
			t.Dialled, t.Connected, t.CallsEnded, c.Answered, c.Busy, c.NoChannel, c.RadioLost)
		fmt.Fprintf(stdout, "texts: %d sent, %d parts accepted by the SMSC, %d failed, %d received; SMSC: %d delivered, %d queued at the end\n",
			t.SMSSent, t.SMSAccepted, t.SMSFailed, t.SMSReceived, rep.SMS.Delivered, rep.SMS.Queued)
	}
	f, l := rep.First, rep.Last
	fmt.Fprintf(stdout, "RSS %.1f → %.1f MB, live heap %.0f → %.0f kB, goroutines %d → %d (after the storm → end)\n",
		float64(f.RSSBytes)/(1<<20), float64(l.RSSBytes)/(1<<20), float64(f.HeapBytes)/1024, float64(l.HeapBytes)/1024, f.Goroutines, l.Goroutines)
	fmt.Fprintf(stdout, "end: %d/%d registered, %d waiting for T3212, %d channels in use, %d held without a phone; settled %v %s\n",
		rep.Registered, rep.Phones, rep.GaveUp, l.ChannelsInUse, rep.LeakedChannels, rep.Settled, rep.Unsettled)
	ov := rep.Cell.Overload
	fmt.Fprintf(stdout, "cell: %d assigned, %d rejected (longest wait %d s), %d stale requests dropped, %d T3101; overload level max %d, %d SI changes; air: %d access bursts, %d lost to collisions\n",
		rep.Cell.Dedicated.Assigned, rep.Cell.Dedicated.Rejected, ov.WaitMax, ov.Stale, rep.Cell.Dedicated.T3101Expired, ov.LevelMax, ov.SIChanges, rep.Air.Access, rep.Air.Collisions)
	fmt.Fprintf(stdout, "cell: %d requests put last as a granted phone's own (%d dropped); dynamic timeslots: %d switches to SDCCH/8, %d back\n",
		ov.Siblings, ov.SiblingDrops, rep.Cell.Dynamic.ToSDCCH, rep.Cell.Dynamic.ToTCH)
	if ph.report != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(ph.report, b, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", ph.report)
	}
	if !rep.Settled || rep.LeakedChannels > 0 {
		return fmt.Errorf("sim: the run did not settle: %s", rep.Unsettled)
	}
	return nil
}

// phoneDuration is the air time a run with phones gets unless --duration
// says otherwise: enough for the default cell's storm of 200 phones.
const phoneDuration = 5 * time.Minute

// flagSet reports whether the flag name was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
