package gsmtap

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"time"
)

// WriteUDP appends one IPv4 UDP datagram from src to dst carrying payload
// as it is (no GSMTAP header), stamped with time ts: captures of other
// UDP protocols, such as the TRX protocol's TRXC and TRXD that tshark
// dissects as osmo_trxc and osmo_trxd. Addresses must be IPv4. It does not
// allocate.
func (p *PcapWriter) WriteUDP(ts time.Time, src, dst netip.AddrPort, payload []byte) error {
	if len(payload) > HeaderLen+MaxPayload {
		return fmt.Errorf("%w: %d bytes, max %d", ErrTooLong, len(payload), HeaderLen+MaxPayload)
	}
	if !src.Addr().Unmap().Is4() || !dst.Addr().Unmap().Is4() {
		return fmt.Errorf("gsmtap: pcap: %v → %v is not IPv4", src, dst)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.buf[:]
	frame := encapLen + len(payload)
	us := ts.UnixMicro()
	binary.LittleEndian.PutUint32(b[0:], uint32(us/1e6))
	binary.LittleEndian.PutUint32(b[4:], uint32(us%1e6))
	binary.LittleEndian.PutUint32(b[8:], uint32(frame))
	binary.LittleEndian.PutUint32(b[12:], uint32(frame))
	e := b[pcapRecordLen:]
	copy(e[0:6], []byte{0x02, 0, 0, 0, 0, 0x02})
	copy(e[6:12], []byte{0x02, 0, 0, 0, 0, 0x01})
	binary.BigEndian.PutUint16(e[12:], 0x0800)
	ip := e[etherLen:]
	ip[0], ip[1] = 0x45, 0
	binary.BigEndian.PutUint16(ip[2:], uint16(ipv4Len+udpLen+len(payload)))
	p.id++
	binary.BigEndian.PutUint16(ip[4:], p.id)
	binary.BigEndian.PutUint16(ip[6:], 0x4000)
	ip[8], ip[9] = 64, 17
	ip[10], ip[11] = 0, 0
	s4, d4 := src.Addr().Unmap().As4(), dst.Addr().Unmap().As4()
	copy(ip[12:16], s4[:])
	copy(ip[16:20], d4[:])
	binary.BigEndian.PutUint16(ip[10:], ipChecksum(ip[:ipv4Len]))
	u := ip[ipv4Len:]
	binary.BigEndian.PutUint16(u[0:], src.Port())
	binary.BigEndian.PutUint16(u[2:], dst.Port())
	binary.BigEndian.PutUint16(u[4:], uint16(udpLen+len(payload)))
	u[6], u[7] = 0, 0
	copy(u[udpLen:], payload)
	if _, err := p.w.Write(b[:pcapRecordLen+frame]); err != nil {
		return fmt.Errorf("gsmtap: pcap write: %w", err)
	}
	return nil
}
