// Package limetest is a fake LimeSDR Mini / LimeNET Micro at the
// usbfs.Device seam, built from the documented protocol (see package
// lime's doc): it answers FT601 session commands and LMS64C control
// packets (LMS7002M register access goes to an lmstest register model,
// FPGA registers to a table), and while the FPGA's stream register is set
// it produces timestamped RX packets, from a radio source such as a
// dsp/sim endpoint, and consumes TX packets, checking their timestamps
// against its sample counter and raising the late flag for stale ones.
// Faults are injected on command: dropped RX packets, an unplug, a busy
// interface.
//
// The fake runs in virtual time: its sample counter advances one packet
// each time the host has an RX URB waiting and the source has the
// samples, so a cell and virtual phones run on it as fast as the CPU
// allows, deterministically.
//
// It imports the driver package only for its wire constants and codec;
// the behaviour (what a board answers) is modelled here independently.
package limetest

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"periph.io/x/conn/v3/physic"

	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/boards/rf/lms7002m/lmstest"
	"github.com/gsmbox/gsmbox/boards/usbfs"
	"github.com/gsmbox/gsmbox/dsp/radio"
)

// Reader is the RX sample source (a dsp/sim endpoint, a radiotest
// stream).
type Reader interface {
	Read(dst []complex64, ts radio.Timestamp) (int, radio.Flags, error)
}

// skipper is an RX source that paces the board's clock (a Pacer): told
// when the board skips samples.
type skipper interface{ Skip(n radio.Timestamp) }

// Writer is the TX sample sink.
type Writer interface {
	Write(src []complex64, ts radio.Timestamp) (int, radio.Flags, error)
}

// Config configures the fake. Zero fields take defaults.
type Config struct {
	// RefClock of the LMS7002M model (default 30.72 MHz).
	RefClock physic.Frequency
	// ChipID answered at 0x002F (default 0x3841).
	ChipID uint16
	// Info is the GET_INFO answer (default: firmware 6, device 17
	// (LimeSDR Mini), protocol 1, hardware 2).
	Info lime.Info
	// Gateware is the FPGA identification (default board 0x0011,
	// gateware 1.30, hardware 2).
	Gateware lime.Gateware
	// RX feeds the RX packets; nil sends a quarter-rate test tone at
	// half scale (so tests can check the samples).
	RX Reader
	// TX receives the TX samples at their timestamp plus Delay; nil
	// keeps only counts.
	TX Writer
	// Delay is the modelled TX→RX pipeline delay in samples.
	Delay int
	// Carriers, when RX is nil, replace the test tone: each is a
	// continuous carrier at an RF frequency that appears in the RX
	// samples when the LMS7002M's SXR is tuned within ±0.45 × SampleRate
	// of it (for scan tests).
	Carriers []Carrier
	// Transmitters, when RX is nil, are other transmitters on the air:
	// each a baseband source (a foreign GSM cell, an interferer) at an
	// RF frequency, heard like Carriers when SXR is tuned near it.
	Transmitters []Transmitter
	// SampleRate is the stream rate the carriers are rendered at
	// (default radio.SampleRate4).
	SampleRate float64
	// NoiseDBFS, when not zero, adds white Gaussian noise of that power
	// to the rendered Carriers and Transmitters (the receiver's noise
	// floor); seeded by Seed, so a run is reproducible.
	NoiseDBFS float64
	Seed      uint64
	// Impairment is the analog TX error behind the correctors, heard on
	// the Loopback seam and, on the stream, through the chip's TX→RX RF
	// loopback (see loopback.go).
	Impairment Impairment
	// LoopGainDB is the loopback's gain from the TX chain's output to
	// the RX samples (default −12 dB); LOPhaseRad the phase between the
	// TX and RX synthesisers (arbitrary on a board).
	LoopGainDB float64
	LOPhaseRad float64
	// RXImpairment is the receiver's own error, heard on the loopback.
	RXImpairment RXImpairment
	// BrokenLoopback makes the loopback carry nothing (a board whose
	// loopback switch does not work): the RX hears only its own error.
	BrokenLoopback bool
	// MinLead is how far ahead of the board's sample counter a TX packet
	// must arrive; a packet stamped earlier is late: dropped and flagged
	// in the next RX packet.
	MinLead int
	// RefErrorPPB is the board's reference oscillator error with its
	// trim DAC at midscale, in ppb (positive: fast); TrimPPBPerCode is
	// how far each DAC code (LMS64C ANALOG_VAL_WR channel 0) moves it
	// (default 10000/65536, the LimeSDR Mini chain's assumed slope; set
	// it off from the chain's to model a mis-measured DAC). The LOs
	// derive from the reference, so the board hears every carrier (and
	// the RX source) shifted by −y·f_SXR and transmits at +y·f_SXT.
	RefErrorPPB    float64
	TrimPPBPerCode float64
	// Board is the antenna wiring modelled (BoardLimeSDRMini, the
	// default, or BoardLimeNETMicro, whose gateware then defaults to
	// hardware 3): RX reaches the samples and TX the TX writer only
	// through the ports and RF switch settings the board wires to its
	// connectors (antenna.go). IgnoreRouting turns that off, for tests
	// of the USB stream alone that never set the RF paths up.
	Board         string
	IgnoreRouting bool
}

// Carrier is one transmitter on the fake air.
type Carrier struct {
	Hz   float64
	DBFS float64 // power relative to full scale
}

// Transmitter is a modulated transmitter on the fake air: Src makes its
// complex baseband at the stream's sample rate and timestamps (the
// board's sample counter), which the board hears shifted by Hz − LO.
type Transmitter struct {
	Hz   float64
	DBFS float64 // gain applied to Src's samples, dB
	Src  Reader
}

// Stats count what the fake saw.
type Stats struct {
	RXPackets, RXDropped      uint64
	TXPackets, TXLate, TXGood uint64
	TXSamples                 uint64
	Session                   []lime.FT601Cmd
	Ctrl                      uint64
	// LoopbackTX counts TX packets that went into the chip's RF
	// loopback, LoopbackRX RX packets rendered from it.
	LoopbackTX, LoopbackRX uint64
	// PadOnLoopback counts LMS7002M register writes after which the TX
	// pad was powered (PD_TXPAD_TRF = 0, EN_G_TRF = 1) while the TX pad
	// loopback was enabled (EN_LOOPB_TXPAD_TRF = 1): a calibration
	// signal on its way to the antenna. It must stay 0.
	PadOnLoopback uint64
}

// Fake is the fake board. Create it with New.
type Fake struct {
	cfg  Config
	Chip *lmstest.Chip

	mu        sync.Mutex
	cond      *sync.Cond
	fpga      map[uint16]uint16
	claimed   map[uint8]bool
	busy      bool
	gone      bool
	closed    bool
	replies   [][lime.CtrlSize]byte
	rxq, done []*usbfs.URB
	filling   *usbfs.URB // the RX URB the FPGA is filling
	streaming bool
	running   bool
	counter   uint64
	dropNext  int
	lateFlag  bool
	stats     Stats
	wg        sync.WaitGroup
	failCmd   lime.Command
	failWith  lime.Status
	lmsReset  int
	rxBuf     []complex64
	txBuf     []complex64
	trimCode  uint16
	tmp       []complex64 // a transmitter's baseband (produce's goroutine)
	noise     *rand.Rand
	lbRing    []complex64 // TX samples by RX counter (stamp + Delay), loopback only
	lbEnd     uint64      // end of the newest TX sample in the ring
	rxNoise   *rand.Rand
	// OnSession and OnCtrl, when set, see every session command and
	// control request (dry-run printing).
	OnCtrl func(req *lime.Ctrl)
}

var _ usbfs.Device = (*Fake)(nil)

// New returns a plugged-in, idle board.
func New(cfg Config) *Fake {
	if cfg.RefClock == 0 {
		cfg.RefClock = 30720 * physic.KiloHertz
	}
	if cfg.ChipID == 0 {
		cfg.ChipID = 0x3841
	}
	if cfg.Info == (lime.Info{}) {
		cfg.Info = lime.Info{Firmware: 6, Device: 17, Protocol: 1, Hardware: 2, Serial: 0x1D3AC4F6A1B2C3}
	}
	if cfg.TrimPPBPerCode == 0 {
		cfg.TrimPPBPerCode = 10000.0 / 65536
	}
	if cfg.Gateware == (lime.Gateware{}) {
		cfg.Gateware = lime.Gateware{BoardID: 0x0011, Version: 1, Revision: 30, Hardware: 2}
		if cfg.Board == BoardLimeNETMicro {
			cfg.Gateware.Hardware = 3
		}
	}
	f := &Fake{cfg: cfg, Chip: lmstest.New(cfg.RefClock, cfg.ChipID), claimed: map[uint8]bool{},
		fpga: map[uint16]uint16{
			lime.FPGABoardID: cfg.Gateware.BoardID, lime.FPGAGateware: cfg.Gateware.Version,
			lime.FPGARevision: cfg.Gateware.Revision, lime.FPGAHardware: cfg.Gateware.Hardware,
		},
		rxBuf:    make([]complex64, lime.Format12.SamplesPerPacket()),
		txBuf:    make([]complex64, lime.Format12.SamplesPerPacket()),
		trimCode: 1 << 15,
	}
	f.cond = sync.NewCond(&f.mu)
	return f
}

func (f *Fake) String() string { return "limetest" }

// SetRX replaces the RX source (before the stream starts).
func (f *Fake) SetRX(r Reader) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cfg.RX = r
}

// SetBusy makes Claim fail as if another process held the board.
func (f *Fake) SetBusy(b bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.busy = b
}

// DropRX makes the board skip its next n RX packets (their counter
// range is lost, as when the FPGA's FIFO overflows).
func (f *Fake) DropRX(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dropNext += n
}

// FailNext makes the next control request with command cmd answer with
// status st.
func (f *Fake) FailNext(cmd lime.Command, st lime.Status) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failCmd, f.failWith = cmd, st
}

// Unplug takes the board away: URBs in flight complete with ENODEV and
// every later call fails with usbfs.ErrUnplugged.
func (f *Fake) Unplug() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gone = true
	if f.filling != nil {
		f.rxq = append(f.rxq, f.filling)
		f.filling = nil
	}
	for _, u := range f.rxq {
		u.Err = f.errLocked("urb")
		f.done = append(f.done, u)
	}
	f.rxq = nil
	f.cond.Broadcast()
}

// TrimCode is the reference trim DAC's code (midscale until written).
func (f *Fake) TrimCode() uint16 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.trimCode
}

// RefError is the reference oscillator's fractional frequency error now:
// RefErrorPPB moved by the trim DAC.
func (f *Fake) RefError() float64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refErrLocked()
}

func (f *Fake) refErrLocked() float64 {
	return (f.cfg.RefErrorPPB + (float64(f.trimCode)-(1<<15))*f.cfg.TrimPPBPerCode) * 1e-9
}

// shift turns buf (samples from counter c on, at rate fs) by hz.
func shift(buf []complex64, c uint64, hz, fs float64) {
	if hz == 0 {
		return
	}
	w := 2 * math.Pi * hz / fs
	for i := range buf {
		s, co := math.Sincos(math.Mod(w*float64(c+uint64(i)), 2*math.Pi))
		buf[i] *= complex(float32(co), float32(s))
	}
}

// FPGA returns an FPGA register.
func (f *Fake) FPGA(addr uint16) uint16 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fpga[addr]
}

// Counter returns the board's sample counter (the next RX packet's).
func (f *Fake) Counter() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.counter
}

// Stats returns the counters.
func (f *Fake) Stats() Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.stats
	s.Session = append([]lime.FT601Cmd(nil), s.Session...)
	return s
}

// Claimed reports whether interface i is claimed.
func (f *Fake) Claimed(i uint8) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.claimed[i]
}

// LMSResets counts LMS7002_RST commands.
func (f *Fake) LMSResets() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lmsReset
}

func (f *Fake) errLocked(op string) error {
	if f.gone {
		return &usbfs.Error{Op: op, Path: "limetest", Err: usbfs.ErrUnplugged}
	}
	if f.closed {
		return &usbfs.Error{Op: op, Path: "limetest", Err: usbfs.ErrClosed}
	}
	return nil
}

// Claim implements usbfs.Device.
func (f *Fake) Claim(i uint8) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.errLocked("claim"); err != nil {
		return err
	}
	if f.busy {
		return &usbfs.Error{Op: "claim", Path: "limetest", Err: usbfs.ErrBusy}
	}
	f.claimed[i] = true
	return nil
}

// Release implements usbfs.Device.
func (f *Fake) Release(i uint8) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.claimed, i)
	return f.errLocked("release")
}

// Bulk implements usbfs.Device: session commands, control requests and
// replies.
func (f *Fake) Bulk(ep uint8, buf []byte, _ time.Duration) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.errLocked(fmt.Sprintf("bulk ep 0x%02x", ep)); err != nil {
		return 0, err
	}
	switch ep {
	case lime.EPSession:
		var c lime.FT601Cmd
		if err := c.Unmarshal(buf); err != nil || len(buf) != lime.FT601CmdSize {
			return 0, fmt.Errorf("limetest: session command of %d bytes", len(buf))
		}
		f.stats.Session = append(f.stats.Session, c)
		if c.Cmd == lime.FT601FlushPipe && c.EP == lime.EPCtrlIn {
			f.replies = nil
		}
		return len(buf), nil
	case lime.EPCtrlOut:
		if len(buf) != lime.CtrlSize {
			return 0, fmt.Errorf("limetest: control packet of %d bytes", len(buf))
		}
		var req lime.Ctrl
		_ = req.Unmarshal(buf)
		if f.OnCtrl != nil {
			f.OnCtrl(&req)
		}
		f.stats.Ctrl++
		rep := f.answer(&req)
		var b [lime.CtrlSize]byte
		_ = rep.MarshalTo(b[:])
		f.replies = append(f.replies, b)
		return len(buf), nil
	case lime.EPCtrlIn:
		if len(f.replies) == 0 {
			return 0, &usbfs.Error{Op: "bulk ep 0x82", Path: "limetest", Err: usbfs.ErrTimeout}
		}
		n := copy(buf, f.replies[0][:])
		f.replies = f.replies[1:]
		return n, nil
	}
	return 0, fmt.Errorf("limetest: bulk on endpoint 0x%02x", ep)
}

// answer runs one LMS64C request; the caller holds mu.
func (f *Fake) answer(req *lime.Ctrl) lime.Ctrl {
	rep := lime.Ctrl{Cmd: req.Cmd, Status: lime.StatusCompleted, Blocks: req.Blocks, Periph: req.Periph}
	if f.failWith != 0 && f.failCmd == req.Cmd {
		rep.Status, f.failWith = f.failWith, 0
		return rep
	}
	switch req.Cmd {
	case lime.CmdGetInfo:
		lime.PutInfo(&rep, f.cfg.Info)
	case lime.CmdLMSReset:
		f.lmsReset++
	case lime.CmdLMSWrite, lime.CmdFPGAWrite:
		regs, err := req.Regs(nil)
		if err != nil || req.Blocks == 0 {
			rep.Status = lime.StatusTooManyBlocks
			return rep
		}
		for i, r := range regs {
			if binary.BigEndian.Uint16(req.Data[4*i:])&0x8000 == 0 {
				rep.Status = lime.StatusFailed // a write without the write bit
				return rep
			}
			if req.Cmd == lime.CmdLMSWrite {
				w := [4]byte{byte(r.Addr>>8) | 0x80, byte(r.Addr), byte(r.Val >> 8), byte(r.Val)}
				_ = f.Chip.Tx(w[:], nil)
				if f.loopbackRouted() && f.padOn() {
					f.stats.PadOnLoopback++
				}
				f.cond.Broadcast() // the loopback may have changed
			} else {
				f.fpgaWrite(r.Addr, r.Val)
			}
		}
	case lime.CmdLMSRead, lime.CmdFPGARead:
		addrs, err := req.Addrs(nil)
		if err != nil || len(addrs) == 0 || len(addrs) > lime.MaxRegBlocks {
			rep.Status = lime.StatusTooManyBlocks
			return rep
		}
		for i, a := range addrs {
			var v uint16
			if req.Cmd == lime.CmdLMSRead {
				w, r := [4]byte{byte(a >> 8), byte(a)}, [4]byte{}
				_ = f.Chip.Tx(w[:], r[:])
				v = uint16(r[2])<<8 | uint16(r[3])
			} else {
				v = f.fpga[a]
			}
			binary.BigEndian.PutUint16(rep.Data[4*i:], a)
			binary.BigEndian.PutUint16(rep.Data[4*i+2:], v)
		}
	case lime.CmdAnalogWr:
		// ch, unit, value (big-endian): channel 0 is the reference trim.
		if req.Data[0] == lime.TrimDAC {
			f.trimCode = binary.BigEndian.Uint16(req.Data[2:])
		}
	default:
		rep.Status = lime.StatusUnknownCmd
	}
	return rep
}

// fpgaWrite models the stream registers; the caller holds mu.
func (f *Fake) fpgaWrite(addr, v uint16) {
	switch addr {
	case lime.FPGABoardID, lime.FPGAGateware, lime.FPGARevision, lime.FPGAHardware:
		return // read-only
	case lime.FPGATSReset:
		if v&lime.TSResetOn != 0 {
			f.counter = 0
			f.lbEnd = 0
			clear(f.lbRing)
		}
	case lime.FPGAStream:
		f.streaming = v&lime.StreamOn != 0
		if f.streaming && !f.running {
			f.running = true
			f.wg.Add(1)
			go f.produce()
		}
		f.cond.Broadcast()
	}
	f.fpga[addr] = v
}

func (f *Fake) format() lime.Format {
	if f.fpga[lime.FPGAMode]&3 == lime.ModeWidth12 {
		return lime.Format12
	}
	return lime.Format16
}

// produce is the FPGA's RX side: while streaming, it fills each RX URB
// the host submitted with packets and completes it.
func (f *Fake) produce() {
	defer f.wg.Done()
	f.mu.Lock()
	defer f.mu.Unlock()
	for {
		for f.streaming && !f.gone && !f.closed && len(f.rxq) == 0 {
			f.cond.Wait()
		}
		if !f.streaming || f.gone || f.closed {
			f.running = false
			return
		}
		u := f.rxq[0]
		f.rxq = f.rxq[1:]
		f.filling = u
		fm := f.format()
		spp := fm.SamplesPerPacket()
		off := 0
		for off+lime.PacketSize <= u.Len {
			skipped := 0
			for f.dropNext > 0 {
				f.dropNext--
				f.stats.RXDropped++
				f.counter += uint64(spp)
				skipped += spp
			}
			buf := f.rxBuf[:spp]
			var err error
			if f.loopback() {
				// Virtual time: the board's clock runs to one URB past
				// the newest TX sample the loop sent (as pacedTX lets a
				// cell's board run behind its TX).
				urb := uint64(u.Len / lime.PacketSize * spp)
				for f.loopback() && f.counter >= f.lbEnd+urb && f.streaming && !f.gone && !f.closed && f.filling == u {
					f.cond.Wait()
				}
				if f.gone || f.closed || !f.streaming || f.filling != u {
					break
				}
			}
			c := f.counter
			if f.loopback() {
				f.loopFill(buf, c)
				f.stats.LoopbackRX++
			} else {
				sk, _ := f.cfg.RX.(skipper)
				f.mu.Unlock()
				if skipped > 0 && sk != nil {
					sk.Skip(radio.Timestamp(skipped)) // the clock ran through the dropped packets
				}
				err = f.fill(buf, c)
				f.mu.Lock()
			}
			if err != nil || f.gone || f.closed || !f.streaming || f.filling != u {
				break
			}
			pkt := u.Buf[off : off+lime.PacketSize]
			_, _ = lime.EncodeTX(pkt, buf, c, false, fm)
			pkt[0] = 0 // RX flags: no ignore-timestamp bit
			if f.lateFlag {
				pkt[0] |= lime.FlagTXDropped
				f.lateFlag = false
			}
			f.counter += uint64(spp)
			f.stats.RXPackets++
			off += lime.PacketSize
		}
		if f.filling != u {
			continue // discarded while it was being filled
		}
		f.filling = nil
		u.N = off
		if e := f.errLocked("urb"); e != nil && off == 0 {
			u.Err = e
		}
		f.done = append(f.done, u)
		f.cond.Broadcast()
	}
}

// fill reads the source for one packet (without the lock: a sim endpoint
// blocks in virtual time).
func (f *Fake) fill(buf []complex64, c uint64) error {
	f.mu.Lock()
	rx := f.cfg.RX
	y := f.refErrLocked()
	routed := f.rxRouted()
	f.mu.Unlock()
	if !routed {
		// The antenna is not on the selected LNA: the source still
		// runs (its clock), the receiver hears nothing of it.
		defer clear(buf)
	}
	// The reference runs y fast, and the SXR LO with it: everything the
	// board hears arrives y·f_SXR low. (The sample clock's own y, which
	// scales baseband frequencies by 1+y — 0.07 Hz per ppm at the FCCH's
	// 67.7 kHz — is not modelled.)
	if y != 0 {
		defer shift(buf, c, -y*f.RXFrequency(), f.rate())
	}
	if rx != nil {
		_, _, err := rx.Read(buf, radio.Timestamp(c))
		return err
	}
	if len(f.cfg.Carriers)+len(f.cfg.Transmitters) > 0 {
		f.carriers(buf, c)
		return nil
	}
	Tone(buf, radio.Timestamp(c))
	return nil
}

// AllocURBs implements usbfs.Device.
func (f *Fake) AllocURBs(ep uint8, n, size int) ([]*usbfs.URB, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.errLocked("alloc"); err != nil {
		return nil, err
	}
	out := make([]*usbfs.URB, n)
	for i := range out {
		out[i] = &usbfs.URB{Endpoint: ep, Buf: make([]byte, size), Len: size}
	}
	return out, nil
}

// Submit implements usbfs.Device: RX URBs wait for the FPGA, TX URBs are
// consumed at once.
func (f *Fake) Submit(u *usbfs.URB) error {
	f.mu.Lock()
	if err := f.errLocked("submit"); err != nil {
		f.mu.Unlock()
		return err
	}
	u.N, u.Err = 0, nil
	switch u.Endpoint {
	case lime.EPStreamRX:
		f.rxq = append(f.rxq, u)
		f.cond.Broadcast()
		f.mu.Unlock()
		return nil
	case lime.EPStreamTX:
		fm := f.format()
		f.mu.Unlock()
		err := f.consume(u, fm)
		f.mu.Lock()
		u.N = u.Len
		u.Err = err
		f.done = append(f.done, u)
		f.cond.Broadcast()
		f.mu.Unlock()
		return nil
	}
	f.mu.Unlock()
	return fmt.Errorf("limetest: submit on endpoint 0x%02x", u.Endpoint)
}

// consume checks and forwards the TX packets of one URB.
func (f *Fake) consume(u *usbfs.URB, fm lime.Format) error {
	buf := u.Buf[:u.Len]
	for len(buf) >= lime.PacketSize {
		var h lime.Header
		if err := h.Unmarshal(buf); err != nil {
			return err
		}
		n := lime.DecodeSamples(f.txBuf, buf[lime.PacketHeader:lime.PacketHeader+int(h.Payload)], fm)
		buf = buf[lime.PacketSize:]
		f.mu.Lock()
		f.stats.TXPackets++
		late := !h.IgnoreTimestamp() && h.Counter < f.counter+uint64(f.cfg.MinLead)
		if late {
			f.stats.TXLate++
			f.lateFlag = true
			f.mu.Unlock()
			continue
		}
		f.stats.TXGood++
		f.stats.TXSamples += uint64(n)
		if f.loopback() {
			// The TX chain's output goes round the loopback; with the
			// pad powered down nothing reaches the antenna.
			f.stats.LoopbackTX++
			f.loopStore(f.txBuf[:n], h.Counter+uint64(f.cfg.Delay))
			f.cond.Broadcast()
			if !f.padOn() {
				f.mu.Unlock()
				continue
			}
		}
		routed := f.txRouted()
		f.mu.Unlock()
		if !routed {
			// The selected TX output is not the one wired to the
			// connector: nothing leaves the board.
			clear(f.txBuf[:n])
		}
		if f.cfg.TX != nil {
			if y := f.RefError(); y != 0 {
				// The SXT LO is y·f high: the carrier leaves y·f high.
				shift(f.txBuf[:n], h.Counter, y*f.TXFrequency(), f.rate())
			}
			if _, _, err := f.cfg.TX.Write(f.txBuf[:n], radio.Timestamp(h.Counter)+radio.Timestamp(f.cfg.Delay)); err != nil {
				return err
			}
		}
	}
	return nil
}

// Reap implements usbfs.Device.
func (f *Fake) Reap(wait bool) (*usbfs.URB, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for len(f.done) == 0 {
		if err := f.errLocked("reap"); err != nil {
			return nil, err
		}
		if !wait {
			return nil, &usbfs.Error{Op: "reap", Path: "limetest", Err: usbfs.ErrAgain}
		}
		f.cond.Wait()
	}
	u := f.done[0]
	f.done = f.done[1:]
	return u, nil
}

// Discard implements usbfs.Device.
func (f *Fake) Discard(u *usbfs.URB) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if u == f.filling {
		f.filling = nil
		u.Err = &usbfs.Error{Op: "urb", Path: "limetest", Err: usbfs.ErrClosed}
		f.done = append(f.done, u)
		f.cond.Broadcast()
		return nil
	}
	for i, x := range f.rxq {
		if x == u {
			f.rxq = append(f.rxq[:i], f.rxq[i+1:]...)
			u.Err = &usbfs.Error{Op: "urb", Path: "limetest", Err: usbfs.ErrClosed}
			f.done = append(f.done, u)
			f.cond.Broadcast()
			return nil
		}
	}
	return &usbfs.Error{Op: "discard", Path: "limetest", Err: fmt.Errorf("URB not in flight")}
}

// Close implements usbfs.Device.
func (f *Fake) Close() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return &usbfs.Error{Op: "close", Path: "limetest", Err: usbfs.ErrClosed}
	}
	f.closed = true
	f.streaming = false
	f.cond.Broadcast()
	rx := f.cfg.RX
	f.mu.Unlock()
	// A source that blocks its reader (a Pacer) is released, so the
	// FPGA goroutine can end.
	if c, ok := rx.(interface{ Close() }); ok {
		c.Close()
	}
	f.wg.Wait()
	return nil
}

// RXFrequency is the LO the LMS7002M model's SXR is tuned to, in Hz:
// (INT + 4 + FRAC/2^20) × ref (× 2 with EN_DIV2) / 2^(DIV_LOCH+1).
func (f *Fake) RXFrequency() float64 { return f.loHz(1) }

// TXFrequency is the LO of SXT, as RXFrequency.
func (f *Fake) TXFrequency() float64 { return f.loHz(2) }

func (f *Fake) loHz(mac int) float64 {
	const div = 0x011F // DIV_LOCH
	return f.Chip.SXVCOHz(mac) / float64(uint(2)<<(f.Chip.SX(mac, div)>>6&7))
}

func (f *Fake) rate() float64 {
	if f.cfg.SampleRate == 0 {
		return radio.SampleRate4
	}
	return f.cfg.SampleRate
}

// Render makes what the board hears without an RX source: the carriers
// through the SXR LO, or the test tone, as with a perfect reference (the
// board applies RefErrorPPB to whatever its RX source gives, Render
// included).
func (f *Fake) Render(dst []complex64, ts radio.Timestamp) {
	if len(f.cfg.Carriers)+len(f.cfg.Transmitters) > 0 {
		f.carriers(dst, uint64(ts))
		return
	}
	Tone(dst, ts)
}

// carriers renders the configured carriers as seen through the SXR LO.
func (f *Fake) carriers(buf []complex64, c uint64) {
	fs := f.rate()
	lo := f.RXFrequency()
	clear(buf)
	if f.cfg.NoiseDBFS != 0 {
		if f.noise == nil {
			f.noise = rand.New(rand.NewPCG(f.cfg.Seed, 0x6e6f))
		}
		sd := math.Sqrt(math.Pow(10, f.cfg.NoiseDBFS/10) / 2)
		for i := range buf {
			buf[i] = complex(float32(sd*f.noise.NormFloat64()), float32(sd*f.noise.NormFloat64()))
		}
	}
	for _, k := range f.cfg.Carriers {
		df := k.Hz - lo
		if math.Abs(df) > 0.45*fs {
			continue
		}
		a := math.Pow(10, k.DBFS/20)
		w := 2 * math.Pi * df / fs
		for i := range buf {
			s, co := math.Sincos(w * float64(c+uint64(i)))
			buf[i] += complex(float32(a*co), float32(a*s))
		}
	}
	for _, x := range f.cfg.Transmitters {
		df := x.Hz - lo
		if math.Abs(df) > 0.45*fs {
			continue
		}
		if len(f.tmp) < len(buf) {
			f.tmp = make([]complex64, len(buf))
		}
		src := f.tmp[:len(buf)]
		if _, _, err := x.Src.Read(src, radio.Timestamp(c)); err != nil {
			continue
		}
		a := math.Pow(10, x.DBFS/20)
		w := 2 * math.Pi * df / fs
		for i, v := range src {
			s, co := math.Sincos(w * float64(c+uint64(i)))
			buf[i] += complex64(complex(a*co, a*s) * complex128(v))
		}
	}
}
