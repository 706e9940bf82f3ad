package gsmtap

import (
	"encoding/binary"
	"fmt"
	"io"
	"time"
)

// Link types the reader understands (tcpdump.org link-layer header types).
const (
	linkTypeRaw    = 101 // raw IPv4/IPv6
	linkTypeIPv4   = 228
	maxPcapRecord  = 262144
	pcapMagicNanos = 0xa1b23c4d
)

// PcapReader reads GSMTAP packets back from a classic pcap file, such as
// one written by PcapWriter or captured by tcpdump/Wireshark on the GSMTAP
// port. Link types Ethernet, raw IP and IPv4 are understood; UDP packets
// to or from port 4729 are decoded, all other packets are skipped.
type PcapReader struct {
	r     io.Reader
	order binary.ByteOrder
	nanos bool
	link  uint32
	buf   []byte
}

// NewPcapReader reads the global header from r.
func NewPcapReader(r io.Reader) (*PcapReader, error) {
	var g [pcapGlobalLen]byte
	if _, err := io.ReadFull(r, g[:]); err != nil {
		return nil, fmt.Errorf("%w: global header: %v", ErrPcap, err)
	}
	p := &PcapReader{r: r}
	switch {
	case binary.LittleEndian.Uint32(g[:]) == pcapMagic:
		p.order = binary.LittleEndian
	case binary.BigEndian.Uint32(g[:]) == pcapMagic:
		p.order = binary.BigEndian
	case binary.LittleEndian.Uint32(g[:]) == pcapMagicNanos:
		p.order, p.nanos = binary.LittleEndian, true
	case binary.BigEndian.Uint32(g[:]) == pcapMagicNanos:
		p.order, p.nanos = binary.BigEndian, true
	default:
		return nil, fmt.Errorf("%w: magic % x", ErrPcap, g[:4])
	}
	p.link = p.order.Uint32(g[20:]) & 0xffff
	switch p.link {
	case linkTypeEther, linkTypeRaw, linkTypeIPv4:
	default:
		return nil, fmt.Errorf("%w: link type %d not supported", ErrPcap, p.link)
	}
	return p, nil
}

// Next returns the next GSMTAP packet. The payload aliases an internal
// buffer valid until the following call. At the end of the file it returns
// io.EOF.
func (p *PcapReader) Next() (ts time.Time, h Header, payload []byte, err error) {
	for {
		var rec [pcapRecordLen]byte
		if _, err := io.ReadFull(p.r, rec[:]); err != nil {
			if err == io.EOF {
				return ts, h, nil, io.EOF
			}
			return ts, h, nil, fmt.Errorf("%w: record header: %v", ErrPcap, err)
		}
		n := p.order.Uint32(rec[8:])
		if n > maxPcapRecord {
			return ts, h, nil, fmt.Errorf("%w: record of %d bytes", ErrPcap, n)
		}
		if cap(p.buf) < int(n) {
			p.buf = make([]byte, n)
		}
		b := p.buf[:n]
		if _, err := io.ReadFull(p.r, b); err != nil {
			return ts, h, nil, fmt.Errorf("%w: record data: %v", ErrPcap, err)
		}
		sub := int64(p.order.Uint32(rec[4:]))
		if !p.nanos {
			sub *= 1000
		}
		ts = time.Unix(int64(p.order.Uint32(rec[0:])), sub)
		udp, ok := p.udpPayload(b)
		if !ok {
			continue
		}
		h, payload, err = Decode(udp)
		if err != nil {
			continue // a non-GSMTAP datagram on the port
		}
		return ts, h, payload, nil
	}
}

// udpPayload strips the link, IPv4 and UDP headers of a GSMTAP datagram.
func (p *PcapReader) udpPayload(b []byte) ([]byte, bool) {
	if p.link == linkTypeEther {
		if len(b) < etherLen || binary.BigEndian.Uint16(b[12:]) != 0x0800 {
			return nil, false
		}
		b = b[etherLen:]
	}
	if len(b) < ipv4Len || b[0]>>4 != 4 || b[9] != 17 {
		return nil, false
	}
	ihl := int(b[0]&0xf) * 4
	total := int(binary.BigEndian.Uint16(b[2:]))
	if ihl < ipv4Len || total < ihl+udpLen || total > len(b) {
		return nil, false
	}
	u := b[ihl:total]
	if binary.BigEndian.Uint16(u[0:]) != Port && binary.BigEndian.Uint16(u[2:]) != Port {
		return nil, false
	}
	ul := int(binary.BigEndian.Uint16(u[4:]))
	if ul < udpLen || ul > len(u) {
		return nil, false
	}
	return u[udpLen:ul], true
}
