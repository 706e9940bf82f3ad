package image

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	webconsole "github.com/gsmbox/gsmbox/firmware/console"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/firmware/sntp"
)

// TestQEMUConsole (issue 15): the qemu-arm64 image serves the web console
// over QEMU user networking (host 127.0.0.1:PORT forwarded to guest 443).
// The box gets 10.0.2.15/24 from QEMU's DHCP server ([net] mode "dhcp",
// the default) and prints it with the console's URL; a stick's
// console_password sets the password and its gsmbox.toml points [net] ntp
// at an SNTP server the test runs on the host (10.0.2.2 from the guest)
// an hour ahead, which the box's clock follows. The test logs in over
// TLS, checks the certificate is the one whose SHA-256 fingerprint the
// box printed on its console, and reads the overview: on air on ARFCN
// 62, bound by DHCP, the clock from NTP.
func TestQEMUConsole(t *testing.T) {
	needQEMU(t)
	dir := t.TempDir()
	disk := filepath.Join(dir, "qemu-arm64.img")
	buildQEMUImage(t, disk, "")
	const password = "correct horse battery staple"
	ntpConn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ntpCtx, ntpStop := context.WithCancel(context.Background())
	ntpDone := make(chan error, 1)
	go func() {
		ntpDone <- (&sntp.Server{Now: func() time.Time { return time.Now().Add(time.Hour) }, Stratum: 2}).Serve(ntpCtx, ntpConn)
	}()
	defer func() { ntpStop(); <-ntpDone }()
	ntpServer := fmt.Sprintf("10.0.2.2:%d", ntpConn.LocalAddr().(*net.UDPAddr).Port)
	stick := filepath.Join(dir, "pw.img")
	makeStickSize(t, stick, 40<<20, map[string][]byte{
		"console_password": []byte(password + "\n"),
		"gsmbox.toml":      []byte(fmt.Sprintf("[net]\nntp = [%q]\n", ntpServer)),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()

	var st struct {
		OnAir bool   `json:"on_air"`
		ARFCN int    `json:"arfcn"`
		FP    string `json:"tls_fingerprint"`
		Net   *struct {
			State   string `json:"state"`
			Address string `json:"address"`
			Clock   struct {
				Source string `json:"source"`
				Server string `json:"ntp_server"`
			} `json:"clock"`
		} `json:"net"`
		URLs []string `json:"console_urls"`
	}
	var fails []string
	fail := func(f string, a ...any) { fails = append(fails, fmt.Sprintf(f, a...)) }
	c := bootDuring(t, QEMUOptions{Image: disk, USB: stick, HostFwd: port}, 300*time.Second, func(c *console) {
		defer c.powerCut()
		l, ok := c.waitFor(regexp.MustCompile(`console listening.*fingerprint=([0-9A-F:]{95})`), 200*time.Second)
		if !ok {
			fail("no console listening line")
			return
		}
		printed := regexp.MustCompile(`fingerprint=([0-9A-F:]{95})`).FindStringSubmatch(l.text)[1]
		if _, ok := c.waitFor(regexp.MustCompile(`on air.*ARFCN 62\b`), 200*time.Second); !ok {
			fail("cell not on air")
			return
		}
		var seen string
		jar, _ := cookiejar.New(nil)
		hc := &http.Client{Jar: jar, Timeout: 20 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{
			InsecureSkipVerify: true,
			VerifyConnection: func(cs tls.ConnectionState) error {
				seen = webconsole.Fingerprint(tls.Certificate{Certificate: [][]byte{cs.PeerCertificates[0].Raw}})
				if seen != printed {
					return fmt.Errorf("certificate fingerprint %s, the box printed %s", seen, printed)
				}
				return nil
			}}}}
		base := fmt.Sprintf("https://127.0.0.1:%d", port)
		// The stick's password may land a little after the cell is on air.
		var csrf string
		deadline := time.Now().Add(90 * time.Second)
		for {
			body, _ := json.Marshal(map[string]string{"password": password})
			r, err := hc.Post(base+"/api/login", "application/json", bytes.NewReader(body))
			if err == nil {
				b, _ := io.ReadAll(r.Body)
				r.Body.Close()
				if r.StatusCode == http.StatusOK {
					var out struct{ CSRF string }
					json.Unmarshal(b, &out)
					csrf = out.CSRF
					break
				}
				err = fmt.Errorf("login = %d %s", r.StatusCode, b)
			}
			if time.Now().After(deadline) {
				fail("login: %v", err)
				return
			}
			time.Sleep(2 * time.Second)
		}
		if csrf == "" {
			fail("login gave no CSRF token")
		}
		if _, ok := c.waitFor(regexp.MustCompile(`gsmbox: network eth0 bound 10\.0\.2\.15/24 via 10\.0\.2\.2.* web console https://10\.0\.2\.15/ .*fingerprint `+printed), 60*time.Second); !ok {
			fail("no DHCP address line on the serial console")
		}
		if _, ok := c.waitFor(regexp.MustCompile(`wall clock set by NTP.*server=`+regexp.QuoteMeta(ntpServer)), 90*time.Second); !ok {
			fail("the clock was not set from the host's SNTP server %s", ntpServer)
		}
		r, err := hc.Get(base + "/api/status")
		if err != nil {
			fail("GET /api/status: %v", err)
			return
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != http.StatusOK {
			fail("GET /api/status = %d %s", r.StatusCode, b)
			return
		}
		if err := json.Unmarshal(b, &st); err != nil {
			fail("status %s: %v", b, err)
		}
		t.Logf("status: %s", b)
		if seen != printed || st.FP != printed {
			fail("fingerprints: printed %s, TLS %s, status %s", printed, seen, st.FP)
		}
	})
	for _, f := range fails {
		t.Errorf("%s", f)
	}
	if len(fails) > 0 {
		t.Fatalf("console:\n%s", tail(c.text(), 80))
	}
	if !st.OnAir || st.ARFCN != 62 {
		t.Errorf("status: on_air %v arfcn %d, want on air on ARFCN 62", st.OnAir, st.ARFCN)
	}
	if st.Net == nil || st.Net.State != "bound" || st.Net.Address != "10.0.2.15/24" || st.Net.Clock.Source != "ntp" || st.Net.Clock.Server != ntpServer {
		t.Errorf("status net = %+v, want bound by DHCP to 10.0.2.15/24, clock from NTP %s", st.Net, ntpServer)
	}
	if len(st.URLs) == 0 || st.URLs[0] != "https://10.0.2.15/" {
		t.Errorf("status console_urls = %q, want https://10.0.2.15/", st.URLs)
	}
}
