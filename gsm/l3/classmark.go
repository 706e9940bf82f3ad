package l3

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/internal/bitio"
)

// Classmark1 is the Mobile Station Classmark 1 value (TS 24.008 §10.5.1.5):
//
//	  8   7   6   5   4   3   2   1
//	| 0 | rev lvl | ES|A51| RF power cap |
//
// A5/1 is coded inverted on the air (0 = available); the field here is the
// plain meaning.
type Classmark1 struct {
	Revision uint8 // 0 = phase 1, 1 = phase 2, 2 = R99 onwards
	ESInd    bool  // controlled early classmark sending implemented
	A51      bool  // A5/1 available
	RFPower  uint8 // RF power capability, 3 bits
}

// Byte returns the encoded octet.
func (c Classmark1) Byte() byte {
	v := (c.Revision&3)<<5 | c.RFPower&7
	if c.ESInd {
		v |= 0x10
	}
	if !c.A51 {
		v |= 0x08
	}
	return v
}

// ParseClassmark1 decodes the octet (bit 8, spare, is ignored).
func ParseClassmark1(v byte) Classmark1 {
	return Classmark1{Revision: v >> 5 & 3, ESInd: v&0x10 != 0, A51: v&0x08 == 0, RFPower: v & 7}
}

// Classmark2 is the Mobile Station Classmark 2 value (TS 24.008
// §10.5.1.6), three octets:
//
//	  8    7     6    5     4     3     2     1
//	| 0  | rev level | ES  | A5/1| RF power cap    |  octet 3 (as Classmark 1)
//	| 0  | PS  | SS screen | SM  | VBS | VGCS| FC  |  octet 4
//	| CM3| 0  |LCSVA|UCS2 |SoLSA| CMSP|A5/3 |A5/2 |  octet 5
type Classmark2 struct {
	Classmark1
	PSCap       bool  // pseudo-synchronisation capability
	SSScreening uint8 // SS screening indicator, 2 bits
	SMCap       bool  // mobile terminated point-to-point SMS
	VBS, VGCS   bool
	FC          bool // frequency capability (E-GSM/R-GSM)
	CM3         bool // Classmark 3 IE will be sent
	LCSVACap    bool
	UCS2        bool // UCS2 treatment
	SoLSA       bool
	CMSP        bool // CM service prompt
	A53, A52    bool
}

// Classmark2Len is the length of the Classmark 2 value part.
const Classmark2Len = 3

// MarshalTo writes the 3-octet value part.
func (c Classmark2) MarshalTo(b []byte) (int, error) {
	if len(b) < 3 {
		return 0, fmt.Errorf("%w: Classmark 2 needs 3 octets", ErrBuffer)
	}
	b[0] = c.Classmark1.Byte()
	b[1] = bits(c.PSCap, 6) | (c.SSScreening&3)<<4 | bits(c.SMCap, 3) | bits(c.VBS, 2) | bits(c.VGCS, 1) | bits(c.FC, 0)
	b[2] = bits(c.CM3, 7) | bits(c.LCSVACap, 5) | bits(c.UCS2, 4) | bits(c.SoLSA, 3) | bits(c.CMSP, 2) | bits(c.A53, 1) | bits(c.A52, 0)
	return 3, nil
}

// Unmarshal parses the value part; octets beyond the third are ignored
// (TS 24.007 §11.2.4: extra octets of a known IE are ignored).
func (c *Classmark2) Unmarshal(b []byte) error {
	if len(b) < 3 {
		return fmt.Errorf("%w: Classmark 2 of %d octets, want 3", ErrShort, len(b))
	}
	*c = Classmark2{Classmark1: ParseClassmark1(b[0])}
	c.PSCap = b[1]&0x40 != 0
	c.SSScreening = b[1] >> 4 & 3
	c.SMCap, c.VBS, c.VGCS, c.FC = b[1]&8 != 0, b[1]&4 != 0, b[1]&2 != 0, b[1]&1 != 0
	c.CM3 = b[2]&0x80 != 0
	c.LCSVACap, c.UCS2, c.SoLSA = b[2]&0x20 != 0, b[2]&0x10 != 0, b[2]&8 != 0
	c.CMSP, c.A53, c.A52 = b[2]&4 != 0, b[2]&2 != 0, b[2]&1 != 0
	return nil
}

func bits(v bool, shift uint) byte {
	if v {
		return 1 << shift
	}
	return 0
}

// Classmark3 holds the leading fields of the Mobile Station Classmark 3
// value (TS 24.008 §10.5.1.7), a CSN.1 structure:
//
//	<Classmark 3 Value part> ::= <spare bit>
//	  { <Multiband supported : {000}> <A5 bits>
//	  | <Multiband supported : {101 | 110}> <A5 bits>
//	      <Associated Radio Capability 2 : bit(4)> <Associated Radio Capability 1 : bit(4)>
//	  | <Multiband supported : {100 | 001 | 010}> <A5 bits> <spare bit>(4)
//	      <Associated Radio Capability 1 : bit(4)> }
//	  { 0 | 1 <R Support> }                 -- R-GSM band associated radio capability, 3 bits
//	  { 0 | 1 <Multi Slot Capability> }     -- 5 bits
//	  <UCS2 treatment: bit> <Extended Measurement Capability : bit>
//	  ...                                   -- further fields are not decoded
//	<A5 bits> ::= <A5/7 : bit> <A5/6 : bit> <A5/5 : bit> <A5/4 : bit>
//
// Unmarshal decodes these fields and safely ignores the rest of the IE.
type Classmark3 struct {
	Multiband      uint8 // 3 bits: bit 1 P-GSM, bit 2 E-GSM, bit 3 DCS 1800
	A54, A55       bool
	A56, A57       bool
	RadioCap1      uint8 // associated radio capability 1 (4 bits)
	RadioCap2      uint8 // associated radio capability 2 (4 bits)
	RSupport       bool
	RGSMCap        uint8 // 3 bits, if RSupport
	MultiSlot      bool
	MultiSlotClass uint8 // 5 bits, if MultiSlot
	UCS2           bool
	ExtMeasCap     bool
}

// Unmarshal decodes the leading fields of a Classmark 3 value part. A value
// too short for them is an error; the remainder is ignored.
func (c *Classmark3) Unmarshal(b []byte) error {
	*c = Classmark3{}
	r := bitio.NewReader(b)
	r.Skip(1)
	c.Multiband = uint8(r.Bits(3))
	c.A57, c.A56, c.A55, c.A54 = r.Bool(), r.Bool(), r.Bool(), r.Bool()
	switch c.Multiband {
	case 0:
	case 5, 6:
		c.RadioCap2 = uint8(r.Bits(4))
		c.RadioCap1 = uint8(r.Bits(4))
	case 1, 2, 4:
		r.Skip(4)
		c.RadioCap1 = uint8(r.Bits(4))
	default:
		return fmt.Errorf("l3: Classmark 3: multiband supported %03b is reserved", c.Multiband)
	}
	if c.RSupport = r.Bool(); c.RSupport {
		c.RGSMCap = uint8(r.Bits(3))
	}
	if c.MultiSlot = r.Bool(); c.MultiSlot {
		c.MultiSlotClass = uint8(r.Bits(5))
	}
	c.UCS2 = r.Bool()
	c.ExtMeasCap = r.Bool()
	if err := r.Err(); err != nil {
		return fmt.Errorf("l3: Classmark 3: %w", err)
	}
	return nil
}

// MarshalTo writes the fields of c and returns the octets used; the tail
// of the last octet and every later optional field are written as absent
// (0). This is the canonical form Unmarshal reads back.
func (c Classmark3) MarshalTo(b []byte) (int, error) {
	w := bitio.NewWriter(b)
	w.Bit(0)
	w.Bits(uint64(c.Multiband), 3)
	w.Bool(c.A57)
	w.Bool(c.A56)
	w.Bool(c.A55)
	w.Bool(c.A54)
	switch c.Multiband {
	case 0:
	case 5, 6:
		w.Bits(uint64(c.RadioCap2), 4)
		w.Bits(uint64(c.RadioCap1), 4)
	case 1, 2, 4:
		w.Bits(0, 4)
		w.Bits(uint64(c.RadioCap1), 4)
	default:
		return 0, fmt.Errorf("l3: Classmark 3: multiband supported %03b is reserved", c.Multiband)
	}
	w.Bool(c.RSupport)
	if c.RSupport {
		w.Bits(uint64(c.RGSMCap), 3)
	}
	w.Bool(c.MultiSlot)
	if c.MultiSlot {
		w.Bits(uint64(c.MultiSlotClass), 5)
	}
	w.Bool(c.UCS2)
	w.Bool(c.ExtMeasCap)
	for w.Pos()%8 != 0 {
		w.Bit(0)
	}
	if err := w.Err(); err != nil {
		return 0, fmt.Errorf("%w: Classmark 3: %v", ErrBuffer, err)
	}
	return w.Len(), nil
}
