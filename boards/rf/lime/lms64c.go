package lime

import (
	"encoding/binary"
	"fmt"
)

// Command is an LMS64C command code.
type Command uint8

// LMS64C commands this driver uses.
const (
	CmdGetInfo   Command = 0x00
	CmdLMSReset  Command = 0x20
	CmdLMSWrite  Command = 0x21
	CmdLMSRead   Command = 0x22
	CmdFPGAWrite Command = 0x55
	CmdFPGARead  Command = 0x56
	CmdAnalogWr  Command = 0x61
)

func (c Command) String() string {
	switch c {
	case CmdGetInfo:
		return "GET_INFO"
	case CmdLMSReset:
		return "LMS7002_RST"
	case CmdLMSWrite:
		return "LMS7002_WR"
	case CmdLMSRead:
		return "LMS7002_RD"
	case CmdFPGAWrite:
		return "BRDSPI_WR"
	case CmdFPGARead:
		return "BRDSPI_RD"
	case CmdAnalogWr:
		return "ANALOG_VAL_WR"
	}
	return fmt.Sprintf("CMD_0x%02x", uint8(c))
}

// Status is an LMS64C reply status.
type Status uint8

// Reply statuses.
const (
	StatusUndefined Status = iota
	StatusCompleted
	StatusUnknownCmd
	StatusBusy
	StatusTooManyBlocks
	StatusFailed
	StatusWrongOrder
	StatusResourceDenied
)

func (s Status) String() string {
	names := [...]string{"undefined", "completed", "unknown command", "busy", "too many blocks", "failed", "wrong order", "resource denied"}
	if int(s) < len(names) {
		return names[s]
	}
	return fmt.Sprintf("status %d", uint8(s))
}

// Packet sizes.
const (
	CtrlSize     = 64
	CtrlHeader   = 8
	CtrlData     = CtrlSize - CtrlHeader // 56
	MaxRegBlocks = CtrlData / 4          // 14 register words a packet
)

// LMS7002M reset modes (CMD_LMS7002_RST data byte 0).
const (
	ResetLow   = 0 // hold the chip in reset
	ResetHigh  = 1 // release it
	ResetPulse = 2 // pulse
)

// Ctrl is one LMS64C control packet.
type Ctrl struct {
	Cmd    Command
	Status Status
	Blocks uint8
	Periph uint8
	Data   [CtrlData]byte
}

// MarshalTo writes the packet into b (at least 64 bytes).
func (p *Ctrl) MarshalTo(b []byte) error {
	if len(b) < CtrlSize {
		return fmt.Errorf("%w: LMS64C packet needs %d bytes, have %d", ErrShort, CtrlSize, len(b))
	}
	b[0], b[1], b[2], b[3] = byte(p.Cmd), byte(p.Status), p.Blocks, p.Periph
	clear(b[4:8])
	copy(b[CtrlHeader:CtrlSize], p.Data[:])
	return nil
}

// Unmarshal decodes a packet.
func (p *Ctrl) Unmarshal(b []byte) error {
	if len(b) < CtrlSize {
		return fmt.Errorf("%w: LMS64C packet is %d bytes, have %d", ErrShort, CtrlSize, len(b))
	}
	p.Cmd, p.Status, p.Blocks, p.Periph = Command(b[0]), Status(b[1]), b[2], b[3]
	copy(p.Data[:], b[CtrlHeader:CtrlSize])
	return nil
}

// Reg is one register address and value.
type Reg struct{ Addr, Val uint16 }

// PutRegs fills a write packet (LMS7002 or FPGA) with up to 14 registers;
// the address goes out with bit 15 set, as on the chip's SPI.
func (p *Ctrl) PutRegs(cmd Command, regs []Reg) error {
	if len(regs) == 0 || len(regs) > MaxRegBlocks {
		return fmt.Errorf("%w: %d registers in one packet (1..%d)", ErrConfig, len(regs), MaxRegBlocks)
	}
	*p = Ctrl{Cmd: cmd, Blocks: uint8(len(regs))}
	for i, r := range regs {
		binary.BigEndian.PutUint16(p.Data[4*i:], r.Addr|0x8000)
		binary.BigEndian.PutUint16(p.Data[4*i+2:], r.Val)
	}
	return nil
}

// PutAddrs fills a read request with up to 14 addresses (2 bytes each).
func (p *Ctrl) PutAddrs(cmd Command, addrs []uint16) error {
	if len(addrs) == 0 || len(addrs) > MaxRegBlocks {
		return fmt.Errorf("%w: %d registers in one read (1..%d)", ErrConfig, len(addrs), MaxRegBlocks)
	}
	*p = Ctrl{Cmd: cmd, Blocks: uint8(len(addrs))}
	for i, a := range addrs {
		binary.BigEndian.PutUint16(p.Data[2*i:], a&0x7fff)
	}
	return nil
}

// Regs decodes the 4-byte address/value blocks of a read reply (or of a
// write request, with bit 15 of the address cleared) into dst.
func (p *Ctrl) Regs(dst []Reg) ([]Reg, error) {
	if int(p.Blocks) > MaxRegBlocks {
		return dst, fmt.Errorf("%w: %d register blocks", ErrPacket, p.Blocks)
	}
	for i := 0; i < int(p.Blocks); i++ {
		dst = append(dst, Reg{Addr: binary.BigEndian.Uint16(p.Data[4*i:]) & 0x7fff, Val: binary.BigEndian.Uint16(p.Data[4*i+2:])})
	}
	return dst, nil
}

// Addrs decodes a read request's addresses.
func (p *Ctrl) Addrs(dst []uint16) ([]uint16, error) {
	if int(p.Blocks) > CtrlData/2 {
		return dst, fmt.Errorf("%w: %d address blocks", ErrPacket, p.Blocks)
	}
	for i := 0; i < int(p.Blocks); i++ {
		dst = append(dst, binary.BigEndian.Uint16(p.Data[2*i:])&0x7fff)
	}
	return dst, nil
}

// Info is the GET_INFO reply.
type Info struct {
	Firmware  uint8
	Device    uint8 // board type code (LimeSDR Mini)
	Protocol  uint8
	Hardware  uint8
	Expansion uint8
	Serial    uint64
}

// DecodeInfo reads a GET_INFO reply: firmware, device, protocol, hardware
// and expansion-board bytes, then the board serial number (bytes 10..17,
// little-endian).
func DecodeInfo(p *Ctrl) Info {
	d := p.Data[:]
	return Info{Firmware: d[0], Device: d[1], Protocol: d[2], Hardware: d[3], Expansion: d[4], Serial: binary.LittleEndian.Uint64(d[10:18])}
}

// PutInfo encodes a GET_INFO reply (for fakes).
func PutInfo(p *Ctrl, i Info) {
	p.Data[0], p.Data[1], p.Data[2], p.Data[3], p.Data[4] = i.Firmware, i.Device, i.Protocol, i.Hardware, i.Expansion
	binary.LittleEndian.PutUint64(p.Data[10:18], i.Serial)
}

func (p *Ctrl) String() string {
	s := fmt.Sprintf("LMS64C %v status=%v blocks=%d periph=%d", p.Cmd, p.Status, p.Blocks, p.Periph)
	switch p.Cmd {
	case CmdLMSWrite, CmdFPGAWrite:
		if p.Status != StatusUndefined {
			break
		}
		regs, _ := p.Regs(nil)
		for _, r := range regs {
			s += fmt.Sprintf(" %04x=%04x", r.Addr, r.Val)
		}
	case CmdLMSRead, CmdFPGARead:
		if p.Status == StatusUndefined {
			a, _ := p.Addrs(nil)
			for _, x := range a {
				s += fmt.Sprintf(" %04x", x)
			}
			break
		}
		regs, _ := p.Regs(nil)
		for _, r := range regs {
			s += fmt.Sprintf(" %04x->%04x", r.Addr, r.Val)
		}
	}
	return s
}
