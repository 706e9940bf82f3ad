package rf

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"

	"github.com/gsmbox/gsmbox/boards/rf/ad5662"
	"github.com/gsmbox/gsmbox/boards/rf/adf4351"
	"github.com/gsmbox/gsmbox/boards/rf/discipline"
	"github.com/gsmbox/gsmbox/boards/rf/gpspps"
	"github.com/gsmbox/gsmbox/boards/rf/ina219"
	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/boards/rf/lms7002m"
	"github.com/gsmbox/gsmbox/boards/rf/mcp4725"
	"github.com/gsmbox/gsmbox/boards/rf/pe4302"
	"github.com/gsmbox/gsmbox/boards/rf/tmp102"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Opener opens the buses and pins a chain names. The host implementation
// uses periph's registries; tests and dry runs use fakes.
type Opener interface {
	OpenSPI(name string) (spi.PortCloser, error)
	OpenI2C(name string) (i2c.BusCloser, error)
	Pin(name string) (gpio.PinIO, error)
	// Counter returns the board's PPS-latched sample counter, or nil when
	// no driver for it exists.
	Counter() gpspps.Counter
}

// LimeOpener is implemented by Openers that reach USB radios: OpenLime
// opens the LimeSDR Mini / LimeNET Micro named by a BusUSB part ("lime")
// and returns its control side and the closer of its USB device.
type LimeOpener interface {
	OpenLime(name string) (*lime.Board, io.Closer, error)
}

// KernelPPSOpener is implemented by Openers that can read the PPS line
// through the kernel's PPS API (a pps-gpio device bound to the pin):
// OpenKernelPPS returns the edge source, reading sample counts from fit
// (which must be on gpspps.RealtimeNow), or nil when the pin has no
// kernel PPS device.
type KernelPPSOpener interface {
	OpenKernelPPS(pin string, fit *gpspps.Fit) (PPSSource, io.Closer, error)
}

// Software PPS latch jitter assumed for the discipline loop (its
// averaging window adapts to the jitter it measures; these set only the
// mode): a GPIO edge seen by this process after the scheduler wakes it,
// and a kernel pps-gpio interrupt timestamp, each plus the stream fit.
const (
	SoftPPSJitterNs   = 50_000
	KernelPPSJitterNs = 5_000
)

// Step is one bring-up step's outcome.
type Step struct {
	Name   string
	Detail string
	Took   time.Duration
	Err    error
}

// BringupOpts configures Open.
type BringupOpts struct {
	// Band and ARFCN are the carrier to tune for the check (ARFCN 0 means
	// the band's first channel).
	Band  tdma.Band
	ARFCN tdma.ARFCN
	// BoardMaxDBm is the descriptor's RFChain.MaxPowerDBm.
	BoardMaxDBm float64
	// LockTimeout bounds the PLL lock wait; PPSWait the wait for a PPS
	// edge (0 skips it).
	LockTimeout time.Duration
	PPSWait     time.Duration
	Clock       Clock
	Log         *slog.Logger
	// Sleep is used for analog settling; nil means time.Sleep.
	Sleep func(time.Duration)
}

// Frontend is a brought-up chain: its interlock and, when the board has
// a PPS input and a trim DAC, its clock service.
type Frontend struct {
	Chain *Chain
	Guard *Guard
	// ClockSvc is nil when the chain has no PPS input or no sample
	// counter driver.
	ClockSvc *ClockService
	Steps    []Step
	// Lime is the USB board's control side for chains whose transceiver
	// is on BusUSB (the probe and the stream use it); nil otherwise.
	Lime *lime.Board
	// USBBoard is what the USB board says it is (GET_INFO and the FPGA's
	// identification registers), "" on other chains: for the log, the
	// status file and a technician comparing firmware versions.
	USBBoard string
	// LMS is the LMS7002M of an lms7002m chain (nil otherwise); the
	// stream set-up (ConfigureStream) goes through it.
	LMS *lms7002m.Dev
	// Arrivals is the software PPS latch of a USB radio with a PPS input
	// (the LimeNET Micro): the sample stream must report each RX
	// transfer to it (lime.StreamConfig.Arrivals). Nil otherwise.
	Arrivals *gpspps.Fit

	closers []io.Closer
	closeMu sync.Mutex
	closed  bool
	lna     gpio.PinOut
	trim    TrimDAC
	code    uint32
	maxCode uint32
}

// TrimBy moves the reference trim DAC by delta codes (clamped to its
// range) and returns the new code: how a CarrierCalibration result is
// applied at a site without GPS. Do not call it while ClockSvc runs: the
// loop owns the DAC then.
func (f *Frontend) TrimBy(delta int) (uint32, error) {
	if f.trim == nil {
		return 0, fmt.Errorf("%w: %s has no trim DAC", ErrChain, f.Chain.Name)
	}
	c := int64(f.code) + int64(delta)
	c = max(0, min(c, int64(f.maxCode)))
	if err := f.trim.SetCode(uint32(c)); err != nil {
		return f.code, err
	}
	f.code = uint32(c)
	return f.code, nil
}

// TrimCode returns the reference trim DAC's current code (ok false when
// the chain has none).
func (f *Frontend) TrimCode() (code uint32, ok bool) { return f.code, f.trim != nil }

// SetTrimCode writes an absolute trim DAC code — a calibration carried
// over from an earlier bring-up — and makes it the clock service's
// starting point. Call it before Serve.
func (f *Frontend) SetTrimCode(code uint32) error {
	if f.trim == nil {
		return fmt.Errorf("%w: %s has no trim DAC", ErrChain, f.Chain.Name)
	}
	if code > f.maxCode {
		return fmt.Errorf("%w: trim code %d above %d", ErrChain, code, f.maxCode)
	}
	if f.ClockSvc != nil {
		if err := f.ClockSvc.Loop.Preset(code); err != nil {
			return err
		}
	}
	if err := f.trim.SetCode(code); err != nil {
		return err
	}
	f.code = code
	return nil
}

// SetLNABypass switches the uplink LNA out of (on) or into (off) the
// receive path, for strong signals close to the site. Receive-only: it is
// not an interlock concern.
func (f *Frontend) SetLNABypass(on bool) error {
	if f.lna == nil {
		return fmt.Errorf("%w: %s has no LNA bypass line", ErrChain, f.Chain.Name)
	}
	return f.lna.Out(gpio.Level(on))
}

// Open brings chain c up step by step, reporting each step to report (if
// not nil), and returns the front end in its safe state with the
// interlock armed. On error the steps so far are in the returned
// Frontend's Steps and everything opened is closed again.
func Open(c *Chain, op Opener, o BringupOpts, report func(Step)) (*Frontend, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if o.Clock == nil {
		o.Clock = SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Sleep == nil {
		o.Sleep = time.Sleep
	}
	if o.LockTimeout == 0 {
		o.LockTimeout = 100 * time.Millisecond
	}
	if o.Band == tdma.BandUnknown {
		o.Band = c.Filters[0].Band
	}
	if o.ARFCN == 0 || !o.Band.Contains(o.ARFCN) {
		o.ARFCN = o.Band.Channels()[0]
	}
	b := &bringup{c: c, op: op, o: o, report: report, fe: &Frontend{Chain: c}}
	var err error
	if _, ok := c.Part(RoleTransceiver); ok {
		err = b.lms()
	} else {
		err = b.discrete()
	}
	if err != nil {
		b.fe.Close()
		return b.fe, err
	}
	return b.fe, nil
}

type bringup struct {
	c      *Chain
	op     Opener
	o      BringupOpts
	report func(Step)
	fe     *Frontend
	spis   map[string]spi.PortCloser
	i2cs   map[string]i2c.BusCloser
	limes  map[string]*lime.Board
}

// lime opens (once) the USB board a BusUSB part names.
func (b *bringup) lime(bus Bus) (*lime.Board, error) {
	if lb, ok := b.limes[bus.Name]; ok {
		return lb, nil
	}
	lo, ok := b.op.(LimeOpener)
	if !ok {
		return nil, fmt.Errorf("%w: %s is on USB and this opener has no USB", ErrChain, bus)
	}
	lb, cl, err := lo.OpenLime(bus.Name)
	if err != nil {
		return nil, err
	}
	if b.limes == nil {
		b.limes = map[string]*lime.Board{}
	}
	b.limes[bus.Name] = lb
	b.fe.closers = append(b.fe.closers, cl)
	b.fe.Lime = lb
	if err := b.step("usb board "+bus.Name, func() (string, error) {
		i, err := lb.Info()
		if err != nil {
			return "", err
		}
		g, err := lb.Gateware()
		if err != nil {
			return "", err
		}
		b.fe.USBBoard = fmt.Sprintf("firmware %d, device %d, protocol %d, hardware %d, serial %x; %v", i.Firmware, i.Device, i.Protocol, i.Hardware, i.Serial, g)
		return b.fe.USBBoard, nil
	}); err != nil {
		return nil, err
	}
	return lb, nil
}

// step runs fn as a named step; fn returns the detail line.
func (b *bringup) step(name string, fn func() (string, error)) error {
	start := b.o.Clock.Now()
	detail, err := fn()
	s := Step{Name: name, Detail: detail, Took: b.o.Clock.Now().Sub(start), Err: err}
	b.fe.Steps = append(b.fe.Steps, s)
	if b.report != nil {
		b.report(s)
	}
	if err != nil {
		return fmt.Errorf("rf: %s: %w", name, err)
	}
	return nil
}

func (b *bringup) spi(bus Bus) (spi.PortCloser, error) {
	if b.spis == nil {
		b.spis = map[string]spi.PortCloser{}
	}
	if p, ok := b.spis[bus.Name]; ok {
		return p, nil
	}
	p, err := b.op.OpenSPI(bus.Name)
	if err != nil {
		return nil, err
	}
	b.spis[bus.Name] = p
	b.fe.closers = append(b.fe.closers, p)
	return p, nil
}

func (b *bringup) i2c(bus Bus) (i2c.BusCloser, error) {
	if b.i2cs == nil {
		b.i2cs = map[string]i2c.BusCloser{}
	}
	if p, ok := b.i2cs[bus.Name]; ok {
		return p, nil
	}
	p, err := b.op.OpenI2C(bus.Name)
	if err != nil {
		return nil, err
	}
	b.i2cs[bus.Name] = p
	b.fe.closers = append(b.fe.closers, p)
	return p, nil
}

func (b *bringup) outPin(name string, l gpio.Level) (gpio.PinIO, error) {
	p, err := b.op.Pin(name)
	if err != nil {
		return nil, err
	}
	if err := p.Out(l); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return p, nil
}

func mhz(f physic.Frequency) float64 { return float64(f) / float64(physic.MegaHertz) }

func (b *bringup) carrier() (dl, ul physic.Frequency) {
	d, _ := b.o.Band.DownlinkHz(b.o.ARFCN)
	u, _ := b.o.Band.UplinkHz(b.o.ARFCN)
	return physic.Frequency(d) * physic.Hertz, physic.Frequency(u) * physic.Hertz
}

// discrete brings up the RPi4 HAT style chain.
func (b *bringup) discrete() error {
	c := b.c
	var hw Hardware
	var paPin gpio.PinIO
	path := PinPath{}
	// 1. Safety lines first, to their safe levels.
	if err := b.step("safe pins", func() (string, error) {
		var err error
		if paPin, err = b.outPin(c.Pins.PAEnable, gpio.Low); err != nil {
			return "", err
		}
		if c.Pins.TXRX != "" {
			if path.TXRX, err = b.outPin(c.Pins.TXRX, gpio.Low); err != nil {
				return "", err
			}
		}
		if c.Pins.LNABypass != "" {
			if b.fe.lna, err = b.outPin(c.Pins.LNABypass, gpio.Low); err != nil {
				return "", err
			}
		}
		for _, n := range c.Pins.BandSelect {
			p, err := b.outPin(n, gpio.Low)
			if err != nil {
				return "", err
			}
			path.Band = append(path.Band, p)
		}
		return fmt.Sprintf("PA enable %s low (off), antenna %s on RX", c.Pins.PAEnable, c.Pins.TXRX), nil
	}); err != nil {
		return err
	}
	hw.PA = PinPA{Pin: paPin}
	hw.Path = path
	// 2. Attenuator at maximum.
	if _, ok := c.Part(RoleAttenuator); ok {
		if err := b.step("attenuator pe4302", func() (string, error) {
			le, err := b.op.Pin(c.Pins.AttenLE)
			if err != nil {
				return "", err
			}
			clk, err := b.op.Pin(c.Pins.AttenClock)
			if err != nil {
				return "", err
			}
			data, err := b.op.Pin(c.Pins.AttenData)
			if err != nil {
				return "", err
			}
			d, err := pe4302.NewSerial(le, clk, data)
			if err != nil {
				return "", err
			}
			hw.Atten = d
			return fmt.Sprintf("%.1f dB (maximum)", d.Attenuation()), nil
		}); err != nil {
			return err
		}
	}
	dl, ul := b.carrier()
	// 3. Synthesisers.
	for _, lo := range []struct {
		role Role
		pin  string
		f    physic.Frequency
	}{{RoleTXLO, c.Pins.TXLock, dl}, {RoleRXLO, c.Pins.RXLock, ul}} {
		part, ok := c.Part(lo.role)
		if !ok {
			continue
		}
		var dev *adf4351.Dev
		if err := b.step(string(lo.role)+" adf4351 "+part.Bus.Name, func() (string, error) {
			p, err := b.spi(part.Bus)
			if err != nil {
				return "", err
			}
			var ld gpio.PinIn
			if lo.pin != "" {
				if ld, err = b.op.Pin(lo.pin); err != nil {
					return "", err
				}
			}
			dev, err = adf4351.New(p, ld, &adf4351.Opts{RefIn: c.RefClock, Power: adf4351.PowerP5})
			if err != nil {
				return "", err
			}
			cfg, err := dev.Tune(lo.f)
			if err != nil {
				return "", err
			}
			took, err := dev.WaitLock(b.o.LockTimeout)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%.1f MHz (ARFCN %d %v): INT %d FRAC %d/%d ÷%d, error %.3f Hz; locked in %v",
				mhz(lo.f), b.o.ARFCN, b.o.Band, cfg.INT, cfg.FRAC, cfg.MOD, 1<<cfg.DivLog2, cfg.ErrorHz(), took.Round(time.Microsecond)), nil
		}); err != nil {
			return err
		}
		if lo.role == RoleTXLO {
			hw.LO = ADF4351Synth{D: dev}
		}
	}
	// 4. Monitors.
	if part, ok := c.Part(RolePAMonitor); ok {
		if err := b.step("pa-monitor ina219 "+part.Bus.String(), func() (string, error) {
			bus, err := b.i2c(part.Bus)
			if err != nil {
				return "", err
			}
			d, err := ina219.New(bus, &ina219.Opts{Addr: part.Bus.Addr, Shunt: c.Limits.ShuntResistance, MaxCurrent: 2 * c.Limits.MaxPACurrent})
			if err != nil {
				return "", err
			}
			m, err := d.Sense()
			if err != nil {
				return "", err
			}
			hw.Current = INA219Current{D: d}
			return fmt.Sprintf("calibration %d, PA supply %v, %v, %v", d.CalibrationValue(), m.Bus, m.Current, m.Power), nil
		}); err != nil {
			return err
		}
	}
	if err := b.temperature(&hw); err != nil {
		return err
	}
	// 5. Interlock.
	if err := b.guard(hw); err != nil {
		return err
	}
	// 6. Reference trim and PPS.
	return b.clock()
}

// lms brings up an LMS7002M chain.
func (b *bringup) lms() error {
	c := b.c
	part, _ := c.Part(RoleTransceiver)
	var d *lms7002m.Dev
	var router *lmsRouter
	if err := b.step("transceiver lms7002m "+part.Bus.Name, func() (string, error) {
		var p spi.Port
		var err error
		var lb *lime.Board
		if part.Bus.Kind == BusUSB {
			// The FPGA drives the chip's reset line (LMS64C
			// LMS7002_RST) and carries its SPI (LMS7002_WR/RD).
			lb, err = b.lime(part.Bus)
			if err != nil {
				return "", err
			}
			if err := lb.LMSReset(lime.ResetPulse); err != nil {
				return "", err
			}
			p = lb.SPI()
		} else if p, err = b.spi(part.Bus); err != nil {
			return "", err
		}
		var reset gpio.PinOut
		if c.Pins.Reset != "" {
			if reset, err = b.op.Pin(c.Pins.Reset); err != nil {
				return "", err
			}
		}
		d, err = lms7002m.New(p, &lms7002m.Opts{RefClock: c.RefClock, Reset: reset, Sleep: b.o.Sleep})
		if err != nil {
			return "", err
		}
		b.fe.LMS = d
		// Every tune from here on selects the antenna route of its
		// frequency (chain TXRoutes/RXRoutes).
		if router, err = newLMSRouter(c, d, lb); err != nil {
			return "", err
		}
		v := d.Version()
		return fmt.Sprintf("chip ID VER %d REV %d MASK %d; TX pad off", v.Ver, v.Rev, v.Mask), nil
	}); err != nil {
		return err
	}
	if err := b.step("cgen sample clock", func() (string, error) {
		// 104 MHz = 96 × the GSM symbol rate: the ADC/DAC clock the
		// transceiver's decimators bring to 4 samples per symbol.
		cfg, err := d.SetSampleClock(104 * physic.MegaHertz)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%.3f MHz (VCO %.1f MHz, ÷%d)", cfg.OutHz()/1e6, cfg.VCOHz/1e6, 2*(int(cfg.DivOutCH)+1)), nil
	}); err != nil {
		return err
	}
	dl, ul := b.carrier()
	for _, x := range []struct {
		dir lms7002m.Direction
		f   physic.Frequency
	}{{lms7002m.TX, dl}, {lms7002m.RX, ul}} {
		if err := b.step(x.dir.String()+" tune", func() (string, error) {
			start := b.o.Clock.Now()
			cfg, err := d.Tune(x.dir, x.f)
			if err != nil {
				return "", err
			}
			ok, err := d.Locked(x.dir)
			if err != nil {
				return "", err
			}
			if !ok {
				return "", fmt.Errorf("%v not locked after tuning", x.dir)
			}
			return fmt.Sprintf("%.1f MHz (ARFCN %d %v): VCO %.1f MHz, INT %d FRAC %d, error %.2f Hz; locked in %v; %s",
				mhz(x.f), b.o.ARFCN, b.o.Band, cfg.VCOHz/1e6, cfg.Int, cfg.Frac, cfg.ErrorHz(), b.o.Clock.Now().Sub(start).Round(time.Microsecond), router.selected(x.dir)), nil
		}); err != nil {
			return err
		}
	}
	if err := b.step("gains and filters", func() (string, error) {
		if err := d.RXGain(15, 3, 12); err != nil {
			return "", err
		}
		if err := d.TXPadLoss(31); err != nil {
			return "", err
		}
		rx, tx, err := d.NarrowFilters()
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("LNA 15 TIA 3 PGA 0 dB; TX pad loss 31; RX LPF %v, TX LPF %v", rx, tx), nil
	}); err != nil {
		return err
	}
	hw := Hardware{LO: LMSSynth{D: d}, PA: LMSPA{D: d}, Atten: LMSAtten{D: d}}
	if err := b.temperature(&hw); err != nil {
		return err
	}
	if err := b.guard(hw); err != nil {
		return err
	}
	return b.clock()
}

func (b *bringup) temperature(hw *Hardware) error {
	part, ok := b.c.Part(RoleTemperature)
	if !ok {
		return nil
	}
	return b.step("temperature tmp102 "+part.Bus.String(), func() (string, error) {
		bus, err := b.i2c(part.Bus)
		if err != nil {
			return "", err
		}
		d, err := tmp102.New(bus, part.Bus.Addr)
		if err != nil {
			return "", err
		}
		t, err := d.Sense()
		if err != nil {
			return "", err
		}
		hw.Temp = TMP102Temp{D: d}
		return fmt.Sprintf("%s (trip above %s)", t, b.c.Limits.MaxTemperature), nil
	})
}

func (b *bringup) guard(hw Hardware) error {
	return b.step("interlock", func() (string, error) {
		g, err := NewGuard(hw, GuardConfig{Band: b.o.Band, BoardMaxDBm: b.o.BoardMaxDBm, Chain: b.c, Clock: b.o.Clock, Log: b.o.Log})
		if err != nil {
			return "", err
		}
		if err := g.TuneARFCN(b.o.ARFCN); err != nil {
			return "", err
		}
		g.Poll()
		b.fe.Guard = g
		s := g.Status()
		return fmt.Sprintf("armed: %v, max %.1f dBm, PA %v, PLL locked %v, trips %d", s.Band, s.MaxPowerDBm, s.State, s.PLLLocked, s.TotalTrips), nil
	})
}

func (b *bringup) clock() error {
	c := b.c
	part, ok := c.Part(RoleTrimDAC)
	if !ok {
		return nil
	}
	var dac TrimDAC
	var start uint32
	if err := b.step("trim-dac "+string(part.Chip)+" "+part.Bus.String(), func() (string, error) {
		switch part.Chip {
		case ChipMCP4725:
			bus, err := b.i2c(part.Bus)
			if err != nil {
				return "", err
			}
			d, st, err := mcp4725.New(bus, part.Bus.Addr)
			if err != nil {
				return "", err
			}
			dac, start = MCP4725Trim{D: d}, uint32(st.EEPROMCode)
			if start == 0 {
				start = 1 << (c.Trim.Bits - 1)
			}
			if err := dac.SetCode(start); err != nil {
				return "", err
			}
			return fmt.Sprintf("code %d (power-on code from EEPROM %d)", start, st.EEPROMCode), nil
		case ChipLimeDAC:
			lb, err := b.lime(part.Bus)
			if err != nil {
				return "", err
			}
			dac, start = LimeTrim{B: lb}, 1<<(c.Trim.Bits-1)
			if err := dac.SetCode(start); err != nil {
				return "", err
			}
			return fmt.Sprintf("code %d (midscale) through the FPGA", start), nil
		case ChipAD5662:
			p, err := b.spi(part.Bus)
			if err != nil {
				return "", err
			}
			d, err := ad5662.New(p)
			if err != nil {
				return "", err
			}
			dac, start = AD5662Trim{D: d}, 1<<(c.Trim.Bits-1)
			if err := dac.SetCode(start); err != nil {
				return "", err
			}
			return fmt.Sprintf("code %d (midscale)", start), nil
		}
		return "", fmt.Errorf("%w: no driver for trim DAC %s", ErrChain, part.Chip)
	}); err != nil {
		return err
	}
	b.fe.trim, b.fe.code, b.fe.maxCode = dac, start, 1<<c.Trim.Bits-1
	if c.Pins.PPS == "" {
		return nil
	}
	return b.step("gps pps "+c.Pins.PPS, func() (string, error) {
		pin, err := b.op.Pin(c.Pins.PPS)
		if err != nil {
			return "", err
		}
		tickHz := float64(c.SampleClock) / float64(physic.Hertz)
		ctr := b.op.Counter()
		var src PPSSource
		var jitter float64
		var how string
		switch {
		case ctr == nil && b.fe.Lime != nil:
			// A USB radio: no latch register; the host relates the
			// stream's sample counter to its clock (gpspps.Fit).
			if kp, ok := b.op.(KernelPPSOpener); ok {
				fit := gpspps.NewFit(tickHz, gpspps.RealtimeNow)
				ks, cl, err := kp.OpenKernelPPS(c.Pins.PPS, fit)
				if err != nil {
					return "", err
				}
				if ks != nil {
					b.fe.closers = append(b.fe.closers, cl)
					src, jitter, b.fe.Arrivals = ks, KernelPPSJitterNs, fit
					how = "software latch: kernel PPS timestamps against the RX stream"
				}
			}
			if src == nil {
				fit := gpspps.NewFit(tickHz, nil)
				ctr, jitter, b.fe.Arrivals = gpspps.SoftCounter{Fit: fit}, SoftPPSJitterNs, fit
				how = "software latch: GPIO edge timestamps against the RX stream"
			}
		case ctr == nil:
			return "no sample-counter driver for this board: discipline not started; TX needs a calibration from GSM cells or the operator override", nil
		}
		var rx *gpspps.Receiver
		if src == nil {
			var err error
			if rx, err = gpspps.New(pin, ctr); err != nil {
				return "", err
			}
			src = rx
		}
		loop, err := discipline.New(discipline.Config{
			NominalHz: tickHz, PPBPerLSB: c.Trim.PPBPerLSB,
			DACBits: c.Trim.Bits, InitialDAC: start, JitterNs: jitter,
		})
		if err != nil {
			return "", err
		}
		b.fe.ClockSvc = &ClockService{PPS: src, Loop: loop, DAC: dac, Guard: b.fe.Guard, Log: b.o.Log}
		if how != "" {
			how = "; " + how
		}
		if b.o.PPSWait <= 0 {
			return "discipline ready (PPS not waited for)" + how, nil
		}
		if rx != nil {
			rx.FirstWait = b.o.PPSWait
		}
		ev, err := src.Next()
		if errors.Is(err, gpspps.ErrNoFit) {
			return "PPS edge seen; its sample count is read once the sample stream runs" + how, nil
		}
		if err != nil {
			return "", err
		}
		if ev.Timeout {
			return fmt.Sprintf("no PPS edge within %v (antenna? fix?)", b.o.PPSWait), nil
		}
		return fmt.Sprintf("PPS edge at sample count %d", ev.Ticks), nil
	})
}

// Serve runs the interlock's poll loop (every 100 ms) and the clock
// service until ctx ends, then puts the hardware in its safe state.
func (f *Frontend) Serve(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var clkErr error
	if f.ClockSvc != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f.ClockSvc.Serve(ctx); err != nil && !errors.Is(err, context.Canceled) {
				clkErr = err
				cancel()
			}
		}()
	}
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			serr := f.Guard.SafeState()
			return errors.Join(clkErr, serr, ctx.Err())
		case <-t.C:
			f.Guard.Poll()
		}
	}
}

// Close puts the hardware in its safe state and closes the buses. A
// second Close does nothing (the supervisor's last act may follow the
// owner's).
func (f *Frontend) Close() error {
	f.closeMu.Lock()
	defer f.closeMu.Unlock()
	if f.closed {
		return nil
	}
	f.closed = true
	var errs []error
	if f.Guard != nil {
		errs = append(errs, f.Guard.SafeState())
	}
	for i := len(f.closers) - 1; i >= 0; i-- {
		errs = append(errs, f.closers[i].Close())
	}
	f.closers = nil
	return errors.Join(errs...)
}
