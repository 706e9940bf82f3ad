package adf4351

import (
	"fmt"

	"periph.io/x/conn/v3/physic"
)

// Register fields, ADF4351 data sheet Rev. 0, Figures 24 to 29 (register
// maps R0 to R5). Each register carries its own number in DB2..DB0.
const (
	// R0: INT (DB30..DB15), FRAC (DB14..DB3).
	r0IntShift  = 15
	r0FracShift = 3

	// R1: phase adjust (DB28), prescaler (DB27, 1 = 8/9), phase (DB26..DB15),
	// MOD (DB14..DB3).
	r1PhaseAdj   = 1 << 28
	r1Prescaler  = 1 << 27
	r1PhaseShift = 15
	r1ModShift   = 3

	// R2: noise mode (DB30..DB29), MUXOUT (DB28..DB26), reference doubler
	// (DB25), RDIV2 (DB24), R counter (DB23..DB14), double buffer (DB13),
	// charge pump current (DB12..DB9), LDF (DB8), LDP (DB7), PD polarity
	// (DB6), power-down (DB5), CP three-state (DB4), counter reset (DB3).
	r2NoiseShift   = 29
	r2MuxShift     = 26
	r2RefDoubler   = 1 << 25
	r2RefDiv2      = 1 << 24
	r2RShift       = 14
	r2DoubleBuffer = 1 << 13
	r2CPShift      = 9
	r2LDF          = 1 << 8
	r2LDP          = 1 << 7
	r2PDPositive   = 1 << 6
	r2PowerDown    = 1 << 5
	r2CPThreeState = 1 << 4
	r2CounterReset = 1 << 3

	// R3: band-select clock mode (DB23), ABP (DB22), charge cancel (DB21),
	// CSR (DB18), clock divider mode (DB16..DB15), clock divider (DB14..DB3).
	r3BandSelHigh  = 1 << 23
	r3ABP3ns       = 1 << 22
	r3ChargeCancel = 1 << 21
	r3CSR          = 1 << 18
	r3ClkModeShift = 15
	r3ClkDivShift  = 3

	// R4: feedback select (DB23, 1 = fundamental), RF divider select
	// (DB22..DB20), band-select clock divider (DB19..DB12), VCO power-down
	// (DB11), MTLD (DB10), AUX output select (DB9), AUX enable (DB8), AUX
	// power (DB7..DB6), RF output enable (DB5), output power (DB4..DB3).
	r4Fundamental = 1 << 23
	r4DivShift    = 20
	r4BSCShift    = 12
	r4VCOPowerDn  = 1 << 11
	r4MTLD        = 1 << 10
	r4RFEnable    = 1 << 5
	r4PowerShift  = 3

	// R5: LD pin mode (DB23..DB22, 01 = digital lock detect), reserved
	// DB20..DB19 which must be 11.
	r5LDDigital = 1 << 22
	r5Reserved  = 3 << 19

	muxDigitalLock = 6 // MUXOUT 110: digital lock detect

	defaultClockDiv = 150 // R3 clock divider, the data sheet's example value
)

// Limits from the data sheet's specifications table and register
// descriptions.
const (
	VCOMin     = 2200 * physic.MegaHertz
	VCOMax     = 4400 * physic.MegaHertz
	OutMin     = VCOMin / 64 // 34.375 MHz
	OutMax     = VCOMax
	PFDMaxFrac = 32 * physic.MegaHertz // fractional-N
	PFDMaxInt  = 45 * physic.MegaHertz // integer-N
	// BandSelectMax is the band-select clock limit with DB23 of R3 low.
	BandSelectMax  = 125 * physic.KiloHertz
	prescaler89Min = 3600 * physic.MegaHertz // above this fVCO, P must be 8/9
	modMax         = 4095
)

// Power is the RF output power setting (R4 DB4..DB3).
type Power uint8

// Output power levels.
const (
	PowerM4 Power = iota // -4 dBm
	PowerM1              // -1 dBm
	PowerP2              // +2 dBm
	PowerP5              // +5 dBm
)

// DBm returns the nominal output power.
func (p Power) DBm() int { return -4 + 3*int(p&3) }

// Opts configures the synthesiser.
type Opts struct {
	// RefIn is the reference input frequency. Required.
	RefIn physic.Frequency
	// R is the reference counter (1..1023); 0 picks the smallest R that
	// keeps the PFD at or below 32 MHz.
	R uint16
	// ChargePump is the R2 charge-pump code (0..15; 2.5 mA at code 7 with
	// RSET = 5.1 kΩ). 0 means the default 7.
	ChargePump uint8
	// Power is the RF output power.
	Power Power
	// LowSpur selects low-spur mode instead of low-noise mode.
	LowSpur bool
}

// Config is one computed register set.
type Config struct {
	Want physic.Frequency // requested output frequency
	PFD  physic.Frequency
	R    uint16
	INT  uint16
	FRAC uint16
	MOD  uint16
	// DivLog2 is the RF divider as a power of two (0..6: ÷1..÷64).
	DivLog2     uint8
	BandSelDiv  uint8
	Prescaler89 bool
	ChargePump  uint8
	Power       Power
	LowSpur     bool
	RFEnable    bool
	RefIn       physic.Frequency
}

// VCO returns the VCO frequency the config produces, in Hz.
func (c Config) VCO() float64 {
	return float64(c.PFD) / float64(physic.Hertz) * (float64(c.INT) + float64(c.FRAC)/float64(c.MOD))
}

// OutHz returns the output frequency the config produces, in Hz.
func (c Config) OutHz() float64 { return c.VCO() / float64(uint(1)<<c.DivLog2) }

// ErrorHz is the produced minus the requested frequency, in Hz.
func (c Config) ErrorHz() float64 { return c.OutHz() - float64(c.Want)/float64(physic.Hertz) }

// IntegerN reports whether the config runs in integer-N mode.
func (c Config) IntegerN() bool { return c.FRAC == 0 }

// Compute finds the register values for output frequency f. It never
// fails for f in [OutMin, OutMax] with a sane reference; the fraction is
// exact when f/PFD is a ratio with a denominator up to 4095 and otherwise
// the best approximation with such a denominator.
func Compute(f physic.Frequency, o Opts) (Config, error) {
	if o.RefIn <= 0 {
		return Config{}, fmt.Errorf("%w: reference frequency %v", ErrRange, o.RefIn)
	}
	if f < OutMin || f > OutMax {
		return Config{}, fmt.Errorf("%w: %v outside %v..%v", ErrRange, f, OutMin, OutMax)
	}
	c := Config{Want: f, RefIn: o.RefIn, Power: o.Power & 3, LowSpur: o.LowSpur, ChargePump: o.ChargePump, RFEnable: true}
	if c.ChargePump == 0 {
		c.ChargePump = 7
	}
	if c.ChargePump > 15 {
		return Config{}, fmt.Errorf("%w: charge pump code %d", ErrRange, o.ChargePump)
	}
	c.R = o.R
	if c.R == 0 {
		c.R = uint16((o.RefIn + PFDMaxFrac - 1) / PFDMaxFrac)
	}
	if c.R < 1 || c.R > 1023 {
		return Config{}, fmt.Errorf("%w: R counter %d", ErrRange, c.R)
	}
	c.PFD = o.RefIn / physic.Frequency(c.R)
	if c.PFD > PFDMaxInt {
		return Config{}, fmt.Errorf("%w: PFD %v above %v", ErrRange, c.PFD, PFDMaxInt)
	}
	// RF divider: the smallest that puts the VCO at or above its minimum.
	vco := f
	for vco < VCOMin {
		vco *= 2
		c.DivLog2++
	}
	c.Prescaler89 = vco > prescaler89Min
	// N = vco / PFD as INT + FRAC/MOD, in exact integer µHz arithmetic.
	n := int64(vco / c.PFD)
	rem := int64(vco % c.PFD)
	frac, mod := bestFraction(rem, int64(c.PFD), modMax)
	if frac == mod { // rounded up to the next integer
		n++
		frac = 0
	}
	if mod < 2 {
		mod = 2
	}
	minInt := int64(23)
	if c.Prescaler89 {
		minInt = 75
	}
	if n < minInt || n > 65535 {
		return Config{}, fmt.Errorf("%w: INT %d outside %d..65535 (PFD %v too high for %v)", ErrRange, n, minInt, c.PFD, f)
	}
	if frac != 0 && c.PFD > PFDMaxFrac {
		return Config{}, fmt.Errorf("%w: PFD %v above %v in fractional-N mode", ErrRange, c.PFD, PFDMaxFrac)
	}
	c.INT, c.FRAC, c.MOD = uint16(n), uint16(frac), uint16(mod)
	bsc := (c.PFD + BandSelectMax - 1) / BandSelectMax
	if bsc < 1 {
		bsc = 1
	}
	if bsc > 255 {
		return Config{}, fmt.Errorf("%w: band-select divider %d for PFD %v", ErrRange, bsc, c.PFD)
	}
	c.BandSelDiv = uint8(bsc)
	return c, nil
}

// bestFraction returns p/q ≈ num/den with 1 ≤ q ≤ maxDen, the best
// rational approximation (continued fractions with semiconvergents).
// 0 ≤ num < den.
func bestFraction(num, den, maxDen int64) (p, q int64) {
	if num == 0 {
		return 0, 1
	}
	g := gcd(num, den)
	if den/g <= maxDen {
		return num / g, den / g
	}
	// Convergents h1/k1 of num/den; h0/k0 is the one before.
	h0, k0 := int64(0), int64(1)
	h1, k1 := int64(1), int64(0)
	x, y := num, den
	for y != 0 {
		t := x / y
		h2, k2 := t*h1+h0, t*k1+k0
		if k2 > maxDen {
			// The semiconvergent with the largest allowed multiplier may
			// beat the last convergent.
			m := (maxDen - k0) / k1
			hs, ks := m*h1+h0, m*k1+k0
			if absDiffFrac(hs, ks, num, den) < absDiffFrac(h1, k1, num, den) {
				return hs, ks
			}
			return h1, k1
		}
		h0, k0, h1, k1 = h1, k1, h2, k2
		x, y = y, x%y
	}
	return h1, k1
}

// absDiffFrac compares |p/q - num/den| scaled by den (float is fine for a
// comparison between two candidates).
func absDiffFrac(p, q, num, den int64) float64 {
	d := float64(p)/float64(q) - float64(num)/float64(den)
	if d < 0 {
		return -d
	}
	return d
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// Registers returns the six register words, index i holding Ri. Write
// them in the order R5, R4, R3, R2, R1, R0.
func (c Config) Registers() [6]uint32 {
	var r [6]uint32
	r[0] = uint32(c.INT)<<r0IntShift | uint32(c.FRAC)<<r0FracShift | 0
	r[1] = 1<<r1PhaseShift | uint32(c.MOD)<<r1ModShift | 1
	if c.Prescaler89 {
		r[1] |= r1Prescaler
	}
	r[2] = muxDigitalLock<<r2MuxShift | uint32(c.R)<<r2RShift | uint32(c.ChargePump)<<r2CPShift | r2PDPositive | 2
	if c.LowSpur {
		r[2] |= 3 << r2NoiseShift
	}
	r[3] = defaultClockDiv<<r3ClkDivShift | 3
	if c.IntegerN() {
		// Integer-N: LDF = 1 (INT-N lock detect), LDP = 1 (6 ns) and
		// ABP = 1 (3 ns), per the data sheet's R2/R3 descriptions.
		r[2] |= r2LDF | r2LDP
		r[3] |= r3ABP3ns
	}
	r[4] = r4Fundamental | uint32(c.DivLog2)<<r4DivShift | uint32(c.BandSelDiv)<<r4BSCShift | r4MTLD | uint32(c.Power&3)<<r4PowerShift | 4
	if c.RFEnable {
		r[4] |= r4RFEnable
	}
	r[5] = r5LDDigital | r5Reserved | 5
	return r
}

// Decode reads back a register set into a Config: the inverse of
// Registers for the fields the driver sets. It rejects words whose
// control bits do not match their slot, and values the part forbids.
// refIn is the reference frequency (not in any register).
func Decode(r [6]uint32, refIn physic.Frequency) (Config, error) {
	for i, w := range r {
		if w&7 != uint32(i) {
			return Config{}, fmt.Errorf("%w: R%d control bits %d", ErrRegister, i, w&7)
		}
	}
	var c Config
	c.RefIn = refIn
	c.INT = uint16(r[0] >> r0IntShift)
	c.FRAC = uint16(r[0] >> r0FracShift & 0xfff)
	c.MOD = uint16(r[1] >> r1ModShift & 0xfff)
	c.Prescaler89 = r[1]&r1Prescaler != 0
	c.R = uint16(r[2] >> r2RShift & 0x3ff)
	c.ChargePump = uint8(r[2] >> r2CPShift & 0xf)
	c.LowSpur = r[2]>>r2NoiseShift&3 == 3
	c.DivLog2 = uint8(r[4] >> r4DivShift & 7)
	c.BandSelDiv = uint8(r[4] >> r4BSCShift)
	c.Power = Power(r[4] >> r4PowerShift & 3)
	c.RFEnable = r[4]&r4RFEnable != 0
	switch {
	case c.R == 0:
		return Config{}, fmt.Errorf("%w: R counter 0", ErrRegister)
	case c.MOD < 2:
		return Config{}, fmt.Errorf("%w: MOD %d", ErrRegister, c.MOD)
	case c.FRAC >= c.MOD:
		return Config{}, fmt.Errorf("%w: FRAC %d ≥ MOD %d", ErrRegister, c.FRAC, c.MOD)
	case c.DivLog2 > 6:
		return Config{}, fmt.Errorf("%w: RF divider select %d", ErrRegister, c.DivLog2)
	case c.BandSelDiv == 0:
		return Config{}, fmt.Errorf("%w: band-select divider 0", ErrRegister)
	case c.Prescaler89 && c.INT < 75, !c.Prescaler89 && c.INT < 23:
		return Config{}, fmt.Errorf("%w: INT %d below the prescaler minimum", ErrRegister, c.INT)
	}
	mul := physic.Frequency(1)
	if r[2]&r2RefDoubler != 0 {
		mul = 2
	}
	div := physic.Frequency(c.R)
	if r[2]&r2RefDiv2 != 0 {
		div *= 2
	}
	c.PFD = refIn * mul / div
	if c.PFD > 0 {
		c.Want = physic.Frequency(c.OutHz()*float64(physic.Hertz) + 0.5)
	}
	return c, nil
}

// Words writes the register set as SPI bytes, 4 per register, MSB first,
// in the write order R5..R0.
func (c Config) Words(dst *[24]byte) {
	r := c.Registers()
	for i := 0; i < 6; i++ {
		w := r[5-i]
		dst[4*i] = byte(w >> 24)
		dst[4*i+1] = byte(w >> 16)
		dst[4*i+2] = byte(w >> 8)
		dst[4*i+3] = byte(w)
	}
}
