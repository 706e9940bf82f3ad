package lan

import (
	"net"
	"testing"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/insomniacslk/dhcp/dhcpv4/nclient4"
)

// FuzzLeaseOf: no ACK from the wire makes leaseOf panic, and a lease it
// accepts has an IPv4 host address, a prefix length of 1..32 and a
// positive duration with T1 inside it.
func FuzzLeaseOf(f *testing.F) {
	req, _ := dhcpv4.NewDiscovery(net.HardwareAddr{0x52, 0x54, 0, 0x12, 0x34, 0x56})
	ack, _ := dhcpv4.NewReplyFromRequest(req, dhcpv4.WithMessageType(dhcpv4.MessageTypeAck), dhcpv4.WithYourIP(net.IPv4(10, 0, 2, 15)),
		dhcpv4.WithNetmask(net.CIDRMask(24, 32)), dhcpv4.WithRouter(net.IPv4(10, 0, 2, 2)), dhcpv4.WithDNS(net.IPv4(10, 0, 2, 3)),
		dhcpv4.WithLeaseTime(86400), dhcpv4.WithOption(dhcpv4.OptNTPServers(net.IPv4(10, 0, 2, 2))))
	f.Add(ack.ToBytes())
	f.Add(req.ToBytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := dhcpv4.FromBytes(b)
		if err != nil {
			return
		}
		l, err := leaseOf(&nclient4.Lease{ACK: m})
		if err != nil {
			return
		}
		if !l.Addr.Addr().Is4() || l.Addr.Bits() < 1 || l.Addr.Bits() > 32 || l.Duration <= 0 || l.Renew <= 0 {
			t.Errorf("leaseOf = %+v", l)
		}
	})
}
