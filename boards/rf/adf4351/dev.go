package adf4351

import (
	"fmt"
	"time"

	"periph.io/x/conn/v3"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"
)

// Dev is an ADF4351 on an SPI port, with its LD pin on a GPIO input.
type Dev struct {
	c    spi.Conn
	ld   gpio.PinIn
	opts Opts
	cfg  Config
	have bool
	buf  [4]byte
	now  func() time.Time
}

// SPI mode 0, 8-bit words (each 32-bit register is four bytes, MSB
// first); the data sheet's timing allows 20 MHz.
const (
	spiMode  = spi.Mode0
	maxSpeed = 20 * physic.MegaHertz
)

// New connects to the synthesiser. lockDetect may be nil when the board
// does not wire LD; WaitLock then fails. Nothing is written until Tune:
// the part powers up with its outputs off.
func New(p spi.Port, lockDetect gpio.PinIn, o *Opts) (*Dev, error) {
	if o == nil || o.RefIn <= 0 {
		return nil, fmt.Errorf("%w: no reference frequency", ErrRange)
	}
	c, err := p.Connect(maxSpeed, spiMode, 8)
	if err != nil {
		return nil, fmt.Errorf("adf4351: connect: %w", err)
	}
	if lockDetect != nil {
		if err := lockDetect.In(gpio.PullDown, gpio.RisingEdge); err != nil {
			return nil, fmt.Errorf("adf4351: lock-detect pin %s: %w", lockDetect, err)
		}
	}
	return &Dev{c: c, ld: lockDetect, opts: *o, now: time.Now}, nil
}

// SetClock replaces the time source WaitLock measures with (tests).
func (d *Dev) SetClock(now func() time.Time) { d.now = now }

func (d *Dev) String() string { return fmt.Sprintf("adf4351{%s}", d.c) }

// Tune programs output frequency f: it computes the registers and writes
// R5 down to R0, powered up with the RF output enabled; the output stays
// muted until lock (MTLD). After Halt, Tune is how the part comes back.
func (d *Dev) Tune(f physic.Frequency) (Config, error) {
	cfg, err := Compute(f, d.opts)
	if err != nil {
		return Config{}, err
	}
	if err := d.write(cfg); err != nil {
		return Config{}, err
	}
	d.cfg, d.have = cfg, true
	return cfg, nil
}

// Config returns the last programmed configuration.
func (d *Dev) Config() (Config, bool) { return d.cfg, d.have }

// SetOutput enables or disables the RF output (R4 DB5) without retuning.
func (d *Dev) SetOutput(on bool) error {
	if !d.have {
		return fmt.Errorf("%w: SetOutput before Tune", ErrRange)
	}
	c := d.cfg
	c.RFEnable = on
	if err := d.writeReg(c.Registers()[4]); err != nil {
		return err
	}
	d.cfg = c
	return nil
}

func (d *Dev) write(c Config) error {
	r := c.Registers()
	for i := 5; i >= 0; i-- {
		if err := d.writeReg(r[i]); err != nil {
			return err
		}
	}
	return nil
}

func (d *Dev) writeReg(w uint32) error {
	d.buf = [4]byte{byte(w >> 24), byte(w >> 16), byte(w >> 8), byte(w)}
	if err := d.c.Tx(d.buf[:], nil); err != nil {
		return fmt.Errorf("adf4351: write R%d=0x%08x: %w", w&7, w, err)
	}
	return nil
}

// Locked reads LD.
func (d *Dev) Locked() bool { return d.ld != nil && d.ld.Read() == gpio.High }

// WaitLock waits until LD is high, at most timeout, and returns how long
// it took.
func (d *Dev) WaitLock(timeout time.Duration) (time.Duration, error) {
	if d.ld == nil {
		return 0, ErrNoLockDetect
	}
	start := d.now()
	for {
		if d.ld.Read() == gpio.High {
			return d.now().Sub(start), nil
		}
		left := timeout - d.now().Sub(start)
		if left <= 0 {
			return d.now().Sub(start), fmt.Errorf("%w within %v (%s)", ErrLockTimeout, timeout, d.ld)
		}
		d.ld.WaitForEdge(left)
	}
}

// Halt mutes the output and powers the synthesiser down (R2 DB5, R4
// DB11): the safe state.
func (d *Dev) Halt() error {
	c := d.cfg
	if !d.have {
		// Never tuned: write a minimal powered-down set anyway so a part
		// left running by a previous process goes quiet.
		var err error
		if c, err = Compute(OutMax, d.opts); err != nil {
			return err
		}
	}
	c.RFEnable = false
	r := c.Registers()
	if err := d.writeReg(r[4] | r4VCOPowerDn); err != nil {
		return err
	}
	if err := d.writeReg(r[2] | r2PowerDown); err != nil {
		return err
	}
	d.cfg.RFEnable = false
	return nil
}

var _ conn.Resource = (*Dev)(nil)
