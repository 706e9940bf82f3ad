package lan

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/u-root/u-root/pkg/rtc"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/gsmbox/gsmbox/firmware/storage"
)

// Netlink is the Link of a Linux box, through rtnetlink (PID 1 or
// CAP_NET_ADMIN).
type Netlink struct{}

// Up brings lo and iface up.
func (Netlink) Up(iface string) error {
	for _, name := range []string{"lo", iface} {
		l, err := netlink.LinkByName(name)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := netlink.LinkSetUp(l); err != nil {
			return fmt.Errorf("%s: up: %w", name, err)
		}
	}
	return nil
}

// Configure makes addr iface's only IPv4 address, with gw as the default
// route when valid.
func (n Netlink) Configure(iface string, addr netip.Prefix, gw netip.Addr) error {
	l, err := netlink.LinkByName(iface)
	if err != nil {
		return fmt.Errorf("%s: %w", iface, err)
	}
	want := &netlink.Addr{IPNet: &net.IPNet{IP: addr.Addr().AsSlice(), Mask: net.CIDRMask(addr.Bits(), 32)}}
	have, err := netlink.AddrList(l, netlink.FAMILY_V4)
	if err != nil {
		return fmt.Errorf("%s: %w", iface, err)
	}
	for _, a := range have {
		if !a.IPNet.IP.Equal(want.IP) || a.IPNet.Mask.String() != want.Mask.String() {
			netlink.AddrDel(l, &a)
		}
	}
	if err := netlink.AddrReplace(l, want); err != nil {
		return fmt.Errorf("%s: address %s: %w", iface, addr, err)
	}
	deflt := &net.IPNet{IP: net.IPv4zero, Mask: net.CIDRMask(0, 32)}
	if !gw.IsValid() {
		// No gateway: a default route left from an earlier lease goes.
		netlink.RouteDel(&netlink.Route{LinkIndex: l.Attrs().Index, Dst: deflt})
		return nil
	}
	r := &netlink.Route{LinkIndex: l.Attrs().Index, Gw: gw.AsSlice(), Dst: deflt}
	if err := netlink.RouteReplace(r); err != nil {
		return fmt.Errorf("%s: default route via %s: %w", iface, gw, err)
	}
	return nil
}

// Flush removes iface's IPv4 addresses.
func (Netlink) Flush(iface string) error {
	l, err := netlink.LinkByName(iface)
	if err != nil {
		return err
	}
	have, err := netlink.AddrList(l, netlink.FAMILY_V4)
	if err != nil {
		return err
	}
	var errs []error
	for _, a := range have {
		errs = append(errs, netlink.AddrDel(l, &a))
	}
	return errors.Join(errs...)
}

// SetSystemTime sets the kernel's wall clock (CLOCK_REALTIME; root).
func SetSystemTime(t time.Time) error {
	tv := unix.NsecToTimeval(t.UnixNano())
	return unix.Settimeofday(&tv)
}

// DevRTC is the board's RTC through u-root's pkg/rtc (/dev/rtc,
// /dev/rtc0), opened for each call so a board without one costs
// nothing.
type DevRTC struct{}

// Read reads the RTC (kept in UTC).
func (DevRTC) Read() (time.Time, error) {
	r, err := rtc.OpenRTC()
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %v", ErrNoRTC, err)
	}
	defer r.Close()
	return r.Read()
}

// Set sets the RTC.
func (DevRTC) Set(t time.Time) error {
	r, err := rtc.OpenRTC()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNoRTC, err)
	}
	defer r.Close()
	return r.Set(t.UTC())
}

// ResolvConf is where the name servers go: the Go resolver, and so every
// host name the box looks up (NTP servers, a SIP trunk), reads it.
const ResolvConf = "/etc/resolv.conf"

// WriteResolvConf writes dns to path atomically, in resolv.conf(5) form.
func WriteResolvConf(path string, dns []netip.Addr) error {
	var b strings.Builder
	b.WriteString("# written by gsmbox from [net] and the DHCP lease\n")
	for _, d := range dns {
		fmt.Fprintf(&b, "nameserver %s\n", d)
	}
	b.WriteString("options timeout:2 attempts:2\n")
	return storage.WriteFileAtomic(path, []byte(b.String()))
}
