package trunk

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/core"
	"github.com/gsmbox/gsmbox/gsm/core/media"
	"github.com/gsmbox/gsmbox/gsm/core/trunk/trunktest"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

// The trunk against kamailio (registrar and proxy with digest auth, from a
// generated configuration in a temporary directory, on 127.0.0.1).

// events collects what the trunk reports to the core.
type events struct {
	mu  sync.Mutex
	evs []core.TrunkEvent
	ch  chan core.TrunkEvent
}

func newEvents() *events { return &events{ch: make(chan core.TrunkEvent, 64)} }

func (e *events) TrunkEvent(ev core.TrunkEvent) error {
	e.mu.Lock()
	e.evs = append(e.evs, ev)
	e.mu.Unlock()
	select {
	case e.ch <- ev:
	default:
	}
	return nil
}

func (e *events) next(t testing.TB, kind core.TrunkEventKind, within time.Duration) core.TrunkEvent {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case ev := <-e.ch:
			if ev.Kind == kind {
				return ev
			}
		case <-deadline:
			t.Fatalf("no %v event within %v; have %+v", kind, within, e.evs)
		}
	}
}

// testMedia makes media sessions on 127.0.0.1 and counts the open ones.
type testMedia struct {
	mu   sync.Mutex
	open int
}

type countedMedia struct {
	*media.Session
	m    *testMedia
	once sync.Once
}

func (c *countedMedia) Close() error {
	c.once.Do(func() { c.m.mu.Lock(); c.m.open--; c.m.mu.Unlock() })
	return c.Session.Close()
}

func (m *testMedia) New() (Media, error) {
	s, err := media.New(media.Config{Addr: netip.MustParseAddr("127.0.0.1"), PortMin: 40000, PortMax: 40999, Latch: true})
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	m.open++
	m.mu.Unlock()
	return &countedMedia{Session: s, m: m}, nil
}

func (m *testMedia) Open() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.open
}

// startTrunk runs a trunk to the provider on kport.
func startTrunk(t testing.TB, kport int, pass string, ev Events, tm *testMedia, mod func(*Config)) (*Trunk, *Group) {
	t.Helper()
	cfg := Config{Name: "prov", Registrar: fmt.Sprintf("127.0.0.1:%d", kport), Username: trunktest.TrunkUser, Password: pass,
		DIDs: map[string]string{"5551000": "1001", "5551002": "1002"}, Routes: mustRoutes(t, "00", "+", "^4930[0-9]{3}$"),
		Listen: "127.0.0.1:0", Expiry: 60 * time.Second, RetryMin: 200 * time.Millisecond, RetryMax: time.Second,
		NewMedia: tm.New, Log: testLog(t)}
	if mod != nil {
		mod(&cfg)
	}
	tr, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	g := NewGroup(ev, nil, tr)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { g.Serve(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return tr, g
}

func mustRoutes(t testing.TB, rs ...string) []Route {
	var out []Route
	for _, s := range rs {
		r, err := ParseRoute(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func waitState(t testing.TB, tr *Trunk, state string, within time.Duration) Status {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		s := tr.Status()
		if s.State == state {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("trunk state %q (%s), want %q", s.State, s.Detail, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// gsmbox registers with digest authentication; the status says so and
// holds no password; a wrong password fails with an error naming the
// trunk and the response.
func TestKamailioRegister(t *testing.T) {
	testtool.Short(t)
	kport := trunktest.FreePort(t)
	trunktest.StartKamailio(t, kport)
	tm := &testMedia{}
	tr, _ := startTrunk(t, kport, trunktest.TrunkPass, newEvents(), tm, nil)
	s := waitState(t, tr, "registered", 5*time.Second)
	if !s.Reachable || s.Expires.Before(time.Now().Add(30*time.Second)) {
		t.Errorf("status %+v", s)
	}
	if strings.Contains(fmt.Sprintf("%+v", s), trunktest.TrunkPass) {
		t.Error("password in the status")
	}
	bad, _ := startTrunk(t, kport, "wrong-password", newEvents(), tm, func(c *Config) { c.Name = "badprov" })
	s = waitState(t, bad, "failed", 5*time.Second)
	if !strings.Contains(s.Detail, "trunk badprov") || !strings.Contains(s.Detail, "401") {
		t.Errorf("wrong password: detail %q, want the trunk and the 401", s.Detail)
	}
	if strings.Contains(s.Detail, "wrong-password") {
		t.Error("password in the error")
	}
}

// The provider is down when the trunk starts: it backs off and registers
// once the provider is up.
func TestKamailioProviderDownThenBack(t *testing.T) {
	testtool.Short(t)
	testtool.Need(t, "kamailio")
	kport := trunktest.FreePort(t)
	tr, _ := startTrunk(t, kport, trunktest.TrunkPass, newEvents(), &testMedia{}, nil)
	s := waitState(t, tr, "failed", 15*time.Second)
	if !strings.Contains(s.Detail, "trunk prov") {
		t.Errorf("detail %q", s.Detail)
	}
	k := trunktest.StartKamailio(t, kport)
	waitState(t, tr, "registered", 5*time.Second)
	k.Stop()
	trunktest.StartKamailio(t, kport)
	waitState(t, tr, "registered", 5*time.Second)
}

// Over TCP: the trunk registers, and baresip's call to a DID reaches it
// (kamailio opens a connection to the registered Contact).
func TestKamailioTCP(t *testing.T) {
	testtool.Short(t)
	kport := trunktest.FreePort(t)
	trunktest.StartKamailio(t, kport)
	tm := &testMedia{}
	ev := newEvents()
	tr, g := startTrunk(t, kport, trunktest.TrunkPass, ev, tm, func(c *Config) { c.Transport = "tcp" })
	waitState(t, tr, "registered", 5*time.Second)
	b := trunktest.StartBaresip(t, kport, 440, "auto")
	b.Command("dial", fmt.Sprintf("sip:5551000@127.0.0.1:%d", kport))
	in := ev.next(t, core.TrunkIncoming, 5*time.Second)
	g.Hangup(in.Call, 17)
	if m := b.Wait("CALL_CLOSED", 5*time.Second); !strings.Contains(fmt.Sprint(m["param"]), "486") {
		t.Errorf("busy over TCP: %v", m)
	}
	noLeak(t, g, tm)
}
