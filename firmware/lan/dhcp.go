package lan

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/insomniacslk/dhcp/dhcpv4/nclient4"
)

// Client4 is the DHCP client: u-root's choice,
// github.com/insomniacslk/dhcp's nclient4, on a raw socket bound to the
// interface (root only).
type Client4 struct {
	// Timeout is how long one exchange waits for each answer; Retries how
	// often it resends (0: 5 s and 3).
	Timeout time.Duration
	Retries int
	// Hostname is sent as option 12 (RFC 2132 §3.14) so routers list the
	// box by name; "" sends none.
	Hostname string
	// Conn opens the client's socket; nil is nclient4's raw socket on
	// the interface. Tests pass an in-memory one.
	Conn func(iface string) (net.PacketConn, net.HardwareAddr, error)
}

func (c *Client4) client(iface string) (*nclient4.Client, error) {
	timeout, retries := c.Timeout, c.Retries
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	if retries == 0 {
		retries = 3
	}
	opts := []nclient4.ClientOpt{nclient4.WithTimeout(timeout), nclient4.WithRetry(retries)}
	if c.Conn == nil {
		return nclient4.New(iface, opts...)
	}
	conn, hw, err := c.Conn(iface)
	if err != nil {
		return nil, err
	}
	return nclient4.NewWithConn(conn, hw, opts...)
}

func (c *Client4) modifiers() []dhcpv4.Modifier {
	m := []dhcpv4.Modifier{dhcpv4.WithRequestedOptions(
		dhcpv4.OptionSubnetMask, dhcpv4.OptionRouter, dhcpv4.OptionDomainNameServer,
		dhcpv4.OptionNTPServers, dhcpv4.OptionIPAddressLeaseTime, dhcpv4.OptionRenewTimeValue)}
	if c.Hostname != "" {
		m = append(m, dhcpv4.WithOption(dhcpv4.OptHostName(c.Hostname)))
	}
	return m
}

// Acquire runs DISCOVER, OFFER, REQUEST, ACK on iface.
func (c *Client4) Acquire(ctx context.Context, iface string) (Lease, error) {
	cl, err := c.client(iface)
	if err != nil {
		return Lease{}, fmt.Errorf("dhcp %s: %w", iface, err)
	}
	defer cl.Close()
	l, err := cl.Request(ctx, c.modifiers()...)
	if err != nil {
		return Lease{}, fmt.Errorf("dhcp %s: %w", iface, err)
	}
	return leaseOf(l)
}

// Renew extends l (RFC 2131 §4.4.5).
func (c *Client4) Renew(ctx context.Context, iface string, l Lease) (Lease, error) {
	nl, ok := l.Handle.(*nclient4.Lease)
	if !ok {
		return Lease{}, fmt.Errorf("dhcp %s: %w: not this client's lease", iface, ErrNoLease)
	}
	cl, err := c.client(iface)
	if err != nil {
		return Lease{}, fmt.Errorf("dhcp %s: %w", iface, err)
	}
	defer cl.Close()
	n, err := cl.Renew(ctx, nl, c.modifiers()...)
	if err != nil {
		return Lease{}, fmt.Errorf("dhcp %s renew: %w", iface, err)
	}
	return leaseOf(n)
}

// leaseOf reads a lease from its ACK (RFC 2132 options 1, 3, 6, 42, 51,
// 54 and 58).
func leaseOf(l *nclient4.Lease) (Lease, error) {
	ack := l.ACK
	if ack == nil {
		return Lease{}, ErrNoLease
	}
	ip, ok := netip.AddrFromSlice(ack.YourIPAddr.To4())
	if !ok || ip.IsUnspecified() {
		return Lease{}, fmt.Errorf("%w: the ACK has no address", ErrNoLease)
	}
	bits := 24
	if m := ack.SubnetMask(); m != nil {
		if ones, size := m.Size(); size == 32 && ones > 0 {
			bits = ones
		}
	}
	out := Lease{Addr: netip.PrefixFrom(ip, bits), Handle: l}
	if r := ack.Router(); len(r) > 0 {
		out.Gateway, _ = netip.AddrFromSlice(r[0].To4())
	}
	out.DNS = addrs(ack.DNS())
	out.NTP = addrs(ack.NTPServers())
	if s := ack.ServerIdentifier(); s != nil {
		out.Server, _ = netip.AddrFromSlice(s.To4())
	}
	out.Duration = ack.IPAddressLeaseTime(time.Hour)
	if out.Duration < 10*time.Second {
		out.Duration = 10 * time.Second
	}
	out.Renew = ack.IPAddressRenewalTime(out.Duration / 2)
	return out, nil
}

func addrs(ips []net.IP) []netip.Addr {
	var out []netip.Addr
	for _, ip := range ips {
		if a, ok := netip.AddrFromSlice(ip.To4()); ok && !a.IsUnspecified() {
			out = append(out, a)
		}
	}
	return out
}
