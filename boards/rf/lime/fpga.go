package lime

import "fmt"

// FPGA registers (the MAX10 gateware's register map).
const (
	FPGABoardID     = 0x0000 // board identifier
	FPGAGateware    = 0x0001 // gateware version
	FPGARevision    = 0x0002 // gateware revision
	FPGAHardware    = 0x0003 // hardware version (low bits)
	FPGADirectClock = 0x0005 // bit 0: TX, bit 1: RX LimeLight clock taken directly, no FPGA PLL
	FPGAChannels    = 0x0007 // bit 0: channel A, bit 1: channel B
	FPGAMode        = 0x0008 // bits 1..0: sample width (0 = 16-bit, 2 = 12-bit)
	FPGATSReset     = 0x0009 // bit 0: hold the sample counter and stream FIFOs in reset
	FPGAStream      = 0x000A // bit 0: stream enabled
	// FPGARFSwitch drives the board's RF switches between the LMS7002M's
	// ports and the SMA connectors (LimeSDR Mini v1: bits 13..12 the TX
	// output, 9..8 the RX input; the LimeNET Micro v3 uses more bits of
	// it). Learnt from LimeSuite's src/API/LimeSDR_mini.cpp and
	// LimeNET_micro.cpp (SetRFSwitch), which write this register; the
	// per-board values are in boards/rf/chains.go.
	FPGARFSwitch = 0x0017
)

// Register values.
const (
	ModeWidth16   = 0
	ModeWidth12   = 2
	DirectClockTX = 1 << 0
	DirectClockRX = 1 << 1
	ChannelA      = 1 << 0
	StreamOn      = 1 << 0
	TSResetOn     = 1 << 0
)

// DirectClockBelow is the interface rate below which the board clocks the
// LimeLight port directly, without setting the FPGA's PLL up.
const DirectClockBelow = 5e6

// Gateware identifies the FPGA image.
type Gateware struct {
	BoardID, Version, Revision, Hardware uint16
}

func (g Gateware) String() string {
	return fmt.Sprintf("board 0x%04x gateware %d.%d hardware %d", g.BoardID, g.Version, g.Revision, g.Hardware&0xf)
}

// Gateware reads the FPGA's identification registers.
func (b *Board) Gateware() (Gateware, error) {
	var v [4]uint16
	if err := b.FPGARead([]uint16{FPGABoardID, FPGAGateware, FPGARevision, FPGAHardware}, v[:]); err != nil {
		return Gateware{}, err
	}
	return Gateware{BoardID: v[0], Version: v[1], Revision: v[2], Hardware: v[3]}, nil
}

// SetRFSwitch sets the bits of mask in FPGARFSwitch to value (a
// read-modify-write; the other bits stay) and returns the register's new
// content.
func (b *Board) SetRFSwitch(mask, value uint16) (uint16, error) {
	if value&^mask != 0 {
		return 0, fmt.Errorf("%w: RF switch value 0x%04x outside mask 0x%04x", ErrConfig, value, mask)
	}
	var v [1]uint16
	if err := b.FPGARead([]uint16{FPGARFSwitch}, v[:]); err != nil {
		return 0, err
	}
	n := v[0]&^mask | value
	if err := b.FPGAWrite(Reg{FPGARFSwitch, n}); err != nil {
		return 0, err
	}
	return n, nil
}

// StreamSetup is the FPGA side of a stream.
type StreamSetup struct {
	Format Format
	// Rate is the LimeLight interface sample rate, Hz.
	Rate float64
	// Transfer is the stream pipe's transfer size in bytes (a multiple
	// of PacketSize).
	Transfer int
}

// StartStream stops any running stream, programs channel A, the sample
// width and (below 5 MHz) direct clocking, pulses the sample-counter
// reset, sets the FT601's RX stream pipe, and starts streaming. The
// first RX packet then carries counter 0.
func (b *Board) StartStream(s StreamSetup) error {
	if !s.Format.valid() || s.Rate <= 0 || s.Transfer < PacketSize || s.Transfer%PacketSize != 0 {
		return fmt.Errorf("%w: stream %+v", ErrConfig, s)
	}
	width := uint16(ModeWidth16)
	if s.Format == Format12 {
		width = ModeWidth12
	}
	if err := b.FPGAWrite(Reg{FPGAStream, 0}); err != nil {
		return err
	}
	if s.Rate < DirectClockBelow {
		if err := b.FPGAWrite(Reg{FPGADirectClock, DirectClockTX | DirectClockRX}); err != nil {
			return err
		}
	}
	if err := b.FPGAWrite(Reg{FPGAChannels, ChannelA}, Reg{FPGAMode, width}, Reg{FPGATSReset, TSResetOn}, Reg{FPGATSReset, 0}); err != nil {
		return err
	}
	if err := b.StreamPipes(s.Transfer); err != nil {
		return err
	}
	return b.FPGAWrite(Reg{FPGAStream, StreamOn})
}

// StopStream stops the FPGA's stream and flushes the RX pipe.
func (b *Board) StopStream() error {
	if err := b.FPGAWrite(Reg{FPGAStream, 0}); err != nil {
		return err
	}
	return b.StopPipes()
}
