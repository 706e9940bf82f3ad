package firmware

import (
	"fmt"
	"net/netip"
	"strings"

	"golang.org/x/sys/unix"
)

// parseStaticIPv4 splits a board's StaticIPv4 ("eth0 10.0.2.15/24").
func parseStaticIPv4(s string) (iface string, p netip.Prefix, err error) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return "", p, fmt.Errorf("static IPv4 %q: want \"IFACE ADDR/BITS\"", s)
	}
	p, err = netip.ParsePrefix(f[1])
	if err != nil || !p.Addr().Is4() {
		return "", p, fmt.Errorf("static IPv4 %q: want an IPv4 ADDR/BITS", s)
	}
	return f[0], p, nil
}

// BringUpIPv4 brings the loopback interface up and, when static is not
// empty, the board's Ethernet interface with that address (pid 1 only:
// there is no DHCP client and no init system to do it).
func BringUpIPv4(static string) error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := ifUp(fd, "lo"); err != nil {
		return err
	}
	if static == "" {
		return nil
	}
	iface, p, err := parseStaticIPv4(static)
	if err != nil {
		return err
	}
	ifr, err := unix.NewIfreq(iface)
	if err != nil {
		return err
	}
	if err := ifr.SetInet4Addr(p.Addr().AsSlice()); err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFADDR, ifr); err != nil {
		return fmt.Errorf("%s: set address: %w", iface, err)
	}
	mask := uint32(0xffffffff) << (32 - p.Bits())
	if p.Bits() == 0 {
		mask = 0
	}
	if err := ifr.SetInet4Addr([]byte{byte(mask >> 24), byte(mask >> 16), byte(mask >> 8), byte(mask)}); err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFNETMASK, ifr); err != nil {
		return fmt.Errorf("%s: set netmask: %w", iface, err)
	}
	return ifUp(fd, iface)
}

func ifUp(fd int, name string) error {
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("%s: up: %w", name, err)
	}
	return nil
}
