package firmware

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/lan"
	"github.com/gsmbox/gsmbox/firmware/sntp"
)

// BringUpLoopback brings the loopback interface up (PID 1: nothing else
// does), before [net] configures the Ethernet (the "net" service).
func BringUpLoopback() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("lo: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("lo: up: %w", err)
	}
	return nil
}

// NetSeams are the network service's ties to the kernel (firmware/lan):
// on PID 1 the real ones; tests and development pass fakes. Off PID 1
// without them the box's network is not managed (it is the host's).
type NetSeams struct {
	Link        lan.Link
	DHCP        lan.DHCP
	NTP         lan.NTP
	RTC         lan.RTC
	SetTime     func(time.Time) error
	WriteResolv func([]netip.Addr) error
}

func realNetSeams() *NetSeams {
	return &NetSeams{
		Link: lan.Netlink{}, DHCP: &lan.Client4{Hostname: "gsmbox"}, NTP: &sntp.Client{}, RTC: lan.DevRTC{},
		SetTime:     lan.SetSystemTime,
		WriteResolv: func(d []netip.Addr) error { return lan.WriteResolvConf(lan.ResolvConf, d) },
	}
}

// netSettings is [net] for firmware/lan, with the board's interface.
func netSettings(c *config.Config, board string) lan.Settings {
	addr, gw, dns := c.NetStatic()
	iface := c.Net.Interface
	if iface == "" {
		iface = board
	}
	if iface == "" {
		iface = "eth0"
	}
	return lan.Settings{Mode: c.Net.Mode, Interface: iface, Address: addr, Gateway: gw, DNS: dns, NTP: c.Net.NTP}
}

// addNet adds the "net" service: the Ethernet by [net], the wall clock.
// The address goes to the serial console whenever it changes, with the
// web console's URL and certificate fingerprint.
func (a *appliance) addNet() {
	seams := a.opts.Net
	if seams == nil && a.pid1 {
		seams = realNetSeams()
	}
	if seams == nil {
		return
	}
	a.net = &lan.Service{
		Settings: func() lan.Settings { return netSettings(a.disk.configs.Current(), a.board.Ethernet) },
		Link:     seams.Link, DHCP: seams.DHCP, NTP: seams.NTP, RTC: seams.RTC, SetTime: seams.SetTime,
		WriteResolv: seams.WriteResolv, Clock: a.clock, Store: a.disk.store,
		Log:      a.log.With("service", "net"),
		OnChange: func(st lan.Status) { fmt.Fprintln(a.console, a.netLine(st)) },
	}
	a.sup.Add(a.net, false)
}

// netStatus is the network's state; zero when not managed.
func (a *appliance) netStatus() lan.Status {
	if a.net == nil {
		return lan.Status{}
	}
	return a.net.Status()
}

// netLine is the serial console's line about the address.
func (a *appliance) netLine(st lan.Status) string {
	if !st.HasAddress() {
		return "gsmbox: network " + st.Line() + ": no address; the cell works without one"
	}
	s := "gsmbox: network " + st.Line()
	if u := lan.ConsoleURLs(a.disk.configs.Current().Console.Listen, st.IP()); len(u) > 0 {
		s += " — web console " + strings.Join(u, ", ")
		if a.consoleFP != nil {
			if fp := a.consoleFP(); fp != "" {
				s += " — certificate SHA-256 fingerprint " + fp
			}
		}
	}
	return s
}

// noNetwork reports whether the LEDs should say "no address": the
// network is managed and on, and DHCP has failed a few times or the
// interface is missing.
func noNetwork(st lan.Status) bool {
	if st.Mode == "" || st.Mode == lan.OffMode || st.HasAddress() {
		return false
	}
	return st.State == lan.StateNoLink || st.Attempts >= 3
}
