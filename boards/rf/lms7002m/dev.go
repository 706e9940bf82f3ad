package lms7002m

import (
	"fmt"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"
)

// Direction selects a synthesiser.
type Direction uint8

// Directions: the MAC value that maps the shared SX register block onto
// SXR (1) or SXT (2).
const (
	RX Direction = 1
	TX Direction = 2
)

func (d Direction) String() string {
	if d == TX {
		return "SXT"
	}
	return "SXR"
}

// Opts configures the transceiver.
type Opts struct {
	// RefClock is the reference clock into the chip. Required.
	RefClock physic.Frequency
	// Reset is the RESET pin (active low); nil when the board has none.
	Reset gpio.PinOut
	// Sleep waits for analog settling (VCO comparators, reset pulse);
	// nil means time.Sleep. Tests pass a no-op.
	Sleep func(time.Duration)
}

// Dev is an LMS7002M.
type Dev struct {
	c    spi.Conn
	o    Opts
	w, r [4]byte
	ver  ChipVersion
	mac  uint16
	sx   [3]SXConfig
	cgen CGENConfig
	txOn bool
	// router selects the RF ports on Tune; inLoop suspends it while
	// the TX loopback owns the RX path.
	router Router
	inLoop bool
}

// comparatorSettle is the wait between a CSW write and the comparator
// read (the datasheet's VCO comparator settling; 1 ms is generous).
const comparatorSettle = time.Millisecond

// New connects (SPI mode 0, 8-bit words, 10 MHz), pulses RESET when the
// board wires it, checks the chip ID, resets the digital logic through
// register 0x0020 and selects channel A. The TX pad starts powered down.
func New(p spi.Port, o *Opts) (*Dev, error) {
	if o == nil || o.RefClock <= 0 {
		return nil, fmt.Errorf("%w: no reference clock", ErrRange)
	}
	c, err := p.Connect(10*physic.MegaHertz, spi.Mode0, 8)
	if err != nil {
		return nil, fmt.Errorf("lms7002m: connect: %w", err)
	}
	d := &Dev{c: c, o: *o}
	if d.o.Sleep == nil {
		d.o.Sleep = time.Sleep
	}
	if d.o.Reset != nil {
		if err := d.o.Reset.Out(gpio.Low); err != nil {
			return nil, fmt.Errorf("lms7002m: reset pin: %w", err)
		}
		d.o.Sleep(time.Millisecond)
		if err := d.o.Reset.Out(gpio.High); err != nil {
			return nil, fmt.Errorf("lms7002m: reset pin: %w", err)
		}
		d.o.Sleep(time.Millisecond)
	}
	id, err := d.Read(RegChipID)
	if err != nil {
		return nil, err
	}
	d.ver = DecodeChipID(id)
	if want := DecodeChipID(ChipID); d.ver.Ver != want.Ver || d.ver.Rev != want.Rev {
		return nil, fmt.Errorf("%w: chip ID 0x%04x (VER %d REV %d MASK %d), want 0x%04x", ErrChipID, id, d.ver.Ver, d.ver.Rev, d.ver.Mask, ChipID)
	}
	// Logic and memory resets are active low (0x0020 LRST_*/MRST_*,
	// SRST_*FIFO): pulse them all, then leave everything enabled with
	// MAC = 01 (channel A).
	if err := d.Write(RegMAC, 0x0000); err != nil {
		return nil, err
	}
	if err := d.Write(RegMAC, 0xFFFD); err != nil {
		return nil, err
	}
	d.mac = 1
	if err := d.TXEnable(false); err != nil {
		return nil, err
	}
	return d, nil
}

// Version returns the chip version read at New.
func (d *Dev) Version() ChipVersion { return d.ver }

// Read reads one register.
func (d *Dev) Read(addr uint16) (uint16, error) {
	d.w = ReadCommand(addr)
	if err := d.c.Tx(d.w[:], d.r[:]); err != nil {
		return 0, fmt.Errorf("lms7002m: read 0x%04x: %w", addr, err)
	}
	return DecodeReadBack(d.r[:])
}

// Write writes one register.
func (d *Dev) Write(addr, v uint16) error {
	d.w = WriteCommand(addr, v)
	if err := d.c.Tx(d.w[:], nil); err != nil {
		return fmt.Errorf("lms7002m: write 0x%04x=0x%04x: %w", addr, v, err)
	}
	return nil
}

// Modify sets a field with a read-modify-write.
func (d *Dev) Modify(f Field, v uint16) error {
	old, err := d.Read(f.Addr)
	if err != nil {
		return err
	}
	if v > f.mask()>>f.LSB {
		return fmt.Errorf("%w: %s = %d does not fit %d bits", ErrRange, f.Name, v, f.MSB-f.LSB+1)
	}
	nv := old&^f.mask() | v<<f.LSB
	if nv == old {
		return nil
	}
	return d.Write(f.Addr, nv)
}

func (d *Dev) setMAC(m uint16) error {
	if d.mac == m {
		return nil
	}
	if err := d.Modify(fMAC, m); err != nil {
		return err
	}
	d.mac = m
	return nil
}

// SetSampleClock programs CGEN for output clock f and tunes its VCO.
func (d *Dev) SetSampleClock(f physic.Frequency) (CGENConfig, error) {
	cfg, err := ComputeCGEN(d.o.RefClock, f)
	if err != nil {
		return CGENConfig{}, err
	}
	if err := d.setMAC(1); err != nil { // CGEN lives in the channel-A space
		return CGENConfig{}, err
	}
	ctl := uint16(cgResetN | cgSpdupVCO | cgEnSDMClk | cgEnG)
	steps := []struct {
		addr, v uint16
	}{
		{RegCGEN, ctl &^ cgResetN}, // reset pulse
		{RegCGEN, ctl},
		{RegCGENFrac, uint16(cfg.Frac)},
		{RegCGENInt, cfg.Int<<4 | uint16(cfg.Frac>>16)},
	}
	for _, s := range steps {
		if err := d.Write(s.addr, s.v); err != nil {
			return CGENConfig{}, err
		}
	}
	if err := d.Modify(fCGENSelSDM, 0); err != nil {
		return CGENConfig{}, err
	}
	if err := d.Modify(fCGENDivOut, uint16(cfg.DivOutCH)); err != nil {
		return CGENConfig{}, err
	}
	if _, err := d.tuneVCO(fCGENCSW, RegCGENCmp); err != nil {
		return CGENConfig{}, fmt.Errorf("CGEN %v: %w", f, err)
	}
	if err := d.Write(RegCGEN, ctl&^cgSpdupVCO); err != nil {
		return CGENConfig{}, err
	}
	d.cgen = cfg
	return cfg, nil
}

// Tune programs synthesiser dir to LO frequency f and tunes its VCO.
func (d *Dev) Tune(dir Direction, f physic.Frequency) (SXConfig, error) {
	if dir != RX && dir != TX {
		return SXConfig{}, fmt.Errorf("%w: direction %d", ErrRange, dir)
	}
	cfg, err := ComputeSX(d.o.RefClock, f)
	if err != nil {
		return SXConfig{}, err
	}
	if d.router != nil && !d.inLoop {
		if err := d.router(dir, f); err != nil {
			return SXConfig{}, err
		}
	}
	if err := d.setMAC(uint16(dir)); err != nil {
		return SXConfig{}, err
	}
	if err := d.Modify(fSXEnDirSXX, 1); err != nil {
		return SXConfig{}, err
	}
	ctl := uint16(sxResetN | sxSpdupVCO | sxEnSDMClk | sxEnG)
	if cfg.EnDiv2 {
		ctl |= sxEnDiv2
	}
	for _, s := range []struct{ addr, v uint16 }{
		{RegSX, ctl &^ sxResetN}, // reset pulse
		{RegSX, ctl},
		{RegSXFrac, uint16(cfg.Frac)},
		{RegSXInt, cfg.Int<<4 | uint16(cfg.Frac>>16)},
	} {
		if err := d.Write(s.addr, s.v); err != nil {
			return SXConfig{}, err
		}
	}
	if err := d.Modify(fSXSelSDMClk, 0); err != nil {
		return SXConfig{}, err
	}
	if err := d.Modify(fSXDivLOCH, uint16(cfg.DivLOCH)); err != nil {
		return SXConfig{}, err
	}
	if err := d.Modify(fSXSelVCO, uint16(cfg.SelVCO)); err != nil {
		return SXConfig{}, err
	}
	if _, err := d.tuneVCO(fSXCSW, RegSXCmp); err != nil {
		return SXConfig{}, fmt.Errorf("%v %v: %w", dir, f, err)
	}
	if err := d.Write(RegSX, ctl&^sxSpdupVCO); err != nil {
		return SXConfig{}, err
	}
	d.sx[dir] = cfg
	return cfg, nil
}

// Locked reads the comparators of synthesiser dir: the VCO is in lock
// range when CMPHO = 1 and CMPLO = 0.
func (d *Dev) Locked(dir Direction) (bool, error) {
	if err := d.setMAC(uint16(dir)); err != nil {
		return false, err
	}
	hi, lo, err := d.comparators(RegSXCmp)
	return hi && !lo, err
}

func (d *Dev) comparators(addr uint16) (hi, lo bool, err error) {
	v, err := d.Read(addr)
	return v&(1<<13) != 0, v&(1<<12) != 0, err
}

// tuneVCO finds the capacitor-bank window with two binary searches over
// CSW (0..255): the highest code whose comparators do not say "too low a
// tuning voltage" (CMPLO = 0) and the lowest code that is not "too high"
// (CMPHO = 1); then it settles in the middle of the window and checks it.
func (d *Dev) tuneVCO(csw Field, cmp uint16) (uint16, error) {
	probe := func(code uint16) (hi, lo bool, err error) {
		if err := d.Modify(csw, code); err != nil {
			return false, false, err
		}
		d.o.Sleep(comparatorSettle)
		return d.comparators(cmp)
	}
	// Highest code with CMPLO = 0 (CMPLO rises with CSW).
	top := uint16(0)
	for bit := 7; bit >= 0; bit-- {
		c := top | 1<<bit
		_, lo, err := probe(c)
		if err != nil {
			return 0, err
		}
		if !lo {
			top = c
		}
	}
	// Lowest code with CMPHO = 1 (CMPHO rises with CSW): search the
	// highest code with CMPHO = 0 and add one.
	below := -1
	step := 0
	for bit := 7; bit >= 0; bit-- {
		c := step | 1<<bit
		if c > int(top) {
			continue
		}
		hi, _, err := probe(uint16(c))
		if err != nil {
			return 0, err
		}
		if !hi {
			step = c
			below = c
		}
	}
	if below < 0 {
		// Code 0 itself may be "too high": check it.
		hi, _, err := probe(0)
		if err != nil {
			return 0, err
		}
		if !hi {
			below = 0
		}
	}
	bottom := uint16(below + 1)
	if bottom > top {
		return 0, fmt.Errorf("%w: comparator window empty (CSW low %d > high %d)", ErrVCO, bottom, top)
	}
	mid := (bottom + top) / 2
	hi, lo, err := probe(mid)
	if err != nil {
		return 0, err
	}
	if !hi || lo {
		return 0, fmt.Errorf("%w: CSW %d: CMPHO %v CMPLO %v", ErrVCO, mid, hi, lo)
	}
	return mid, nil
}

// RXGain sets the receive gains: LNA code 1..15 (15 = maximum), TIA code
// 1..3 (3 = maximum) and PGA code 0..31 (−12..+19 dB).
func (d *Dev) RXGain(lna, tia, pga uint8) error {
	if lna < 1 || lna > 15 || tia < 1 || tia > 3 || pga > 31 {
		return fmt.Errorf("%w: RX gain LNA %d TIA %d PGA %d", ErrRange, lna, tia, pga)
	}
	if err := d.setMAC(1); err != nil {
		return err
	}
	if err := d.Modify(fLNAGain, uint16(lna)); err != nil {
		return err
	}
	if err := d.Modify(fTIAGain, uint16(tia)); err != nil {
		return err
	}
	return d.Modify(fPGAGain, uint16(pga))
}

// TXPadLoss sets the TX pad attenuation code 0..31 on both the main and
// linearisation stages (0 = maximum output).
func (d *Dev) TXPadLoss(code uint8) error {
	if code > 31 {
		return fmt.Errorf("%w: TX pad loss %d", ErrRange, code)
	}
	if err := d.setMAC(1); err != nil {
		return err
	}
	if err := d.Modify(fLossLin, uint16(code)); err != nil {
		return err
	}
	return d.Modify(fLossMain, uint16(code))
}

// TXEnable powers the TX pad (the chip's output stage) up or down. Down is
// the safe state the front-end interlock keeps until it may transmit.
func (d *Dev) TXEnable(on bool) error {
	if err := d.setMAC(1); err != nil {
		return err
	}
	pd, en := uint16(1), uint16(0)
	if on {
		pd, en = 0, 1
	}
	if err := d.Modify(fPDTXPAD, pd); err != nil {
		return err
	}
	if err := d.Modify(fENGTRF, en); err != nil {
		return err
	}
	d.txOn = on
	return nil
}

// TXEnabled reports the last TXEnable state.
func (d *Dev) TXEnabled() bool { return d.txOn }

// NarrowFilters selects the narrowest analog baseband filters for a
// 200 kHz GSM channel: RBB low-band LPF (LPFL) at its 1.4 MHz setting and
// TBB ladder LPF (LPFLAD) at its 2.4 MHz setting. The channel filter
// proper is digital. The RC calibration of these filters is not run here.
func (d *Dev) NarrowFilters() (rx, tx physic.Frequency, err error) {
	if err := d.setMAC(1); err != nil {
		return 0, 0, err
	}
	steps := []struct {
		f Field
		v uint16
	}{
		{fRBBPDLPF, 0b10}, // PD_LPFH = 1, PD_LPFL = 0
		{fRBBPath, 0},     // PGA input from LPFL
		{fRCCLPFL, 0},     // 1.4 MHz
		{fTBBPD, 0b1000},  // PD_LPFH = 1, PD_LPFIAMP = 0, PD_LPFLAD = 0, PD_LPFS5 = 0
		{fBypLadder, 0},   // ladder in the path
		{fRCalLad, 6},     // 2.4 MHz
	}
	for _, s := range steps {
		if err := d.Modify(s.f, s.v); err != nil {
			return 0, 0, err
		}
	}
	return 1400 * physic.KiloHertz, 2400 * physic.KiloHertz, nil
}

// String implements conn.Resource.
func (d *Dev) String() string { return fmt.Sprintf("lms7002m{%s}", d.c) }

// Halt powers the TX pad down.
func (d *Dev) Halt() error { return d.TXEnable(false) }
