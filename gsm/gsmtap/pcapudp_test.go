package gsmtap

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"
	"time"
)

func TestWriteUDP(t *testing.T) {
	var buf bytes.Buffer
	pw, err := NewPcapWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	src := netip.MustParseAddrPort("127.0.0.1:5801")
	dst := netip.MustParseAddrPort("10.1.2.3:5701")
	payload := []byte("CMD POWERON")
	if err := pw.WriteUDP(time.Unix(100, 250000), src, dst, payload); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()[pcapGlobalLen:]
	if n := binary.LittleEndian.Uint32(b[8:]); int(n) != encapLen+len(payload) {
		t.Errorf("WriteUDP record length = %d, want %d", n, encapLen+len(payload))
	}
	ip := b[pcapRecordLen+etherLen:]
	if ipChecksum(ip[:ipv4Len]) != 0 {
		t.Errorf("WriteUDP IPv4 header checksum does not verify")
	}
	u := ip[ipv4Len:]
	if !bytes.Equal(ip[12:20], []byte{127, 0, 0, 1, 10, 1, 2, 3}) || binary.BigEndian.Uint16(u) != 5801 ||
		binary.BigEndian.Uint16(u[2:]) != 5701 || !bytes.Equal(u[udpLen:], payload) {
		t.Errorf("WriteUDP packet = % x", b)
	}
	if err := pw.WriteUDP(time.Now(), netip.MustParseAddrPort("[::1]:1"), dst, payload); err == nil {
		t.Errorf("WriteUDP(IPv6) succeeded")
	}
}
