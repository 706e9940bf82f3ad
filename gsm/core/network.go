package core

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/rsl"
)

// Clock is the core's time: firmware/clock.Clock satisfies it (the real
// clock on a board, a fake one in tests). The core's timers (MM's T3250,
// T3260, T3270, the guard) are deadlines against it.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives the time once d has passed.
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Queue lengths.
const (
	// DefaultUpQueue is the default length of the queue from the cells.
	DefaultUpQueue = 1024
	// DefaultHLRQueue is the default length of the registry's request
	// queue (lookups and writes).
	DefaultHLRQueue = 256
	// DefaultInbox is the default length of the queue of commands from
	// other goroutines (Page).
	DefaultInbox = 64
	// tickEvery is how often Serve runs the timers with no event coming.
	tickEvery = 20 * time.Millisecond
	// MaxPending is how much mobile-terminated work may wait for one
	// subscriber; more is refused and counted.
	MaxPending = 8
	// DefaultPageTimeout is how long mobile-terminated work waits for the
	// paging response (the network's T3113, TS 44.018 §3.3.2.1, with
	// room for the MS's access attempts).
	DefaultPageTimeout = 10 * time.Second
)

// Config sets up the network above any number of cells.
type Config struct {
	// MM is the mobility management configuration: the LAI, ciphers,
	// network names. (One location area for the whole network.)
	MM mm.Config
	// HLR answers MM's lookups and takes its updates, on a worker
	// goroutine (or inside Step with SyncHLR): NewHLR over the local
	// registry, or any other Subscribers.
	HLR Subscribers
	// Rand supplies authentication challenges; nil means crypto/rand.
	Rand io.Reader
	// Clock is what Serve reads and waits on; nil means the system clock.
	// Step takes the time from its caller instead.
	Clock Clock
	// Up is the queue the cells send their events into; nil makes one of
	// UpQueue items (see Up).
	Up      *rsl.Queue[rsl.Up]
	UpQueue int
	// HLRQueue is the length of the registry's request queue; 0 means
	// DefaultHLRQueue. A full queue drops the request and counts it (a
	// lookup then runs into MM's guard timer).
	HLRQueue int
	// SyncHLR runs the registry's requests inside Step, on the caller's
	// goroutine, in order: deterministic, for the simulator and tests
	// that drive the core in virtual time. Without it Serve runs them
	// on a worker goroutine, so no registry write (fsync) or network
	// round trip holds up the core or the cells.
	SyncHLR bool
	// PageTimeout is how long mobile-terminated work waits for the MS to
	// answer paging; 0 means DefaultPageTimeout.
	PageTimeout time.Duration
	// OnResult, when not nil, is called with the outcome of every
	// connection when it ends, on the core's goroutine with its state
	// locked: it must not block, nor call Snapshot (Page is fine).
	OnResult func(mm.Result)
	// SMS sets up the SMSC (sms.go); without a Store no SMS is served.
	SMS SMSConfig
	// USSD answers USSD requests (ussd.go); nil serves none.
	USSD USSDService
	// Log receives connection events; nil discards them.
	Log *slog.Logger
	// Calls sets up the switch (switch.go).
	Calls CallConfig
}

// Stats counts connections and their outcomes.
type Stats struct {
	Connections  uint64
	Outcomes     map[mm.Outcome]uint64
	CommitFails  uint64
	ChanRequired uint64 // channel requests the cells reported
	Events       uint64 // upward events handled
	StaleEvents  uint64 // events for no known connection
	DownDropped  uint64 // requests a cell's queue had no room for
	HLRDropped   uint64 // registry requests the queue had no room for
	Lookups      uint64 // registry lookups answered
	Commits      uint64 // registry writes made
	MeasResults  uint64
	Pages        uint64 // paging commands sent (per cell)
	PageRefused  uint64 // mobile-terminated work refused: MaxPending reached
	PageExpired  uint64 // mobile-terminated work the MS never answered for
	Unserved     uint64 // CC and SMS messages answered as not served
}

// Network is the core: RR's dedicated procedures, MM and the registry
// above the cells, reached through the rsl seam. One goroutine drives it,
// either Serve (real time) or Step (virtual time); Snapshot and Page may
// be called from any goroutine.
type Network struct {
	cfg   Config
	log   *slog.Logger
	rand  io.Reader
	clock Clock
	up    *rsl.Queue[rsl.Up]
	hlrq  chan hlrJob
	hlra  chan hlrDone
	inbox chan command
	// trunkq carries the trunk's events (trunk.go).
	trunkq chan TrunkEvent
	sms    *smsCentre // nil: SMS not served
	// ussdNotes are network-initiated USSD texts waiting for their
	// subscriber (ussd.go), on the core's goroutine.
	ussdNotes map[string][]string

	mu       sync.Mutex // guards everything below against Snapshot
	cells    map[rsl.CellID]*rsl.Queue[rsl.Down]
	conns    map[connKey]*conn
	order    []*conn // the connections in the order they opened: timers run in it, for determinism
	sessions map[string]*Session
	// signals are the phones' last-known radio links (signal.go).
	signals map[string]Signal
	stats   Stats
	now     time.Time
	sw      switchboard // calls (switch.go)
}

// connKey names a dedicated channel across cells.
type connKey struct {
	cell rsl.CellID
	ch   l1.Chan
}

// New checks cfg and returns a Network with no cells.
func New(cfg Config) (*Network, error) {
	if cfg.HLR == nil {
		return nil, fmt.Errorf("%w: no HLR", ErrConfig)
	}
	if err := cfg.MM.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if cfg.MM.Keys == nil && cfg.MM.AuthEvery != 1 {
		// The keys of recent authentications, for connections that
		// present their CKSN (mm.KeyCache): in memory, this core's.
		cfg.MM.Keys = mm.NewKeyCache()
	}
	n := &Network{cfg: cfg, log: cfg.Log, rand: cfg.Rand, clock: cfg.Clock, up: cfg.Up,
		stats: Stats{Outcomes: map[mm.Outcome]uint64{}},
		cells: map[rsl.CellID]*rsl.Queue[rsl.Down]{}, conns: map[connKey]*conn{}, sessions: map[string]*Session{}}
	if n.log == nil {
		n.log = slog.New(slog.DiscardHandler)
	}
	if n.rand == nil {
		n.rand = rand.Reader
	}
	if n.clock == nil {
		n.clock = realClock{}
	}
	if n.up == nil {
		n.up = rsl.NewQueue[rsl.Up](orInt(cfg.UpQueue, DefaultUpQueue))
	}
	hq := orInt(cfg.HLRQueue, DefaultHLRQueue)
	n.hlrq = make(chan hlrJob, hq)
	n.hlra = make(chan hlrDone, hq)
	n.inbox = make(chan command, DefaultInbox)
	n.trunkq = make(chan TrunkEvent, DefaultTrunkQueue)
	if err := n.initSMS(); err != nil {
		return nil, fmt.Errorf("%w: SMS store: %w", ErrConfig, err)
	}
	return n, nil
}

func orInt(v, d int) int {
	if v > 0 {
		return v
	}
	return d
}

// Up returns the queue the cells send their events into (bts.Config.Up).
func (n *Network) Up() *rsl.Queue[rsl.Up] { return n.up }

// AddCell connects a cell: id is its bts.Config.ID, down its request
// queue (bts.Cell.Down). Call it before the core runs, or from its
// goroutine.
func (n *Network) AddCell(id rsl.CellID, down *rsl.Queue[rsl.Down]) {
	n.mu.Lock()
	n.cells[id] = down
	n.mu.Unlock()
}

// Step handles every event waiting from the cells and the registry, and
// runs the timers at now. The simulator calls it once per TDMA frame (or
// as often as it likes) with virtual time; it never blocks, except that
// with SyncHLR the registry's requests run inside it.
func (n *Network) Step(now time.Time) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.now = now
	for range n.up.Len() {
		u, ok := n.up.Get()
		if !ok {
			break
		}
		n.event(&u)
	}
	n.commands()
	n.trunkEvents()
	n.answers()
	if n.cfg.SyncHLR {
		// Each answer may ask a further question; the queue is bounded,
		// so this ends.
		for len(n.hlrq) > 0 {
			j := <-n.hlrq
			n.answer(runJob(n.cfg.HLR, j))
		}
		n.smsSync()
	}
	n.smsDones()
	n.timers()
}

// Serve runs the core on its clock until ctx ends: events from the cells
// and answers from the registry as they come, the timers at least every
// 20 ms, and the registry on a worker goroutine of its own (unless
// SyncHLR).
func (n *Network) Serve(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if !n.cfg.SyncHLR {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n.serveHLR(ctx)
		}()
		if n.sms != nil {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n.serveSMS(ctx)
			}()
		}
	}
	tick := n.clock.After(tickEvery)
	for {
		select {
		case <-ctx.Done():
			return nil
		case u := <-n.up.C():
			n.mu.Lock()
			n.now = n.clock.Now()
			n.event(&u)
			n.mu.Unlock()
		case d := <-n.hlra:
			n.mu.Lock()
			n.now = n.clock.Now()
			n.answer(d)
			n.mu.Unlock()
		case c := <-n.inbox:
			n.mu.Lock()
			n.now = n.clock.Now()
			n.command(c)
			n.mu.Unlock()
		case ev := <-n.trunkq:
			n.mu.Lock()
			n.now = n.clock.Now()
			n.trunkEvent(ev)
			n.mu.Unlock()
		case f := <-n.smsDone():
			n.mu.Lock()
			n.now = n.clock.Now()
			f()
			n.mu.Unlock()
		case <-tick:
			tick = n.clock.After(tickEvery)
		}
		n.Step(n.clock.Now())
	}
}

// serveHLR runs the registry's requests in order until ctx ends; then it
// makes the writes still queued (so that an accepted location update is
// not lost at shutdown) and drops the lookups.
func (n *Network) serveHLR(ctx context.Context) {
	defer n.drainWrites()
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-n.hlrq:
			d := runJob(n.cfg.HLR, j)
			select {
			case n.hlra <- d:
			case <-ctx.Done():
				return
			}
		}
	}
}

// drainWrites makes the registry writes still queued.
func (n *Network) drainWrites() {
	for {
		select {
		case j := <-n.hlrq:
			if j.commit || j.cdr != nil {
				runJob(n.cfg.HLR, j)
			}
		default:
			return
		}
	}
}

// answers handles the registry's answers that have arrived.
func (n *Network) answers() {
	for {
		select {
		case d := <-n.hlra:
			n.answer(d)
		default:
			return
		}
	}
}

// hlrPut queues a registry request; a full queue drops it and counts.
func (n *Network) hlrPut(j hlrJob) bool {
	select {
	case n.hlrq <- j:
		return true
	default:
		n.stats.HLRDropped++
		return false
	}
}

func (n *Network) answer(d hlrDone) {
	if d.isCDR {
		n.sw.stats.CDRs++
		if d.err != nil {
			n.sw.stats.CDRFails++
			n.log.Error("call detail record not written", "err", d.err)
		}
		return
	}
	if d.isDir {
		n.dirAnswer(d)
		return
	}
	if d.commit {
		n.stats.Commits++
		if d.err != nil {
			n.stats.CommitFails++
			n.log.Error("registry update failed", "err", d.err)
		}
		return
	}
	n.stats.Lookups++
	c := n.conns[d.key]
	if c == nil || c.ref != d.ref {
		return // the connection ended meanwhile
	}
	c.actions(c.mm.Answer(n.now, d.answer))
}

// down sends a request to a cell; a full queue drops it and counts.
func (n *Network) down(r rsl.Down) {
	q := n.cells[r.Cell]
	if q == nil || !q.Put(r) {
		n.stats.DownDropped++
	}
}

// event handles one upward event.
func (n *Network) event(u *rsl.Up) {
	n.stats.Events++
	if n.activated(u) {
		return
	}
	key := connKey{u.Cell, u.Chan}
	c := n.conns[key]
	if c != nil && c.ref != u.Ref {
		if int32(u.Ref-c.ref) < 0 {
			// An event of an earlier activation, late.
			n.stats.StaleEvents++
			return
		}
		// A new activation of the channel: the old one is over.
		n.end(c)
		c = nil
	}
	switch u.Kind {
	case rsl.ChanRequired:
		n.stats.ChanRequired++
		n.noteIA(u)
		return
	case rsl.MeasResult:
		n.stats.MeasResults++
		if c != nil {
			n.measured(c, u)
		}
		return
	case rsl.EstablishInd:
		if u.SAPI == 0 && c == nil {
			c = n.open(key, u.Ref)
		}
	}
	if c == nil {
		if u.Kind != rsl.ChanReleased && u.Kind != rsl.ConnFailure && u.Kind != rsl.ReleaseInd {
			// (A channel whose MS never established SAPI 0 ends
			// with these; nothing is stale about them.)
			n.stats.StaleEvents++
		}
		return
	}
	c.event(u)
}

// open starts the connection of a channel whose MS has established SAPI 0.
func (n *Network) open(key connKey, ref uint32) *conn {
	n.stats.Connections++
	c := &conn{net: n, key: key, ref: ref,
		log: n.log.With("cell", key.cell, "chan", key.ch.String()),
		mm:  mm.NewConn(&n.cfg.MM, nil, n.rand)}
	n.conns[key] = c
	n.order = append(n.order, c)
	return c
}

// end retires a connection: its result is counted and reported, and its
// subscriber's session forgets it.
func (n *Network) end(c *conn) {
	if n.conns[c.key] == c {
		delete(n.conns, c.key)
	}
	if i := slices.Index(n.order, c); i >= 0 {
		n.order = slices.Delete(n.order, i, i+1)
	}
	if c.ended {
		return
	}
	c.ended = true
	c.ccEnd()
	if !c.mm.Done() {
		c.mm.Lost(n.now)
	}
	r := c.mm.Result()
	c.log.Info("connection ended", "procedure", r.Procedure, "outcome", r.Outcome, "imsi", r.IMSI, "cause", r.Cause, "authenticated", r.Authenticated, "cipher", r.Cipher, "ciphered", r.Ciphered)
	n.stats.Outcomes[r.Outcome]++
	n.smsEnded(c, r)
	if s := n.sessions[c.imsi]; s != nil && s.conn == c {
		s.conn = nil
		s.Cell, s.Chan, s.Procedure, s.State = 0, l1.Chan{}, "", "idle"
		s.Last = r
		if len(s.Pending) == 0 {
			delete(n.sessions, c.imsi)
		}
	}
	if n.cfg.OnResult != nil {
		n.cfg.OnResult(r)
	}
}

// timers runs MM's timers of every connection, and expires
// mobile-terminated work nobody answered the paging for.
func (n *Network) timers() {
	for i := 0; i < len(n.order); i++ {
		c := n.order[i]
		if d, ok := c.mm.Deadline(); ok && !n.now.Before(d) {
			c.actions(c.mm.Tick(n.now))
		}
	}
	n.callTimers()
	n.smsTimers()
	n.ussdTimers()
	wait := n.cfg.PageTimeout
	if wait <= 0 {
		wait = DefaultPageTimeout
	}
	for imsi, s := range n.sessions {
		if len(s.Pending) == 0 || s.conn != nil {
			continue
		}
		keep := s.Pending[:0]
		for _, r := range s.Pending {
			if n.now.Sub(r.At) < wait {
				keep = append(keep, r)
				continue
			}
			n.stats.PageExpired++
			n.log.Info("paging not answered", "imsi", imsi, "what", r.What)
		}
		s.Pending = keep
		if len(keep) == 0 {
			delete(n.sessions, imsi)
		}
	}
}

// Stats returns a copy of the counters. Call it from the core's
// goroutine, or use Snapshot.
func (n *Network) Stats() Stats {
	s := n.stats
	s.Outcomes = make(map[mm.Outcome]uint64, len(n.stats.Outcomes))
	for k, v := range n.stats.Outcomes {
		s.Outcomes[k] = v
	}
	return s
}

// Session is what is in progress for one subscriber: the connection it
// is on, if any, and mobile-terminated work waiting for it to answer
// paging.
type Session struct {
	IMSI      string
	Cell      rsl.CellID
	Chan      l1.Chan
	Procedure string
	State     string
	Since     time.Time
	// Pending is mobile-terminated work waiting for the paging response
	// (the SMS and calls issues fill it).
	Pending []MTRequest
	// Last is the result of the subscriber's last connection.
	Last mm.Result
	// Signal is the connection's radio link (zero At: not measured yet).
	Signal Signal

	conn *conn
}

// MTRequest is one piece of mobile-terminated work for a subscriber.
type MTRequest struct {
	IMSI string
	// TMSI, unless mm.NoTMSI, is the identity to page with (TS 23.003
	// §2.4: a TMSI rather than the IMSI when the MS has one).
	TMSI uint32
	// What says what waits (for logs): "sms", "call", "page".
	What string
	At   time.Time
}

// Snapshot is a consistent copy of the core's counters and sessions.
type Snapshot struct {
	Stats       Stats
	Cells       int
	Connections int
	Sessions    []Session
	UpQueue     int    // events waiting
	UpDropped   uint64 // events the cells could not queue
	HLRQueue    int    // registry requests waiting
	Calls       CallStats
	ActiveCalls int // calls set up or in progress
	// Signals are the phones' last-known radio links by IMSI, connected
	// now or not (at most 4096, the oldest forgotten first).
	Signals map[string]Signal
}

// Snapshot returns a copy of the counters and the session table; it is
// safe to call from any goroutine.
func (n *Network) Snapshot() Snapshot {
	n.mu.Lock()
	defer n.mu.Unlock()
	s := Snapshot{Stats: n.Stats(), Cells: len(n.cells), Connections: len(n.conns),
		UpQueue: n.up.Len(), UpDropped: n.up.Dropped(), HLRQueue: len(n.hlrq),
		Calls: n.sw.stats, ActiveCalls: len(n.sw.calls)}
	s.Signals = make(map[string]Signal, len(n.signals))
	for k, v := range n.signals {
		s.Signals[k] = v
	}
	for _, v := range n.sessions {
		c := *v
		if v.conn != nil {
			c.Signal = v.conn.signal
		}
		c.conn = nil
		c.Pending = append([]MTRequest(nil), v.Pending...)
		s.Sessions = append(s.Sessions, c)
	}
	return s
}

// command is a request from another goroutine, through the inbox.
type command struct {
	page MTRequest
	fn   func() // run on the core's goroutine (operator commands)
}

// ErrInboxFull is returned when the core's inbox has no room.
var ErrInboxFull = fmt.Errorf("core: inbox full")

// Page asks the core to page a subscriber for mobile-terminated work r:
// r waits in the subscriber's session, and every cell pages the MS (TS
// 44.018 §3.3.2). Safe from any goroutine; it never blocks.
func (n *Network) Page(r MTRequest) error {
	select {
	case n.inbox <- command{page: r}:
		return nil
	default:
		return ErrInboxFull
	}
}

func (n *Network) commands() {
	for {
		select {
		case c := <-n.inbox:
			n.command(c)
		default:
			return
		}
	}
}

func (n *Network) command(c command) {
	if c.fn != nil {
		c.fn()
		return
	}
	r := c.page
	if r.IMSI == "" {
		return
	}
	if r.At.IsZero() {
		r.At = n.now
	}
	s := n.session(r.IMSI)
	if len(s.Pending) >= MaxPending {
		n.stats.PageRefused++
		return
	}
	s.Pending = append(s.Pending, r)
	id := l3.IMSI(r.IMSI)
	if r.TMSI != mm.NoTMSI && r.TMSI != 0 {
		id = l3.TMSI(r.TMSI)
	}
	buf := make([]byte, id.MarshalSize())
	k, err := id.MarshalTo(buf)
	if err != nil {
		n.log.Info("cannot page", "imsi", r.IMSI, "err", err)
		return
	}
	for cell := range n.cells {
		n.down(rsl.Down{Kind: rsl.PagingCmd, Cell: cell, Msg: buf[:k], IMSI: r.IMSI, Cause: uint8(chanNeeded(r.What))})
		n.stats.Pages++
	}
}

// chanNeeded is the channel a page for what asks the MS to request (TS
// 44.018 §10.5.2.8, Paging Request): a TCH/F for a call, so that the
// cell can put the answer straight on a traffic channel (very early
// assignment; its signalling then runs on the FACCH/F), an SDCCH for
// everything else (SMS, USSD), which completes there with SAPI 3.
func chanNeeded(what string) rr.ChanNeeded {
	if what == "call" {
		return rr.NeedTCHF
	}
	return rr.NeedSDCCH
}

// session returns the subscriber's session, made if needed.
func (n *Network) session(imsi string) *Session {
	s := n.sessions[imsi]
	if s == nil {
		s = &Session{IMSI: imsi, State: "idle", Since: n.now}
		n.sessions[imsi] = s
	}
	return s
}
