package lan

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/gsmbox/gsmbox/firmware/clock"
	"github.com/gsmbox/gsmbox/firmware/storage"
)

// LastKnownFile is the data partition's file with the last-known wall
// time (RFC 3339), written every SaveInterval and when the service stops.
const LastKnownFile = "clock.last"

// Service brings the Ethernet up and keeps it and the wall clock right:
// a supervisor service ("net"). The supervisor restarts it when [net]
// changes; each Serve reads Settings afresh.
type Service struct {
	// Settings returns [net] in force.
	Settings func() Settings
	Link     Link
	// DHCP gets leases (mode "dhcp"); nil leaves the box without one.
	DHCP DHCP
	// NTP asks time servers; nil keeps the clock as the RTC or the
	// last-known time left it.
	NTP NTP
	// RTC is the board's real-time clock; nil: none.
	RTC RTC
	// SetTime sets the system's wall clock; nil: the clock is not set
	// (not PID 1).
	SetTime func(time.Time) error
	// Clock is the wall clock read and the timer of every wait.
	Clock clock.Clock
	// Store keeps the last-known time (the data partition); nil: none.
	Store storage.Store
	// WriteResolv writes the name servers (/etc/resolv.conf); nil: not
	// written.
	WriteResolv func([]netip.Addr) error
	Log         *slog.Logger
	// OnChange is called, on the service's goroutine, whenever the
	// address is gained, changed or lost. It must not block.
	OnChange func(Status)

	// RetryMin and RetryMax bound the DHCP back-off (0: 2 s and 5 min);
	// NTPInterval is the time between synchronizations (0: 1 h; retries
	// back off from RetryMin up to it); SaveInterval is how often the
	// last-known time is persisted (0: 10 min).
	RetryMin, RetryMax, NTPInterval, SaveInterval time.Duration

	mu       sync.Mutex
	st       Status
	last     time.Time // the last-known time: the clock never goes below it
	lastSave time.Time
	clockSet sync.Once
	kick     chan struct{}
	leaseNTP []netip.Addr
}

// Name is the supervisor's name for the service.
func (s *Service) Name() string { return "net" }

// Status returns the network's and the clock's state now.
func (s *Service) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.st
	st.DNS = slices.Clone(st.DNS)
	return st
}

func (s *Service) defaults() {
	if s.RetryMin == 0 {
		s.RetryMin = 2 * time.Second
	}
	if s.RetryMax == 0 {
		s.RetryMax = 5 * time.Minute
	}
	if s.NTPInterval == 0 {
		s.NTPInterval = time.Hour
	}
	if s.SaveInterval == 0 {
		s.SaveInterval = 10 * time.Minute
	}
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
}

// Serve runs until ctx ends: the clock first (the RTC, the last-known
// time), then the interface by Settings' mode, with SNTP once there is an
// address. It returns nil at ctx's end; it retries failures itself.
func (s *Service) Serve(ctx context.Context) error {
	s.defaults()
	cfg := s.Settings()
	s.mu.Lock()
	s.kick = make(chan struct{}, 1)
	s.st = Status{Interface: cfg.Interface, Mode: cfg.Mode, State: StateStarting, Clock: s.st.Clock}
	s.mu.Unlock()
	s.clockSet.Do(s.initClock)

	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); s.clockLoop(ctx, cfg) }()
	defer wg.Wait()

	if cfg.Mode == OffMode {
		// An address from before (dhcp or static, then "off" applied)
		// goes: off means loopback only.
		s.Link.Flush(cfg.Interface)
		s.update(func(st *Status) { st.State = StateOff })
		<-ctx.Done()
		return nil
	}
	if !s.up(ctx, cfg.Interface) {
		return nil
	}
	if cfg.Mode == StaticMode {
		s.static(ctx, cfg)
		return nil
	}
	s.dhcp(ctx, cfg)
	return nil
}

// up brings the interface up, retrying with back-off; false at ctx's end.
func (s *Service) up(ctx context.Context, iface string) bool {
	b := s.backoff()
	for {
		err := s.Link.Up(iface)
		if err == nil {
			return true
		}
		s.update(func(st *Status) { st.State, st.Error = StateNoLink, err.Error() })
		s.Log.Warn("network interface not up", "interface", iface, "err", err)
		if !s.sleep(ctx, b()) {
			return false
		}
	}
}

func (s *Service) static(ctx context.Context, cfg Settings) {
	b := s.backoff()
	for {
		err := s.Link.Configure(cfg.Interface, cfg.Address, cfg.Gateway)
		if err == nil {
			s.resolv(cfg.DNS)
			s.bound(StateStatic, cfg.Address, cfg.Gateway, cfg.DNS, time.Time{})
			<-ctx.Done()
			return
		}
		s.update(func(st *Status) { st.State, st.Error = StateNoLink, err.Error() })
		s.Log.Warn("static address not set", "interface", cfg.Interface, "address", cfg.Address, "err", err)
		if !s.sleep(ctx, b()) {
			return
		}
	}
}

// dhcp acquires a lease, retrying with back-off, renews it at T1 and
// starts over when it expires (RFC 2131 §4.4.5).
func (s *Service) dhcp(ctx context.Context, cfg Settings) {
	if s.DHCP == nil {
		s.update(func(st *Status) { st.State, st.Error = StateWaiting, "this build has no DHCP client" })
		<-ctx.Done()
		return
	}
	s.update(func(st *Status) { st.State = StateWaiting })
	for ctx.Err() == nil {
		l, ok := s.acquire(ctx, cfg.Interface)
		if !ok {
			return
		}
		if !s.hold(ctx, cfg, l) {
			return
		}
	}
}

func (s *Service) acquire(ctx context.Context, iface string) (Lease, bool) {
	b := s.backoff()
	for {
		l, err := s.DHCP.Acquire(ctx, iface)
		if err == nil && !l.Addr.IsValid() {
			err = ErrNoLease
		}
		if err == nil {
			return l, true
		}
		if ctx.Err() != nil {
			return Lease{}, false
		}
		wait := b()
		s.update(func(st *Status) { st.State, st.Error = StateWaiting, err.Error(); st.Attempts++ })
		s.Log.Info("no DHCP lease yet; the box works offline meanwhile", "interface", iface, "err", err, "retry_in", wait)
		if !s.sleep(ctx, wait) {
			return Lease{}, false
		}
	}
}

// hold configures l and keeps it renewed; it returns true when the lease
// is lost (to acquire again) and false at ctx's end.
func (s *Service) hold(ctx context.Context, cfg Settings, l Lease) bool {
	var have netip.Prefix
	for {
		now := s.Clock.Now()
		expiry := now.Add(l.Duration)
		if l.Addr != have {
			if err := s.Link.Configure(cfg.Interface, l.Addr, l.Gateway); err != nil {
				s.update(func(st *Status) { st.Error = err.Error() })
				s.Log.Warn("leased address not set", "address", l.Addr, "err", err)
				return s.sleep(ctx, s.RetryMin)
			}
			have = l.Addr
		}
		dns := mergeDNS(l.DNS, cfg.DNS)
		s.resolv(dns)
		s.mu.Lock()
		s.leaseNTP = l.NTP
		s.mu.Unlock()
		s.bound(StateBound, l.Addr, l.Gateway, dns, expiry)
		s.Log.Info("DHCP lease", "interface", cfg.Interface, "address", l.Addr, "gateway", l.Gateway, "server", l.Server, "lease", l.Duration)

		renew := l.Renew
		if renew <= 0 || renew >= l.Duration {
			renew = l.Duration / 2
		}
		b := s.backoff()
		for wait := renew; ; {
			if !s.sleep(ctx, wait) {
				return false
			}
			nl, err := s.DHCP.Renew(ctx, cfg.Interface, l)
			if err == nil && nl.Addr.IsValid() {
				l = nl
				break
			}
			left := expiry.Sub(s.Clock.Now())
			if left <= 0 {
				s.Log.Warn("DHCP lease expired", "interface", cfg.Interface, "address", l.Addr)
				s.Link.Flush(cfg.Interface)
				s.update(func(st *Status) {
					st.State, st.Address, st.Gateway, st.DNS, st.LeaseUntil, st.Attempts = StateWaiting, "", "", nil, time.Time{}, 0
				})
				s.changed()
				return true
			}
			wait = min(b(), max(left/2, time.Second))
			s.Log.Info("DHCP renewal failed; retrying before the lease ends", "err", err, "retry_in", wait, "lease_left", left)
		}
	}
}

func mergeDNS(a, b []netip.Addr) []netip.Addr {
	var out []netip.Addr
	for _, d := range append(slices.Clone(a), b...) {
		if !slices.Contains(out, d) && len(out) < 3 {
			out = append(out, d)
		}
	}
	return out
}

func (s *Service) resolv(dns []netip.Addr) {
	if s.WriteResolv == nil {
		return
	}
	if err := s.WriteResolv(dns); err != nil {
		s.Log.Warn("resolv.conf not written", "err", err)
	}
}

// bound records an address and tells OnChange and the clock loop.
func (s *Service) bound(state string, addr netip.Prefix, gw netip.Addr, dns []netip.Addr, until time.Time) {
	changed := false
	s.update(func(st *Status) {
		a := addr.String()
		changed = st.Address != a || st.State != state
		st.State, st.Address, st.Error, st.Attempts, st.LeaseUntil = state, a, "", 0, until
		st.Gateway = ""
		if gw.IsValid() {
			st.Gateway = gw.String()
		}
		st.DNS = st.DNS[:0]
		for _, d := range dns {
			st.DNS = append(st.DNS, d.String())
		}
	})
	if changed {
		s.Log.Info("network up", "interface", s.Status().Interface, "state", state, "address", addr)
		s.changed()
	}
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

func (s *Service) changed() {
	if s.OnChange != nil {
		s.OnChange(s.Status())
	}
}

func (s *Service) update(f func(*Status)) {
	s.mu.Lock()
	f(&s.st)
	s.mu.Unlock()
}

// backoff returns successive waits: RetryMin, doubling, capped at RetryMax.
func (s *Service) backoff() func() time.Duration {
	next := s.RetryMin
	return func() time.Duration {
		d := next
		next = min(next*2, s.RetryMax)
		return d
	}
}

// sleep waits d on the clock; false when ctx ended first.
func (s *Service) sleep(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-s.Clock.After(d):
		return true
	}
}

var errNoServers = errors.New("no NTP server: none configured and none from DHCP")
