package lan

import (
	"context"
	"net/netip"
	"strings"
	"time"

	"github.com/gsmbox/gsmbox/firmware/sntp"
)

// Modes of Settings.Mode.
const (
	DHCPMode   = "dhcp"
	StaticMode = "static"
	OffMode    = "off"
)

// Settings are [net] of gsmbox.toml, parsed.
type Settings struct {
	Mode      string
	Interface string
	// Address, Gateway and DNS are the static ones; with DHCP the DNS
	// servers follow the lease's.
	Address netip.Prefix
	Gateway netip.Addr
	DNS     []netip.Addr
	// NTP are servers (HOST or HOST:PORT) tried after the lease's.
	NTP []string
}

// Lease is a DHCP lease (RFC 2131): what the box configures from it.
type Lease struct {
	Addr    netip.Prefix
	Gateway netip.Addr // invalid: no router option
	DNS     []netip.Addr
	NTP     []netip.Addr
	Server  netip.Addr
	// Duration is the lease time; Renew is T1 (RFC 2131 §4.4.5, half the
	// lease when the server sends none).
	Duration, Renew time.Duration
	// Handle is the implementation's own state (the nclient4 lease).
	Handle any
}

// Link is the Ethernet interface. Called by Service.Serve only, from one
// goroutine; each call may block on the kernel briefly.
type Link interface {
	// Up brings the loopback interface and iface up. An error means the
	// interface is missing or cannot be brought up.
	Up(iface string) error
	// Configure makes addr iface's only IPv4 address and, when gw is
	// valid, gw the default route.
	Configure(iface string, addr netip.Prefix, gw netip.Addr) error
	// Flush removes iface's IPv4 addresses (a lease that expired).
	Flush(iface string) error
}

// DHCP obtains leases. Called by Service.Serve only; each call blocks
// until a lease, a refusal, or ctx's end.
type DHCP interface {
	// Acquire runs DISCOVER, OFFER, REQUEST, ACK on iface (RFC 2131 §3.1).
	Acquire(ctx context.Context, iface string) (Lease, error)
	// Renew extends l with its server (RFC 2131 §4.4.5, RENEWING).
	Renew(ctx context.Context, iface string, l Lease) (Lease, error)
}

// NTP asks a time server. Called from the Service's clock goroutine.
type NTP interface {
	// Query asks server (HOST or HOST:PORT) once; it blocks at most its
	// own timeout.
	Query(ctx context.Context, server string) (sntp.Result, error)
}

// RTC is the board's battery-backed real-time clock.
type RTC interface {
	Read() (time.Time, error)
	Set(time.Time) error
}

// Status is what the box shows about its network: on the serial
// console, in the USB report, status and the web console.
type Status struct {
	Interface string   `json:"interface"`
	Mode      string   `json:"mode"`
	State     string   `json:"state"`
	Address   string   `json:"address"` // "10.0.2.15/24", "" for none
	Gateway   string   `json:"gateway"`
	DNS       []string `json:"dns"`
	// LeaseUntil is when the DHCP lease ends (zero: no lease).
	LeaseUntil time.Time `json:"lease_until"`
	// Attempts counts DHCP tries since the last lease.
	Attempts int    `json:"dhcp_attempts"`
	Error    string `json:"error"`
	Clock    Clock  `json:"clock"`
}

// States of Status.State.
const (
	StateStarting = "starting"
	StateWaiting  = "waiting for DHCP"
	StateBound    = "bound"
	StateStatic   = "static"
	StateOff      = "off"
	StateNoLink   = "no interface"
)

// Clock is the wall clock's state.
type Clock struct {
	// Source is where the time came from: "ntp", "rtc", "last-known" or
	// "system" (the kernel's, unchecked).
	Source string `json:"source"`
	// Server, Offset and Synced describe the last NTP success.
	Server    string        `json:"ntp_server"`
	Offset    time.Duration `json:"ntp_offset_ns"`
	Synced    time.Time     `json:"ntp_synced"`
	Error     string        `json:"error"`
	LastKnown time.Time     `json:"last_known"`
}

// HasAddress reports whether the box has an IPv4 address on its Ethernet.
func (s Status) HasAddress() bool { return s.Address != "" }

// IP returns the address without its prefix length, "" for none.
func (s Status) IP() string {
	ip, _, _ := strings.Cut(s.Address, "/")
	return ip
}

// Line is the status in one line, for the serial console and status.
func (s Status) Line() string {
	if s.Interface == "" && s.State == "" {
		return "not managed"
	}
	var b strings.Builder
	b.WriteString(s.Interface + " " + s.State)
	if s.Address != "" {
		b.WriteString(" " + s.Address)
		if s.Gateway != "" {
			b.WriteString(" via " + s.Gateway)
		}
		if len(s.DNS) > 0 {
			b.WriteString(", DNS " + strings.Join(s.DNS, " "))
		}
	}
	if s.Error != "" {
		b.WriteString(" (" + s.Error + ")")
	}
	return b.String()
}

// ClockLine is the clock's status in one line.
func (c Clock) ClockLine() string {
	s := "source " + c.Source
	if c.Source == "ntp" {
		s += " " + c.Server + ", synced " + c.Synced.UTC().Format(time.RFC3339)
	}
	if c.Error != "" {
		s += " (" + c.Error + ")"
	}
	return s
}
