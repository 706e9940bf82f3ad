package firmware

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/boards/rf/lime/limetest"
	"github.com/gsmbox/gsmbox/boards/rf/lms7002m"
	"github.com/gsmbox/gsmbox/boards/rf/rftest"
	"github.com/gsmbox/gsmbox/boards/usbfs"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/dsp/sim"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/firmware/node/simphones"
	"github.com/gsmbox/gsmbox/firmware/supervisor"
)

// pacedTX is the fake board's TX sink: the samples go onto the air at
// the cell's endpoint, and the board's clock may run to one frame behind
// the newest of them (as a real board's clock runs behind a host that
// keeps its TX lead; in virtual time nothing else would hold it back).
type pacedTX struct {
	bts   *sim.Endpoint
	pacer *limetest.Pacer
	frame int
}

func (w *pacedTX) Write(src []complex64, ts radio.Timestamp) (int, radio.Flags, error) {
	n, fl, err := w.bts.Write(src, ts)
	if end := ts + radio.Timestamp(n); end > radio.Timestamp(w.frame) {
		w.pacer.Allow(end - radio.Timestamp(w.frame))
	}
	return n, fl, err
}

// plug is one plugging-in of the fake board: its own simulated air, the
// board fed by that air at the cell's endpoint, and virtual phones.
type plug struct {
	fake   *limetest.Fake
	air    *node.SimAir
	pacer  *limetest.Pacer
	phones *simphones.Phones
	frame  int
}

func (p *plug) Close() error {
	p.pacer.Close()
	p.air.BTS.Close()
	err := p.fake.Close()
	if p.phones != nil {
		p.phones.Stop()
	}
	p.air.Close()
	return err
}

// limeRig is the board's opener: the DryRun's simulated buses, with the
// USB radio a limetest fake behind which is a fresh simulated air with
// virtual phones each time the cell opens it, while plugged in.
type limeRig struct {
	*rftest.DryRun
	t      *testing.T
	phones int
	svc    atomic.Pointer[node.Service]

	mu      sync.Mutex
	cfg     *config.Config
	plugged bool
	cur     *plug
	opens   int
	refused int
}

func (r *limeRig) OpenLime(name string) (*lime.Board, io.Closer, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.plugged {
		r.refused++
		return nil, nil, &usbfs.Error{Op: "find 0403:601f", Path: "limetest", Err: usbfs.ErrNotFound}
	}
	air, err := node.NewSimAir(r.cfg)
	if err != nil {
		return nil, nil, err
	}
	p := &plug{air: air, pacer: limetest.NewPacer(), frame: air.Transmitter().FrameLen()}
	bts := air.BTS
	p.pacer.Src = func(dst []complex64, ts radio.Timestamp) {
		if _, _, err := bts.Read(dst, ts); err != nil {
			clear(dst)
		}
	}
	p.fake = limetest.New(limetest.Config{RefClock: r.Chain.RefClock, RX: p.pacer,
		TX: &pacedTX{bts: bts, pacer: p.pacer, frame: air.Transmitter().FrameLen()}, Delay: 96})
	b, err := lime.Open(p.fake, nil)
	if err != nil {
		p.Close()
		return nil, nil, err
	}
	r.opens++
	// The cell opens the radio after its node: the registry is there.
	p.phones, err = air.StartPhones(context.Background(), node.PhoneOptions{N: r.phones, Seed: 1,
		Registry: r.svc.Load().Registry(), Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		p.Close()
		return nil, nil, err
	}
	r.cur = p
	return b, p, nil
}

func (r *limeRig) current() *plug {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cur
}

// unplug pulls the board: the fake fails every transfer, and the next
// opens find no board until replug.
func (r *limeRig) unplug() {
	r.mu.Lock()
	r.plugged = false
	p := r.cur
	r.mu.Unlock()
	p.fake.Unplug()
}

func (r *limeRig) replug() {
	r.mu.Lock()
	r.plugged = true
	r.mu.Unlock()
}

// paKeyed reads the LMS7002M model's TX pad: powered (PD_TXPAD 0) and
// enabled (EN_G_TRF 1).
func paKeyed(f *limetest.Fake) bool {
	v := f.Chip.Reg(lms7002m.RegTRF)
	return v&2 == 0 && v&1 == 1
}

// Issue 17: the appliance boots onto the Lime stream. firmware.Run on a
// Raspberry Pi 4 + LimeSDR Mini, whose USB device is the limetest fake
// fed by a simulated air with ten virtual phones: the cell service brings
// the front end up through the board's opener, runs the cell on
// lime.Stream and keys the transmitter through the interlock; the phones
// register through the whole USB path. Lost RX packets make the stream
// unhealthy: the PA goes off (a stream-lost trip) and comes back once
// the stream is clean. An unplug mid-run is counted, keeps TX off, and
// the cell restarts with back-off until the board is back, when it comes
// on air again and new phones register.
func TestRunCellOnLimeStream(t *testing.T) {
	const phones = 10
	board, err := boards.Lookup("rpi4-limesdr")
	if err != nil {
		t.Fatal(err)
	}
	rig := &limeRig{DryRun: &rftest.DryRun{W: io.Discard, Chain: board.RF.Chain}, t: t, phones: phones, plugged: true}
	files := map[string]string{
		"/proc/cmdline": "gsmbox.board=rpi4-limesdr\n",
		ModelPath:       "Raspberry Pi 4 Model B Rev 1.4\x00",
	}
	r := newOffBoard(t)
	// Low power within the board's maximum; no MS power control (the
	// simulated air's levels are not the board's dBm); keying on an
	// undisciplined reference (the LimeSDR Mini has no GPS).
	conf := "[cell]\ntx_power_dbm = 5\nms_power_target_dbm = 0\n[radio]\nclock_override = true\n"
	if err := os.WriteFile(filepath.Join(r.data, ConfigFile), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	dbDir := t.TempDir()
	var faults, recoveries atomic.Int32
	var trippedAtFault atomic.Int32
	var consoleCell atomic.Pointer[func() node.Snapshot] // what the console is given
	r.start(files, Options{
		RFOpener: func() (rf.Opener, error) { return rig, nil },
		NewConsole: func(env ConsoleEnv) (supervisor.Service, func(string) error, func() string) {
			consoleCell.Store(&env.Cell)
			return nil, nil, nil
		},
		NewCell: func(cfg *config.Config, b *boards.Descriptor, log *slog.Logger) Cell {
			c := *cfg
			c.Subscribers.DB = filepath.Join(dbDir, "subscribers.db")
			rig.mu.Lock()
			rig.cfg = &c
			rig.mu.Unlock()
			var svc *node.Service
			svc = node.NewService(node.ServiceConfig{Config: &c, Board: b, Log: log,
				// The board's clock also follows the cell's frames, about
				// one behind (three packets more, so the packet holding the
				// end of the frame the cell reads next is allowed): while
				// the stream is unhealthy no TX reaches the board to pace
				// it (a real board has its own clock).
				OnFrame: func(k int64) error {
					if p := rig.current(); p != nil && k > 1 {
						p.pacer.Allow(radio.Timestamp((k-1)*int64(p.frame) + 3*1020))
					}
					return nil
				},
				Stream: lime.StreamConfig{TXLead: 500, PacketsPerTransfer: 1, StallTimeout: 20 * time.Second,
					OnHealth: func(ok bool) {
						if ok {
							recoveries.Add(1)
							return
						}
						// SetStreamOK(false) ran first: a keyed PA is tripped.
						// The trip is counted before the fault: the test reads
						// the trips once it sees the fault.
						if rs := svc.Snapshot().Radio; rs != nil && rs.Interlock.State == rf.TXTripped {
							trippedAtFault.Add(1)
						}
						faults.Add(1)
					}}})
			rig.svc.Store(svc)
			return svc
		},
	})
	defer func() {
		if t.Failed() {
			t.Logf("console:\n%s", r.console.String())
		}
	}()
	waitFor := func(what string, d time.Duration, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(d); !ok(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				os.WriteFile(filepath.Join(os.TempDir(), "limestacks.txt"), buf[:runtime.Stack(buf, true)], 0o644)
				r.stop(t)
				t.Fatalf("timed out after %v waiting for %s", d, what)
			}
		}
	}
	radioSnap := func() *node.RadioSnapshot {
		if s := rig.svc.Load(); s != nil {
			return s.Snapshot().Radio
		}
		return nil
	}
	keyed := func() bool {
		rs := radioSnap()
		p := rig.current()
		return rs != nil && rs.Up && (rs.Interlock.State == rf.TXOn || rs.Interlock.State == rf.TXRamping) && p != nil && paKeyed(p.fake)
	}

	// 1. On air through the USB path; the phones register.
	waitFor("the PA keyed on the Lime stream", 20*time.Second, keyed)
	first := rig.current()
	waitFor("10 phones registered through the Lime stream", 60*time.Second, func() bool { return first.phones.Registered() == phones })
	for _, row := range first.phones.Rows() {
		if row.TMSI == "" || !row.Authenticated || row.Cipher == "" {
			t.Errorf("phone %d: TMSI %q authenticated %v cipher %q", row.Phone, row.TMSI, row.Authenticated, row.Cipher)
		}
	}
	if rs := radioSnap(); rs.Stream.RXLost != 0 || rs.Stream.Late != 0 || !rs.Stream.Healthy || rs.Interlock.Band.String() != "GSM900" {
		t.Errorf("after registration: %+v", rs)
	}
	// The status tells the Lime's real transmitter: keyed through the
	// interlock, at the carrier of ARFCN 62.
	if st := r.waitStatus(func(st string) bool {
		return strings.Contains(st, "status    running") && strings.Contains(st, "transmitter: keyed: PA ")
	}); !strings.Contains(st, "transmitter: keyed: PA ") || !strings.Contains(st, "947.4 MHz (GSM900)") {
		t.Errorf("status:\n%s\nwant the transmitter keyed at 947.4 MHz", st)
	}

	// 2. Lost RX packets: the stream turns unhealthy, the PA goes off
	// (tripped), and comes back once the stream is clean again. The
	// counts are taken from a healthy, keyed stream: on a loaded host
	// the cell can miss its TX lead (a late TX packet, a fault of its
	// own, counted and recovered from like any other), and a fault
	// before the drop must neither stand for the drop's nor hide it.
	steady := func() bool { rs := radioSnap(); return keyed() && rs.Stream.Healthy }
	waitFor("a healthy stream and the PA keyed", 20*time.Second, steady)
	faults0, tripped0, recoveries0 := faults.Load(), trippedAtFault.Load(), recoveries.Load()
	first.fake.DropRX(3)
	waitFor("a stream fault", 10*time.Second, func() bool { return faults.Load() > faults0 })
	if trippedAtFault.Load() <= tripped0 {
		t.Errorf("the interlock was not tripped when the stream turned unhealthy")
	}
	waitFor("recovery and the PA keyed again", 20*time.Second, func() bool { return recoveries.Load() > recoveries0 && keyed() })
	if rs := radioSnap(); rs.Stream.RXLost < 3 || rs.Interlock.Trips[rf.TripStreamLost] < 1 {
		t.Errorf("after lost packets: stream %+v, trips %v", rs.Stream, rs.Interlock.Trips)
	}

	// 3. Unplug mid-run: counted, TX off, the cell restarts with
	// back-off while the board is away.
	waitFor("a healthy stream and the PA keyed", 20*time.Second, steady)
	faultsBefore, trippedBefore := faults.Load(), trippedAtFault.Load()
	rig.unplug()
	waitFor("the unplug counted and the stream down", 10*time.Second, func() bool {
		rs := radioSnap()
		return faults.Load() > faultsBefore && rs != nil && !rs.Up && rs.Stream.Unplugs == 1
	})
	if trippedAtFault.Load() <= trippedBefore {
		t.Errorf("the interlock was not tripped at the unplug (%d trips at %d faults)", trippedAtFault.Load(), faults.Load())
	}
	waitFor("a failed reopen while unplugged", 10*time.Second, func() bool {
		rs := radioSnap()
		return rs != nil && rs.OpenFailures >= 1 && strings.Contains(rs.LastError, "device not found")
	})
	if p := rig.current(); p != first {
		t.Errorf("a board was opened while unplugged")
	}
	// While the board is away the status says the transmitter is off
	// and why (the unplug, or the reopen that found no board).
	if st := r.waitStatus(func(st string) bool { return strings.Contains(st, "transmitter: OFF: cell off the air: ") }); !strings.Contains(st, "transmitter: OFF: cell off the air: ") ||
		!strings.Contains(st, "device unplugged") && !strings.Contains(st, "device not found") {
		t.Errorf("status while unplugged:\n%s\nwant the transmitter off, the cell off the air (unplugged, or not found)", st)
	}

	// 4. The board is back: the cell comes on air again on a new stream
	// and the new air's phones register.
	rig.replug()
	waitFor("a new plug", 20*time.Second, func() bool { return rig.current() != first })
	second := rig.current()
	waitFor("the PA keyed after the replug", 20*time.Second, keyed)
	waitFor("phones registered after the replug", 60*time.Second, func() bool { return second.phones.Registered() == phones })
	rs := radioSnap()
	// The status file shows the stream's totals since boot, over the
	// cell's restarts.
	st := r.waitStatus(func(st string) bool {
		return strings.Contains(st, "stream up, healthy") && strings.Contains(st, "unplugs 1,") && strings.Contains(st, "2 starts")
	})
	r.stop(t)
	if !strings.Contains(st, "radio:       lime-usb (limesdr-mini): stream up, healthy; interlock") ||
		!strings.Contains(st, "unplugs 1,") || !strings.Contains(st, "2 starts") || strings.Contains(st, " 0 failed opens") ||
		strings.Contains(st, "RX lost 0 ") || !strings.Contains(st, "USB RX ") {
		t.Errorf("status file:\n%s\nwant the stream's totals (2 starts, failed opens, lost packets, 1 unplug)", st)
	}
	// What the board said it is at the bring-up (GET_INFO, the FPGA's
	// identification registers), as the fake answers them.
	if !regexp.MustCompile(`usb board:   firmware \d+, device \d+, protocol \d+, hardware \d+, serial [0-9a-f]+; board 0x[0-9a-f]{4} gateware \d+\.\d+`).MatchString(st) {
		t.Errorf("status file lacks the USB board's identification:\n%s", st)
	}
	// The console (and `gsmbox status`, which reads it) sees the same
	// totals over both starts as the status file.
	if f := consoleCell.Load(); f == nil || *f == nil {
		t.Errorf("the console was given no cell snapshot")
	} else if cr := (*f)().Radio; cr == nil || cr.Starts != 2 || cr.Stream.Unplugs != 1 {
		t.Errorf("console's radio %+v: want the totals since boot (2 starts, 1 unplug)", cr)
	}
	t.Logf("status file:\n%s", st)
	t.Logf("radio: starts %d, open failures %d, stream %+v, RX %.0f B/s TX %.0f B/s, interlock %v trips %d",
		rs.Starts, rs.OpenFailures, rs.Stream, rs.RXBytesPerSec, rs.TXBytesPerSec, rs.Interlock.State, rs.Interlock.TotalTrips)
	if rs.Starts != 1 || !rs.Up || !rs.Stream.Healthy {
		t.Errorf("radio after the replug %+v: want a new, healthy stream", rs)
	}
	if paKeyed(second.fake) {
		t.Errorf("PA keyed after Run returned")
	}
	for _, want := range []string{"transmitter keyed on the sample stream", "board unplugged", "radio front end unavailable", "stream-lost trip cleared"} {
		if !strings.Contains(r.console.String(), want) {
			t.Errorf("console lacks %q", want)
		}
	}
}
