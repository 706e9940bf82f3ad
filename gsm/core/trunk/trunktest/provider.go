package trunktest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/tools/testtool"
)

const (
	TrunkUser = "gsmbox"
	TrunkPass = "trunkpass"
)

// KamailioCfg is the provider: REGISTER with digest for gsmbox and alice
// (4930200, the far-end phone), INVITEs from gsmbox proxy-authenticated, DIDs
// (555…) sent to the trunk's registered contact with the DID kept in To,
// other numbers to the registered user.
const KamailioCfg = `#!KAMAILIO
debug=2
log_stderror=yes
fork=yes
children=2
listen=udp:127.0.0.1:%[1]d
listen=tcp:127.0.0.1:%[1]d
mpath="%[2]s"
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
		if ($rU == "112") {
			# emergency calls from the trunk go to the far-end phone
			if (!lookup("location", "sip:4930200@127.0.0.1")) { sl_send_reply("480", "No Emergency Desk"); exit; }
			t_relay();
			exit;
		}
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
func FreePort(t testing.TB) int {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// kamailio runs the provider on port until stop (or the test's end).
type Kamailio struct {
	t    testing.TB
	port int
	cmd  *exec.Cmd
	log  *testtool.Buffer
}

func StartKamailio(t testing.TB, port int) *Kamailio {
	t.Helper()
	bin := testtool.Need(t, "kamailio")
	mods := "/usr/lib/x86_64-linux-gnu/kamailio/modules/"
	if m, _ := filepath.Glob("/usr/lib/*/kamailio/modules/tm.so"); len(m) > 0 {
		mods = filepath.Dir(m[0]) + "/"
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "kamailio.cfg")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(KamailioCfg, port, mods)), 0o644); err != nil {
		t.Fatal(err)
	}
	k := &Kamailio{t: t, port: port, log: &testtool.Buffer{}}
	// -DD: stay in the foreground (no daemon, no system service); -E:
	// log to stderr; no PID or runtime files outside dir.
	k.cmd = exec.Command(bin, "-f", cfg, "-DD", "-E", "-Y", dir, "-P", filepath.Join(dir, "k.pid"))
	k.cmd.Stdout, k.cmd.Stderr = k.log, k.log
	k.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := k.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(k.Stop)
	// Ready when it answers OPTIONS.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if SIPPing(port) {
			return k
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("kamailio did not come up:\n%s", k.log.String())
	return nil
}

func (k *Kamailio) Stop() {
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
func SIPPing(port int) bool {
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
