// Package rftest provides a dry-run Opener for boards/rf: fake SPI ports,
// I2C buses and GPIO pins that behave like the chain's chips (an LMS7002M
// register model, INA219/TMP102/MCP4725 register files, lock-detect and
// PPS inputs that assert at once) and print every transaction. `gsmbox rf
// probe --dry-run` uses it to show the register writes a bring-up would
// make; tests use it to run the whole bring-up without hardware.
package rftest

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"periph.io/x/conn/v3"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/pin"
	"periph.io/x/conn/v3/spi"

	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/boards/rf/gpspps"
	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/boards/rf/lime/limetest"
	"github.com/gsmbox/gsmbox/boards/rf/lms7002m/lmstest"
)

// DryRun is an rf.Opener over simulated hardware that logs to W.
type DryRun struct {
	W     io.Writer
	Chain *rf.Chain
	// Temperature and BusVolts set what the sensors report.
	TempCenti int     // hundredths of °C, default 2900
	PACurrent float64 // amperes, default 0
	// LMS is the simulated transceiver once opened.
	LMS *lmstest.Chip
	// Lime is the simulated USB board once opened (chains whose
	// transceiver is on BusUSB); its Chip is LMS.
	Lime *limetest.Fake
	// LimeConfig is the base configuration of the simulated USB board
	// (carriers on its air, faults); RefClock comes from the chain.
	LimeConfig limetest.Config

	mu   sync.Mutex
	pins map[string]*Pin
	ctr  uint64
}

var _ rf.Opener = (*DryRun)(nil)

func (d *DryRun) printf(format string, a ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	fmt.Fprintf(d.W, format+"\n", a...)
}

func (d *DryRun) partsOn(kind rf.BusKind, name string) []rf.Part {
	var out []rf.Part
	for _, p := range d.Chain.Parts {
		if p.Bus.Kind == kind && p.Bus.Name == name {
			out = append(out, p)
		}
	}
	return out
}

// OpenSPI returns a simulated port for the chip the chain puts on name.
func (d *DryRun) OpenSPI(name string) (spi.PortCloser, error) {
	parts := d.partsOn(rf.BusSPI, name)
	if len(parts) != 1 {
		return nil, fmt.Errorf("rftest: no single part on %s", name)
	}
	chip := parts[0].Chip
	if chip == rf.ChipLMS7002M {
		c := lmstest.New(d.Chain.RefClock, 0x3841)
		c.OnTx = func(w, r []byte) {
			a := uint16(w[0]&0x7f)<<8 | uint16(w[1])
			if w[0]&0x80 != 0 {
				d.printf("  %-7s %-9s write 0x%04x = 0x%02x%02x", name, chip, a, w[2], w[3])
			} else {
				d.printf("  %-7s %-9s read  0x%04x -> 0x%02x%02x", name, chip, a, r[2], r[3])
			}
		}
		d.LMS = c
		return c, nil
	}
	return &port{d: d, name: name, chip: chip}, nil
}

// OpenLime returns a simulated LimeSDR Mini / LimeNET Micro at the usbfs
// seam (limetest) and prints every USB control and session packet.
func (d *DryRun) OpenLime(name string) (*lime.Board, io.Closer, error) {
	if name != "lime" {
		return nil, nil, fmt.Errorf("rftest: no USB radio %q", name)
	}
	cfg := d.LimeConfig
	cfg.RefClock = d.Chain.RefClock
	if cfg.Board == "" && d.Chain.Name == limetest.BoardLimeNETMicro {
		cfg.Board = limetest.BoardLimeNETMicro
	}
	f := limetest.New(cfg)
	d.LMS, d.Lime = f.Chip, f
	b, err := lime.Open(f, &lime.Opts{Trace: func(ep uint8, dir string, p []byte) {
		d.printf("  usb %s", lime.Describe(ep, dir, p))
	}})
	if err != nil {
		return nil, nil, err
	}
	return b, f, nil
}

// port records writes to a write-only SPI part.
type port struct {
	d    *DryRun
	name string
	chip rf.Chip
}

func (p *port) String() string                    { return p.name }
func (p *port) Close() error                      { return nil }
func (p *port) LimitSpeed(physic.Frequency) error { return nil }
func (p *port) Duplex() conn.Duplex               { return conn.Half }
func (p *port) TxPackets([]spi.Packet) error      { return errors.New("rftest: no packets") }
func (p *port) Connect(f physic.Frequency, m spi.Mode, bits int) (spi.Conn, error) {
	p.d.printf("  %-7s %-9s connect %v mode %d, %d-bit", p.name, p.chip, f, m, bits)
	return p, nil
}

func (p *port) Tx(w, r []byte) error {
	if len(r) != 0 {
		return fmt.Errorf("rftest: %s is write-only", p.chip)
	}
	note := ""
	if p.chip == rf.ChipADF4351 && len(w) == 4 {
		note = fmt.Sprintf("  (R%d)", w[3]&7)
	}
	p.d.printf("  %-7s %-9s write % x%s", p.name, p.chip, w, note)
	return nil
}

// OpenI2C returns a simulated bus with the chain's I2C chips on it.
func (d *DryRun) OpenI2C(name string) (i2c.BusCloser, error) {
	b := &bus{d: d, name: name, devs: map[uint16]device{}}
	for _, p := range d.partsOn(rf.BusI2C, name) {
		switch p.Chip {
		case rf.ChipINA219:
			b.devs[p.Bus.Addr] = newINA219(d.PACurrent, d.Chain.Limits.ShuntResistance)
		case rf.ChipTMP102:
			t := d.TempCenti
			if t == 0 {
				t = 2900
			}
			b.devs[p.Bus.Addr] = newTMP102(t)
		case rf.ChipMCP4725:
			b.devs[p.Bus.Addr] = &mcp4725{code: 2048, eeprom: 2048}
		}
		b.names = append(b.names, fmt.Sprintf("%s@0x%02x", p.Chip, p.Bus.Addr))
	}
	return b, nil
}

type device interface {
	tx(w, r []byte) error
	name() string
}

type bus struct {
	d     *DryRun
	name  string
	devs  map[uint16]device
	names []string
}

func (b *bus) String() string                  { return b.name + "[" + strings.Join(b.names, ",") + "]" }
func (b *bus) Close() error                    { return nil }
func (b *bus) SetSpeed(physic.Frequency) error { return nil }
func (b *bus) Tx(addr uint16, w, r []byte) error {
	dev, ok := b.devs[addr]
	if !ok {
		b.d.printf("  %-7s 0x%02x      NACK", b.name, addr)
		return fmt.Errorf("rftest: %s: no device at 0x%02x", b.name, addr)
	}
	if err := dev.tx(w, r); err != nil {
		return err
	}
	switch {
	case len(r) == 0:
		b.d.printf("  %-7s %-9s write % x", b.name, dev.name(), w)
	case len(w) == 0:
		b.d.printf("  %-7s %-9s read  -> % x", b.name, dev.name(), r)
	default:
		b.d.printf("  %-7s %-9s write % x, read -> % x", b.name, dev.name(), w, r)
	}
	return nil
}

// ina219 is a register file with the power-on configuration, a 12 V bus
// and the configured PA current.
type ina219 struct {
	regs [6]uint16
	ptr  uint8
	amps float64
	ohm  float64
}

func newINA219(amps float64, shunt physic.ElectricResistance) *ina219 {
	d := &ina219{amps: amps, ohm: float64(shunt) / float64(physic.Ohm)}
	d.regs[0] = 0x399F
	d.regs[2] = 3000<<3 | 2 // 12.000 V, conversion ready
	return d
}

func (d *ina219) name() string { return "ina219" }
func (d *ina219) tx(w, r []byte) error {
	if len(w) >= 1 {
		d.ptr = w[0] % 6
	}
	if len(w) == 3 {
		v := uint16(w[1])<<8 | uint16(w[2])
		if d.ptr == 0 && v&0x8000 != 0 {
			d.regs[0] = 0x399F
		} else {
			d.regs[d.ptr] = v
		}
		// Recompute the measured registers from the calibration.
		shunt := int16(d.amps * d.ohm / 10e-6)
		d.regs[1] = uint16(shunt)
		d.regs[4] = uint16(int16(int32(shunt) * int32(d.regs[5]) / 4096))
		d.regs[3] = uint16(int32(d.regs[4]) * int32(d.regs[2]>>3) / 5000)
	}
	if len(r) == 2 {
		r[0], r[1] = byte(d.regs[d.ptr]>>8), byte(d.regs[d.ptr])
	}
	return nil
}

type tmp102 struct {
	regs [4]uint16
	ptr  uint8
}

func newTMP102(centi int) *tmp102 {
	raw := int16(centi * 16 / 100) // 0.0625 °C steps
	return &tmp102{regs: [4]uint16{uint16(raw << 4), 0x60A0, 0x4B00, 0x5000}}
}

func (d *tmp102) name() string { return "tmp102" }
func (d *tmp102) tx(w, r []byte) error {
	if len(w) >= 1 {
		d.ptr = w[0] & 3
	}
	if len(w) == 3 && d.ptr != 0 {
		d.regs[d.ptr] = uint16(w[1])<<8 | uint16(w[2])
	}
	if len(r) == 2 {
		r[0], r[1] = byte(d.regs[d.ptr]>>8), byte(d.regs[d.ptr])
	}
	return nil
}

type mcp4725 struct{ code, eeprom uint16 }

func (d *mcp4725) name() string { return "mcp4725" }
func (d *mcp4725) tx(w, r []byte) error {
	switch {
	case len(w) == 2 && w[0]&0xC0 == 0: // fast mode
		d.code = uint16(w[0]&0x0f)<<8 | uint16(w[1])
	case len(w) == 3 && w[0]&0xE0 == 0x40:
		d.code = uint16(w[1])<<4 | uint16(w[2])>>4
	case len(w) == 3 && w[0]&0xE0 == 0x60:
		d.code = uint16(w[1])<<4 | uint16(w[2])>>4
		d.eeprom = d.code
	}
	if len(r) == 5 {
		r[0] = 0xC0
		r[1], r[2] = byte(d.code>>4), byte(d.code<<4)
		r[3], r[4] = byte(d.eeprom>>8)&0x0f, byte(d.eeprom)
	}
	return nil
}

// Pin returns a simulated pin that prints its output changes; as an
// input it reads high and reports an edge at once (lock detect asserted,
// a PPS pulse present).
func (d *DryRun) Pin(name string) (gpio.PinIO, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.pins == nil {
		d.pins = map[string]*Pin{}
	}
	if p, ok := d.pins[name]; ok {
		return p, nil
	}
	p := &Pin{d: d, name: name, level: gpio.High}
	d.pins[name] = p
	return p, nil
}

// Level returns the last level driven on a pin (tests).
func (d *DryRun) Level(name string) (gpio.Level, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	p, ok := d.pins[name]
	if !ok {
		return gpio.Low, false
	}
	return p.level, p.out
}

// Counter counts one nominal second of sample clock per call.
func (d *DryRun) Counter() gpspps.Counter { return counter{d} }

type counter struct{ d *DryRun }

func (c counter) PPSTicks() (uint64, error) {
	c.d.mu.Lock()
	defer c.d.mu.Unlock()
	c.d.ctr += uint64(c.d.Chain.SampleClock / physic.Hertz)
	return c.d.ctr, nil
}

// Pin is a simulated GPIO line.
type Pin struct {
	d     *DryRun
	name  string
	level gpio.Level
	out   bool
}

func (p *Pin) String() string                        { return p.name }
func (p *Pin) Halt() error                           { return nil }
func (p *Pin) Name() string                          { return p.name }
func (p *Pin) Number() int                           { return -1 }
func (p *Pin) Function() string                      { return "" }
func (p *Pin) Func() pin.Func                        { return gpio.IN }
func (p *Pin) SupportedFuncs() []pin.Func            { return []pin.Func{gpio.IN, gpio.OUT} }
func (p *Pin) SetFunc(pin.Func) error                { return errors.New("rftest: SetFunc") }
func (p *Pin) Pull() gpio.Pull                       { return gpio.PullNoChange }
func (p *Pin) DefaultPull() gpio.Pull                { return gpio.PullDown }
func (p *Pin) PWM(gpio.Duty, physic.Frequency) error { return errors.New("rftest: PWM") }
func (p *Pin) WaitForEdge(time.Duration) bool        { return true }
func (p *Pin) In(pull gpio.Pull, edge gpio.Edge) error {
	p.d.printf("  %-7s input %s, edge %s", p.name, pull, edge)
	p.d.mu.Lock()
	p.out, p.level = false, gpio.High
	p.d.mu.Unlock()
	return nil
}

func (p *Pin) Read() gpio.Level {
	p.d.mu.Lock()
	defer p.d.mu.Unlock()
	return p.level
}

func (p *Pin) Out(l gpio.Level) error {
	p.d.mu.Lock()
	changed := !p.out || p.level != l
	p.out, p.level = true, l
	p.d.mu.Unlock()
	if changed {
		p.d.printf("  %-7s <- %s", p.name, l)
	}
	return nil
}
