package lan

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
)

// redirect sends every datagram to one address (the test's server)
// instead of the broadcast address, over loopback UDP: no root.
type redirect struct {
	net.PacketConn
	to net.Addr
}

func (r redirect) WriteTo(b []byte, _ net.Addr) (int, error) { return r.PacketConn.WriteTo(b, r.to) }

// serveDHCP is a DHCP server of one lease, as QEMU's user networking
// gives: 10.0.2.15/24 via 10.0.2.2, DNS 10.0.2.3.
func serveDHCP(t *testing.T, pc net.PacketConn, withNTP bool) {
	buf := make([]byte, 1500)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		req, err := dhcpv4.FromBytes(buf[:n])
		if err != nil {
			t.Errorf("server: bad request: %v", err)
			continue
		}
		mt := dhcpv4.MessageTypeOffer
		if req.MessageType() == dhcpv4.MessageTypeRequest {
			mt = dhcpv4.MessageTypeAck
		}
		mods := []dhcpv4.Modifier{
			dhcpv4.WithMessageType(mt), dhcpv4.WithYourIP(net.IPv4(10, 0, 2, 15)),
			dhcpv4.WithNetmask(net.CIDRMask(24, 32)), dhcpv4.WithRouter(net.IPv4(10, 0, 2, 2)),
			dhcpv4.WithDNS(net.IPv4(10, 0, 2, 3)), dhcpv4.WithLeaseTime(86400),
			dhcpv4.WithOption(dhcpv4.OptServerIdentifier(net.IPv4(10, 0, 2, 2))),
		}
		if withNTP {
			mods = append(mods, dhcpv4.WithOption(dhcpv4.OptNTPServers(net.IPv4(10, 0, 2, 2))))
		}
		resp, err := dhcpv4.NewReplyFromRequest(req, mods...)
		if err != nil {
			t.Errorf("server: %v", err)
			continue
		}
		pc.WriteTo(resp.ToBytes(), from)
	}
}

// Client4, the real client, through a whole DORA exchange and a renewal.
func TestClient4(t *testing.T) {
	srv, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Skip("no loopback UDP:", err)
	}
	defer srv.Close()
	go serveDHCP(t, srv, true)
	c := &Client4{Timeout: 2 * time.Second, Retries: 2, Hostname: "gsmbox", Conn: func(string) (net.PacketConn, net.HardwareAddr, error) {
		pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
		return redirect{pc, srv.LocalAddr()}, net.HardwareAddr{0x52, 0x54, 0, 0x12, 0x34, 0x56}, err
	}}
	l, err := c.Acquire(context.Background(), "eth0")
	if err != nil {
		t.Fatal(err)
	}
	if l.Addr != netip.MustParsePrefix("10.0.2.15/24") || l.Gateway != netip.MustParseAddr("10.0.2.2") ||
		len(l.DNS) != 1 || l.DNS[0] != netip.MustParseAddr("10.0.2.3") || len(l.NTP) != 1 ||
		l.Server != netip.MustParseAddr("10.0.2.2") || l.Duration != 24*time.Hour || l.Renew != 12*time.Hour {
		t.Errorf("Acquire = %+v", l)
	}
	r, err := c.Renew(context.Background(), "eth0", l)
	if err != nil || r.Addr != l.Addr {
		t.Errorf("Renew = %+v, %v", r, err)
	}
	if _, err := c.Renew(context.Background(), "eth0", Lease{}); err == nil {
		t.Error("Renew of a lease not from this client = nil error")
	}
}
