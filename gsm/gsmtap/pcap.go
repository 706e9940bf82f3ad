package gsmtap

import (
	"encoding/binary"
	"fmt"
	"io"
	"sync"
	"time"
)

// Classic pcap file format constants (the libpcap "tcpdump" format).
const (
	pcapMagic      = 0xa1b2c3d4
	pcapSnapLen    = 65535
	linkTypeEther  = 1
	etherLen       = 14
	ipv4Len        = 20
	udpLen         = 8
	pcapRecordLen  = 16
	encapLen       = etherLen + ipv4Len + udpLen
	pcapGlobalLen  = 24
	defaultSrcPort = 4730
)

// PcapWriter writes GSMTAP packets to a classic pcap file (link type
// Ethernet) with synthesized Ethernet, IPv4 and UDP headers from
// 127.0.0.1:4730 to 127.0.0.1:4729, which Wireshark and tshark dissect as
// GSMTAP without options. Timestamps are given by the caller, so captures
// of simulated time are reproducible. WritePacket does not allocate. A
// PcapWriter is safe for concurrent use.
type PcapWriter struct {
	mu  sync.Mutex
	w   io.Writer
	id  uint16
	buf [pcapRecordLen + encapLen + HeaderLen + MaxPayload]byte
}

// NewPcapWriter writes the pcap global header to w and returns a writer.
func NewPcapWriter(w io.Writer) (*PcapWriter, error) {
	var g [pcapGlobalLen]byte
	binary.LittleEndian.PutUint32(g[0:], pcapMagic)
	binary.LittleEndian.PutUint16(g[4:], 2) // version 2.4
	binary.LittleEndian.PutUint16(g[6:], 4)
	// thiszone and sigfigs are 0.
	binary.LittleEndian.PutUint32(g[16:], pcapSnapLen)
	binary.LittleEndian.PutUint32(g[20:], linkTypeEther)
	if _, err := w.Write(g[:]); err != nil {
		return nil, fmt.Errorf("gsmtap: pcap header: %w", err)
	}
	return &PcapWriter{w: w}, nil
}

// WritePacket appends one GSMTAP packet with header h and payload, stamped
// with time ts.
func (p *PcapWriter) WritePacket(ts time.Time, h *Header, payload []byte) error {
	if len(payload) > MaxPayload {
		return fmt.Errorf("%w: %d bytes, max %d", ErrTooLong, len(payload), MaxPayload)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.buf[:]
	frame := encapLen + HeaderLen + len(payload)
	// Record header.
	us := ts.UnixMicro()
	binary.LittleEndian.PutUint32(b[0:], uint32(us/1e6))
	binary.LittleEndian.PutUint32(b[4:], uint32(us%1e6))
	binary.LittleEndian.PutUint32(b[8:], uint32(frame))
	binary.LittleEndian.PutUint32(b[12:], uint32(frame))
	e := b[pcapRecordLen:]
	// Ethernet: locally administered addresses, EtherType IPv4.
	copy(e[0:6], []byte{0x02, 0, 0, 0, 0, 0x02})
	copy(e[6:12], []byte{0x02, 0, 0, 0, 0, 0x01})
	binary.BigEndian.PutUint16(e[12:], 0x0800)
	// IPv4 (RFC 791), no options, UDP, 127.0.0.1 → 127.0.0.1.
	ip := e[etherLen:]
	ipTotal := ipv4Len + udpLen + HeaderLen + len(payload)
	ip[0] = 0x45
	ip[1] = 0
	binary.BigEndian.PutUint16(ip[2:], uint16(ipTotal))
	p.id++
	binary.BigEndian.PutUint16(ip[4:], p.id)
	binary.BigEndian.PutUint16(ip[6:], 0x4000) // don't fragment
	ip[8] = 64
	ip[9] = 17
	ip[10], ip[11] = 0, 0
	copy(ip[12:16], []byte{127, 0, 0, 1})
	copy(ip[16:20], []byte{127, 0, 0, 1})
	binary.BigEndian.PutUint16(ip[10:], ipChecksum(ip[:ipv4Len]))
	// UDP (RFC 768); checksum 0 means none, which IPv4 permits.
	u := ip[ipv4Len:]
	binary.BigEndian.PutUint16(u[0:], defaultSrcPort)
	binary.BigEndian.PutUint16(u[2:], Port)
	binary.BigEndian.PutUint16(u[4:], uint16(udpLen+HeaderLen+len(payload)))
	u[6], u[7] = 0, 0
	g := u[udpLen:]
	h.Encode(g)
	copy(g[HeaderLen:], payload)
	if _, err := p.w.Write(b[:pcapRecordLen+frame]); err != nil {
		return fmt.Errorf("gsmtap: pcap write: %w", err)
	}
	return nil
}

// ipChecksum is the Internet checksum (RFC 1071) of an IPv4 header whose
// checksum field is zero.
func ipChecksum(h []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(h); i += 2 {
		s += uint32(h[i])<<8 | uint32(h[i+1])
	}
	for s > 0xffff {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}
