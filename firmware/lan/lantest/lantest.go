// Package lantest has fakes of package lan's seams: an interface, a DHCP
// server's answers, an NTP server and an RTC, all in memory.
package lantest

import (
	"context"
	"errors"
	"net/netip"
	"sync"
	"time"

	"github.com/gsmbox/gsmbox/firmware/lan"
	"github.com/gsmbox/gsmbox/firmware/sntp"
)

// Link records what the service did to the interface.
type Link struct {
	mu sync.Mutex
	// UpErr, when set, is what Up returns.
	UpErr   error
	Ups     int
	Addr    netip.Prefix
	Gateway netip.Addr
	Flushes int
}

// Up counts the call or fails with UpErr.
func (l *Link) Up(iface string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.Ups++
	return l.UpErr
}

// UpCalls returns how often Up was called.
func (l *Link) UpCalls() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.Ups
}

// Configure records addr and gw.
func (l *Link) Configure(iface string, addr netip.Prefix, gw netip.Addr) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.Addr, l.Gateway = addr, gw
	return nil
}

// Flush clears the address.
func (l *Link) Flush(iface string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.Addr, l.Flushes = netip.Prefix{}, l.Flushes+1
	return nil
}

// Get returns the address and gateway now.
func (l *Link) Get() (netip.Prefix, netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.Addr, l.Gateway
}

// ErrNoServer is the fake DHCP's answer while no server is "on the wire".
var ErrNoServer = errors.New("lantest: no DHCP server answered")

// DHCP answers with Lease once Online, and counts the attempts.
type DHCP struct {
	mu       sync.Mutex
	online   bool
	lease    lan.Lease
	Acquires int
	Renews   int
}

// SetOnline puts a server answering l on the wire (nil: none).
func (d *DHCP) SetOnline(l *lan.Lease) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.online = l != nil
	if l != nil {
		d.lease = *l
	}
}

// Acquire returns the lease or ErrNoServer.
func (d *DHCP) Acquire(ctx context.Context, iface string) (lan.Lease, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.Acquires++
	if !d.online {
		return lan.Lease{}, ErrNoServer
	}
	return d.lease, nil
}

// Renew returns the lease or ErrNoServer.
func (d *DHCP) Renew(ctx context.Context, iface string, l lan.Lease) (lan.Lease, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.Renews++
	if !d.online {
		return lan.Lease{}, ErrNoServer
	}
	return d.lease, nil
}

// Counts returns the attempts so far.
func (d *DHCP) Counts() (acquires, renews int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.Acquires, d.Renews
}

// NTP answers every server in Offsets with its offset; others fail.
type NTP struct {
	mu      sync.Mutex
	Offsets map[string]time.Duration
	Asked   []string
}

// Query answers from Offsets.
func (n *NTP) Query(ctx context.Context, server string) (sntp.Result, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.Asked = append(n.Asked, server)
	off, ok := n.Offsets[server]
	if !ok {
		return sntp.Result{}, errors.New("lantest: no answer from " + server)
	}
	return sntp.Result{Server: server, Offset: off, Stratum: 2}, nil
}

// Queries returns the servers asked so far.
func (n *NTP) Queries() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.Asked...)
}

// RTC is a clock register; Missing makes it a board without one.
type RTC struct {
	mu      sync.Mutex
	T       time.Time
	Missing bool
}

// Read returns T.
func (r *RTC) Read() (time.Time, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Missing {
		return time.Time{}, lan.ErrNoRTC
	}
	return r.T, nil
}

// Set sets T.
func (r *RTC) Set(t time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Missing {
		return lan.ErrNoRTC
	}
	r.T = t
	return nil
}

// Get returns T.
func (r *RTC) Get() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.T
}

// SetTime records the times the service set the wall clock to.
type SetTime struct {
	mu  sync.Mutex
	Set []time.Time
}

// Func is the Service.SetTime to hand the service.
func (s *SetTime) Func(t time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Set = append(s.Set, t)
	return nil
}

// Times returns the times set so far.
func (s *SetTime) Times() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.Set...)
}
