// Package limehost is the host side of a fake LimeSDR on QEMU's USB: a
// usbredir server (boards/usbfs/usbredir) exporting the limetest fake,
// whose antenna is the cell's endpoint on a simulated air with virtual
// phones (firmware/node's SimAir), paced in virtual time by the guest's
// TX (Clock). The image test TestQEMULimeUSB and the limeredir command
// use it; see docs/rf-bringup.md, "The USB path through a real kernel".
//
// Place in the dependency order: a tool above firmware/node and
// boards/rf/lime/limetest; nothing on the appliance imports it.
package limehost

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/boards/rf/lime/limetest"
	"github.com/gsmbox/gsmbox/boards/usbfs/usbredir"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/dsp/sim"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/firmware/node/simphones"
)

// Options configure a Host.
type Options struct {
	// Board is the guest's board (its chain's reference clock; its limits
	// check Config). Default qemu-arm64-limesdr.
	Board *boards.Descriptor
	// Config is the guest's gsmbox.toml (the air must match its cell:
	// band, ARFCN, samples per symbol); nil means the defaults.
	Config []byte
	// Phones is how many virtual phones to put on the air, Seed draws
	// them (0: the configuration's sim.seed).
	Phones int
	Seed   uint64
	// Listen is the TCP address QEMU's usb-redir chardev connects to
	// (default "127.0.0.1:0", a free port: see Addr).
	Listen string
	// Serial is the device's serial number string.
	Serial string
	// Log receives the server's and the phones' messages (default
	// discarded).
	Log *slog.Logger
}

// Host is a running host side. Create it with New; Close stops it.
type Host struct {
	Air    *node.SimAir
	Clock  *Clock
	Fake   *limetest.Fake
	Redir  *limetest.Redir
	Server *usbredir.Server
	Phones *simphones.Phones

	ln       net.Listener
	log      *slog.Logger
	getInfo  atomic.Int32
	conns    atomic.Int32
	serveErr atomic.Value
	wg       sync.WaitGroup
}

// Clock is the fake board's sample clock on the simulated air, in
// virtual time: the board's RX source and TX sink. Its TX side puts the
// guest's samples onto the air at the cell's endpoint; its RX side lets
// the board's counter run only to one frame (and a little) behind the
// newest TX sample, as a real board's clock runs behind a host that
// keeps its TX lead. So the guest's TX writes pace the board, and the
// air runs as fast as the emulated guest, not the wall clock. On the
// air nothing may be read before it is written: an RX read of the cell's
// endpoint commits the cell's transmission up to there.
//
// Board time restarts at 0 with each stream start (the driver resets
// the FPGA's counter); air time cannot go back, so each stream start
// maps board time 0 to a frame boundary past everything the air has
// seen, as a cell that restarts.
type Clock struct {
	bts   *sim.Endpoint
	frame int64
	slack int64

	mu      sync.Mutex
	cond    *sync.Cond
	base    int64 // air time of board time 0
	allowed int64 // air time the board's RX may run to
	newest  int64 // end of the newest TX samples, air time
	rxEnd   int64
	epoch   int // counts restarts; a read waiting across one is stale
	closed  bool

	starts, writes, gaps, late uint64
	next                       int64 // board time the next TX write continues at
}

func newClock(bts *sim.Endpoint, frame int) *Clock {
	a := &Clock{bts: bts, frame: int64(frame), slack: 200}
	a.cond = sync.NewCond(&a.mu)
	return a
}

// Read is the board's RX source.
func (a *Clock) Read(dst []complex64, ts radio.Timestamp) (int, radio.Flags, error) {
	a.mu.Lock()
	ep := a.epoch
	for !a.closed && ep == a.epoch && a.base+int64(ts)+int64(len(dst)) > a.allowed {
		a.cond.Wait()
	}
	if ep != a.epoch {
		// The board restarted while this packet waited (an unplug
		// cancelled its transfer): nothing of the air is read for it.
		a.mu.Unlock()
		clear(dst)
		return len(dst), 0, nil
	}
	at := a.base + int64(ts)
	a.rxEnd = max(a.rxEnd, at+int64(len(dst)))
	closed := a.closed
	a.mu.Unlock()
	if closed {
		return 0, 0, radio.ErrClosed
	}
	if _, _, err := a.bts.Read(dst, radio.Timestamp(at)); err != nil {
		clear(dst)
	}
	return len(dst), 0, nil
}

// Write is the board's TX sink (the fake has added the device delay).
func (a *Clock) Write(src []complex64, ts radio.Timestamp) (int, radio.Flags, error) {
	a.mu.Lock()
	at := a.base + int64(ts)
	if a.writes > 0 && int64(ts) != a.next {
		a.gaps++
	}
	a.next = int64(ts) + int64(len(src))
	a.writes++
	a.mu.Unlock()
	n, fl, err := a.bts.Write(src, radio.Timestamp(at))
	a.mu.Lock()
	a.newest = max(a.newest, at+int64(n))
	if al := a.newest - a.frame - a.slack; al > a.allowed {
		a.allowed = al
		a.cond.Broadcast()
	}
	a.mu.Unlock()
	return n, fl, err
}

// restart maps board time 0 past everything the air has seen, on a
// frame boundary (the fake's FPGA stream was switched on).
func (a *Clock) restart() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.starts++
	if a.starts == 1 {
		return
	}
	a.base = (max(a.newest, a.rxEnd, a.allowed)/a.frame + 2) * a.frame
	a.writes = 0
	a.epoch++
	a.cond.Broadcast()
}

// Close releases a waiting Read.
func (a *Clock) Close() {
	a.mu.Lock()
	a.closed = true
	a.cond.Broadcast()
	a.mu.Unlock()
}

// ClockStats describe the board's clock on the air.
type ClockStats struct {
	// Starts counts stream starts; Writes and Gaps the last stream's TX
	// writes and those that did not continue the previous one's
	// timestamps; Base is the air time of the last stream's board time 0,
	// Allowed the air time the board's RX may run to.
	Starts, Writes, Gaps uint64
	Base, Allowed        int64
}

// Stats returns the clock's counters.
func (a *Clock) Stats() ClockStats {
	a.mu.Lock()
	defer a.mu.Unlock()
	return ClockStats{Starts: a.starts, Writes: a.writes, Gaps: a.gaps, Base: a.base, Allowed: a.allowed}
}

// New builds the air, the fake board, the server and the phones, and
// starts accepting usb-guest connections (one at a time; a guest that
// reconnects finds the same board).
func New(o Options) (*Host, error) {
	board := o.Board
	if board == nil {
		var err error
		if board, err = boards.Lookup("qemu-arm64-limesdr"); err != nil {
			return nil, err
		}
	}
	if board.RF.Chain == nil {
		return nil, fmt.Errorf("limehost: board %s has no RF chain", board.Name)
	}
	c, err := config.Parse(o.Config, "gsmbox.toml", board)
	if err != nil {
		return nil, err
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Host{log: log}
	if h.Air, err = node.NewSimAir(c); err != nil {
		return nil, err
	}
	h.Clock = newClock(h.Air.BTS, h.Air.Transmitter().FrameLen())
	h.Fake = limetest.New(limetest.Config{RefClock: board.RF.Chain.RefClock, RX: h.Clock, TX: h.Clock, Delay: 96})
	var regs []lime.Reg
	streaming := false
	h.Fake.OnCtrl = func(req *lime.Ctrl) { // one at a time, the fake's lock held
		if req.Cmd == lime.CmdGetInfo {
			h.getInfo.Add(1)
		}
		if req.Cmd != lime.CmdFPGAWrite {
			return
		}
		regs, _ = req.Regs(regs[:0])
		for _, r := range regs {
			if r.Addr != lime.FPGAStream {
				continue
			}
			if on := r.Val&lime.StreamOn != 0; on != streaming {
				streaming = on
				if on {
					h.Clock.restart()
				}
			}
		}
	}
	h.Redir = limetest.NewRedir(h.Fake)
	serial := o.Serial
	if serial == "" {
		serial = "1D3AC4F6A1B2C3"
	}
	if h.Server, err = usbredir.NewServer(limetest.USBDevice(serial), h.Redir, log); err != nil {
		h.closeAir()
		return nil, err
	}
	if h.Phones, err = h.Air.StartPhones(context.Background(), node.PhoneOptions{N: o.Phones, Seed: o.Seed, Log: log}); err != nil {
		h.closeAir()
		return nil, err
	}
	addr := o.Listen
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if h.ln, err = net.Listen("tcp", addr); err != nil {
		h.Phones.Stop()
		h.closeAir()
		return nil, err
	}
	h.wg.Add(1)
	go h.accept()
	return h, nil
}

func (h *Host) accept() {
	defer h.wg.Done()
	for {
		conn, err := h.ln.Accept()
		if err != nil {
			return
		}
		h.conns.Add(1)
		h.log.Info("usb-guest connected", "from", conn.RemoteAddr())
		if err := h.Server.Serve(context.Background(), conn); err != nil {
			h.serveErr.Store(err)
			h.log.Error("usbredir serve", "err", err)
		}
		conn.Close()
	}
}

// Addr is the address QEMU connects to ("127.0.0.1:PORT").
func (h *Host) Addr() string { return h.ln.Addr().String() }

// Err is the last connection's protocol error, nil when none.
func (h *Host) Err() error {
	err, _ := h.serveErr.Load().(error)
	return err
}

// GetInfo counts the GET_INFO requests the board answered.
func (h *Host) GetInfo() int { return int(h.getInfo.Load()) }

// Connections counts the usb-guest connections accepted.
func (h *Host) Connections() int { return int(h.conns.Load()) }

func (h *Host) closeAir() {
	h.Clock.Close()
	h.Air.BTS.Close()
	h.Fake.Close()
	h.Air.Close()
}

// Close stops accepting, releases the board and the air, and waits for
// the connection being served to end (close the guest first).
func (h *Host) Close() error {
	err := h.ln.Close()
	h.Clock.Close()
	h.Air.BTS.Close()
	ferr := h.Fake.Close()
	h.Phones.Stop()
	h.Air.Close()
	h.wg.Wait()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return errors.Join(err, ferr)
}
