package lime

import (
	"encoding/binary"
	"fmt"
)

// FT601 endpoints as the LimeSDR Mini's FT601 is configured.
const (
	EPSession  = 0x01 // FT601 session commands, host → bridge
	EPCtrlOut  = 0x02 // LMS64C, host → board
	EPCtrlIn   = 0x82 // LMS64C, board → host
	EPStreamTX = 0x03 // stream packets, host → board
	EPStreamRX = 0x83 // stream packets, board → host

	// Vendor and Product are the FT601's USB IDs.
	Vendor  = 0x0403
	Product = 0x601F
)

// FT601 session command codes (byte 5 of a session command).
const (
	FT601SetStreamPipe = 0x02 // param: transfer size the pipe streams in
	FT601FlushPipe     = 0x03 // abort and flush a pipe
)

// FT601CmdSize is the size of a session command.
const FT601CmdSize = 20

// FT601Cmd is one 20-byte session command on EP 0x01:
//
//	 0..3 (LE)  4    5    6..7      8..11 (LE)  12..19
//	+---------+----+-----+--------+-----------+---------+
//	| counter | ep | cmd | zero   | param     | zero    |
//	+---------+----+-----+--------+-----------+---------+
//
// The counter numbers the commands of the session.
type FT601Cmd struct {
	Counter uint32
	EP      uint8
	Cmd     uint8
	Param   uint32
}

// MarshalTo writes the command into b (at least 20 bytes).
func (c FT601Cmd) MarshalTo(b []byte) error {
	if len(b) < FT601CmdSize {
		return fmt.Errorf("%w: FT601 command needs %d bytes, have %d", ErrShort, FT601CmdSize, len(b))
	}
	clear(b[:FT601CmdSize])
	binary.LittleEndian.PutUint32(b[0:], c.Counter)
	b[4], b[5] = c.EP, c.Cmd
	binary.LittleEndian.PutUint32(b[8:], c.Param)
	return nil
}

// Unmarshal decodes a session command.
func (c *FT601Cmd) Unmarshal(b []byte) error {
	if len(b) < FT601CmdSize {
		return fmt.Errorf("%w: FT601 command is %d bytes, have %d", ErrShort, FT601CmdSize, len(b))
	}
	c.Counter = binary.LittleEndian.Uint32(b[0:])
	c.EP, c.Cmd = b[4], b[5]
	c.Param = binary.LittleEndian.Uint32(b[8:])
	return nil
}

func (c FT601Cmd) String() string {
	switch c.Cmd {
	case FT601FlushPipe:
		return fmt.Sprintf("FT601 #%d flush pipe 0x%02x", c.Counter, c.EP)
	case FT601SetStreamPipe:
		return fmt.Sprintf("FT601 #%d set stream pipe 0x%02x to %d bytes", c.Counter, c.EP, c.Param)
	}
	return fmt.Sprintf("FT601 #%d cmd 0x%02x ep 0x%02x param %d", c.Counter, c.Cmd, c.EP, c.Param)
}
