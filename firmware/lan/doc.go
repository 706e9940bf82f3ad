// Package lan is the box's own IP networking: the Ethernet address the
// web console and the SIP trunk are reached at, and the wall clock.
//
//   - DHCP by default (RFC 2131, with github.com/insomniacslk/dhcp's
//     nclient4, the client u-root uses), retried in the background with
//     back-off and renewed at T1 (§4.4.5); the box works offline while
//     it waits. Or a static address, gateway and name servers.
//   - /etc/resolv.conf from the lease's name servers (RFC 2132 §3.8) and
//     the configured ones.
//   - The wall clock: at start the latest of the system clock, the RTC
//     and the last-known time persisted on the data partition; then SNTP
//     (firmware/sntp, RFC 4330) against the lease's NTP servers (RFC 2132
//     §8.3) and the configured ones. The clock never goes back below the
//     last-known time.
//
// Everything that touches the kernel is behind a seam set in the Service
// (Link, DHCP, NTP, RTC, SetTime, Store): package lantest has fakes, so
// the logic is tested without root. The real ones are in linux.go.
//
// Place in the dependency order: platform; imports firmware/clock,
// firmware/storage and firmware/sntp; used by firmware (services.go).
package lan
