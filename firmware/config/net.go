package config

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// NetStatic returns the static address, gateway and name servers of
// [net]; valid only after validation (zero values where unset).
func (c *Config) NetStatic() (addr netip.Prefix, gw netip.Addr, dns []netip.Addr) {
	addr, _ = netip.ParsePrefix(c.Net.Address)
	gw, _ = netip.ParseAddr(c.Net.Gateway)
	for _, d := range c.Net.DNS {
		if a, err := netip.ParseAddr(d); err == nil {
			dns = append(dns, a)
		}
	}
	return addr, gw, dns
}

// netProblems checks [net].
func (c *Config) netProblems(lines map[string]int) []Problem {
	var ps []Problem
	bad := func(key, format string, args ...any) {
		ps = append(ps, Problem{Key: key, Line: lines[key], Msg: fmt.Sprintf(format, args...)})
	}
	n := c.Net
	if !slices.Contains(NetModes, n.Mode) {
		bad("net.mode", "%q: want \"dhcp\", \"static\" or \"off\"", n.Mode)
	}
	if n.Interface != "" && !ifaceName(n.Interface) {
		bad("net.interface", "%q is not an interface name: want up to 15 letters, digits, '-', '_' or '.', e.g. \"eth0\"", n.Interface)
	}
	var prefix netip.Prefix
	if n.Address != "" {
		p, err := netip.ParsePrefix(n.Address)
		switch {
		case err != nil || !p.Addr().Is4():
			bad("net.address", "%q: want an IPv4 address with its prefix length, e.g. \"192.168.1.20/24\"", n.Address)
		case p.Bits() < 8 || p.Bits() > 30:
			bad("net.address", "%q: want a prefix length of 8..30", n.Address)
		case p.Addr() == p.Masked().Addr() || isBroadcast(p):
			bad("net.address", "%q is the network's own or broadcast address, not a host's", n.Address)
		case !p.Addr().IsGlobalUnicast() && !p.Addr().IsPrivate():
			bad("net.address", "%q is not a unicast host address", n.Address)
		default:
			prefix = p
		}
	} else if n.Mode == "static" {
		bad("net.address", "mode \"static\" needs an address, e.g. \"192.168.1.20/24\"")
	}
	if n.Gateway != "" {
		g, err := netip.ParseAddr(n.Gateway)
		switch {
		case err != nil || !g.Is4():
			bad("net.gateway", "%q: want an IPv4 address, e.g. \"192.168.1.1\"", n.Gateway)
		case prefix.IsValid() && !prefix.Masked().Contains(g):
			bad("net.gateway", "%s is not on the network of net.address %s", g, prefix.Masked())
		case prefix.IsValid() && g == prefix.Addr():
			bad("net.gateway", "%s is the box's own address", g)
		}
	}
	if len(n.DNS) > 3 {
		bad("net.dns", "%d servers: want at most 3 (the resolver reads no more)", len(n.DNS))
	}
	for _, d := range n.DNS {
		if _, err := netip.ParseAddr(d); err != nil {
			bad("net.dns", "%q: want an IP address, e.g. \"192.168.1.1\"", d)
		}
	}
	if len(n.NTP) > 4 {
		bad("net.ntp", "%d servers: want at most 4", len(n.NTP))
	}
	for _, s := range n.NTP {
		if !ntpServer(s) {
			bad("net.ntp", "%q: want a host name or an IP address, with :PORT if not 123, e.g. \"pool.ntp.org\"", s)
		}
	}
	return ps
}

func isBroadcast(p netip.Prefix) bool {
	a := p.Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	return v&host == host
}

// ifaceName is a Linux interface name (IFNAMSIZ 16 with the NUL).
func ifaceName(s string) bool {
	if len(s) == 0 || len(s) > 15 {
		return false
	}
	return strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == ""
}

// ntpServer is HOST or HOST:PORT.
func ntpServer(s string) bool {
	if hostName(s) {
		return true
	}
	h, port, err := net.SplitHostPort(s)
	if err != nil || CheckPort(atoi(port), 0) != nil {
		return false
	}
	return hostName(h)
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

// hostName is an IP address or an RFC 1123 host name.
func hostName(s string) bool {
	if _, err := netip.ParseAddr(s); err == nil {
		return true
	}
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	for _, l := range strings.Split(s, ".") {
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		if strings.Trim(strings.ToLower(l), "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			return false
		}
	}
	return true
}
