package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

type lockedBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startSimConsole runs `gsmbox sim --phones N --http 127.0.0.1:0` in
// process with an administrator password set, and returns the console's
// URL.
func startSimConsole(t *testing.T, phones int, password string) string {
	t.Helper()
	state := t.TempDir()
	if err := setConsolePassword(state, password, &lockedBuf{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	out := &lockedBuf{}
	done := make(chan error, 1)
	go func() {
		done <- runSim(ctx, []string{"--phones", fmt.Sprint(phones), "--http", "127.0.0.1:0", "--http-state", state, "--db", filepath.Join(t.TempDir(), "subs.db")}, out, &lockedBuf{})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("sim: %v", err)
		}
	})
	re := regexp.MustCompile(`console: (https://[0-9.:]+)/`)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			if strings.Contains(out.String(), "made for this run") {
				t.Fatal("the sim made a password although one was set")
			}
			return m[1]
		}
		select {
		case err := <-done:
			t.Fatalf("sim ended: %v\n%s", err, out.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	t.Fatalf("no console line in:\n%s", out.String())
	return ""
}

// browser starts headless Debian chromium with a fresh profile.
func browser(t *testing.T) context.Context {
	t.Helper()
	exe := ""
	for _, n := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(n); err == nil {
			exe = p
			break
		}
	}
	if exe == "" {
		if os.Getenv("GSMBOX_REQUIRE_TOOLS") == "1" {
			t.Fatal("chromium not installed")
		}
		t.Skip("chromium not installed (Debian package chromium)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		// The console's certificate is self-signed, made by the box.
		chromedp.Flag("ignore-certificate-errors", true),
		chromedp.WindowSize(1280, 900),
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); acancel() })
	// The first call starts the browser, with no timeout on its context.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

func shot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	p := filepath.Join(dir, name+".png")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", p)
}

// waitJS polls a JavaScript boolean expression until true.
func waitJS(t *testing.T, ctx context.Context, what, expr string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			html, _ := chromedp.Run(ctx, chromedp.OuterHTML("main"))
			t.Fatalf("%s: not within %v; page:\n%s", what, d, html)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func TestConsoleInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	const password = "a long enough password"
	const phones = 6
	base := startSimConsole(t, phones, password)
	ctx := browser(t)
	shots := t.TempDir()
	if d := os.Getenv("GSMBOX_SCREENSHOTS"); d != "" {
		shots = d
	}

	// Log in (a wrong password first).
	run := func(what string, acts ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, acts...); err != nil {
			html, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.documentElement.outerHTML`))
			t.Fatalf("%s: %v\npage: %s", what, err, html)
		}
	}
	run("wrong password", chromedp.Navigate(base+"/"), chromedp.WaitVisible("#password"),
		chromedp.SendKeys("#password", "not the password"), chromedp.Click("#login"), chromedp.WaitVisible("#login-error"))
	if msg, _ := chromedp.Run(ctx, chromedp.Text("#login-error")); msg != "wrong password" {
		t.Fatalf("wrong password shows %q", msg)
	}
	run("log in", chromedp.SendKeys("#password", password), chromedp.Click("#login"), chromedp.WaitVisible("#overview"))
	waitJS(t, ctx, "overview on air", `document.querySelector('#overview').textContent.includes('On air')`, 20*time.Second)
	shot(t, ctx, shots, "1-overview")

	// The phones register live, on a phone-sized screen.
	run("narrow", chromedp.EmulateViewport(360, 740), chromedp.Navigate(base+"/phones"), chromedp.WaitVisible("#attached"))
	waitJS(t, ctx, "phones registered", fmt.Sprintf(`[...document.querySelectorAll('#attached tbody tr td:first-child')].filter(td => /^\d{15}$/.test(td.textContent)).length >= %d`, phones), 120*time.Second)
	waitJS(t, ctx, "history", `document.querySelector('#history').textContent.includes('accepted')`, 10*time.Second)
	// Their radio links, from the SACCH measurements of their last
	// connection: level, quality and distance (TA × 553.5 m).
	waitJS(t, ctx, "phone signal", `[...document.querySelectorAll('#attached tbody tr')].some(tr => /-\d+ dBm \/ RXQUAL \d/.test(tr.textContent) && /\(TA \d+\)/.test(tr.textContent))`, 30*time.Second)
	shot(t, ctx, shots, "2-phones-360px")
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if width > 380 {
		t.Errorf("the phones page is %d px wide on a 360 px screen", width)
	}
	run("wide", chromedp.EmulateViewport(1280, 900))

	// The uplink per channel type on the Radio page.
	run("radio", chromedp.Navigate(base+"/radio"), chromedp.WaitVisible("#uplink"))
	waitJS(t, ctx, "uplink by channel type", `[...document.querySelectorAll('#uplink tbody tr')].some(tr => tr.textContent.startsWith('SDCCH') && / dBm/.test(tr.textContent) && / %/.test(tr.textContent))`, 20*time.Second)
	shot(t, ctx, shots, "2b-radio")

	// Add a subscriber.
	run("add subscriber", chromedp.Navigate(base+"/subscribers"), chromedp.WaitVisible("#sub-imsi"),
		chromedp.SendKeys("#sub-imsi", "001019999999999"), chromedp.SendKeys("#sub-msisdn", "5550100"),
		chromedp.SendKeys("#sub-name", "Browser Test"), chromedp.SetValue("#sub-algorithm", "comp128v3"),
		chromedp.SendKeys("#sub-ki", "00112233445566778899AABBCCDDEEFF"), chromedp.Click("#sub-save"))
	waitJS(t, ctx, "subscriber added", `document.querySelector('#sub-msg').textContent.includes('Added') && document.querySelector('#subscribers').textContent.includes('001019999999999')`, 10*time.Second)
	shot(t, ctx, shots, "3-subscribers")

	// A bad ARFCN: the error with its line; then fix and apply.
	run("config", chromedp.Navigate(base+"/config"), chromedp.WaitVisible("#config-text"))
	waitJS(t, ctx, "config loaded", `document.querySelector('#config-text').value.includes('arfcn = 62')`, 10*time.Second)
	text, err := chromedp.Run(ctx, chromedp.Value("#config-text"))
	if err != nil {
		t.Fatal(err)
	}
	line := 0
	for i, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "arfcn = 62") {
			line = i + 1
		}
	}
	bad := strings.Replace(text, "arfcn = 62", "arfcn = 2000", 1)
	run("bad arfcn", chromedp.SetValue("#config-text", bad), chromedp.Click("#config-apply"), chromedp.WaitVisible("#config-problems"))
	problems, err := chromedp.Run(ctx, chromedp.Text("#config-problems"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(problems, fmt.Sprintf("line %d", line)) || !strings.Contains(problems, "cell.arfcn") {
		t.Errorf("problems shown = %q, want cell.arfcn on line %d", problems, line)
	}
	shot(t, ctx, shots, "4-config-error")
	good := strings.Replace(text, "arfcn = 62", "arfcn = 70", 1)
	run("good arfcn", chromedp.SetValue("#config-text", good), chromedp.Click("#config-apply"))
	waitJS(t, ctx, "applied", `document.querySelector('#config-result').textContent.includes('Applied')`, 10*time.Second)
	checkARFCN := func(want int) {
		t.Helper()
		waitJS(t, ctx, fmt.Sprintf("on air on ARFCN %d", want), fmt.Sprintf(`(async () => { const s = await (await fetch('/api/status')).json(); return s.arfcn === %d && s.on_air; })()`, want), 30*time.Second)
	}
	checkARFCN(70)
	// Revert.
	run("revert", chromedp.Click("#config-revert"))
	waitJS(t, ctx, "reverted", `document.querySelector('#config-result').textContent.includes('Reverted')`, 10*time.Second)
	checkARFCN(62)
	shot(t, ctx, shots, "5-config-reverted")

	// The Radio page: the received spectrum and the constellation of
	// recent bursts, drawn from the running cell's receive scope.
	run("radio", chromedp.Navigate(base+"/radio"), chromedp.WaitVisible("#radio-counters"))
	waitJS(t, ctx, "radio pictures", `['#radio-spectrum', '#radio-constellation'].every(s => { const i = document.querySelector(s); return i && i.complete && i.naturalWidth === 640; })`, 20*time.Second)
	shot(t, ctx, shots, "6-radio")

	// The messages page lists the running network's SMS queue; calls
	// are not in this build and say so.
	run("messages", chromedp.Navigate(base+"/messages"), chromedp.WaitVisible("#sms"))
	run("calls", chromedp.Navigate(base+"/calls"), chromedp.WaitVisible("#not-available"))
	// The audit log shows the changes.
	run("security", chromedp.Navigate(base+"/security"), chromedp.WaitVisible("#audit"))
	waitJS(t, ctx, "audit", `['subscriber.add','config.apply','config.revert'].every(a => document.querySelector('#audit').textContent.includes(a))`, 10*time.Second)
	shot(t, ctx, shots, "7-security")

	// The key typed into the form never comes back: not from the API,
	// the log, the export or the metrics.
	leaked, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(async () => {
		let out = [];
		for (const p of ["/api/subscribers", "/api/subscribers.csv", "/api/logs.txt", "/api/audit", "/api/phones", "/metrics", "/subscribers"]) {
			const t = (await (await fetch(p)).text()).toUpperCase();
			if (t.includes("00112233445566778899AABBCCDDEEFF")) out.push(p);
		}
		return out.join(",");
	})()`, chromedp.EvalAwaitPromise))
	if err != nil || leaked != "" {
		t.Errorf("the Ki appears in %q (%v)", leaked, err)
	}

	// The cookie is Secure, HttpOnly and SameSite=Strict.
	cookie, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.cookie`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(cookie, "gsmbox_session") {
		t.Error("the session cookie is readable by script (not HttpOnly)")
	}
}
