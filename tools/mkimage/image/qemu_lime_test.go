package image

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/tools/limeredir/limehost"
)

// limeConf is the appliance's configuration for the test, and the host's
// simulated air's: low power within the LimeSDR Mini's maximum, no MS
// power control (the simulated levels are not the board's dBm), keying
// on an undisciplined reference (the LimeSDR Mini has no GPS).
const limeConf = "[cell]\ntx_power_dbm = 5\nms_power_target_dbm = 0\n[radio]\nclock_override = true\n"

// syncBuf is a log buffer safe for the host's goroutines.
type syncBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func mustBoard(t *testing.T, name string) *boards.Descriptor {
	t.Helper()
	d, err := boards.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestQEMULimeUSB boots the qemu-arm64-limesdr image, whose radio is a
// LimeSDR Mini on USB, with QEMU's usb-redir device connected to a
// usbredir server in this process exporting the fake LimeSDR
// (boards/rf/lime/limetest through boards/usbfs/usbredir): the guest
// kernel enumerates it on the emulated xHCI controller, and the
// appliance's own pure-Go path (boards/usbfs sysfs discovery and
// /dev/bus/usb ioctls, boards/rf/lime) opens it: FT601 session
// commands, LMS64C (the LMS7002M's ID), the stream. The fake's antenna is the cell's endpoint
// on a simulated air here on the host, with virtual phones: they
// register with the guest's cell through the whole real-kernel USB path.
// Then the board is unplugged (usbredir device_disconnect) and plugged
// back: the guest kernel sees it go and come back, the stream counts the
// unplug and keys the transmitter off, and the cell comes back on air on
// a new stream.
//
// The host side is tools/limeredir/limehost. The air runs in virtual
// time, paced by the guest's TX (limehost.Clock), so the test takes about
// 35–60 s of wall time on 2 cores (the emulated guest runs the air at
// about a tenth of real time), and it is in CI with the other image
// tests.
func TestQEMULimeUSB(t *testing.T) {
	needQEMU(t)
	const phones = 3
	dir := t.TempDir()
	disk := filepath.Join(dir, "qemu-arm64-limesdr.img")
	res, err := Build(context.Background(), mustBoard(t, "qemu-arm64-limesdr"), Options{ModuleDir: moduleDir(t), Output: disk,
		ExtraCmdline: "gsmbox.shell=1 gsmbox.poweroff=900s", Config: []byte(limeConf), Version: "v0-imagetest"})
	if err != nil {
		t.Fatalf("Build = %v", err)
	}
	t.Logf("image: %d MiB, sha256 %s", res.Size>>20, res.SHA256)

	logBuf := &syncBuf{}
	h, err := limehost.New(limehost.Options{Config: []byte(limeConf), Phones: phones, Seed: 1,
		Log: slog.New(slog.NewTextHandler(logBuf, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	start := time.Now()
	var regAt []time.Duration
	var onAirAt time.Duration
	pr, pw := io.Pipe()
	defer pw.Close()
	typeLine := func(s string) {
		for _, ch := range s + "\r" {
			pw.Write([]byte(string(ch)))
			time.Sleep(20 * time.Millisecond)
		}
	}
	timeout := 240 * time.Second
	c := bootTyping(t, QEMUOptions{Image: disk, USBRedir: h.Addr()}, timeout+60*time.Second, pr, func(c *console) {
		defer pw.Close()
		defer c.powerCut()
		// GSMBOX_QEMU_LOGS=DIR: the console as it comes, for a person
		// watching a long run.
		if d := os.Getenv("GSMBOX_QEMU_LOGS"); d != "" {
			stop := make(chan struct{})
			defer close(stop)
			go func() {
				for {
					select {
					case <-stop:
						return
					case <-time.After(5 * time.Second):
					}
					os.WriteFile(filepath.Join(d, "lime-live.log"), []byte(c.text()+"\n--- host\n"+logBuf.String()+
						fmt.Sprintf("\n--- fake %+v counter %d allowed %d\n", h.Fake.Stats(), h.Fake.Counter(), h.Clock.Stats().Allowed)), 0o644)
				}
			}()
		}
		if l, ok := c.waitFor(regexp.MustCompile(`cell on air`), 180*time.Second); ok {
			onAirAt = l.at
		} else {
			return
		}
		seen := 0
		for deadline := time.Now().Add(timeout - time.Since(start)); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
			if n := h.Phones.Registered(); n > seen {
				for ; seen < n; seen++ {
					regAt = append(regAt, time.Since(start))
				}
				st := h.Fake.Stats()
				t.Logf("%d of %d phones registered at %.1fs (wall); board counter %d; fake: %d RX packets, %d TX packets", n, phones, time.Since(start).Seconds(), h.Fake.Counter(), st.RXPackets, st.TXPackets)
			}
			if seen == phones {
				break
			}
		}
		// The guest's own view: `gsmbox status` on its serial console.
		time.Sleep(2 * time.Second)
		typeLine("gsmbox status")
		waitCount(c, `stream:\s+RX lost`, 1, 60*time.Second)
		time.Sleep(time.Second)
		// Unplug the board (device_disconnect): the guest kernel sees it
		// go, the stream counts the unplug and keys the transmitter off,
		// the cell retries; plug it back: enumerated again, on air again.
		txBefore := h.Fake.Stats().TXGood
		if err := h.Server.Disconnect(); err != nil {
			t.Errorf("Disconnect: %v", err)
			return
		}
		if !waitCount(c, `lime: board unplugged; transmitter off`, 1, 60*time.Second) {
			return
		}
		time.Sleep(3 * time.Second)
		if err := h.Server.Connect(); err != nil {
			t.Errorf("Connect: %v", err)
			return
		}
		if !waitCount(c, `transmitter keyed on the sample stream`, 2, 120*time.Second) {
			return
		}
		for d := time.Now().Add(30 * time.Second); h.Fake.Stats().TXGood < txBefore+500 && time.Now().Before(d); {
			time.Sleep(100 * time.Millisecond)
		}
		typeLine("gsmbox status")
		waitCount(c, `stream:\s+RX lost`, 2, 60*time.Second)
		time.Sleep(time.Second)
	})
	t.Logf("host log:\n%s", tail(logBuf.String(), 40))
	if err := h.Err(); err != nil {
		t.Errorf("usbredir server: %v", err)
	}
	// 1. The guest kernel enumerated the device on its xHCI controller
	// (its default log level prints only this line of it).
	mustFind(t, c, `usb \d+-\d+: new high-speed USB device number \d+ using xhci_hcd`)
	// 2. The appliance's usbfs layer found it in sysfs (0403:601F) and
	// opened it: FT601 session commands, then LMS64C packets (the
	// LMS7002M's ID among them). The cell's bring-up does not ask
	// GET_INFO (`gsmbox rf probe` does); it is counted, not required.
	st := h.Fake.Stats()
	gv, _ := h.Server.Guest()
	t.Logf("usbredir guest %q; server %+v; redir %+v; GET_INFO requests %d", gv, h.Server.Stats(), h.Redir.Stats(), h.GetInfo())
	if st.Ctrl == 0 || len(st.Session) == 0 {
		t.Fatalf("the fake saw %d GET_INFO, %d LMS64C requests, %d session commands; console:\n%s", h.GetInfo(), st.Ctrl, len(st.Session), tail(c.text(), 80))
	}
	mustFind(t, c, `rf bring-up.*transceiver lms7002m lime.*chip ID VER 7 REV 1`)
	if onAirAt == 0 {
		t.Fatalf("never on air; console:\n%s", tail(c.text(), 80))
	}
	mustFind(t, c, `transmitter keyed on the sample stream`)
	// 3. The stream ran: the guest counts any gap in the RX counter as
	// lost; the fake checked every TX packet's timestamp against its
	// counter (none late) and the TX samples came in one continuous run.
	cs := h.Clock.Stats()
	starts, writes, gaps, base := cs.Starts, cs.Writes, cs.Gaps, cs.Base
	t.Logf("stream: %d starts; fake totals %d RX packets, %d TX packets (%d good, %d late); last stream: %d TX writes, %d TX timestamp gaps, board counter %d (%.2f s of air, from air time %d)",
		starts, st.RXPackets, st.TXPackets, st.TXGood, st.TXLate, writes, gaps, h.Fake.Counter(), float64(h.Fake.Counter())/radio.SampleRate4, base)
	// A guest starved of the CPU for 2 s (a loaded CI host) trips the
	// stream's stall watchdog, which restarts the cell: a TCG artefact,
	// logged; without one the run must be clean.
	stalled := countLines(c, `lime: board stalled`)
	if stalled > 0 {
		t.Logf("the guest's stall watchdog fired %d times (the emulated guest was starved of CPU); the cell restarted", stalled)
	}
	if st.RXPackets == 0 || st.TXGood == 0 || st.TXLate != 0 || (stalled == 0 && gaps != 0) {
		t.Errorf("stream: %d starts, fake %+v, %d TX timestamp gaps", starts, st, gaps)
	}
	// 4. The phones registered through it: each got its accept from the
	// guest's cell (host side), and the guest's core provisioned each.
	if len(regAt) != phones {
		t.Errorf("%d of %d phones registered through the USB path; console:\n%s", len(regAt), phones, tail(c.text(), 60))
	}
	for _, row := range h.Phones.Rows() {
		t.Logf("phone %d: IMSI %s TMSI %q MSISDN %s", row.Phone, row.IMSI, row.TMSI, row.MSISDN)
		if _, ok := c.find(regexp.MustCompile(`subscriber auto-provisioned.*imsi=` + row.IMSI)); !ok && row.TMSI != "" {
			t.Errorf("phone %d (IMSI %s) registered, but the guest's console does not show it", row.Phone, row.IMSI)
		}
	}
	for i, at := range regAt {
		t.Logf("phone %d registered %.1fs after the cell went on air (wall, TCG)", i+1, (at - onAirAt).Seconds())
	}
	// 5. The guest's own status, typed on its serial console before the
	// unplug. With a stall (above) its counters are those of the cell
	// running then, so only what a stall leaves true is asked.
	clean := stalled == 0
	pick := func(strict, loose string) string {
		if clean {
			return strict
		}
		return loose
	}
	for _, want := range []string{
		`phones:\s+3 attached`,
		pick(`radio:\s+lime-usb \(limesdr-mini\): stream up, healthy; interlock on, 0 trips; 1 starts, 0 failed opens`,
			`radio:\s+lime-usb \(limesdr-mini\): stream up, healthy; interlock on`),
		pick(`stream:\s+RX lost 0 packets, TX late 0,.* unplugs 0, stalls 0`, `stream:\s+RX lost 0 packets, TX late 0,.* unplugs 0,`),
	} {
		if l, ok := c.find(regexp.MustCompile(want)); ok {
			t.Logf("guest status: %s", strings.TrimSpace(l.text))
		} else {
			t.Errorf("gsmbox status lacks %q; console:\n%s", want, tail(c.text(), 30))
		}
	}
	// 6. The unplug and the replug, through the guest kernel.
	mustFind(t, c, `usb \d+-\d+: USB disconnect, device number \d+`)
	mustFind(t, c, `lime: board unplugged; transmitter off`)
	if n := countLines(c, `usb \d+-\d+: new high-speed USB device number \d+ using xhci_hcd`); n != 2 {
		t.Errorf("the device was enumerated %d times, want 2 (before the unplug and after)", n)
	}
	if n := countLines(c, `transmitter keyed on the sample stream`); n < 2 {
		t.Errorf("the transmitter was keyed %d times, want 2 (before the unplug and after)", n)
	}
	if starts < 2 {
		t.Errorf("the fake's stream started %d times, want 2", starts)
	}
	// The second `gsmbox status`: the new stream up and healthy. (Its
	// counters are the running cell's: the console API does not add
	// those of the cell before the unplug, as the status file does.)
	for _, want := range []string{
		`radio:\s+lime-usb \(limesdr-mini\): stream up, healthy; interlock on`,
		pick(`stream:\s+RX lost 0 packets, TX late 0,.* stalls 0`, `stream:\s+RX lost 0 packets, TX late 0,`),
	} {
		if n := countLines(c, want); n != 2 {
			t.Errorf("gsmbox status matched %q %d times, want 2 (before the unplug and after); console:\n%s", want, n, tail(c.text(), 40))
		}
	}
}

// TestQEMUArgsUSBRedir: a usbredir address adds the xHCI controller, a
// socket chardev QEMU connects from, and the usb-redir device on it.
func TestQEMUArgsUSBRedir(t *testing.T) {
	args := strings.Join(QEMUArgs(QEMUOptions{Image: "x.img", USBRedir: "127.0.0.1:4000"}), " ")
	for _, want := range []string{
		"-device qemu-xhci,id=xhci",
		"-chardev socket,id=usbredir0,host=127.0.0.1,port=4000",
		"-device usb-redir,chardev=usbredir0,bus=xhci.0,id=usbredir0",
	} {
		if !strings.Contains(args, want) {
			t.Errorf("QEMUArgs = %s; want %q", args, want)
		}
	}
	if args := strings.Join(QEMUArgs(QEMUOptions{Image: "x.img"}), " "); strings.Contains(args, "usb-redir") || strings.Contains(args, "xhci") {
		t.Errorf("QEMUArgs without USB = %s", args)
	}
}

// countLines counts the console lines matching re.
func countLines(c *console, re string) int {
	r := regexp.MustCompile(re)
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, l := range c.lines {
		if r.MatchString(l.text) {
			n++
		}
	}
	return n
}

// waitCount waits up to d for n console lines matching re.
func waitCount(c *console, re string, n int, d time.Duration) bool {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if countLines(c, re) >= n {
			return true
		}
	}
	return false
}
