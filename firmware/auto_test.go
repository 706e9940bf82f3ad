package firmware

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/boards/rf/lime/limetest"
	"github.com/gsmbox/gsmbox/boards/rf/rftest"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/console"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/firmware/supervisor"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// autoRig is the board's opener for arfcn = "auto". While the cell
// service has no channel choice yet (it is scanning), its USB radio is a
// limetest fake whose air holds the test's foreign cells and interferer
// and nothing else; once the channel is chosen every open is limeRig's:
// a fresh simulated air with virtual phones at the cell's endpoint.
type autoRig struct {
	*limeRig
	tx       []limetest.Transmitter
	carriers []limetest.Carrier

	smu   sync.Mutex
	scans []*limetest.Fake
	pacer *limetest.Pacer
}

func (r *autoRig) scanning() bool {
	svc := r.svc.Load()
	if svc == nil {
		return true
	}
	rs := svc.Snapshot().Radio
	return rs == nil || rs.Scan == nil
}

func (r *autoRig) OpenLime(name string) (*lime.Board, io.Closer, error) {
	if !r.scanning() {
		return r.limeRig.OpenLime(name)
	}
	f := limetest.New(limetest.Config{RefClock: r.Chain.RefClock, NoiseDBFS: -70, Seed: 5, Transmitters: r.tx, Carriers: r.carriers})
	p := limetest.NewPacer()
	p.Src = f.Render
	f.SetRX(p)
	b, err := lime.Open(f, nil)
	if err != nil {
		return nil, nil, err
	}
	r.smu.Lock()
	r.scans = append(r.scans, f)
	r.pacer = p
	r.smu.Unlock()
	return b, closers{p, f}, nil
}

func (r *autoRig) scanFake() *limetest.Fake {
	r.smu.Lock()
	defer r.smu.Unlock()
	if len(r.scans) == 0 {
		return nil
	}
	return r.scans[len(r.scans)-1]
}

type closers struct {
	p *limetest.Pacer
	f *limetest.Fake
}

func (c closers) Close() error { c.p.Close(); return c.f.Close() }

// heard wraps a foreign transmitter on the scan's air and counts the
// samples the board heard from it with its own TX pad on.
type heard struct {
	src   limetest.Reader
	rig   *autoRig
	reads atomic.Int64
	keyed atomic.Int64
}

func (h *heard) Read(dst []complex64, ts radio.Timestamp) (int, radio.Flags, error) {
	h.reads.Add(1)
	if f := h.rig.scanFake(); f != nil && paKeyed(f) {
		h.keyed.Add(1)
	}
	return h.src.Read(dst, ts)
}

// Issue 17, item 8, end to end: firmware.Run on a Raspberry Pi 4 +
// LimeSDR Mini with [cell] arfcn = "auto" and allowed_arfcns 10-35. The
// board's air holds two other operators' cells (one broadcasting a BA
// list of 14, 26 and 52 in its SI2), a CW interferer and a few weak
// carriers. The appliance
// scans before it transmits — the status says so while it scans, the
// board's TX endpoint gets not one packet and its TX pad is off at every
// sample the scan hears — chooses a channel in the allowed range and 2
// guard channels away from the cells, the interferer and the neighbours,
// and only then keys the PA, on that carrier; virtual phones register.
// The choice and the scan are in the status file, on the console's API
// and in the USB report written back to a stick.
func TestRunAutoChannelOnLime(t *testing.T) {
	const phones = 4
	board, err := boards.Lookup("rpi4-limesdr")
	if err != nil {
		t.Fatal(err)
	}
	rig := &autoRig{limeRig: &limeRig{DryRun: &rftest.DryRun{W: io.Discard, Chain: board.RF.Chain}, t: t, phones: phones, plugged: true}}
	var cells []*heard
	foreign := func(n tdma.ARFCN, ncc, bcc int, mcc, mnc string, dbfs float64, neighbours ...int) {
		c := config.Default()
		c.Cell.ARFCN, c.Cell.NCC, c.Cell.BCC, c.Cell.Neighbours = int(n), ncc, bcc, neighbours
		c.Network.MCC, c.Network.MNC = mcc, mnc
		fc, err := node.NewForeignCell(c, 4, tdma.FN(91*int(n)))
		if err != nil {
			t.Fatal(err)
		}
		h := &heard{src: fc, rig: rig}
		cells = append(cells, h)
		hz, _ := tdma.GSM900.DownlinkHz(n)
		rig.tx = append(rig.tx, limetest.Transmitter{Hz: float64(hz), DBFS: dbfs, Src: h})
	}
	foreign(20, 2, 3, "262", "02", -30, 14, 26, 52)
	foreign(33, 5, 1, "262", "03", -35)
	at := func(n tdma.ARFCN, dbfs float64) limetest.Carrier {
		hz, _ := tdma.GSM900.DownlinkHz(n)
		return limetest.Carrier{Hz: float64(hz), DBFS: dbfs}
	}
	// A CW interferer at 24; and weak carriers, 5 dB over the noise
	// floor (not enough to count as occupied), on 10, 11 and 29: the
	// channels clear of everything with 2 guard channels are 10-16, 28
	// and 29, and of those the ones clear of the neighbours 14 and 26
	// are the three a little noisy. A choice that ignored the BA list
	// would take a quieter channel next to a neighbour.
	rig.carriers = []limetest.Carrier{at(24, -40), at(10, -72), at(11, -72), at(29, -72)}
	placed := []int{20, 33, 24, 14, 26} // the cells, the interferer, the BA list

	sys := t.TempDir()
	if err := os.Mkdir(filepath.Join(sys, "block"), 0o755); err != nil {
		t.Fatal(err)
	}
	stick := t.TempDir()
	files := map[string]string{
		"/proc/cmdline": "gsmbox.board=rpi4-limesdr gsmbox.usbpoll=100ms\n",
		ModelPath:       "Raspberry Pi 4 Model B Rev 1.4\x00",
	}
	r := newOffBoard(t)
	conf := "[cell]\narfcn = \"auto\"\nallowed_arfcns = [\"10-35\"]\ntx_power_dbm = 5\nms_power_target_dbm = 0\n[radio]\nclock_override = true\n"
	if err := os.WriteFile(filepath.Join(r.data, ConfigFile), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	dbDir := t.TempDir()
	// The scan waits at its first read until the test has seen the
	// status say the box is scanning with the transmitter off.
	gate := make(chan struct{})
	var socket atomic.Value
	var cell atomic.Pointer[node.Service]
	opts := Options{
		RFOpener:   func() (rf.Opener, error) { return rig, nil },
		USBMounter: nopMounter{}, USBDir: stick, Sys: os.DirFS(sys),
		NewCell: func(cfg *config.Config, b *boards.Descriptor, log *slog.Logger) Cell {
			c := *cfg
			c.Subscribers.DB = filepath.Join(dbDir, "subscribers.db")
			rig.mu.Lock()
			rig.cfg = &c
			rig.mu.Unlock()
			svc := node.NewService(node.ServiceConfig{Config: &c, Board: b, Log: log,
				OnFrame: func(k int64) error {
					if p := rig.current(); p != nil && k > 1 {
						p.pacer.Allow(radio.Timestamp((k-1)*int64(p.frame) + 3*1020))
					}
					return nil
				},
				ScanAllow: func(ts radio.Timestamp) {
					<-gate
					rig.smu.Lock()
					p := rig.pacer
					rig.smu.Unlock()
					p.Allow(ts)
				},
				Stream: lime.StreamConfig{TXLead: 500, PacketsPerTransfer: 1, StallTimeout: 20 * time.Second}})
			rig.svc.Store(svc)
			cell.Store(svc)
			return svc
		},
		NewConsole: func(env ConsoleEnv) (supervisor.Service, func(string) error, func() string) {
			socket.Store(env.Socket)
			srv, err := console.New(console.Config{Host: console.Host{Version: env.Version, Board: env.Board.Name, Started: env.Started,
				Snapshot: func() node.Snapshot {
					if s := cell.Load(); s != nil {
						return s.Snapshot()
					}
					return node.Snapshot{}
				},
				Config: env.Configs, Transmitter: env.Transmitter},
				StateDir: env.StateDir, Socket: env.Socket, Log: env.Log})
			if err != nil {
				t.Error(err)
				return nil, nil, nil
			}
			return srv, srv.SetPassword, srv.Fingerprint
		},
	}
	r.start(files, opts)
	defer func() {
		if t.Failed() {
			t.Logf("console:\n%s", r.console.String())
		}
	}()
	waitFor := func(what string, d time.Duration, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(d); !ok(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				r.stop(t)
				t.Fatalf("timed out after %v waiting for %s", d, what)
			}
		}
	}

	// 1. Scanning: the status says so, with the transmitter off.
	st := r.waitStatus(func(st string) bool { return strings.Contains(st, "transmitter: OFF: scanning the band") })
	close(gate)
	if !strings.Contains(st, "transmitter: OFF: scanning the band") {
		t.Errorf("status while scanning:\n%s\nwant the transmitter off, scanning", st)
	}

	// 2. The choice, then on air on it; the phones register.
	radioSnap := func() *node.RadioSnapshot {
		if s := cell.Load(); s != nil {
			return s.Snapshot().Radio
		}
		return nil
	}
	keyed := func() bool {
		rs := radioSnap()
		p := rig.current()
		return rs != nil && rs.Up && rs.Scan != nil && (rs.Interlock.State == rf.TXOn || rs.Interlock.State == rf.TXRamping) && p != nil && paKeyed(p.fake)
	}
	waitFor("the PA keyed on the chosen channel", 60*time.Second, keyed)
	on := rig.current()
	waitFor("the phones registered on the chosen channel", 60*time.Second, func() bool { return on.phones.Registered() == phones })
	rs := radioSnap()
	ch := rs.Scan
	t.Logf("%s", ch.Summary())
	for _, l := range ch.Lines() {
		t.Logf("  %s", l)
	}
	n := int(ch.ARFCN)
	if n < 10 || n > 35 {
		t.Errorf("chose ARFCN %d outside the allowed 10-35", n)
	}
	for _, p := range placed {
		if d := n - p; d >= -2 && d <= 2 {
			t.Errorf("chose ARFCN %d, within 2 guard channels of %d (a cell, the interferer or a neighbour)", n, p)
		}
	}
	if len(ch.Cells) != 2 || ch.Cells[0].ARFCN != 20 || ch.Cells[1].ARFCN != 33 || ch.Cells[0].Cell.MNC != "02" || ch.Cells[1].Cell.MNC != "03" ||
		fmt.Sprint(ch.Cells[0].Cell.Neighbours) != "[14 26 52]" || !ch.Cells[1].Cell.BAKnown || len(ch.Cells[1].Cell.Neighbours) != 0 ||
		!ch.NeighboursAvoided || ch.Scanned != 174 || len(ch.Scan) != 174 || !ch.TXOff {
		t.Errorf("scan: %+v", ch.Choice)
	}
	hz, _ := tdma.GSM900.DownlinkHz(ch.ARFCN)
	uhz, _ := tdma.GSM900.UplinkHz(ch.ARFCN)
	if rs.Interlock.FreqHz != int64(hz) || math.Abs(on.fake.RXFrequency()-float64(uhz)) > 10 { // the synthesiser's few Hz of error
		t.Errorf("on air: interlock at %d Hz, the board's receiver at %.0f Hz; want %d and %d (ARFCN %d)", rs.Interlock.FreqHz, on.fake.RXFrequency(), hz, uhz, n)
	}
	// Nothing was transmitted during the scan.
	for i, f := range rig.scans {
		if s := f.Stats(); s.TXPackets != 0 || s.RXPackets == 0 {
			t.Errorf("scan %d: the board got %d TX packets (sent %d RX)", i, s.TXPackets, s.RXPackets)
		}
	}
	for i, h := range cells {
		if h.reads.Load() == 0 || h.keyed.Load() != 0 {
			t.Errorf("foreign cell %d: heard %d times, %d of them with the TX pad on", i, h.reads.Load(), h.keyed.Load())
		}
	}
	log := r.console.String()
	chosen, keyedAt := strings.Index(log, "msg=\"channel chosen\""), strings.Index(log, "msg=\"PA keyed\"")
	if chosen < 0 || keyedAt < chosen || !strings.Contains(log[keyedAt:], fmt.Sprintf("freq_hz=%d", hz)) {
		t.Errorf("the log has the channel chosen at %d and the PA keyed at %d: want the choice first, then the PA keyed at %d Hz", chosen, keyedAt, hz)
	}

	// 3. The status file.
	st = r.waitStatus(func(st string) bool { return strings.Contains(st, "transmitter: keyed: PA on") })
	for _, want := range []string{
		fmt.Sprintf("transmitter: keyed: PA on at 5.0 dBm, %.1f MHz (GSM900)", float64(hz)/1e6),
		fmt.Sprintf("cell:        ARFCN %d,", n),
		fmt.Sprintf("channel:     auto GSM900, ARFCN %d: ", n),
		"scan:        174 channels (ARFCN 975-1023,0-124) with the transmitter off",
		"cell heard:  ARFCN 20, ", "PLMN 262-02, LAC 1, CI 1, neighbours 14,26,52",
		"cell heard:  ARFCN 33, ", "neighbours none",
		"neighbours:  of the cells heard: 14,26,52, avoided",
	} {
		if !strings.Contains(st, want) {
			t.Errorf("status file lacks %q:\n%s", want, st)
		}
	}

	// 4. The console's API (as `gsmbox status` reads it).
	sock, _ := socket.Load().(string)
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}}
	var api console.Status
	if resp, err := hc.Get("http://local/api/status"); err != nil {
		t.Errorf("console API: %v", err)
	} else {
		err := json.NewDecoder(resp.Body).Decode(&api)
		resp.Body.Close()
		if err != nil {
			t.Errorf("console API: %v", err)
		}
	}
	if c := api.Stream; api.ARFCN != n || c == nil || c.Channel == nil || int(c.Channel.ARFCN) != n || len(c.Channel.Scan) != 174 ||
		len(c.Channel.Cells) != 2 || fmt.Sprint(c.Channel.Neighbours) != "[14 26 52]" || !strings.HasPrefix(api.Transmitter, "keyed: PA on") {
		t.Errorf("console API status: ARFCN %d, transmitter %q, stream %+v", api.ARFCN, api.Transmitter, api.Stream)
	}

	// 5. A USB stick: the report written back to it has the choice and
	// the scan, channel by channel.
	if err := os.MkdirAll(filepath.Join(sys, "block", "sda"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sys, "block", "sda", "size"), []byte("1000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(stick, "gsmbox-report.txt")
	var rep []byte
	waitFor("the USB report", 20*time.Second, func() bool { rep, _ = os.ReadFile(report); return len(rep) > 0 })
	r.stop(t)
	for _, want := range []string{
		fmt.Sprintf("channel:     auto GSM900, ARFCN %d: ", n),
		"neighbours:  of the cells heard: 14,26,52, avoided",
		"transmitter: keyed: PA ",
		"channel scan at boot (GSM900):",
		fmt.Sprintf("%5d  ", n), "<- chosen",
		"   20  ", "BSIC 19 (NCC 2 BCC 3), PLMN 262-02",
		"   33  ", "BSIC 41 (NCC 5 BCC 1), PLMN 262-03",
	} {
		if !strings.Contains(string(rep), want) {
			t.Errorf("USB report lacks %q:\n%s", want, rep)
		}
	}
	if paKeyed(on.fake) {
		t.Errorf("PA keyed after Run returned")
	}
}

// nopMounter stands for a stick whose files are already in the mount
// directory.
type nopMounter struct{}

func (nopMounter) Mount(dev, dir string) error { return nil }
func (nopMounter) Unmount(dir string) error    { return nil }
