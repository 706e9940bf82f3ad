package lime

import (
	"fmt"

	"periph.io/x/conn/v3"
	"periph.io/x/conn/v3/physic"
	"periph.io/x/conn/v3/spi"
)

// SPI returns a periph spi.PortCloser whose connection turns each 32-bit
// LMS7002M SPI transaction (4 bytes: bit 15 of the first word set for a
// write, address in bits 14..0, then the data) into an LMS64C
// LMS7002_WR or LMS7002_RD packet, so boards/rf/lms7002m configures the
// chip over USB unchanged. One transaction is one packet, in order: the
// driver's settling waits between a write and a read stay real.
func (b *Board) SPI() spi.PortCloser { return &lmsSPI{b: b} }

type lmsSPI struct {
	b    *Board
	addr [1]uint16
	val  [1]uint16
}

func (s *lmsSPI) String() string                                            { return "lime-usb-lms7002m" }
func (s *lmsSPI) Close() error                                              { return nil }
func (s *lmsSPI) LimitSpeed(physic.Frequency) error                         { return nil }
func (s *lmsSPI) Connect(physic.Frequency, spi.Mode, int) (spi.Conn, error) { return s, nil }
func (s *lmsSPI) Duplex() conn.Duplex                                       { return conn.Full }

// TxPackets runs each packet as one transaction.
func (s *lmsSPI) TxPackets(p []spi.Packet) error {
	for _, x := range p {
		if err := s.Tx(x.W, x.R); err != nil {
			return err
		}
	}
	return nil
}

// Tx implements conn.Conn.
func (s *lmsSPI) Tx(w, r []byte) error {
	if len(w) != 4 {
		return fmt.Errorf("%w: LMS7002M SPI transaction of %d bytes, want 4", ErrConfig, len(w))
	}
	cmd := uint16(w[0])<<8 | uint16(w[1])
	addr := cmd & 0x7fff
	if cmd&0x8000 != 0 {
		return s.b.LMSWrite(Reg{Addr: addr, Val: uint16(w[2])<<8 | uint16(w[3])})
	}
	if len(r) < 4 {
		return fmt.Errorf("%w: LMS7002M read without a 4-byte buffer", ErrConfig)
	}
	s.addr[0] = addr
	if err := s.b.LMSRead(s.addr[:], s.val[:]); err != nil {
		return err
	}
	r[0], r[1], r[2], r[3] = 0, 0, byte(s.val[0]>>8), byte(s.val[0])
	return nil
}
