package trunk

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/core"
	"github.com/gsmbox/gsmbox/gsm/core/media"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

// The trunk against kamailio (registrar and proxy with digest auth, from a
// generated configuration in a temporary directory, on 127.0.0.1).

const (
	trunkUser = "gsmbox"
	trunkPass = "trunkpass"
)

// kamailioCfg is the provider: REGISTER with digest for gsmbox and alice
// (4930200, the far-end phone), INVITEs from gsmbox proxy-authenticated, DIDs
// (555…) sent to the trunk's registered contact with the DID kept in To,
// other numbers to the registered user.
const kamailioCfg = `#!KAMAILIO
debug=2
log_stderror=yes
fork=yes
children=2
listen=udp:127.0.0.1:%d
mpath="%s"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "auth.so"
loadmodule "xlog.so"
modparam("usrloc", "db_mode", 0)
modparam("registrar", "max_expires", 3600)
modparam("registrar", "min_expires", 5)

request_route {
	if (!mf_process_maxfwd_header("10")) { sl_send_reply("483","Too Many Hops"); exit; }
	if (is_method("OPTIONS") && $rU == $null) { sl_send_reply("200", "OK"); exit; }
	force_rport();
	if (has_totag()) {
		if (loose_route()) { t_relay(); exit; }
		if (is_method("ACK")) { if (t_check_trans()) { t_relay(); } exit; }
		t_relay();
		exit;
	}
	if (is_method("CANCEL")) { if (t_check_trans()) { t_relay(); } exit; }
	if (is_method("REGISTER")) {
		if ($fU == "gsmbox") { $var(pw) = "trunkpass"; }
		else if ($fU == "4930200") { $var(pw) = "alicepass"; }
		else { sl_send_reply("403", "Forbidden"); exit; }
		if (!pv_www_authenticate("$td", "$var(pw)", "0")) { www_challenge("$td", "0"); exit; }
		if (!save("location")) { sl_reply_error(); }
		exit;
	}
	if (is_method("INVITE")) {
		record_route();
		if ($fU == "gsmbox") {
			if (!pv_proxy_authenticate("$fd", "trunkpass", "0")) { proxy_challenge("$fd", "0"); exit; }
			consume_credentials();
		}
		if ($rU == "4930486") { sl_send_reply("486", "Busy Here"); exit; }
		if ($rU == "4930503") { sl_send_reply("503", "Service Unavailable"); exit; }
		if ($rU =~ "^555") {
			if (!lookup("location", "sip:gsmbox@127.0.0.1")) { sl_send_reply("480", "Trunk Not Registered"); exit; }
		} else if (!lookup("location")) { sl_send_reply("404", "Not Found"); exit; }
		t_relay();
		exit;
	}
	if (!lookup("location")) { sl_send_reply("404", "Not Found"); exit; }
	t_relay();
}
`

// freePort returns a UDP port on 127.0.0.1 that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// kamailio runs the provider on port until stop (or the test's end).
type kamailio struct {
	t    testing.TB
	port int
	cmd  *exec.Cmd
	log  *testtool.Buffer
}

func startKamailio(t testing.TB, port int) *kamailio {
	t.Helper()
	bin := testtool.Need(t, "kamailio")
	mods := "/usr/lib/x86_64-linux-gnu/kamailio/modules/"
	if m, _ := filepath.Glob("/usr/lib/*/kamailio/modules/tm.so"); len(m) > 0 {
		mods = filepath.Dir(m[0]) + "/"
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "kamailio.cfg")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(kamailioCfg, port, mods)), 0o644); err != nil {
		t.Fatal(err)
	}
	k := &kamailio{t: t, port: port, log: &testtool.Buffer{}}
	// -DD: stay in the foreground (no daemon, no system service); -E:
	// log to stderr; no PID or runtime files outside dir.
	k.cmd = exec.Command(bin, "-f", cfg, "-DD", "-E", "-Y", dir, "-P", filepath.Join(dir, "k.pid"))
	k.cmd.Stdout, k.cmd.Stderr = k.log, k.log
	k.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := k.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(k.stop)
	// Ready when it answers OPTIONS.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if sipPing(port) {
			return k
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("kamailio did not come up:\n%s", k.log.String())
	return nil
}

func (k *kamailio) stop() {
	if k.cmd == nil || k.cmd.Process == nil {
		return
	}
	syscall.Kill(-k.cmd.Process.Pid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { k.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		syscall.Kill(-k.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
	k.cmd = nil
}

// sipPing sends an OPTIONS and reports whether anything answered.
func sipPing(port int) bool {
	c, err := net.Dial("udp4", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return false
	}
	defer c.Close()
	l := c.LocalAddr().String()
	msg := fmt.Sprintf("OPTIONS sip:127.0.0.1:%d SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bKping%d\r\nFrom: <sip:ping@127.0.0.1>;tag=1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: ping%d\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
		port, l, time.Now().UnixNano(), time.Now().UnixNano())
	c.Write([]byte(msg))
	c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	b := make([]byte, 2048)
	n, err := c.Read(b)
	return err == nil && strings.HasPrefix(string(b[:n]), "SIP/2.0 200")
}

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
	cfg := Config{Name: "prov", Registrar: fmt.Sprintf("127.0.0.1:%d", kport), Username: trunkUser, Password: pass,
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
	kport := freePort(t)
	startKamailio(t, kport)
	tm := &testMedia{}
	tr, _ := startTrunk(t, kport, trunkPass, newEvents(), tm, nil)
	s := waitState(t, tr, "registered", 5*time.Second)
	if !s.Reachable || s.Expires.Before(time.Now().Add(30*time.Second)) {
		t.Errorf("status %+v", s)
	}
	if strings.Contains(fmt.Sprintf("%+v", s), trunkPass) {
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
	kport := freePort(t)
	tr, _ := startTrunk(t, kport, trunkPass, newEvents(), &testMedia{}, nil)
	s := waitState(t, tr, "failed", 15*time.Second)
	if !strings.Contains(s.Detail, "trunk prov") {
		t.Errorf("detail %q", s.Detail)
	}
	k := startKamailio(t, kport)
	waitState(t, tr, "registered", 5*time.Second)
	k.stop()
	startKamailio(t, kport)
	waitState(t, tr, "registered", 5*time.Second)
}
