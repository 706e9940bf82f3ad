package lapdm

import "fmt"

// Block sizes and the maximum number of octets in an information field,
// N201 (TS 44.006 §5.8.3; block sizes of TS 44.004 §7 and TS 45.003 §4).
const (
	// BlockLen is the L2 block of an SDCCH or FACCH, and the whole SACCH
	// block including its 2-octet L1 header.
	BlockLen = 23
	// SACCHL1HeaderLen is the L1 header in front of the LAPDm frame on a
	// SACCH (TS 44.004 §7.2).
	SACCHL1HeaderLen = 2
	// N201DCCH is N201 for format B frames on SDCCH and FACCH.
	N201DCCH = BlockLen - 3
	// N201SACCH is N201 for format B frames on SACCH.
	N201SACCH = BlockLen - SACCHL1HeaderLen - 3
	// N201B4 is the information field of a format B4 frame on SACCH.
	N201B4 = BlockLen - SACCHL1HeaderLen - 2
	// Fill is the fill octet after the information field (TS 44.006 §5.2).
	Fill = 0x2b
)

// Format is a LAPDm frame format (TS 44.006 §2.1).
type Format uint8

// Frame formats.
const (
	// FormatB has address, control, length indicator and information
	// fields. Format A is format B with a zero length and no information;
	// both decode as FormatB.
	FormatB Format = iota + 1
	// FormatBbis is the information field alone, used on BCCH and CCCH
	// where the L3 message starts with its L2 pseudo length.
	FormatBbis
	// FormatBter is the information field with a short L2 header (type
	// 1): bits 1 and 2 of the first octet are 0 and the rest of the block
	// belongs to L3 (TS 44.006 §2.1, TS 44.018 §10).
	FormatBter
	// FormatB4 has address and control fields and an information field
	// without a length indicator: SAPI 0 UI frames on SACCH.
	FormatB4
)

func (f Format) String() string {
	switch f {
	case FormatB:
		return "B"
	case FormatBbis:
		return "Bbis"
	case FormatBter:
		return "Bter"
	case FormatB4:
		return "B4"
	}
	return fmt.Sprintf("Format(%d)", uint8(f))
}

// Type is the frame type coded in the control field (TS 44.006 §3.4).
type Type uint8

// Frame types.
const (
	TypeI    Type = iota + 1 // information
	TypeRR                   // receive ready
	TypeRNR                  // receive not ready
	TypeREJ                  // reject
	TypeSABM                 // set asynchronous balanced mode
	TypeDM                   // disconnected mode
	TypeUI                   // unnumbered information
	TypeDISC                 // disconnect
	TypeUA                   // unnumbered acknowledgement
)

var typeNames = [...]string{TypeI: "I", TypeRR: "RR", TypeRNR: "RNR", TypeREJ: "REJ",
	TypeSABM: "SABM", TypeDM: "DM", TypeUI: "UI", TypeDISC: "DISC", TypeUA: "UA"}

func (t Type) String() string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return fmt.Sprintf("Type(%d)", uint8(t))
}

// Unnumbered frame control octets with P/F = 0 (TS 44.006 §3.4, Table 4):
//
//	  8   7   6   5   4   3   2   1
//	| M   M   M | P | M   M | 1   1 |
const (
	ctrlSABM = 0x2f
	ctrlDM   = 0x0f
	ctrlUI   = 0x03
	ctrlDISC = 0x43
	ctrlUA   = 0x63
	ctrlPF   = 0x10
)

// Frame is one LAPDm frame. The fields a format does not have are zero.
//
// Address field (TS 44.006 §3.2), octet 1 of formats A, B and B4:
//
//	  8     7   6     5   4   3     2     1
//	| spare | LPD   |   SAPI    | C/R | EA=1 |
//
// Control field (TS 44.006 §3.4), octet 2:
//
//	I: | N(R)  | P | N(S)  | 0 |
//	S: | N(R)  |P/F| S S | 0 1 |   RR 00, RNR 01, REJ 10
//	U: | M M M |P/F| M M | 1 1 |
//
// Length indicator field (TS 44.006 §3.6), octet 3 of formats A and B:
//
//	  8   7   6   5   4   3     2    1
//	|     L (6 bits)        |   M | EL=1 |
type Frame struct {
	Format Format
	LPD    uint8 // link protocol discriminator: 0 for normal LAPDm
	SAPI   uint8 // 0 (RR, MM, CC) or 3 (SMS)
	CR     bool  // the C/R bit as on the air
	Type   Type
	PF     bool  // P in commands, F in responses
	NS, NR uint8 // send and receive sequence numbers (I: both, S: NR)
	M      bool  // more data: a segment other than the last
	// Info is the information field. Unmarshal makes it alias the input:
	// for format B the L octets, for B4, Bbis and Bter the rest of the
	// block, fill included (those formats carry no length).
	Info []byte

	spare bool // address bit 8, kept so a decoded frame re-encodes as received
}

// Unmarshal decodes a frame of format A, B or Bter from b, the LAPDm part of
// a block (23 octets on SDCCH and FACCH, 21 on SACCH after the L1 header).
// A first octet with bits 1 and 2 both 0 is a short L2 header (Bter).
// Fill octets after the information field are not checked: TS 44.006 §5.2
// lets old mobiles send other fill values.
func (f *Frame) Unmarshal(b []byte) error {
	if len(b) < 1 {
		return fmt.Errorf("%w: empty block", ErrShort)
	}
	if b[0]&3 == 0 {
		*f = Frame{Format: FormatBter, Info: b}
		return nil
	}
	if len(b) < 3 {
		return fmt.Errorf("%w: have %d octets, need 3", ErrShort, len(b))
	}
	if err := f.header(b); err != nil {
		return err
	}
	li := b[2]
	if li&1 == 0 {
		return fmt.Errorf("%w: EL bit 0 in length octet %#02x", ErrLength, li)
	}
	n := int(li >> 2)
	if 3+n > len(b) {
		return fmt.Errorf("%w: length %d in a %d-octet block", ErrLength, n, len(b))
	}
	f.Format = FormatB
	f.M = li&2 != 0
	f.Info = b[3 : 3+n]
	return nil
}

// UnmarshalB4 decodes a format B4 frame (address, control, information
// without length: SAPI 0 UI frames on SACCH) from b, the 21 octets after
// the SACCH L1 header.
func (f *Frame) UnmarshalB4(b []byte) error {
	if len(b) < 2 {
		return fmt.Errorf("%w: have %d octets, need 2", ErrShort, len(b))
	}
	if b[0]&1 == 0 {
		return fmt.Errorf("%w: EA bit 0 in %#02x", ErrAddress, b[0])
	}
	if err := f.header(b); err != nil {
		return err
	}
	f.Format = FormatB4
	f.Info = b[2:]
	return nil
}

// header decodes the address and control octets.
func (f *Frame) header(b []byte) error {
	a, c := b[0], b[1]
	if a&1 == 0 {
		return fmt.Errorf("%w: EA bit 0 in %#02x", ErrAddress, a)
	}
	*f = Frame{
		spare: a&0x80 != 0,
		LPD:   a >> 5 & 3,
		SAPI:  a >> 2 & 7,
		CR:    a&2 != 0,
		PF:    c&ctrlPF != 0,
	}
	switch {
	case c&1 == 0:
		f.Type, f.NR, f.NS = TypeI, c>>5, c>>1&7
	case c&3 == 1:
		f.NR = c >> 5
		switch c >> 2 & 3 {
		case 0:
			f.Type = TypeRR
		case 1:
			f.Type = TypeRNR
		case 2:
			f.Type = TypeREJ
		default:
			return fmt.Errorf("%w: S frame %#02x", ErrControl, c)
		}
	default:
		switch c &^ ctrlPF {
		case ctrlSABM:
			f.Type = TypeSABM
		case ctrlDM:
			f.Type = TypeDM
		case ctrlUI:
			f.Type = TypeUI
		case ctrlDISC:
			f.Type = TypeDISC
		case ctrlUA:
			f.Type = TypeUA
		default:
			return fmt.Errorf("%w: U frame %#02x", ErrControl, c)
		}
	}
	return nil
}

// MarshalSize returns the octets MarshalTo writes before the fill.
func (f *Frame) MarshalSize() int {
	switch f.Format {
	case FormatB:
		return 3 + len(f.Info)
	case FormatB4:
		return 2 + len(f.Info)
	}
	return len(f.Info)
}

// MarshalTo encodes f into b and fills the rest of b with 0x2B (TS 44.006
// §5.2), so b is typically a whole block. It returns MarshalSize. It does
// not allocate.
func (f *Frame) MarshalTo(b []byte) (int, error) {
	n := f.MarshalSize()
	if n > len(b) {
		return 0, fmt.Errorf("%w: frame of %d octets, buffer %d", ErrBuffer, n, len(b))
	}
	switch f.Format {
	case FormatB, FormatB4:
		if f.SAPI > 7 || f.LPD > 3 {
			return 0, fmt.Errorf("%w: SAPI %d LPD %d", ErrAddress, f.SAPI, f.LPD)
		}
		c, err := f.control()
		if err != nil {
			return 0, err
		}
		b[0] = bit(f.spare, 7) | f.LPD<<5 | f.SAPI<<2 | bit(f.CR, 1) | 1
		b[1] = c
		if f.Format == FormatB {
			if len(f.Info) > 63 {
				return 0, fmt.Errorf("%w: %d-octet information field", ErrLength, len(f.Info))
			}
			b[2] = byte(len(f.Info))<<2 | bit(f.M, 1) | 1
		}
		copy(b[n-len(f.Info):], f.Info)
	case FormatBter:
		if len(f.Info) == 0 || f.Info[0]&3 != 0 {
			return 0, fmt.Errorf("%w: Bter frame without short L2 header", ErrAddress)
		}
		copy(b, f.Info)
	case FormatBbis:
		copy(b, f.Info)
	default:
		return 0, fmt.Errorf("%w: format %v", ErrControl, f.Format)
	}
	for i := n; i < len(b); i++ {
		b[i] = Fill
	}
	return n, nil
}

func (f *Frame) control() (byte, error) {
	pf := bit(f.PF, 4)
	nr := (f.NR & 7) << 5
	switch f.Type {
	case TypeI:
		return nr | pf | (f.NS&7)<<1, nil
	case TypeRR:
		return nr | pf | 0x01, nil
	case TypeRNR:
		return nr | pf | 0x05, nil
	case TypeREJ:
		return nr | pf | 0x09, nil
	case TypeSABM:
		return ctrlSABM | pf, nil
	case TypeDM:
		return ctrlDM | pf, nil
	case TypeUI:
		return ctrlUI | pf, nil
	case TypeDISC:
		return ctrlDISC | pf, nil
	case TypeUA:
		return ctrlUA | pf, nil
	}
	return 0, fmt.Errorf("%w: type %v", ErrControl, f.Type)
}

func (f Frame) String() string {
	switch f.Type {
	case TypeI:
		return fmt.Sprintf("SAPI%d I N(S)=%d N(R)=%d P=%t M=%t L=%d", f.SAPI, f.NS, f.NR, f.PF, f.M, len(f.Info))
	case TypeRR, TypeRNR, TypeREJ:
		return fmt.Sprintf("SAPI%d %v N(R)=%d P/F=%t C/R=%t", f.SAPI, f.Type, f.NR, f.PF, f.CR)
	}
	if f.Format == FormatBter || f.Format == FormatBbis {
		return fmt.Sprintf("%v L=%d", f.Format, len(f.Info))
	}
	return fmt.Sprintf("SAPI%d %v P/F=%t C/R=%t L=%d", f.SAPI, f.Type, f.PF, f.CR, len(f.Info))
}

func bit(v bool, n uint) byte {
	if v {
		return 1 << n
	}
	return 0
}
