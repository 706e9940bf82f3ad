package lime

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gsmbox/gsmbox/boards/usbfs"
)

// Interfaces of the FT601: 0 holds the session endpoint, 1 the control
// and stream endpoints.
var claimIfaces = [...]uint8{0, 1}

// Board is the control side of an open LimeSDR Mini or LimeNET Micro:
// FT601 session commands and LMS64C transactions. Its methods are safe
// for concurrent use; each transaction holds the board's lock while its
// request and reply cross the bus.
type Board struct {
	dev usbfs.Device
	// Timeout bounds each control transfer (default 1 s).
	Timeout time.Duration
	// Trace, when set, sees every packet the driver sends ("out") and
	// receives ("in") on the control and session endpoints.
	Trace func(ep uint8, dir string, b []byte)

	mu      sync.Mutex
	counter uint32
	sess    [FT601CmdSize]byte
	out, in [CtrlSize]byte
	req     Ctrl
	rep     Ctrl
	regs    []Reg
	claimed []uint8
}

// Opts configures Open; nil takes defaults.
type Opts struct {
	// Timeout bounds each control transfer (default 1 s).
	Timeout time.Duration
	// Trace sees every control and session packet (see Board.Trace).
	Trace func(ep uint8, dir string, b []byte)
}

// Open claims the FT601's interfaces on dev and resets its control pipe.
// It fails with usbfs.ErrBusy when another process holds the board.
func Open(dev usbfs.Device, o *Opts) (*Board, error) {
	b := &Board{dev: dev, Timeout: time.Second, regs: make([]Reg, 0, MaxRegBlocks)}
	if o != nil {
		if o.Timeout > 0 {
			b.Timeout = o.Timeout
		}
		b.Trace = o.Trace
	}
	for _, i := range claimIfaces {
		if err := dev.Claim(i); err != nil {
			b.release()
			return nil, fmt.Errorf("lime: claim interface %d: %w", i, err)
		}
		b.claimed = append(b.claimed, i)
	}
	if err := b.ResetFT601(); err != nil {
		b.release()
		return nil, err
	}
	return b, nil
}

func (b *Board) release() {
	for _, i := range b.claimed {
		_ = b.dev.Release(i)
	}
	b.claimed = nil
}

// Device returns the USB device (the stream uses its endpoints).
func (b *Board) Device() usbfs.Device { return b.dev }

// Close releases the interfaces (the Device stays open; its owner closes
// it).
func (b *Board) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.release()
	return nil
}

func (b *Board) trace(ep uint8, dir string, p []byte) {
	if b.Trace != nil {
		b.Trace(ep, dir, p)
	}
}

// ft601 sends one session command; the caller holds mu.
func (b *Board) ft601(ep, cmd uint8, param uint32) error {
	b.counter++
	c := FT601Cmd{Counter: b.counter, EP: ep, Cmd: cmd, Param: param}
	_ = c.MarshalTo(b.sess[:])
	b.trace(EPSession, "out", b.sess[:])
	if _, err := b.dev.Bulk(EPSession, b.sess[:], b.Timeout); err != nil {
		return fmt.Errorf("lime: %v: %w", c, err)
	}
	return nil
}

// ResetFT601 flushes the control IN pipe and sets it to stream 64-byte
// packets, so a reply left over from a crashed session cannot answer the
// next request.
func (b *Board) ResetFT601() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.ft601(EPCtrlIn, FT601FlushPipe, 0); err != nil {
		return err
	}
	return b.ft601(EPCtrlIn, FT601SetStreamPipe, CtrlSize)
}

// StreamPipes flushes the stream RX pipe and sets it to transfers of
// size bytes; StopPipes flushes both stream pipes.
func (b *Board) StreamPipes(size int) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.ft601(EPStreamRX, FT601FlushPipe, 0); err != nil {
		return err
	}
	return b.ft601(EPStreamRX, FT601SetStreamPipe, uint32(size))
}

// StopPipes flushes the stream RX pipe after the FPGA stopped.
func (b *Board) StopPipes() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.ft601(EPStreamRX, FT601FlushPipe, 0)
}

// transact sends b.req and reads the reply into b.rep; the caller holds
// mu.
func (b *Board) transact() error {
	_ = b.req.MarshalTo(b.out[:])
	b.trace(EPCtrlOut, "out", b.out[:])
	if _, err := b.dev.Bulk(EPCtrlOut, b.out[:], b.Timeout); err != nil {
		return fmt.Errorf("lime: %v: %w", b.req.Cmd, err)
	}
	n, err := b.dev.Bulk(EPCtrlIn, b.in[:], b.Timeout)
	if err != nil {
		return fmt.Errorf("lime: %v reply: %w", b.req.Cmd, err)
	}
	b.trace(EPCtrlIn, "in", b.in[:n])
	if err := b.rep.Unmarshal(b.in[:n]); err != nil {
		return err
	}
	if b.rep.Cmd != b.req.Cmd {
		return fmt.Errorf("%w: reply to %v is %v", ErrPacket, b.req.Cmd, b.rep.Cmd)
	}
	if b.rep.Status != StatusCompleted {
		return &StatusError{Cmd: b.req.Cmd, Status: b.rep.Status}
	}
	return nil
}

// Transact sends one arbitrary request and returns its reply.
func (b *Board) Transact(req Ctrl) (Ctrl, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.req = req
	err := b.transact()
	return b.rep, err
}

// Info runs GET_INFO.
func (b *Board) Info() (Info, error) {
	rep, err := b.Transact(Ctrl{Cmd: CmdGetInfo})
	if err != nil {
		return Info{}, err
	}
	return DecodeInfo(&rep), nil
}

// LMSReset drives the LMS7002M's reset line (ResetPulse, ResetLow,
// ResetHigh).
func (b *Board) LMSReset(mode uint8) error {
	req := Ctrl{Cmd: CmdLMSReset, Blocks: 1}
	req.Data[0] = mode
	_, err := b.Transact(req)
	return err
}

// LMSWrite writes LMS7002M registers, 14 a packet.
func (b *Board) LMSWrite(regs ...Reg) error { return b.writeRegs(CmdLMSWrite, regs) }

// FPGAWrite writes FPGA registers, 14 a packet.
func (b *Board) FPGAWrite(regs ...Reg) error { return b.writeRegs(CmdFPGAWrite, regs) }

func (b *Board) writeRegs(cmd Command, regs []Reg) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for len(regs) > 0 {
		n := min(len(regs), MaxRegBlocks)
		if err := b.req.PutRegs(cmd, regs[:n]); err != nil {
			return err
		}
		if err := b.transact(); err != nil {
			return err
		}
		regs = regs[n:]
	}
	return nil
}

// LMSRead reads LMS7002M registers into vals (len(vals) = len(addrs)).
func (b *Board) LMSRead(addrs []uint16, vals []uint16) error {
	return b.readRegs(CmdLMSRead, addrs, vals)
}

// FPGARead reads FPGA registers into vals.
func (b *Board) FPGARead(addrs []uint16, vals []uint16) error {
	return b.readRegs(CmdFPGARead, addrs, vals)
}

// FPGAReg reads one FPGA register.
func (b *Board) FPGAReg(addr uint16) (uint16, error) {
	var v [1]uint16
	err := b.FPGARead([]uint16{addr}, v[:])
	return v[0], err
}

func (b *Board) readRegs(cmd Command, addrs, vals []uint16) error {
	if len(vals) < len(addrs) {
		return fmt.Errorf("%w: %d values for %d addresses", ErrConfig, len(vals), len(addrs))
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for off := 0; off < len(addrs); {
		n := min(len(addrs)-off, MaxRegBlocks)
		if err := b.req.PutAddrs(cmd, addrs[off:off+n]); err != nil {
			return err
		}
		if err := b.transact(); err != nil {
			return err
		}
		regs, err := b.rep.Regs(b.regs[:0])
		if err != nil {
			return err
		}
		if len(regs) != n {
			return fmt.Errorf("%w: %v answered %d of %d registers", ErrPacket, cmd, len(regs), n)
		}
		for i, r := range regs {
			if r.Addr != addrs[off+i]&0x7fff {
				return fmt.Errorf("%w: %v answered 0x%04x for 0x%04x", ErrPacket, cmd, r.Addr, addrs[off+i])
			}
			vals[off+i] = r.Val
		}
		off += n
	}
	return nil
}

// AnalogWrite sets an analog value (CMD_ANALOG_VAL_WR): channel ch, unit
// code unit, value v. Channel 0 is the reference oscillator's trim DAC.
func (b *Board) AnalogWrite(ch, unit uint8, v uint16) error {
	req := Ctrl{Cmd: CmdAnalogWr, Blocks: 1}
	req.Data[0], req.Data[1], req.Data[2], req.Data[3] = ch, unit, byte(v>>8), byte(v)
	_, err := b.Transact(req)
	return err
}

// TrimDAC is the analog channel of the reference trim DAC.
const TrimDAC = 0

// IsGone reports whether err means the board is gone (unplugged or its
// device closed).
func IsGone(err error) bool {
	return errors.Is(err, usbfs.ErrUnplugged) || errors.Is(err, usbfs.ErrClosed) || errors.Is(err, usbfs.ErrNotFound)
}

// Describe renders one control or session packet for traces and dry
// runs: the endpoint, the direction, the bytes in use (header and the
// data blocks the block count covers) and the decoded meaning.
func Describe(ep uint8, dir string, b []byte) string {
	if ep == EPSession {
		var c FT601Cmd
		if err := c.Unmarshal(b); err != nil {
			return fmt.Sprintf("ep 0x%02x %-3s %x  (%v)", ep, dir, b, err)
		}
		return fmt.Sprintf("ep 0x%02x %-3s %x  %v", ep, dir, b, c)
	}
	var p Ctrl
	if err := p.Unmarshal(b); err != nil {
		return fmt.Sprintf("ep 0x%02x %-3s %x  (%v)", ep, dir, b, err)
	}
	used := CtrlHeader + 4*int(p.Blocks)
	if (p.Cmd == CmdLMSRead || p.Cmd == CmdFPGARead) && p.Status == StatusUndefined {
		used = CtrlHeader + 2*int(p.Blocks)
	}
	if p.Cmd == CmdGetInfo && p.Status != StatusUndefined {
		used = CtrlHeader + 18
	}
	used = min(max(used, CtrlHeader), CtrlSize)
	return fmt.Sprintf("ep 0x%02x %-3s %x  %v", ep, dir, b[:used], &p)
}
