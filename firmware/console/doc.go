// Package console is the operator's console: one HTTP(S) service that
// serves the web dashboard, the JSON API (/api/...) and the Prometheus
// metrics (/metrics) from the same handlers and the same data, plus the
// local Unix socket the gsmbox CLI talks to on the box.
//
// Nothing is open by default. Until an administrator credential exists
// (set from a USB stick's console_password file, or with `gsmbox console
// passwd` on the serial console) the console serves only a read-only
// status page that says how to set one. TLS is on, with an ECDSA P-256
// certificate the box makes on first boot and keeps in its state
// directory; its SHA-256 fingerprint is shown on the console and in the
// USB report. Browser sessions use Secure, HttpOnly, SameSite=Strict
// cookies and a per-session CSRF token; logins are rate-limited per
// client and overall (the password hash, scrypt, is costly on purpose);
// scripts and Prometheus use bearer tokens with scopes (read, write,
// metrics). Every change is recorded in an append-only audit log (who,
// what, when). Subscriber keys (Ki, OPc) are write-only: no response,
// page, log line or metric carries them.
//
// The console reads the network through node.Snapshot (a copy published
// by the cell loop) and changes it through the registry and the
// configuration store; it never touches the cell loop's state directly,
// so a busy console cannot make the cell miss a frame.
//
// Place in the dependency order: above firmware/node, firmware/config and
// gsm/core/registry; imported by cmd/gsmbox, never by package firmware
// (which gets the service through Options.NewConsole).
package console
