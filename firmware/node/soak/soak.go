package soak

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"

	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/firmware/node/burstair"
	"github.com/gsmbox/gsmbox/gsm/bts"
	"github.com/gsmbox/gsmbox/gsm/core"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/ms"
)

// Config is what to run.
type Config struct {
	// Config is the network; the caller shortens Cell.PeriodicLU for a
	// soak if it wants more periodic updates.
	Config *config.Config
	// Registry, when not nil, is the subscriber registry; otherwise the
	// node opens Config's.
	Registry *registry.Registry
	// Log receives the node's events; nil discards them.
	Log *slog.Logger
	// Phones is the size of the village.
	Phones int
	// Duration is the air time to run (the soak's; a storm ends sooner
	// when every phone has registered).
	Duration time.Duration
	// Seed fixes the phones, their placement and the churn.
	Seed uint64
	// Soak keeps the phones living for the whole Duration.
	Soak bool
	// Churn is the mean time between one phone's switch-offs; 0 means
	// an hour.
	Churn time.Duration
	// Settle bounds the time after Duration for every phone to register
	// and every channel to come free; 0 means 3 minutes.
	Settle time.Duration
	// Sample is the period of the report's samples; 0 picks about 48
	// over the run (at least every 10 s of air).
	Sample time.Duration
	// Provision adds each phone's subscriber with its Ki to the
	// registry, so it is authenticated and ciphered.
	Provision bool
	// OnSample, when not nil, sees every sample as it is taken (on the
	// loop's goroutine: it must not block).
	OnSample func(Sample)
	// CallEvery, when not 0, is the mean time between one phone's calls
	// in a soak: it dials another phone (by its MSISDN, so it needs
	// Provision), which answers after 3 s; the caller hangs up after
	// Talk of conversation. A battery pull may end a call: the network
	// loses the radio link and clears it.
	CallEvery time.Duration
	// Talk is how long a call talks; 0 means 30 s.
	Talk time.Duration
	// SMSEvery, when not 0, is the mean time between one phone's text
	// messages to another phone (also needs Provision).
	SMSEvery time.Duration
}

// Sample is the state of the run at one moment.
type Sample struct {
	AirS          float64 `json:"air_s"`
	WallS         float64 `json:"wall_s"`
	RSSBytes      uint64  `json:"rss_bytes"`
	HeapBytes     uint64  `json:"heap_bytes"` // live heap after a GC
	Goroutines    int     `json:"goroutines"`
	ChannelsInUse int     `json:"channels_in_use"`
	PhonesOn      int     `json:"phones_on"`
	Registered    int     `json:"registered"` // phones on and registered
	Dedicated     int     `json:"dedicated"`  // phones on a channel
	AccessQueue   int     `json:"access_queue"`
	DownQueue     int     `json:"down_queue"`
	UpQueue       int     `json:"up_queue"`
	HLRQueue      int     `json:"hlr_queue"`
	Connections   int     `json:"connections"`
	Sessions      int     `json:"sessions"`
	Overload      int     `json:"overload_level"`
	ActiveCalls   int     `json:"active_calls"`
	SMSQueue      int     `json:"smsc_queue"` // messages the SMSC holds for delivery
}

// Report is what the run came to.
type Report struct {
	Phones  int     `json:"phones"`
	Soak    bool    `json:"soak"`
	AirS    float64 `json:"air_s"`
	WallS   float64 `json:"wall_s"`
	Settled bool    `json:"settled"` // every phone registered and every channel free at the end
	// Unsettled says why not.
	Unsettled string `json:"unsettled,omitempty"`
	// Samples over the run; First is the first sample after the
	// opening storm (every phone registered once), Last the end.
	Samples []Sample `json:"samples"`
	First   Sample   `json:"first"`
	Last    Sample   `json:"last"`
	// The storm: the air time to the last phone's first registration.
	StormWorstS float64 `json:"storm_worst_s"`
	StormMeanS  float64 `json:"storm_mean_s"`
	// The churn.
	BatteryPulls int `json:"battery_pulls"`
	Detaches     int `json:"detaches"`
	PowerOns     int `json:"power_ons"`
	// At the end.
	Registered     int    `json:"registered"`
	GaveUp         int    `json:"gave_up"`         // phones waiting for T3212, attempt counter at 4
	LeakedChannels int    `json:"leaked_channels"` // channels in use with no phone on one
	Accepted       uint64 `json:"lu_accepted"`     // location updates the core accepted
	Detached       uint64 `json:"detached"`        // IMSI detaches the core handled
	// The traffic the phones made (CallEvery, SMSEvery) and what the
	// core made of it.
	Traffic Traffic
	Cell    bts.Stats
	Core    core.Stats
	Calls   core.CallStats
	SMS     core.SMSStats
	Air     burstair.Stats
}

// Traffic counts the calls and texts of a soak, as the phones saw them.
type Traffic struct {
	Dialled     int    `json:"calls_dialled"`
	Connected   int    `json:"calls_connected"` // calls the caller saw answered
	CallsEnded  int    `json:"calls_ended"`
	SMSSent     int    `json:"sms_sent"`     // messages the phones queued
	SMSAccepted uint64 `json:"sms_accepted"` // parts the SMSC acknowledged (RP-ACK)
	SMSFailed   uint64 `json:"sms_failed"`   // parts refused or given up
	SMSReceived int    `json:"sms_received"` // messages that reached a phone's inbox
}

// slot is one phone of the village, across its power cycles.
type slot struct {
	sim   *mm.SIM
	msc   *mm.MSConfig
	place burstair.Phone
	on    bool
	mm    *ms.MM
	h     *ms.Handset // calls and SMS over mm
	// The traffic: the next call and text.
	nextCall, nextSMS int64
	// The call placed last: still to be counted as ended (calling), and
	// already counted as connected.
	calling, connected bool
	// The life: the next switch-off (on), the end of the detach (at
	// the latest), the next switch-on (off).
	next      int64
	detaching bool
	firstReg  int64 // frames to the first registration; 0: not yet
}

const frame = node.FrameDuration

func frames(d time.Duration) int64 { return int64(d / frame) }

// Run runs the village and reports.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Config == nil || cfg.Phones < 1 {
		return nil, errors.New("soak: no configuration or no phones")
	}
	if cfg.Churn <= 0 {
		cfg.Churn = time.Hour
	}
	if cfg.Settle <= 0 {
		cfg.Settle = 3 * time.Minute
	}
	if cfg.Sample <= 0 {
		cfg.Sample = max(cfg.Duration/48, 10*time.Second)
	}
	if cfg.Talk <= 0 {
		cfg.Talk = 30 * time.Second
	}
	if (cfg.CallEvery > 0 || cfg.SMSEvery > 0) && !cfg.Provision {
		return nil, errors.New("soak: calls and texts need the phones provisioned (their MSISDNs)")
	}
	r := &run{cfg: cfg, rep: &Report{Phones: cfg.Phones, Soak: cfg.Soak},
		rng: rand.New(rand.NewPCG(cfg.Seed, 0x736f616b)), air: burstair.New(0),
		dur: frames(cfg.Duration), every: max(frames(cfg.Sample), 1)}
	n, err := node.New(node.Config{Config: cfg.Config, Log: cfg.Log, Registry: cfg.Registry, VirtualTime: true,
		Epoch: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Frames: r.dur + frames(cfg.Settle), OnFrame: r.frame})
	if err != nil {
		return nil, err
	}
	defer n.Close()
	r.node = n
	used := map[string]bool{}
	for i := range cfg.Phones {
		var imsi string
		for imsi == "" || used[imsi] {
			imsi = fmt.Sprintf("%s%s%010d", cfg.Config.Network.MCC, cfg.Config.Network.MNC, r.rng.Uint64N(10_000_000_000))
		}
		used[imsi] = true
		var ki crypto.Ki
		for j := range ki {
			ki[j] = byte(r.rng.UintN(256))
		}
		cm1 := l3.Classmark1{Revision: 1, RFPower: 4, A51: true}
		s := &slot{sim: mm.NewSIM(imsi, crypto.COMP128v3, ki, crypto.OPc{}),
			msc: &mm.MSConfig{Classmark1: cm1, Classmark2: l3.Classmark2{Classmark1: cm1, SMCap: true, A53: true},
				IMEI: fmt.Sprintf("35%013d", r.rng.Uint64N(1e13))},
			place: burstair.Phone{RSSI: -60 - 40*r.rng.Float32(), ToA: float32(r.rng.IntN(32)), Origin: r.rng.IntN(1 << 20)}}
		if cfg.Provision {
			sub := registry.Subscriber{IMSI: imsi, MSISDN: strconv.Itoa(20000 + i), Algorithm: crypto.COMP128v3, Ki: ki}
			if _, err := n.Registry().Add(sub); err != nil && !errors.Is(err, registry.ErrExists) {
				return nil, fmt.Errorf("soak: provisioning phone %d: %w", i, err)
			}
		}
		r.slots = append(r.slots, s)
		s.nextCall, s.nextSMS = r.after(cfg.CallEvery, 0), r.after(cfg.SMSEvery, 0)
		if err := r.powerOn(i, 0); err != nil {
			return nil, err
		}
	}
	r.start = time.Now()
	r.sample(0)
	if err := n.Serve(ctx, r.air); err != nil {
		return nil, err
	}
	return r.finish(), nil
}

type run struct {
	cfg   Config
	rep   *Report
	rng   *rand.Rand
	air   *burstair.Air
	node  *node.Node
	slots []*slot
	dur   int64
	every int64
	start time.Time
	// stormDone: every phone has registered once.
	stormDone bool
	settling  bool
}

// powerOn switches the phone of slot i on at frame k: a new handset
// around the same SIM (which keeps its TMSI and LAI).
func (r *run) powerOn(i int, k int64) error {
	s := r.slots[i]
	r.handsetGone(s)
	s.mm = ms.NewMM(s.msc, s.sim)
	sc := r.cfg.Config.SMS.SCAddress
	if sc == "" {
		sc = "100"
	}
	s.h = ms.NewHandset(s.mm, ms.CallConfig{AnswerAfter: int(frames(3 * time.Second))}, ms.SMSConfig{SCAddress: sc})
	s.h.OnReceived = func(ms.Received) { r.rep.Traffic.SMSReceived++ }
	s.calling, s.connected = false, false
	p, err := ms.New(ms.Config{SIM: s.sim, Seed: r.rng.Uint64(), Upper: s.h, Decoder: r.air.Decoder()})
	if err != nil {
		return err
	}
	p.PowerOn()
	pl := s.place
	pl.MS = p
	r.air.Set(i, &pl)
	s.on, s.detaching = true, false
	s.next = k + r.life()
	r.rep.PowerOns++
	return nil
}

// life draws the time to a phone's next switch-off.
func (r *run) life() int64 {
	return max(int64(r.rng.ExpFloat64()*float64(frames(r.cfg.Churn))), frames(time.Minute))
}

func (r *run) powerOff(i int, k int64, maxOff time.Duration) {
	s := r.slots[i]
	r.air.Remove(i)
	r.callDone(s)
	r.handsetGone(s)
	s.on, s.detaching, s.mm = false, false, nil
	s.next = k + frames(5*time.Second) + r.rng.Int64N(frames(maxOff))
}

// frame is the node's OnFrame: the churn, the samples, the end.
func (r *run) frame(k int64) error {
	if r.cfg.Soak && k < r.dur {
		for i, s := range r.slots {
			if s.on && !s.detaching {
				if k >= s.nextCall {
					r.call(i, s, k)
				}
				if k >= s.nextSMS {
					r.text(i, s, k)
				}
			}
			if k < s.next {
				continue
			}
			r.event(i, s, k)
		}
	}
	if k%26 == 0 {
		r.traffic()
	}
	if k%26 == 0 {
		r.progress(k)
	}
	if k%r.every == 0 {
		r.sample(k)
	}
	if r.settling {
		// Detaches under way finish, and the phones come back on.
		for i, s := range r.slots {
			if s.detaching && ((!s.mm.Pending() && r.air.Phone(i).MS.State() == ms.StateIdle) || k >= s.next) {
				if err := r.powerOn(i, k); err != nil {
					return err
				}
			}
		}
	}
	if k >= r.dur && !r.settling {
		r.settling = true
		for i, s := range r.slots {
			if !s.on {
				if err := r.powerOn(i, k); err != nil {
					return err
				}
			}
		}
	}
	if k%26 == 0 && (r.settling || !r.cfg.Soak) && r.settled() {
		return node.ErrStop
	}
	return nil
}

// event moves slot i on in its life at frame k.
func (r *run) event(i int, s *slot, k int64) {
	switch {
	case !s.on:
		if err := r.powerOn(i, k); err != nil {
			s.next = k + frames(time.Minute)
		}
	case s.detaching:
		p := r.air.Phone(i).MS
		if (!s.mm.Pending() && p.State() == ms.StateIdle) || k >= s.next {
			r.powerOff(i, k, 2*time.Minute)
		}
	case r.rng.IntN(2) == 0:
		r.rep.BatteryPulls++
		r.powerOff(i, k, time.Minute)
	default:
		if s.mm.Detach() {
			r.rep.Detaches++
			s.detaching, s.next = true, k+frames(30*time.Second)
			return
		}
		// Not registered or busy: try again later.
		s.next = k + frames(10*time.Second)
	}
}

// after draws the frame of a phone's next call or text, a mean of every
// after k; never when every is 0.
func (r *run) after(every time.Duration, k int64) int64 {
	if every <= 0 {
		return 1 << 62
	}
	return k + max(int64(r.rng.ExpFloat64()*float64(frames(every))), 1)
}

// peer draws another phone that is on and registered, or -1.
func (r *run) peer(i int) int {
	for range 8 {
		j := r.rng.IntN(len(r.slots))
		if t := r.slots[j]; j != i && t.on && !t.detaching && t.mm.Registered() {
			return j
		}
	}
	return -1
}

// msisdn is the number of phone i (Provision).
func msisdn(i int) string { return strconv.Itoa(20000 + i) }

// call has phone i dial another at frame k.
func (r *run) call(i int, s *slot, k int64) {
	s.nextCall = r.after(r.cfg.CallEvery, k)
	j := r.peer(i)
	if j < 0 || !s.mm.Registered() || s.calling {
		return
	}
	if s.h.Dial(msisdn(j), false) {
		r.rep.Traffic.Dialled++
		s.calling, s.connected = true, false
		// Setup (paging the callee, its 3 s of ringing) and the talk.
		s.h.HangupAfter(int(frames(r.cfg.Talk + 15*time.Second)))
	}
}

// text has phone i send a message to another at frame k.
func (r *run) text(i int, s *slot, k int64) {
	s.nextSMS = r.after(r.cfg.SMSEvery, k)
	j := r.peer(i)
	if j < 0 || !s.mm.Registered() {
		return
	}
	if _, err := s.h.Send(msisdn(j), fmt.Sprintf("soak %d to %d at %d", i, j, k), false, uint64(k)); err == nil {
		r.rep.Traffic.SMSSent++
	}
}

// traffic follows the calls placed, and empties the inboxes (counted as
// the messages arrive) so that a long soak's phones do not grow.
func (r *run) traffic() {
	for _, s := range r.slots {
		if !s.on {
			continue
		}
		s.h.Inbox = s.h.Inbox[:0]
		if !s.calling {
			continue
		}
		info := s.h.Info()
		if info.Connected > 0 && !s.connected {
			s.connected = true
			r.rep.Traffic.Connected++
		}
		if info.Ended {
			r.callDone(s)
		}
	}
}

// handsetGone adds the SMS counts of the handset of s, which is being
// switched off or replaced, to the report's.
func (r *run) handsetGone(s *slot) {
	if s.h == nil {
		return
	}
	t := &r.rep.Traffic
	t.SMSAccepted += s.h.Stats.PartsAccepted
	t.SMSFailed += s.h.Stats.PartsRefused + s.h.Stats.PartsGivenUp
	s.h = nil
}

// callDone ends the count of the call phone s placed.
func (r *run) callDone(s *slot) {
	if s.calling {
		s.calling = false
		r.rep.Traffic.CallsEnded++
	}
}

// progress notes the first registrations (the opening storm).
func (r *run) progress(k int64) {
	if r.stormDone {
		return
	}
	all := true
	for i, s := range r.slots {
		if s.firstReg == 0 && s.on {
			if st := r.air.Phone(i).MS.Stats(); st.Registered {
				s.firstReg = max(int64(st.RegisteredFN.Sub(0)), 1)
			}
		}
		all = all && s.firstReg > 0
	}
	if all {
		r.stormDone = true
		var sum int64
		for _, s := range r.slots {
			sum += s.firstReg
			r.rep.StormWorstS = max(r.rep.StormWorstS, (time.Duration(s.firstReg) * frame).Seconds())
		}
		r.rep.StormMeanS = (time.Duration(sum/int64(len(r.slots))) * frame).Seconds()
		r.rep.First = r.sample(k)
	}
}

// settled reports whether every phone is on, registered and idle, and
// no channel is in use.
func (r *run) settled() bool { return r.unsettled() == "" }

// unsettled says what keeps the run from settling, or "".
func (r *run) unsettled() string {
	for i, s := range r.slots {
		if !s.on || s.detaching {
			return fmt.Sprintf("phone %d is off or detaching", i)
		}
		p := r.air.Phone(i).MS
		if !s.mm.Registered() || s.mm.Pending() || p.State() != ms.StateIdle {
			return fmt.Sprintf("phone %d: registered %v, pending %v, %v, best %v, attempts %d, call %+v",
				i, s.mm.Registered(), s.mm.Pending(), p.State(), p.Best(), s.mm.MS.Attempts(), s.h.Info())
		}
		if n := s.h.Outbox(); n > 0 {
			return fmt.Sprintf("phone %d has %d text parts to send", i, n)
		}
		if s.h.Info().Active {
			return fmt.Sprintf("phone %d is in a call", i)
		}
	}
	if n := r.node.Snapshot().Cell.ChannelsInUse; n != 0 {
		return fmt.Sprintf("%d channels in use", n)
	}
	return ""
}

// sample takes and records a sample at frame k.
func (r *run) sample(k int64) Sample {
	snap := r.node.Snapshot()
	runtime.GC()
	s := Sample{AirS: (time.Duration(k) * frame).Seconds(), WallS: time.Since(r.start).Seconds(),
		RSSBytes: rss(), HeapBytes: liveHeap(), Goroutines: runtime.NumGoroutine(),
		ChannelsInUse: snap.Cell.ChannelsInUse, AccessQueue: snap.Cell.Overload.QueueLen, DownQueue: snap.Cell.DownQueue,
		UpQueue: snap.Core.UpQueue, HLRQueue: snap.Core.HLRQueue, Connections: snap.Core.Connections,
		Sessions: len(snap.Core.Sessions), Overload: int(snap.Cell.Overload.Level),
		ActiveCalls: snap.Core.ActiveCalls, SMSQueue: r.node.SMSStats().Queued}
	for i, sl := range r.slots {
		if !sl.on {
			continue
		}
		s.PhonesOn++
		if sl.mm.Registered() {
			s.Registered++
		}
		if st := r.air.Phone(i).MS.State(); st == ms.StateDedicated || st == ms.StateReleasing {
			s.Dedicated++
		}
	}
	r.rep.Samples = append(r.rep.Samples, s)
	if r.cfg.OnSample != nil {
		r.cfg.OnSample(s)
	}
	return s
}

func (r *run) finish() *Report {
	rep := r.rep
	k := int64(r.node.Frames())
	rep.AirS = (time.Duration(k) * frame).Seconds()
	rep.WallS = time.Since(r.start).Seconds()
	rep.Unsettled = r.unsettled()
	rep.Settled = rep.Unsettled == ""
	rep.Last = r.sample(k)
	dedicated := 0
	for i, s := range r.slots {
		if !s.on {
			continue
		}
		if s.mm.Registered() {
			rep.Registered++
		}
		if s.mm.MS.GaveUp() {
			rep.GaveUp++
		}
		if st := r.air.Phone(i).MS.State(); st == ms.StateDedicated || st == ms.StateReleasing || st == ms.StateAccess {
			dedicated++
		}
	}
	snap := r.node.Snapshot()
	rep.LeakedChannels = max(snap.Cell.ChannelsInUse-dedicated, 0)
	rep.Cell, rep.Core, rep.Air = snap.Cell, snap.Core.Stats, r.air.Stats()
	rep.SMS, rep.Calls = r.node.SMSStats(), snap.Core.Calls
	for _, s := range r.slots {
		r.handsetGone(s)
	}
	rep.Accepted = snap.Core.Stats.Outcomes[mm.OutcomeAccepted]
	rep.Detached = snap.Core.Stats.Outcomes[mm.OutcomeDetached]
	return rep
}

// rss returns the process's resident set size (Linux), or 0.
func rss() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(f[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}

// liveHeap returns the bytes of heap objects (after the GC just run).
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
