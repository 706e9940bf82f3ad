package rf

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"periph.io/x/conn/v3/physic"

	"github.com/gsmbox/gsmbox/boards/rf/lms7002m"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Chain describes an RF front end built from discrete parts (or one
// transceiver chip) as data: which chips sit on which bus, which GPIO line
// does what, and the limits the interlocks enforce. Board descriptors in
// boards/ point at a Chain; the bring-up code in this package reads it.
type Chain struct {
	// Name identifies the front end, e.g. "rpi4-hat".
	Name string
	// Description is one human-readable line.
	Description string
	// RefClock is the nominal frequency of the reference oscillator every
	// synthesiser and the sample clock derive from.
	RefClock physic.Frequency
	// SampleClock is the nominal sample-clock frequency whose tick counter
	// the clock discipline reads at each GPS PPS edge.
	SampleClock physic.Frequency
	// Parts lists the chips, each by role.
	Parts []Part
	// Pins names the GPIO lines by function, as periph's gpioreg knows
	// them ("GPIO17").
	Pins Pins
	// Filters maps each band to the code driven on Pins.BandSelect.
	Filters []BandFilter
	// Limits are the safety limits of the PA chain.
	Limits Limits
	// Trim describes the reference-oscillator trim.
	Trim Trim
	// DeviceDelay is the per-board calibration of a streaming radio's
	// TX-to-RX pipeline delay (lime.StreamConfig.DeviceDelay, converted
	// to samples at the stream's rate); settled at bring-up
	// (docs/rf-bringup.md). Zero for chains without a sample stream.
	DeviceDelay time.Duration
	// RXFullScaleDBm is the level at the antenna that a streaming radio's
	// receiver reads as full scale at the bring-up gains: the offset from
	// dBFS to dBm the demodulator adds (rx.Config.RSSIOffset), so RXLEV
	// and MS power control mean what they say. Settled at bring-up with a
	// signal generator (docs/rf-bringup.md). Zero for chains without a
	// sample stream.
	RXFullScaleDBm float64
	// TXRoutes and RXRoutes say, for an LMS7002M chain, which of the
	// chip's TX outputs and LNAs the board wires to its antenna
	// connectors for a carrier frequency, and how its RF switches must
	// be set for it. Every tune (bring-up, the cell, the channel scan,
	// the clock calibration) selects the route of its frequency; a
	// frequency no route covers is refused.
	TXRoutes, RXRoutes []Route
}

// Route is the RF path for LO frequencies in [Lo, Hi).
type Route struct {
	Lo, Hi physic.Frequency
	// TXBand is the TX output of a TX route, RXPath the LNA of an RX
	// route.
	TXBand lms7002m.TXBand
	RXPath lms7002m.RXPath
	// Switch is the board's RF switch setting (FPGA register
	// lime.FPGARFSwitch) for the route: the first entry whose hardware
	// conditions the board meets applies; none means the board has no
	// switch on this path.
	Switch []SwitchSetting
}

// SwitchSetting is an FPGA RF-switch setting for boards whose hardware
// version (FPGA register 3, bits 3..0) is at least MinHW and whose BOM
// version (bits 7..4) is at least MinBOM.
type SwitchSetting struct {
	MinHW, MinBOM uint8
	Mask, Value   uint16
}

// RouteFor returns the route of the TX (tx true) or RX LO frequency f.
func (c *Chain) RouteFor(tx bool, f physic.Frequency) (Route, error) {
	rs := c.RXRoutes
	if tx {
		rs = c.TXRoutes
	}
	for _, r := range rs {
		if f >= r.Lo && f < r.Hi {
			return r, nil
		}
	}
	dir := "RX"
	if tx {
		dir = "TX"
	}
	return Route{}, fmt.Errorf("%w: %s: no %s antenna route for %v", ErrChain, c.Name, dir, f)
}

// SwitchFor picks the switch setting for a board with FPGA hardware
// register hw (hardware version in bits 3..0, BOM version in 7..4).
func (r Route) SwitchFor(hw uint16) (SwitchSetting, bool) {
	v, bom := uint8(hw&0xf), uint8(hw>>4&0xf)
	for _, s := range r.Switch {
		if v >= s.MinHW && bom >= s.MinBOM {
			return s, true
		}
	}
	return SwitchSetting{}, false
}

// DeviceDelaySamples converts DeviceDelay to samples at rate.
func (c *Chain) DeviceDelaySamples(rate float64) int {
	return int(math.Round(c.DeviceDelay.Seconds() * rate))
}

// Role is what a part does in the chain.
type Role string

// Roles.
const (
	RoleTransceiver Role = "transceiver" // integrated transceiver (LMS7002M)
	RoleTXLO        Role = "tx-lo"       // downlink synthesiser
	RoleRXLO        Role = "rx-lo"       // uplink synthesiser
	RoleAttenuator  Role = "attenuator"  // TX digital step attenuator before the PA
	RolePAMonitor   Role = "pa-monitor"  // PA supply current/voltage monitor
	RoleTemperature Role = "temperature" // board (PA heat sink) temperature
	RoleTrimDAC     Role = "trim-dac"    // reference oscillator tuning voltage
)

// Chip names a driver in boards/rf/<chip>.
type Chip string

// Chips with drivers.
const (
	ChipLMS7002M Chip = "lms7002m"
	ChipADF4351  Chip = "adf4351"
	ChipPE4302   Chip = "pe4302"
	ChipINA219   Chip = "ina219"
	ChipTMP102   Chip = "tmp102"
	ChipMCP4725  Chip = "mcp4725"
	ChipAD5662   Chip = "ad5662"
	// ChipLimeDAC is the reference trim DAC of a LimeSDR Mini or LimeNET
	// Micro, written through the FPGA with LMS64C ANALOG_VAL_WR.
	ChipLimeDAC Chip = "lime-dac"
)

// BusKind is the kind of control bus a part sits on.
type BusKind uint8

// Bus kinds. GPIO-only parts (the PE4302 in serial mode) have BusNone and
// use Pins.
const (
	BusNone BusKind = iota
	BusSPI
	BusI2C
	// BusUSB: the part is reached through a USB bridge; Bus.Name names
	// the device ("lime" = the LimeSDR Mini / LimeNET Micro FT601,
	// 0403:601F), opened through an Opener that is also a LimeOpener.
	BusUSB
)

func (k BusKind) String() string {
	switch k {
	case BusSPI:
		return "spi"
	case BusI2C:
		return "i2c"
	case BusUSB:
		return "usb"
	}
	return "none"
}

// Bus names a bus the way periph's spireg and i2creg open it.
type Bus struct {
	Kind BusKind
	// Name is "SPI0.0" (bus 0, chip select 0) or "I2C1".
	Name string
	// Addr is the 7-bit I2C address.
	Addr uint16
	// Speed is the clock to connect at (SPI) or to set (I2C).
	Speed physic.Frequency
}

func (b Bus) String() string {
	if b.Kind == BusI2C {
		return fmt.Sprintf("%s@0x%02x", b.Name, b.Addr)
	}
	if b.Kind == BusNone {
		return "gpio"
	}
	if b.Kind == BusUSB {
		return "usb:" + b.Name
	}
	return b.Name
}

// Part is one chip of the chain.
type Part struct {
	Role Role
	Chip Chip
	Bus  Bus
}

// Pins names the GPIO lines of the front end. An empty name means the
// board does not have that line.
//
// Watchdog-safe defaults: every output here must be wired so that the
// level the pin takes on its own (reset, kernel panic, supervisor crash,
// SoC held in reset by the watchdog) is the safe one. PAEnable is active
// high with a hardware pull-down, so an unpowered or floating line keeps
// the PA off; TXRX is high for TX with a pull-down, so the antenna rests
// on the receiver; AttenLE is active high with a pull-down.
type Pins struct {
	PAEnable   string   // out, high enables the PA bias; hardware pull-down
	TXRX       string   // out, high routes the antenna to the TX path; pull-down
	LNABypass  string   // out, high bypasses the uplink LNA
	TXLock     string   // in, TX synthesiser lock detect (ADF4351 MUXOUT/LD)
	RXLock     string   // in, RX synthesiser lock detect
	AttenLE    string   // out, PE4302 latch enable
	AttenClock string   // out, PE4302 serial clock
	AttenData  string   // out, PE4302 serial data
	BandSelect []string // out, binary code of the band filter, LSB first
	PPS        string   // in, GPS 1 PPS, rising edge on time
	Reset      string   // out, transceiver reset, active low
}

// BandFilter is one switched band filter.
type BandFilter struct {
	Band tdma.Band
	// Code is driven on Pins.BandSelect, bit i on BandSelect[i].
	Code uint8
}

// Limits are the PA chain's safety limits and its simple power model:
// output power = DriveDBm - attenuation + PAGainDB.
type Limits struct {
	// MaxPowerDBm is the chain's own ceiling; the interlock uses the lower
	// of this and the board descriptor's RFChain.MaxPowerDBm.
	MaxPowerDBm float64
	// DriveDBm is the power into the attenuator with 0 dB attenuation.
	DriveDBm float64
	// PAGainDB is the PA gain.
	PAGainDB float64
	// AttenMaxDB is the attenuator's range (PE4302: 31.5 dB).
	AttenMaxDB float64
	// MaxPACurrent trips the PA off above it.
	MaxPACurrent physic.ElectricCurrent
	// MaxTemperature trips the PA off above it.
	MaxTemperature physic.Temperature
	// ShuntResistance is the INA219 shunt in the PA supply.
	ShuntResistance physic.ElectricResistance
	// RampStepDB and RampStepTime: power comes up at most RampStepDB per
	// RampStepTime after the PA is enabled.
	RampStepDB   float64
	RampStepTime time.Duration
}

// Trim describes the reference oscillator's voltage control.
type Trim struct {
	// PPBPerLSB is the oscillator's pull per DAC code (sign included).
	PPBPerLSB float64
	// Bits is the DAC resolution; the code range is 0..2^Bits-1 and the
	// midscale code is the power-on default.
	Bits int
}

// Part returns the chain's part with role r.
func (c *Chain) Part(r Role) (Part, bool) {
	for _, p := range c.Parts {
		if p.Role == r {
			return p, true
		}
	}
	return Part{}, false
}

// Filter returns the filter code of band b.
func (c *Chain) Filter(b tdma.Band) (BandFilter, bool) {
	for _, f := range c.Filters {
		if f.Band == b {
			return f, true
		}
	}
	return BandFilter{}, false
}

// Validate checks that the chain is complete and self-consistent, and
// returns every problem at once.
func (c *Chain) Validate() error {
	var errs []error
	bad := func(format string, a ...any) {
		errs = append(errs, fmt.Errorf("%w: %s: %s", ErrChain, c.Name, fmt.Sprintf(format, a...)))
	}
	if c.Name == "" {
		bad("empty name")
	}
	if c.RefClock <= 0 {
		bad("reference clock not set")
	}
	if c.Limits.MaxPowerDBm <= -100 || c.Limits.MaxPowerDBm > 50 {
		bad("max power %.1f dBm out of range", c.Limits.MaxPowerDBm)
	}
	if c.Limits.RampStepDB <= 0 || c.Limits.RampStepTime <= 0 {
		bad("power ramp step not set")
	}
	if c.Limits.MaxTemperature == 0 {
		bad("no over-temperature limit")
	}
	_, trx := c.Part(RoleTransceiver)
	_, lo := c.Part(RoleTXLO)
	if !trx && !lo {
		bad("neither a transceiver nor a TX synthesiser")
	}
	if lo && c.Pins.TXLock == "" {
		bad("TX synthesiser without a lock-detect pin")
	}
	if c.Pins.PAEnable == "" && !trx {
		bad("no PA enable pin")
	}
	seen := map[string]string{}
	use := func(what, pin string) {
		if pin == "" {
			return
		}
		if prev, dup := seen[pin]; dup {
			bad("pin %s used for both %s and %s", pin, prev, what)
		}
		seen[pin] = what
	}
	p := c.Pins
	use("pa-enable", p.PAEnable)
	use("txrx", p.TXRX)
	use("lna-bypass", p.LNABypass)
	use("tx-lock", p.TXLock)
	use("rx-lock", p.RXLock)
	use("atten-le", p.AttenLE)
	use("atten-clock", p.AttenClock)
	use("atten-data", p.AttenData)
	use("pps", p.PPS)
	use("reset", p.Reset)
	for i, b := range p.BandSelect {
		use(fmt.Sprintf("band-select[%d]", i), b)
	}
	for _, f := range c.Filters {
		if len(p.BandSelect) < 8 && int(f.Code) >= 1<<len(p.BandSelect) {
			bad("filter code %d of %v does not fit %d band-select pins", f.Code, f.Band, len(p.BandSelect))
		}
	}
	roles := map[Role]bool{}
	for _, part := range c.Parts {
		if roles[part.Role] {
			bad("two parts with role %s", part.Role)
		}
		roles[part.Role] = true
		if part.Bus.Kind == BusI2C && (part.Bus.Addr == 0 || part.Bus.Addr > 0x7f) {
			bad("%s: bad I2C address 0x%x", part.Chip, part.Bus.Addr)
		}
		if part.Bus.Kind != BusNone && part.Bus.Name == "" {
			bad("%s: bus not named", part.Chip)
		}
	}
	return errors.Join(errs...)
}

var chains = map[string]*Chain{}

// registerChain adds a chain to the table LookupChain reads.
func registerChain(c *Chain) *Chain {
	if _, dup := chains[c.Name]; dup {
		panic("rf: duplicate chain " + c.Name)
	}
	chains[c.Name] = c
	return c
}

// LookupChain returns the named chain.
func LookupChain(name string) (*Chain, error) {
	c, ok := chains[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q (known: %v)", ErrUnknownChain, name, ChainNames())
	}
	return c, nil
}

// ChainNames lists the known chains, sorted.
func ChainNames() []string {
	out := make([]string, 0, len(chains))
	for n := range chains {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
