// Package lmstest is a fake LMS7002M for tests and dry runs: an spi.Port
// that decodes the chip's 32-bit SPI transactions, keeps a register file
// (with the SXR/SXT block banked by MAC), answers the chip-ID register,
// and models the VCO comparators so capacitor-bank searches converge.
//
// It is an independent model written from the datasheet's register map; it
// deliberately does not import the driver.
package lmstest

import (
	"errors"
	"sync"

	"periph.io/x/conn/v3"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"
)

// Register addresses the model treats specially.
const (
	regMAC     = 0x0020
	regChipID  = 0x002F
	regCGENFr  = 0x0087
	regCGENInt = 0x0088
	regCGENCSW = 0x008B
	regCGENCmp = 0x008C
	regSX      = 0x011C
	regSXFrac  = 0x011D
	regSXInt   = 0x011E
	regSXVCO   = 0x0121
	regSXCmp   = 0x0123
)

// VCO ranges, Hz.
var sxVCO = [4][2]float64{{3.800e9, 5.222e9}, {4.961e9, 6.754e9}, {6.306e9, 7.714e9}, {6.306e9, 7.714e9}}

const cgenLo, cgenHi = 2.0e9, 2.7e9

// Chip is the fake. The zero value is not usable; call New.
type Chip struct {
	mu   sync.Mutex
	ref  float64
	regs map[uint16]uint16
	sx   [4]map[uint16]uint16
	// Window is the half width of the comparator window in CSW codes; a
	// negative value makes every VCO search fail.
	Window int
	// Writes and Reads count transactions.
	Writes, Reads int
	// OnTx, when set, sees every transaction (for dry-run printing).
	OnTx func(w, r []byte)
}

// New returns a chip with the given reference clock and chip ID.
func New(ref physic.Frequency, chipID uint16) *Chip {
	c := &Chip{ref: float64(ref) / float64(physic.Hertz), regs: map[uint16]uint16{regChipID: chipID}, Window: 6}
	for i := range c.sx {
		c.sx[i] = map[uint16]uint16{}
	}
	return c
}

// Reg returns a register in the global space, SX returns one in the SX
// bank selected by mac (1 = SXR, 2 = SXT).
func (c *Chip) Reg(addr uint16) uint16 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.regs[addr]
}

// SX returns a register of the SX bank mac.
func (c *Chip) SX(mac int, addr uint16) uint16 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sx[mac&3][addr]
}

// SXCenter is the centre of the modelled CSW window of SX bank mac.
func (c *Chip) SXCenter(mac int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sxCenter(mac)
}

func (c *Chip) String() string                    { return "lmstest" }
func (c *Chip) Close() error                      { return nil }
func (c *Chip) LimitSpeed(physic.Frequency) error { return nil }
func (c *Chip) Duplex() conn.Duplex               { return conn.Full }
func (c *Chip) TxPackets([]spi.Packet) error      { return errors.New("lmstest: no packets") }

// Connect returns the chip itself as the connection.
func (c *Chip) Connect(physic.Frequency, spi.Mode, int) (spi.Conn, error) { return c, nil }

func (c *Chip) bank(addr uint16) map[uint16]uint16 {
	if addr >= 0x011C && addr <= 0x0124 {
		return c.sx[c.regs[regMAC]&3]
	}
	return c.regs
}

// Tx decodes one transaction.
func (c *Chip) Tx(w, r []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(w) != 4 {
		return errors.New("lmstest: transaction not 32 bits")
	}
	cmd := uint16(w[0])<<8 | uint16(w[1])
	addr := cmd & 0x7fff
	if cmd&0x8000 != 0 {
		c.bank(addr)[addr] = uint16(w[2])<<8 | uint16(w[3])
		c.Writes++
		if c.OnTx != nil {
			c.OnTx(w, r)
		}
		return nil
	}
	if len(r) != 4 {
		return errors.New("lmstest: read without a 4-byte buffer")
	}
	v := c.bank(addr)[addr]
	switch addr {
	case regSXCmp:
		v = v&^(3<<12) | c.cmp(c.sxCenter(int(c.regs[regMAC]&3)), int(c.bank(regSXVCO)[regSXVCO]>>3&0xff))
	case regCGENCmp:
		v = v&^(3<<12) | c.cmp(c.cgenCenter(), int(c.regs[regCGENCSW]>>1&0xff))
	}
	r[0], r[1], r[2], r[3] = 0, 0, byte(v>>8), byte(v)
	c.Reads++
	if c.OnTx != nil {
		c.OnTx(w, r)
	}
	return nil
}

// cmp: below the window the tuning voltage is too high (HO=0, LO=0),
// inside it is right (HO=1, LO=0), above it too low (HO=1, LO=1).
func (c *Chip) cmp(center, csw int) uint16 {
	switch {
	case csw < center-c.Window:
		return 0
	case csw > center+c.Window:
		return 3 << 12
	}
	return 1 << 13
}

// SXVCOHz is the VCO frequency SX bank mac is programmed for, in Hz:
// (INT + 4 + FRAC/2^20) × ref, the reference doubled with EN_DIV2.
func (c *Chip) SXVCOHz(mac int) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sxVCOHz(mac)
}

func (c *Chip) sxVCOHz(mac int) float64 {
	b := c.sx[mac&3]
	n := float64(b[regSXInt]>>4) + 4 + float64(uint32(b[regSXInt]&0xf)<<16|uint32(b[regSXFrac]))/(1<<20)
	fr := c.ref
	if b[regSX]&(1<<10) != 0 {
		fr *= 2
	}
	return n * fr
}

// CGENVCOHz is the VCO frequency CGEN is programmed for, in Hz:
// (INT + 1 + FRAC/2^20) × ref.
func (c *Chip) CGENVCOHz() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cgenVCOHz()
}

func (c *Chip) cgenVCOHz() float64 {
	n := float64(c.regs[regCGENInt]>>4) + 1 + float64(uint32(c.regs[regCGENInt]&0xf)<<16|uint32(c.regs[regCGENFr]))/(1<<20)
	return n * c.ref
}

// sxCenter maps the programmed VCO frequency to a window centre: higher
// frequency, fewer capacitors.
func (c *Chip) sxCenter(mac int) int {
	v := sxVCO[c.sx[mac&3][regSXVCO]>>1&3]
	return clamp(int(255 * (v[1] - c.sxVCOHz(mac)) / (v[1] - v[0])))
}

func (c *Chip) cgenCenter() int {
	return clamp(int(255 * (cgenHi - c.cgenVCOHz()) / (cgenHi - cgenLo)))
}

func clamp(x int) int {
	return max(0, min(255, x))
}
