package sntp

import (
	"context"
	"net"
	"time"
)

// Server answers SNTP requests with its clock, as a stratum-Stratum
// server: for tests (a fake time source, QEMU's host side), not a time
// service for a network.
type Server struct {
	// Now is the server's clock; nil means time.Now.
	Now func() time.Time
	// Stratum is what it claims; 0 sends kiss-o'-death replies.
	Stratum uint8
}

// Serve answers on conn until ctx ends or conn fails; it closes conn.
func (s *Server) Serve(ctx context.Context, conn net.PacketConn) error {
	now := s.Now
	if now == nil {
		now = time.Now
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	defer conn.Close()
	var buf [512]byte
	for {
		n, from, err := conn.ReadFrom(buf[:])
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		var req Packet
		if req.Unmarshal(buf[:n]) != nil || req.Mode != ModeClient {
			continue
		}
		t := NewTimestamp(now())
		resp := Packet{Version: req.Version, Mode: ModeServer, Stratum: s.Stratum, Precision: -20,
			ReferenceID: 0x4c4f434c, // "LOCL"
			Reference:   t, Originate: req.Transmit, Receive: t, Transmit: t}
		if s.Stratum == 0 {
			resp.ReferenceID = 0x52415445 // "RATE"
		}
		resp.MarshalTo(buf[:])
		conn.WriteTo(buf[:Size], from)
	}
}
