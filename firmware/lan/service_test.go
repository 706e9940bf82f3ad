package lan_test

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/firmware/clock"
	"github.com/gsmbox/gsmbox/firmware/lan"
	"github.com/gsmbox/gsmbox/firmware/lan/lantest"
	"github.com/gsmbox/gsmbox/firmware/storage/storagetest"
)

var t0 = time.Date(2026, 12, 7, 20, 0, 0, 0, time.UTC)

type rig struct {
	svc     *lan.Service
	clk     *clock.Fake
	link    *lantest.Link
	dhcp    *lantest.DHCP
	ntp     *lantest.NTP
	rtc     *lantest.RTC
	set     *lantest.SetTime
	store   *storagetest.Mem
	mu      sync.Mutex
	changes []lan.Status
	resolv  [][]netip.Addr
	cancel  context.CancelFunc
	done    chan error
}

func newRig(cfg lan.Settings) *rig {
	r := &rig{clk: clock.NewFake(t0), link: &lantest.Link{}, dhcp: &lantest.DHCP{},
		ntp: &lantest.NTP{Offsets: map[string]time.Duration{}}, rtc: &lantest.RTC{Missing: true},
		set: &lantest.SetTime{}, store: storagetest.New()}
	r.svc = &lan.Service{
		Settings: func() lan.Settings { return cfg },
		Link:     r.link, DHCP: r.dhcp, NTP: r.ntp, RTC: r.rtc, SetTime: r.set.Func, Clock: r.clk, Store: r.store,
		WriteResolv: func(d []netip.Addr) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.resolv = append(r.resolv, d)
			return nil
		},
		OnChange: func(s lan.Status) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.changes = append(r.changes, s)
		},
	}
	return r
}

func (r *rig) start() {
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel, r.done = cancel, make(chan error, 1)
	go func() { r.done <- r.svc.Serve(ctx) }()
}

func (r *rig) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("Serve = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
}

// until advances the fake clock in steps of d until cond holds.
func (r *rig) until(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for i := 0; i < 4000; i++ {
		if cond() {
			return
		}
		time.Sleep(200 * time.Microsecond)
		r.clk.Advance(d)
	}
	t.Fatalf("never: %s (status %+v)", what, r.svc.Status())
}

var lease = lan.Lease{
	Addr: netip.MustParsePrefix("10.0.2.15/24"), Gateway: netip.MustParseAddr("10.0.2.2"),
	DNS: []netip.Addr{netip.MustParseAddr("10.0.2.3")}, NTP: []netip.Addr{netip.MustParseAddr("10.0.2.2")},
	Server: netip.MustParseAddr("10.0.2.2"), Duration: time.Hour, Renew: 30 * time.Minute,
}

// The box boots with no DHCP server on the wire, keeps trying with
// back-off, and configures the lease when a server appears.
func TestDHCPRetriesThenBinds(t *testing.T) {
	r := newRig(lan.Settings{Mode: lan.DHCPMode, Interface: "eth0", DNS: []netip.Addr{netip.MustParseAddr("9.9.9.9")}, NTP: []string{"pool.ntp.org"}})
	r.ntp.Offsets["10.0.2.2"] = 0
	r.start()
	defer r.stop(t)
	r.until(t, time.Second, "3 DHCP attempts", func() bool { a, _ := r.dhcp.Counts(); return a >= 3 })
	st := r.svc.Status()
	if st.State != lan.StateWaiting || st.HasAddress() || st.Attempts < 2 || st.Error == "" {
		t.Errorf("offline Status = %+v, want waiting with attempts and an error", st)
	}
	// Back-off: 2+4+8+16+32 s of waiting make 6 attempts at most within
	// 62 s; without back-off there would be far more.
	start := r.clk.Now()
	a0, _ := r.dhcp.Counts()
	r.until(t, time.Second, "a minute offline", func() bool { return r.clk.Now().Sub(start) >= time.Minute })
	if a, _ := r.dhcp.Counts(); a-a0 > 6 {
		t.Errorf("%d DHCP attempts in a minute: no back-off", a-a0)
	}

	r.dhcp.SetOnline(&lease)
	r.until(t, time.Second, "bound", func() bool { return r.svc.Status().State == lan.StateBound })
	if a, gw := r.link.Get(); a != lease.Addr || gw != lease.Gateway {
		t.Errorf("link = %v via %v, want %v via %v", a, gw, lease.Addr, lease.Gateway)
	}
	st = r.svc.Status()
	if st.Address != "10.0.2.15/24" || st.IP() != "10.0.2.15" || st.Gateway != "10.0.2.2" || strings.Join(st.DNS, " ") != "10.0.2.3 9.9.9.9" {
		t.Errorf("bound Status = %+v", st)
	}
	r.mu.Lock()
	if len(r.changes) == 0 || r.changes[len(r.changes)-1].Address != "10.0.2.15/24" {
		t.Errorf("OnChange saw %+v, want the address", r.changes)
	}
	if len(r.resolv) == 0 || len(r.resolv[len(r.resolv)-1]) != 2 {
		t.Errorf("resolv.conf written with %v, want the lease's and the configured server", r.resolv)
	}
	r.mu.Unlock()
	// NTP: the lease's server first, and it answered.
	r.until(t, time.Second, "NTP synced", func() bool { return r.svc.Status().Clock.Source == "ntp" })
	if q := r.ntp.Queries(); q[0] != "10.0.2.2" {
		t.Errorf("NTP asked %v first, want the lease's 10.0.2.2", q)
	}
}

// A lease that cannot be renewed is dropped when it expires, and the box
// goes back to asking.
func TestDHCPRenewAndExpiry(t *testing.T) {
	r := newRig(lan.Settings{Mode: lan.DHCPMode, Interface: "eth0"})
	l := lease
	l.Duration, l.Renew = 2*time.Minute, time.Minute
	r.dhcp.SetOnline(&l)
	r.start()
	defer r.stop(t)
	r.until(t, time.Second, "bound", func() bool { return r.svc.Status().State == lan.StateBound })
	r.until(t, time.Second, "renewed", func() bool { _, n := r.dhcp.Counts(); return n >= 1 })
	if st := r.svc.Status(); st.State != lan.StateBound {
		t.Fatalf("after renewal Status = %+v, want bound", st)
	}
	r.dhcp.SetOnline(nil)
	r.until(t, time.Second, "lease lost", func() bool { return r.svc.Status().State == lan.StateWaiting })
	if a, _ := r.link.Get(); a.IsValid() || r.link.Flushes == 0 {
		t.Errorf("after expiry link address = %v (%d flushes), want flushed", a, r.link.Flushes)
	}
	r.mu.Lock()
	last := r.changes[len(r.changes)-1]
	r.mu.Unlock()
	if last.HasAddress() {
		t.Errorf("OnChange last saw %+v, want no address", last)
	}
	r.dhcp.SetOnline(&l)
	r.until(t, time.Second, "bound again", func() bool { return r.svc.Status().State == lan.StateBound })
}

func TestStatic(t *testing.T) {
	r := newRig(lan.Settings{Mode: lan.StaticMode, Interface: "eth0", Address: netip.MustParsePrefix("192.168.1.20/24"),
		Gateway: netip.MustParseAddr("192.168.1.1"), DNS: []netip.Addr{netip.MustParseAddr("192.168.1.1")}})
	r.start()
	defer r.stop(t)
	r.until(t, time.Second, "static", func() bool { return r.svc.Status().State == lan.StateStatic })
	if a, _ := r.link.Get(); a.String() != "192.168.1.20/24" {
		t.Errorf("link = %v", a)
	}
	if a, _ := r.dhcp.Counts(); a != 0 {
		t.Errorf("static mode asked DHCP %d times", a)
	}
	if l := r.svc.Status().Line(); l != "eth0 static 192.168.1.20/24 via 192.168.1.1, DNS 192.168.1.1" {
		t.Errorf("Line() = %q", l)
	}
}

func TestNoInterfaceRetries(t *testing.T) {
	r := newRig(lan.Settings{Mode: lan.DHCPMode, Interface: "eth9"})
	r.link.UpErr = errors.New("Link not found")
	r.start()
	defer r.stop(t)
	r.until(t, time.Second, "retried", func() bool { return r.link.UpCalls() >= 3 })
	if st := r.svc.Status(); st.State != lan.StateNoLink || !strings.Contains(st.Error, "Link not found") {
		t.Errorf("Status = %+v, want no interface with the error", st)
	}
}

// The clock at start is the latest of system, RTC and last-known; NTP
// never takes it below the last-known time; the last-known time is
// saved.
func TestWallClock(t *testing.T) {
	lastKnown := t0.Add(48 * time.Hour)

	t.Run("last-known ahead of a clockless board", func(t *testing.T) {
		r := newRig(lan.Settings{Mode: lan.OffMode})
		r.store.WriteFile(lan.LastKnownFile, []byte(lastKnown.Format(time.RFC3339Nano)+"\n"))
		r.start()
		r.until(t, time.Second, "clock set", func() bool { return len(r.set.Times()) > 0 })
		r.stop(t)
		if got := r.set.Times()[0]; !got.Equal(lastKnown) {
			t.Errorf("SetTime(%v), want the last-known %v", got, lastKnown)
		}
		if st := r.svc.Status(); st.Clock.Source != "last-known" || st.State != lan.StateOff {
			t.Errorf("Status = %+v, want off, clock from last-known", st)
		}
		if r.link.Flushes != 1 || r.link.UpCalls() != 0 {
			t.Errorf("mode off: %d flushes, %d ups; want the old address flushed, nothing up", r.link.Flushes, r.link.UpCalls())
		}
	})

	t.Run("RTC ahead", func(t *testing.T) {
		r := newRig(lan.Settings{Mode: lan.OffMode})
		r.rtc.Missing, r.rtc.T = false, t0.Add(time.Hour)
		r.start()
		r.until(t, time.Second, "clock set", func() bool { return len(r.set.Times()) > 0 })
		r.stop(t)
		if got := r.set.Times()[0]; !got.Equal(t0.Add(time.Hour)) || r.svc.Status().Clock.Source != "rtc" {
			t.Errorf("SetTime(%v) source %q, want the RTC's", got, r.svc.Status().Clock.Source)
		}
		// Stopping saved the last-known time.
		b, err := r.store.ReadFile(lan.LastKnownFile)
		if err != nil || !strings.HasPrefix(string(b), "2026-12-07T21:") {
			t.Errorf("last-known file = %q, %v; want the RTC's time", b, err)
		}
	})

	t.Run("NTP before the last-known time is refused", func(t *testing.T) {
		r := newRig(lan.Settings{Mode: lan.StaticMode, Interface: "eth0", Address: netip.MustParsePrefix("192.168.1.20/24"), NTP: []string{"liar"}})
		r.store.WriteFile(lan.LastKnownFile, []byte(lastKnown.Format(time.RFC3339Nano)))
		// The fake clock cannot be set: it reads t0, 48 h behind the
		// last-known time, so a server saying "t0 + 1h" is a liar.
		r.ntp.Offsets["liar"] = time.Hour
		r.start()
		r.until(t, time.Second, "NTP asked", func() bool { return len(r.ntp.Queries()) > 0 && r.svc.Status().Clock.Error != "" })
		r.stop(t)
		for _, s := range r.set.Times() {
			if s.Before(lastKnown) {
				t.Errorf("SetTime(%v): below the last-known %v", s, lastKnown)
			}
		}
		if st := r.svc.Status(); st.Clock.Source == "ntp" || !strings.Contains(st.Clock.Error, "last-known") {
			t.Errorf("Clock = %+v, want the answer refused", st.Clock)
		}
	})

	t.Run("NTP sets the clock and the RTC", func(t *testing.T) {
		r := newRig(lan.Settings{Mode: lan.StaticMode, Interface: "eth0", Address: netip.MustParsePrefix("192.168.1.20/24"), NTP: []string{"down", "good"}})
		r.rtc.Missing = false
		r.ntp.Offsets["good"] = 10 * time.Minute
		r.start()
		r.until(t, time.Second, "NTP synced", func() bool { return r.svc.Status().Clock.Source == "ntp" })
		r.stop(t)
		st := r.svc.Status()
		if st.Clock.Server != "good" || st.Clock.Offset != 10*time.Minute {
			t.Errorf("Clock = %+v, want good at +10m", st.Clock)
		}
		ts := r.set.Times()
		if len(ts) == 0 || ts[len(ts)-1].Sub(t0) < 10*time.Minute {
			t.Errorf("SetTime calls %v, want about t0+10m", ts)
		}
		if r.rtc.Get().Sub(t0) < 10*time.Minute {
			t.Errorf("RTC = %v, want set to the NTP time", r.rtc.Get())
		}
	})

	t.Run("no servers", func(t *testing.T) {
		r := newRig(lan.Settings{Mode: lan.StaticMode, Interface: "eth0", Address: netip.MustParsePrefix("192.168.1.20/24")})
		r.start()
		r.until(t, time.Second, "NTP error", func() bool { return r.svc.Status().Clock.Error != "" })
		r.stop(t)
		if st := r.svc.Status(); !strings.Contains(st.Clock.Error, "no NTP server") || st.Clock.Source != "system" {
			t.Errorf("Clock = %+v", st.Clock)
		}
	})
}

func TestWriteResolvConf(t *testing.T) {
	p := filepath.Join(t.TempDir(), "resolv.conf")
	if err := lan.WriteResolvConf(p, []netip.Addr{netip.MustParseAddr("10.0.2.3"), netip.MustParseAddr("9.9.9.9")}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	if !strings.Contains(string(b), "nameserver 10.0.2.3\nnameserver 9.9.9.9\n") {
		t.Errorf("resolv.conf = %q", b)
	}
}
