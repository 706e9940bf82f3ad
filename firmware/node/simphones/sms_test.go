package simphones_test

import (
	"context"
	"flag"
	"log/slog"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/firmware/node/simphones"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
)

var smsPhones = flag.Int("sms.phones", 20, "phones in TestSMSOnAir")
var smsEach = flag.Int("sms.each", 5, "messages each phone sends in TestSMSOnAir")

// smsRun runs the built-in cell and n phones that each send m messages
// over the simulated air in virtual time, until every message is
// accounted for (or the frame budget runs out).
func smsRun(t *testing.T, cfg *config.Config, n, m int, plan simphones.SMSPlan, frames int64) (simphones.SMSReport, *node.Node) {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	cfg.Subscribers.DB = filepath.Join(t.TempDir(), "subscribers.db")
	air, err := node.NewSimAir(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { air.Close() })
	var ps *simphones.Phones
	var nd *node.Node
	quiet := 0
	nd, err = node.New(node.Config{Config: cfg, Log: log, Frames: frames, VirtualTime: true, OnFrame: func(k int64) error {
		if k%26 != 0 {
			return nil
		}
		if !ps.SMSDone() {
			quiet = 0
			return nil
		}
		// Done on the phones' side: wait a little for the network's
		// last records (the recipient's RP-ACK reaches it after the
		// inbox shows the message).
		if quiet++; quiet > 40 && nd.SMSStats().Queued == 0 {
			return node.ErrStop
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nd.Close() })
	plan.PerPhone = m
	ps, err = air.StartPhones(context.Background(), node.PhoneOptions{N: n, Seed: 11, Registry: nd.Registry(), SMS: &plan, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := nd.Serve(context.Background(), air.Carrier); err != nil {
		t.Fatal(err)
	}
	air.BTS.Close()
	ps.Stop()
	st := nd.SMSStats()
	rep := ps.SMS(st.Queued)
	t.Logf("%d phones × %d messages in %v of virtual air (%v wall): %+v; SMSC %+v", n, m,
		(time.Duration(nd.Frames()) * node.FrameDuration).Round(time.Second), time.Since(start).Round(time.Millisecond), rep, st)
	return rep, nd
}

// TestSMSOnAir: 20 phones each send 5 messages to random others over the
// simulated air (DSP and all), 7-bit with the extension table, UCS2,
// 8-bit data and long 7-bit and UCS2 ones, while
// three phones are switched off for a while and come back. Every message
// the network accepted is delivered exactly once.
func TestSMSOnAir(t *testing.T) {
	if testing.Short() {
		t.Skip("a minute of simulated air")
	}
	cfg := config.Default()
	cfg.Cell.SDCCH8Timeslots = []int{1}
	cfg.SMS.Retry = []config.Duration{{Duration: 5 * time.Second}, {Duration: 10 * time.Second}, {Duration: 20 * time.Second}}
	rep, _ := smsRun(t, cfg, *smsPhones, *smsEach, simphones.SMSPlan{Gap: 5 * time.Second, Cycle: 3, OffFor: 30 * time.Second}, 100000)
	if rep.Sent != *smsPhones**smsEach {
		t.Errorf("%d messages sent, want %d", rep.Sent, *smsPhones**smsEach)
	}
	if rep.Accepted != rep.Sent || rep.Refused != 0 || rep.Pending != 0 {
		t.Errorf("accepted %d, refused %d, pending %d of %d", rep.Accepted, rep.Refused, rep.Pending, rep.Sent)
	}
	if rep.Delivered != rep.Accepted || rep.Lost != 0 || rep.StillQueued != 0 {
		t.Errorf("delivered %d of %d accepted, lost %d, still queued %d", rep.Delivered, rep.Accepted, rep.Lost, rep.StillQueued)
	}
	if rep.Duplicated != 0 {
		t.Errorf("%d messages shown twice", rep.Duplicated)
	}
	if rep.PowerCycles == 0 {
		t.Error("no phone was switched off and on")
	}
}

// TestOperatorSMSOnAir: the operator's broadcast on the running network
// (node.SendSMS, through the core's inbox) reaches every phone over the
// simulated air, from the configured sender name.
func TestOperatorSMSOnAir(t *testing.T) {
	cfg := config.Default()
	cfg.SMS.Sender = "Village"
	cfg.Subscribers.DB = filepath.Join(t.TempDir(), "subscribers.db")
	log := slog.New(slog.DiscardHandler)
	air, err := node.NewSimAir(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer air.Close()
	const n = 3
	var ps *simphones.Phones
	var nd *node.Node
	sent, queued := false, false
	nd, err = node.New(node.Config{Config: cfg, Log: log, Frames: 20000, VirtualTime: true, OnFrame: func(k int64) error {
		if k%26 != 0 {
			return nil
		}
		if !sent && ps.Registered() == n {
			sent = true
			nums := []string{simphones.MSISDN(0), simphones.MSISDN(1), simphones.MSISDN(2)}
			if err := nd.SendSMS(nums, "Market moved to Friday", func(ids []uint64, err error) { queued = err == nil && len(ids) == n }); err != nil {
				t.Error(err)
			}
		}
		if queued && nd.SMSStats().Delivered == n {
			return node.ErrStop
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer nd.Close()
	if ps, err = air.StartPhones(context.Background(), node.PhoneOptions{N: n, Seed: 3, Registry: nd.Registry(), Log: log}); err != nil {
		t.Fatal(err)
	}
	if err := nd.Serve(context.Background(), air.Carrier); err != nil {
		t.Fatal(err)
	}
	air.BTS.Close()
	ps.Stop()
	if st := nd.SMSStats(); !queued || st.Delivered != n {
		t.Fatalf("queued %v, stats %+v", queued, st)
	}
	for _, sp := range ps.Phones() {
		in := sp.Inbox()
		if len(in) != 1 || in[0].From != "Village" || in[0].Text != "Market moved to Friday" {
			t.Errorf("phone %d inbox %+v", sp.Index(), in)
		}
	}
}

// The network process of a split provisions the phones the transceiver
// process runs: Subscribers gives what Start provisions, with or without
// SMS traffic.
func TestSubscribersMatchStart(t *testing.T) {
	cfg := config.Default()
	for _, plan := range []*simphones.SMSPlan{nil, {PerPhone: 3}} {
		air, err := node.NewSimAir(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var got []registry.Subscriber
		tx := air.Transmitter()
		ps, err := simphones.Start(context.Background(), simphones.Config{N: 6, Seed: 7, MCC: cfg.Network.MCC, MNC: cfg.Network.MNC,
			SNRdB: cfg.Sim.SNRdB, Air: air.Air, BTS: air.BTS, SPS: tx.Modulator().SPS(), SampleRate: tx.SampleRate(), SMS: plan,
			Provision: func(s registry.Subscriber) error { got = append(got, s); return nil }})
		if err != nil {
			t.Fatal(err)
		}
		air.BTS.Close()
		ps.Stop()
		air.Close()
		want := simphones.Subscribers(6, 7, cfg.Network.MCC, cfg.Network.MNC, tx.Modulator().SPS())
		if !reflect.DeepEqual(got, want) {
			t.Errorf("with plan %v: Start provisioned\n%+v\nSubscribers gives\n%+v", plan, got, want)
		}
	}
}
