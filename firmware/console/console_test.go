package console

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"github.com/gsmbox/gsmbox/tools/testtool"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/lan"
	"github.com/gsmbox/gsmbox/firmware/logbuf"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/gsm/core"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/core/registry/registrytest"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/mm"
)

const testPassword = "correct horse battery"

// Key material the tests provision; none of it may come back out.
const (
	testKi  = "000102030405060708090A0B0C0D0E0F"
	testOPc = "F0E0D0C0B0A090807060504030201000"
)

type fixture struct {
	t      *testing.T
	srv    *Server
	base   string
	reg    *registry.Registry
	ring   *logbuf.Ring
	logBuf *testtool.Buffer
	hist   *History
	cs     *FileConfig
	mu     sync.Mutex
	now    time.Time
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

func newFixture(t *testing.T, password bool, mut func(*Config)) *fixture {
	t.Helper()
	f := &fixture{t: t, now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), logBuf: &testtool.Buffer{}, ring: logbuf.New(500)}
	reg, err := registry.New(registry.Config{Store: registrytest.NewStore()})
	if err != nil {
		t.Fatal(err)
	}
	f.reg = reg
	board, _ := boards.Lookup("sim")
	cfg := config.Default()
	f.cs, err = NewFileConfig(t.TempDir(), board, cfg, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	f.hist = NewHistory(100)
	log := slog.New(logbuf.NewHandler(f.ring, f.logBuf, slog.LevelDebug))
	state := t.TempDir()
	if password {
		c, err := OpenCredentials(state)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.SetPassword(testPassword, f.now); err != nil {
			t.Fatal(err)
		}
	}
	c := Config{
		Host: Host{Version: "test", Board: "sim", Started: f.now,
			Snapshot: func() node.Snapshot { return node.Snapshot{Running: true, FN: 1234, Frames: 99} },
			Registry: func() *registry.Registry { return f.reg }, Config: f.cs, Logs: f.ring, History: f.hist},
		StateDir: state, Addr: "127.0.0.1:0", Log: log,
		Now: func() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now },
	}
	if mut != nil {
		mut(&c)
	}
	f.srv, err = New(c)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	<-f.srv.Ready()
	f.base = "https://" + f.srv.Addr().String()
	return f
}

// client returns a browser-like client with its own cookie jar.
func (f *fixture) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 20 * time.Second,
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type resp struct {
	code int
	body string
	hdr  http.Header
}

func (f *fixture) do(c *http.Client, method, path string, body any, hdr map[string]string) resp {
	f.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, f.base+path, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	r, err := c.Do(req)
	if err != nil {
		f.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return resp{r.StatusCode, string(b), r.Header}
}

// login logs c in and returns the CSRF token.
func (f *fixture) login(c *http.Client) string {
	f.t.Helper()
	r := f.do(c, "POST", "/api/login", map[string]string{"password": testPassword}, nil)
	if r.code != 200 {
		f.t.Fatalf("login = %d %s", r.code, r.body)
	}
	var out struct{ CSRF string }
	json.Unmarshal([]byte(r.body), &out)
	return out.CSRF
}

func TestNothingOpenWithoutCredential(t *testing.T) {
	f := newFixture(t, false, nil)
	c := f.client()
	r := f.do(c, "GET", "/", nil, nil)
	if r.code != 200 || !strings.Contains(r.body, "console_password") || !strings.Contains(r.body, "gsmbox console passwd") {
		t.Errorf("GET / without a credential = %d, want the setup page naming how to set one:\n%s", r.code, r.body)
	}
	if !strings.Contains(r.body, f.srv.Fingerprint()) {
		t.Error("setup page lacks the certificate fingerprint")
	}
	for _, p := range []string{"/api/status", "/api/subscribers", "/api/config", "/api/logs", "/metrics"} {
		if r := f.do(c, "GET", p, nil, nil); r.code != http.StatusUnauthorized {
			t.Errorf("GET %s without a credential = %d, want 401", p, r.code)
		}
	}
	if r := f.do(c, "POST", "/api/login", map[string]string{"password": ""}, nil); r.code != http.StatusUnauthorized {
		t.Errorf("login with no credential set = %d, want 401", r.code)
	}
	if r := f.do(c, "GET", "/api/setup", nil, nil); r.code != 200 || !strings.Contains(r.body, `"password_set": false`) {
		t.Errorf("GET /api/setup = %d %s", r.code, r.body)
	}
}

func TestAPIRejects(t *testing.T) {
	f := newFixture(t, true, func(c *Config) { c.SessionIdle = time.Minute })
	c := f.client()
	// No credentials.
	if r := f.do(c, "GET", "/api/status", nil, nil); r.code != 401 {
		t.Errorf("no credentials: %d, want 401", r.code)
	}
	if r := f.do(c, "GET", "/api/status", nil, map[string]string{"Authorization": "Bearer gsmbox_nope_nope"}); r.code != 401 {
		t.Errorf("unknown token: %d, want 401", r.code)
	}
	// Wrong password.
	if r := f.do(c, "POST", "/api/login", map[string]string{"password": "wrong password!"}, nil); r.code != 401 {
		t.Errorf("wrong password: %d, want 401", r.code)
	}
	if r := f.do(c, "GET", "/", nil, nil); r.code != http.StatusSeeOther || r.hdr.Get("Location") != "/login" {
		t.Errorf("GET / logged out = %d %s, want a redirect to /login", r.code, r.hdr.Get("Location"))
	}
	csrf := f.login(c)
	u, _ := http.NewRequest("GET", f.base, nil)
	for _, ck := range c.Jar.Cookies(u.URL) {
		if ck.Name != cookieName {
			t.Errorf("unexpected cookie %s", ck.Name)
		}
	}
	if r := f.do(c, "GET", "/api/status", nil, nil); r.code != 200 {
		t.Fatalf("logged in: %d %s", r.code, r.body)
	}
	// Cross-site POST, and a POST without the CSRF token.
	sub := map[string]any{"imsi": "001010000000001"}
	if r := f.do(c, "POST", "/api/subscribers", sub, map[string]string{"X-CSRF-Token": csrf, "Origin": "https://evil.example"}); r.code != 403 {
		t.Errorf("cross-site POST (Origin): %d, want 403", r.code)
	}
	if r := f.do(c, "POST", "/api/subscribers", sub, map[string]string{"X-CSRF-Token": csrf, "Sec-Fetch-Site": "cross-site"}); r.code != 403 {
		t.Errorf("cross-site POST (Sec-Fetch-Site): %d, want 403", r.code)
	}
	if r := f.do(c, "POST", "/api/subscribers", sub, nil); r.code != 403 {
		t.Errorf("POST without CSRF token: %d, want 403", r.code)
	}
	if r := f.do(c, "POST", "/login", "password="+testPassword, map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Origin": "https://evil.example"}); r.code != 403 {
		t.Errorf("cross-site login form: %d, want 403", r.code)
	}
	if r := f.do(c, "POST", "/api/subscribers", sub, map[string]string{"X-CSRF-Token": csrf, "Origin": f.base}); r.code != 200 {
		t.Errorf("same-site POST with CSRF token: %d %s, want 200", r.code, r.body)
	}
	// Expired session.
	f.advance(2 * time.Minute)
	if r := f.do(c, "GET", "/api/status", nil, nil); r.code != 401 {
		t.Errorf("expired session: %d, want 401", r.code)
	}
	// Tokens and scopes.
	csrf = f.login(c)
	var tok struct{ Token string }
	r := f.do(c, "POST", "/api/tokens", map[string]any{"name": "prometheus", "scopes": []string{"metrics"}}, map[string]string{"X-CSRF-Token": csrf})
	if r.code != 200 {
		t.Fatalf("make token: %d %s", r.code, r.body)
	}
	json.Unmarshal([]byte(r.body), &tok)
	bare := f.client()
	auth := map[string]string{"Authorization": "Bearer " + tok.Token}
	if r := f.do(bare, "GET", "/metrics", nil, auth); r.code != 200 {
		t.Errorf("metrics token on /metrics: %d", r.code)
	}
	if r := f.do(bare, "GET", "/api/status", nil, auth); r.code != 403 {
		t.Errorf("metrics-only token on /api/status: %d, want 403", r.code)
	}
	if r := f.do(bare, "POST", "/api/subscribers", sub, auth); r.code != 403 {
		t.Errorf("metrics-only token POST: %d, want 403", r.code)
	}
	if r := f.do(bare, "GET", "/metrics", nil, nil); r.code != 401 {
		t.Errorf("/metrics without auth (not opened): %d, want 401", r.code)
	}
	r = f.do(c, "POST", "/api/tokens", map[string]any{"name": "script", "scopes": []string{"read"}}, map[string]string{"X-CSRF-Token": csrf})
	json.Unmarshal([]byte(r.body), &tok)
	auth = map[string]string{"Authorization": "Bearer " + tok.Token}
	if r := f.do(bare, "GET", "/api/status", nil, auth); r.code != 200 {
		t.Errorf("read token on /api/status: %d", r.code)
	}
	if r := f.do(bare, "DELETE", "/api/subscribers/001010000000001", nil, auth); r.code != 403 {
		t.Errorf("read token DELETE: %d, want 403", r.code)
	}
	// Logging out ends the session.
	f.do(c, "POST", "/api/logout", nil, map[string]string{"X-CSRF-Token": csrf})
	if r := f.do(c, "GET", "/api/status", nil, nil); r.code != 401 {
		t.Errorf("after logout: %d, want 401", r.code)
	}
	// The audit log has who did what.
	entries := f.srv.audit.recent(100)
	var saw []string
	for _, e := range entries {
		saw = append(saw, e.Who+" "+e.Action)
	}
	for _, want := range []string{"admin subscriber.add", "admin token.create", "admin login"} {
		if !strings.Contains(strings.Join(saw, "\n"), want) {
			t.Errorf("audit log lacks %q: %v", want, saw)
		}
	}
}

func TestMetricsOpenByChoice(t *testing.T) {
	f := newFixture(t, true, func(c *Config) { c.MetricsOpen = true })
	r := f.do(f.client(), "GET", "/metrics", nil, nil)
	if r.code != 200 {
		t.Fatalf("/metrics with MetricsOpen: %d", r.code)
	}
	checkExposition(t, r.body)
}

func checkExposition(t *testing.T, text string) {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("exposition does not parse: %v\n%s", err, text)
	}
	for _, want := range []string{"gsmbox_cell_on_air", "gsmbox_cell_frames_total", "gsmbox_rach_access_bursts_total", "gsmbox_mm_results_total", "gsmbox_subscribers"} {
		if fams[want] == nil {
			t.Errorf("metric %s missing", want)
		}
	}
	if v := fams["gsmbox_cell_frames_total"].GetMetric()[0].GetCounter().GetValue(); v != 99 {
		t.Errorf("gsmbox_cell_frames_total = %v, want 99 (the snapshot's)", v)
	}
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("GSMBOX_REQUIRE_TOOLS") == "1" {
			t.Fatal("promtool not installed (Debian package prometheus)")
		}
		t.Log("promtool not installed; skipping promtool check metrics")
		return
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

func TestSubscribersAndNoKeyMaterial(t *testing.T) {
	f := newFixture(t, true, func(c *Config) { c.MetricsOpen = true })
	c := f.client()
	csrf := f.login(c)
	h := map[string]string{"X-CSRF-Token": csrf}
	// The same validation as the CSV import: bad fields with their reasons.
	r := f.do(c, "POST", "/api/subscribers", map[string]any{"imsi": "12", "ki": "zz", "algorithm": "comp128v3"}, h)
	if r.code != 422 || !strings.Contains(r.body, "imsi") || !strings.Contains(r.body, "Ki") || strings.Contains(r.body, "line 2") {
		t.Errorf("bad subscriber: %d %s", r.code, r.body)
	}
	r = f.do(c, "POST", "/api/subscribers", map[string]any{"imsi": "001010000000042", "msisdn": "4242", "name": "Ana", "algorithm": "milenage", "ki": testKi, "opc": testOPc}, h)
	if r.code != 200 {
		t.Fatalf("add: %d %s", r.code, r.body)
	}
	s, err := f.reg.Get("001010000000042")
	if err != nil || !s.HasKey() {
		t.Fatalf("registry after add: %+v %v", s, err)
	}
	if r := f.do(c, "POST", "/api/subscribers", map[string]any{"imsi": "001010000000042"}, h); r.code != 422 {
		t.Errorf("adding an existing IMSI: %d, want 422", r.code)
	}
	r = f.do(c, "PUT", "/api/subscribers/001010000000042", map[string]any{"name": "Ana B", "barred": true}, h)
	if r.code != 200 {
		t.Fatalf("edit: %d %s", r.code, r.body)
	}
	if s, _ := f.reg.Get("001010000000042"); s.Name != "Ana B" || !s.Barred || !s.HasKey() || s.MSISDN != "4242" {
		t.Errorf("after edit: name %q barred %v key %v msisdn %q", s.Name, s.Barred, s.HasKey(), s.MSISDN)
	}
	r = f.do(c, "POST", "/api/subscribers.csv", "imsi,msisdn,algorithm,ki\n001010000000043,4343,comp128v3,"+testKi+"\n", h)
	if r.code != 200 {
		t.Fatalf("import: %d %s", r.code, r.body)
	}
	r = f.do(c, "POST", "/api/subscribers.csv", "imsi,msisdn\n001010000000044,4343\nnot-an-imsi,1\n", h)
	if r.code != 422 || !strings.Contains(r.body, "line 3") {
		t.Errorf("bad import: %d %s, want the bad line named", r.code, r.body)
	}
	if r := f.do(c, "GET", "/api/subscribers?q=ana", nil, nil); !strings.Contains(r.body, "001010000000042") || strings.Contains(r.body, "001010000000043") {
		t.Errorf("search: %s", r.body)
	}
	f.hist.Record(mm.Result{IMSI: "001010000000042", Outcome: mm.OutcomeRejected, Cause: 11})

	// Everything the console can say, from every endpoint and page.
	var all strings.Builder
	for _, p := range []string{"/", "/phones", "/subscribers", "/radio", "/config", "/logs", "/security", "/messages", "/calls",
		"/api/status", "/api/phones", "/api/radio", "/api/subscribers", "/api/subscribers.csv", "/api/config", "/api/logs", "/api/logs.txt",
		"/api/audit", "/api/tokens", "/api/sms", "/api/calls", "/metrics", "/api/setup"} {
		r := f.do(c, "GET", p, nil, nil)
		if r.code >= 500 && r.code != 501 {
			t.Errorf("GET %s = %d", p, r.code)
		}
		all.WriteString(r.body)
	}
	all.WriteString(f.logBuf.String())
	all.WriteString(strings.Join(f.ring.Lines(), "\n"))
	b, _ := os.ReadFile(filepath.Join(f.srv.cfg.StateDir, AuditFile))
	all.Write(b)
	text := all.String()
	for _, secret := range []string{testKi, strings.ToLower(testKi), testOPc, strings.ToLower(testOPc), testPassword} {
		if strings.Contains(text, secret) {
			t.Errorf("key material %q appears in a response, page, log or metric", secret)
		}
	}
	if !strings.Contains(text, "Roaming not allowed") && !strings.Contains(text, "#11") && !strings.Contains(text, "roaming") {
		t.Errorf("phones history lacks the reject cause")
	}
	if r := f.do(c, "GET", "/api/sms", nil, nil); r.code != 501 || !strings.Contains(r.body, "not available in this build") {
		t.Errorf("/api/sms = %d %s", r.code, r.body)
	}
	if r := f.do(c, "DELETE", "/api/subscribers/001010000000042", nil, h); r.code != 200 {
		t.Errorf("remove: %d %s", r.code, r.body)
	}
	if _, err := f.reg.Get("001010000000042"); err == nil {
		t.Error("removed subscriber still there")
	}
}

func TestConfigValidateApplyRevert(t *testing.T) {
	f := newFixture(t, true, nil)
	var restarts []int
	f.cs.Restart = func(c *config.Config) error { restarts = append(restarts, c.Cell.ARFCN); return nil }
	c := f.client()
	h := map[string]string{"X-CSRF-Token": f.login(c)}
	text, _ := f.cs.Running()
	bad := strings.Replace(string(text), "arfcn = 62", "arfcn = 9999", 1)
	if bad == string(text) {
		t.Fatalf("no arfcn line in:\n%s", text)
	}
	line := 0
	for i, l := range strings.Split(bad, "\n") {
		if strings.Contains(l, "arfcn = 9999") {
			line = i + 1
		}
	}
	for _, ep := range []string{"/api/config/validate", "/api/config/apply"} {
		r := f.do(c, "POST", ep, map[string]string{"text": bad}, h)
		if r.code != 422 || !strings.Contains(r.body, fmt.Sprintf(`"line": %d`, line)) || !strings.Contains(r.body, "cell.arfcn") {
			t.Errorf("%s with a bad ARFCN = %d %s, want the problem on line %d", ep, r.code, r.body, line)
		}
	}
	if len(restarts) != 0 {
		t.Fatalf("a bad configuration restarted the cell")
	}
	good := strings.Replace(string(text), "arfcn = 62", "arfcn = 70", 1)
	if r := f.do(c, "POST", "/api/config/apply", map[string]string{"text": good}, h); r.code != 200 || !strings.Contains(r.body, "cell.arfcn") {
		t.Fatalf("apply = %d %s", r.code, r.body)
	}
	if f.cs.Current().Cell.ARFCN != 70 {
		t.Errorf("ARFCN after apply = %d", f.cs.Current().Cell.ARFCN)
	}
	if b, _ := os.ReadFile(filepath.Join(f.cs.Dir, ConfigFile)); string(b) != good {
		t.Error("gsmbox.toml on disk is not the applied text")
	}
	if r := f.do(c, "POST", "/api/config/revert", nil, h); r.code != 200 {
		t.Fatalf("revert = %d %s", r.code, r.body)
	}
	if f.cs.Current().Cell.ARFCN != 62 || fmt.Sprint(restarts) != "[70 62]" {
		t.Errorf("after revert: ARFCN %d, restarts %v", f.cs.Current().Cell.ARFCN, restarts)
	}
}

func TestHostileHTTP(t *testing.T) {
	f := newFixture(t, true, func(c *Config) { c.LoginRate, c.LoginBurst = 5, 5 })
	c := f.client()
	h := map[string]string{"X-CSRF-Token": f.login(c)}
	// Oversized and malformed bodies.
	big := `{"text":"` + strings.Repeat("a", 2<<20) + `"}`
	if r := f.do(c, "POST", "/api/config/validate", big, h); r.code != 413 {
		t.Errorf("oversized config: %d, want 413", r.code)
	}
	if r := f.do(c, "POST", "/api/subscribers", `{"imsi":`, h); r.code != 400 {
		t.Errorf("malformed JSON: %d, want 400", r.code)
	}
	if r := f.do(c, "POST", "/api/subscribers", `{"imsi":"1","bogus":1}`, h); r.code != 400 {
		t.Errorf("unknown field: %d, want 400", r.code)
	}
	if r := f.do(c, "POST", "/api/subscribers", `{"imsi":"1"} {}`, h); r.code != 400 {
		t.Errorf("trailing JSON: %d, want 400", r.code)
	}
	// Path traversal never leaves the embedded assets.
	for _, p := range []string{"/static/../" + AuthFile, "/static/..%2f" + AuthFile, "/static/%2e%2e/%2e%2e/etc/passwd", "/static/../../console-key.pem"} {
		r := f.do(c, "GET", p, nil, nil)
		if strings.Contains(r.body, "scrypt") || strings.Contains(r.body, "PRIVATE KEY") || strings.Contains(r.body, "root:") {
			t.Errorf("GET %s leaked a file: %d", p, r.code)
		}
	}
	// A login flood is limited and the console stays responsive.
	flood := f.client()
	var limited int
	for range 30 {
		r := f.do(flood, "POST", "/api/login", map[string]string{"password": "not the password"}, nil)
		if r.code == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited == 0 {
		t.Error("30 wrong logins were never rate-limited")
	}
	start := time.Now()
	if r := f.do(c, "GET", "/api/status", nil, nil); r.code != 200 || time.Since(start) > 2*time.Second {
		t.Errorf("after a login flood: %d in %v", r.code, time.Since(start))
	}
	// Slowloris: a client that never finishes its headers is cut off,
	// and others are served meanwhile.
	conn, err := tls.Dial("tcp", f.srv.Addr().String(), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /api/status HTTP/1.1\r\nHost: x\r\nX-Slow: ")
	if r := f.do(c, "GET", "/api/status", nil, nil); r.code != 200 {
		t.Errorf("while a slow client holds a connection: %d", r.code)
	}
	conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	start = time.Now()
	io.Copy(io.Discard, conn)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("slow header client held on for %v; want it cut by ReadHeaderTimeout", d)
	}
	// Oversized headers.
	req, _ := http.NewRequest("GET", f.base+"/api/status", nil)
	req.Header.Set("X-Big", strings.Repeat("b", 64<<10))
	if r, err := c.Do(req); err == nil {
		if r.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("64 KiB header: %d, want 431", r.StatusCode)
		}
		r.Body.Close()
	}
}

func TestUnixSocketIsLocalAdmin(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "c.sock")
	f := newFixture(t, false, func(c *Config) { c.Socket = sock })
	fi, err := os.Stat(sock)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket: %v %v", fi, err)
	}
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}}
	r, err := hc.Get("http://local/api/status")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 200 || !strings.Contains(string(b), `"on_air": true`) {
		t.Errorf("local socket status: %d %s", r.StatusCode, b)
	}
	_ = f
}

func TestPasswordFromAnotherProcess(t *testing.T) {
	f := newFixture(t, false, nil)
	if r := f.do(f.client(), "POST", "/api/login", map[string]string{"password": testPassword}, nil); r.code != 401 {
		t.Fatalf("login before a password is set: %d", r.code)
	}
	// gsmbox console passwd writes the file while the console runs.
	other, _ := OpenCredentials(f.srv.cfg.StateDir)
	if err := other.SetPassword(testPassword, time.Now()); err != nil {
		t.Fatal(err)
	}
	f.login(f.client())
}

func TestSeveralListenAddresses(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	second := ln.Addr().String()
	ln.Close()
	f := newFixture(t, true, func(c *Config) { c.MoreAddrs = []string{second} })
	c := f.client()
	f.login(c)
	f.base = "https://" + second
	if r := f.do(c, "GET", "/api/setup", nil, nil); r.code != 200 {
		t.Errorf("second address: %d", r.code)
	}
}

func TestPasswordRules(t *testing.T) {
	for _, pw := range []string{"", "short", strings.Repeat("a", 20), strings.Repeat("x", MaxPassword+1), "has\x00control!"} {
		if CheckPasswordText(pw) == nil {
			t.Errorf("CheckPasswordText(%q) = nil, want an error", pw)
		}
	}
	c, _ := OpenCredentials(t.TempDir())
	if err := c.SetPassword(testPassword, time.Now()); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(c.path)
	if strings.Contains(string(b), testPassword) {
		t.Error("the credential file holds the password")
	}
	c2, _ := OpenCredentials(filepath.Dir(c.path))
	if !c2.CheckPassword(testPassword) || c2.CheckPassword(testPassword+"x") {
		t.Error("the stored hash does not check the password")
	}
}

// A subscriber registry restored from a backup shows on the overview
// (the API's status, which the overview page renders), with what was
// lost; an intact one shows nothing.
func TestStatusShowsDataRestored(t *testing.T) {
	const report = "subscribers.db was damaged; restored the backup of 2026-12-07 17:00; changes since are lost"
	for _, restored := range []bool{false, true} {
		f := newFixture(t, true, func(c *Config) {
			if restored {
				c.Host.DataRestored = func() string { return report }
			}
		})
		c := f.client()
		f.login(c)
		r := f.do(c, "GET", "/api/status", nil, nil)
		if r.code != 200 {
			t.Fatalf("status: %d %s", r.code, r.body)
		}
		var st struct {
			DataRestored string `json:"data_restored"`
		}
		if err := json.Unmarshal([]byte(r.body), &st); err != nil {
			t.Fatal(err)
		}
		want := ""
		if restored {
			want = report
		}
		if st.DataRestored != want {
			t.Errorf("restored %v: data_restored = %q, want %q", restored, st.DataRestored, want)
		}
	}
}

// The overview shows the box's address, the console's URLs on it and
// the wall clock's source; without a managed network, null.
func TestStatusShowsNetwork(t *testing.T) {
	for _, managed := range []bool{false, true} {
		f := newFixture(t, true, func(c *Config) {
			if managed {
				c.Host.Net = func() lan.Status {
					return lan.Status{Interface: "eth0", Mode: "dhcp", State: lan.StateBound, Address: "10.0.2.15/24", Gateway: "10.0.2.2",
						Clock: lan.Clock{Source: "ntp", Server: "10.0.2.2"}}
				}
			}
		})
		c := f.client()
		f.login(c)
		r := f.do(c, "GET", "/api/status", nil, nil)
		var st Status
		if err := json.Unmarshal([]byte(r.body), &st); err != nil {
			t.Fatal(err)
		}
		if !managed {
			if st.Net != nil || st.ConsoleURLs != nil {
				t.Errorf("unmanaged: net = %+v, urls %q; want null", st.Net, st.ConsoleURLs)
			}
			continue
		}
		if st.Net == nil || st.Net.Address != "10.0.2.15/24" || st.Net.Clock.Source != "ntp" || len(st.ConsoleURLs) != 1 || !strings.HasPrefix(st.ConsoleURLs[0], "https://") {
			t.Errorf("net = %+v, urls %q", st.Net, st.ConsoleURLs)
		}
	}
}

// Per-phone signal and per-channel-type uplink measurements come from
// the snapshot: /api/phones gives each connection's and each attached
// phone's level, quality and distance (TA × 553.5 m), /api/radio and
// /metrics the uplink level and BLER per channel type, with units, and
// promtool accepts the exposition.
func TestSignalAndUplinkMeasurements(t *testing.T) {
	const imsi = "001010000001234"
	at := time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)
	sig := core.Signal{At: at, UplinkDBm: -71.25, TA: 3, MSPower: 5, Report: true, RxLev: 45, RxQual: 1}
	snap := node.Snapshot{Running: true, FN: 1234, Frames: 99}
	snap.Cell.UplinkByClass[l1.MeasSDCCH] = l1.ChannelMeas{Blocks: 200, BadBlocks: 4, LevelDBm: -72.5, BLER: 0.02, Levels: 200}
	snap.Cell.UplinkByClass[l1.MeasRACH] = l1.ChannelMeas{Blocks: 10, BadBlocks: 10, BLER: 1}
	snap.Core.Sessions = []core.Session{{IMSI: imsi, Chan: l1.Chan{Kind: l1.ChanSDCCH4, Sub: 1}, Procedure: "location update", State: "connected", Since: at, Signal: sig}}
	snap.Core.Signals = map[string]core.Signal{imsi: sig}
	f := newFixture(t, true, func(c *Config) {
		c.Host.Snapshot = func() node.Snapshot { return snap }
		c.MetricsOpen = true
	})
	c := f.client()
	f.login(c)

	var phones struct {
		Sessions []Session `json:"sessions"`
	}
	r := f.do(c, "GET", "/api/phones", nil, nil)
	if err := json.Unmarshal([]byte(r.body), &phones); err != nil || len(phones.Sessions) != 1 {
		t.Fatalf("/api/phones = %s (%v)", r.body, err)
	}
	s := phones.Sessions[0].Signal
	if s == nil || s.UplinkDBm != -71.3 && s.UplinkDBm != -71.2 || s.DownlinkDBm == nil || *s.DownlinkDBm != -65 || s.RxQual == nil || *s.RxQual != 1 || s.TA != 3 || s.DistanceM != 1660.5 {
		t.Errorf("session signal = %+v", s)
	}

	var radio Radio
	r = f.do(c, "GET", "/api/radio", nil, nil)
	if err := json.Unmarshal([]byte(r.body), &radio); err != nil || len(radio.Uplink) != 4 {
		t.Fatalf("/api/radio = %s (%v)", r.body, err)
	}
	sd, rach, tch := radio.Uplink[0], radio.Uplink[3], radio.Uplink[2]
	if sd.Channel != "SDCCH" || sd.RxLevDBm == nil || *sd.RxLevDBm != -72.5 || sd.BLER == nil || *sd.BLER != 0.02 || sd.BadBlocks != 4 {
		t.Errorf("SDCCH uplink = %+v", sd)
	}
	if rach.Channel != "RACH" || rach.RxLevDBm != nil || rach.BLER == nil || *rach.BLER != 1 {
		t.Errorf("RACH uplink = %+v, want BLER 1 and no level", rach)
	}
	if tch.RxLevDBm != nil || tch.BLER != nil {
		t.Errorf("TCH uplink = %+v, want n/a before any block", tch)
	}

	r = f.do(&http.Client{Transport: c.Transport}, "GET", "/metrics", nil, nil)
	for _, want := range []string{
		`gsmbox_uplink_rxlev_dbm{channel="sdcch"} -72.5`,
		`gsmbox_uplink_bler_ratio{channel="sdcch"} 0.02`,
		`gsmbox_uplink_channel_bad_blocks_total{channel="rach"} 10`,
		`gsmbox_uplink_channel_blocks_total{channel="tch"} 0`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(r.body, `gsmbox_uplink_rxlev_dbm{channel="tch"}`) {
		t.Error("/metrics has a TCH level before any TCH block")
	}
	checkExposition(t, r.body)
}

// On a board with a USB radio the sample stream's counters and
// throughput are in /api/status, /api/radio and /metrics (promtool-clean
// names with their units); on the simulated air they are absent.
func TestStreamStats(t *testing.T) {
	radio := &node.RadioSnapshot{Frontend: "lime-usb", Chain: "limesdr-mini", Up: true, Starts: 2, OpenFailures: 1,
		Stream:        lime.Stats{RXPackets: 5000, TXPackets: 5100, RXLost: 3, Late: 2, Underruns: 1, Overruns: 4, Unplugs: 1, Healthy: true},
		RXBytesPerSec: 4.35e6, TXBytesPerSec: 4.34e6,
		Interlock: rf.InterlockStatus{State: rf.TXOn, TotalTrips: 2, LastTrip: rf.TripStreamLost},
		Cal:       &node.TXCalStatus{OK: true, ARFCN: 62, LeakBeforeDBc: -14.1, LeakAfterDBc: -58.2, ImageBeforeDBc: -25.8, ImageAfterDBc: -74.5, Exchanges: 21}}
	f := newFixture(t, true, func(c *Config) {
		c.MetricsOpen = true
		c.Host.Snapshot = func() node.Snapshot { return node.Snapshot{Running: true, FN: 1234, Frames: 99, Radio: radio} }
	})
	c := f.client()
	f.login(c)
	var st Status
	r := f.do(c, "GET", "/api/status", nil, nil)
	if err := json.Unmarshal([]byte(r.body), &st); err != nil || st.Stream == nil {
		t.Fatalf("/api/status = %d %s (%v)", r.code, r.body, err)
	}
	if s := st.Stream; !s.Healthy || s.RXLost != 3 || s.TXLate != 2 || s.Underruns != 1 || s.Overruns != 4 || s.Unplugs != 1 ||
		s.RXBytesPerS != 4.35e6 || s.Interlock != "on (last trip stream-lost)" || st.Hardware == nil || st.Hardware.Interlock != s.Interlock {
		t.Errorf("status stream = %+v, hardware %+v", s, st.Hardware)
	}
	if c := st.Stream.TXCal; c == nil || !c.OK || c.LeakAfterDBc != -58.2 || c.ImageBeforeDBc != -25.8 {
		t.Errorf("status TX calibration = %+v", c)
	}
	if r := f.do(c, "GET", "/api/radio", nil, nil); !strings.Contains(strings.Join(strings.Fields(r.body), ""), `"rx_lost_packets":3`) {
		t.Errorf("/api/radio = %s", r.body)
	}
	r = f.do(f.client(), "GET", "/metrics", nil, nil)
	checkExposition(t, r.body)
	for _, want := range []string{"gsmbox_stream_rx_lost_packets_total 3", "gsmbox_stream_tx_late_packets_total 2",
		"gsmbox_stream_underruns_total 1", "gsmbox_stream_overruns_total 4", "gsmbox_stream_unplugs_total 1",
		"gsmbox_stream_healthy 1", "gsmbox_stream_rx_bytes_per_second 4.35e+06", "gsmbox_interlock_trips_total 2",
		"gsmbox_tx_calibration_ok 1", `gsmbox_tx_calibration_leakage_dbc{stage="after"} -58.2`, `gsmbox_tx_calibration_image_dbc{stage="before"} -25.8`} {
		if !strings.Contains(r.body, want+"\n") {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	// The simulated air has no stream.
	g := newFixture(t, true, func(c *Config) { c.MetricsOpen = true })
	if r := g.do(g.client(), "GET", "/metrics", nil, nil); strings.Contains(r.body, "gsmbox_stream_") {
		t.Errorf("/metrics on the sim shows stream metrics")
	}
}
