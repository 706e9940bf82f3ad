package config

import (
	"fmt"
	"math"
	"net"
	"net/netip"
	"strconv"
	"time"
)

// Value checks shared by configuration keys and command-line flags. A
// flag that sets what a key sets is checked by the same function, so a
// flag accepts nothing its key refuses (a NaN Eb/N0, a port beyond
// 65535, a negative count). Each returns an error that says what the
// value is and what is wanted, without naming the key or the flag: the
// caller adds the name (config.Problem, or the flag package's "invalid
// value ... for flag -x").

// CheckSNR checks an Eb/N0 in dB (sim.snr_db, --snr).
func CheckSNR(db float64) error {
	if math.IsNaN(db) || db < -10 || db > 100 {
		return fmt.Errorf("%g dB: want -10..100", db)
	}
	return nil
}

// CheckSimPhones checks a number of virtual phones (sim.phones, --phones).
func CheckSimPhones(n int) error { return CheckRange(n, 0, MaxSimPhones) }

// CheckRange checks that n is within lo..hi.
func CheckRange(n, lo, hi int) error {
	if n < lo || n > hi {
		return fmt.Errorf("%d: want %d..%d", n, lo, hi)
	}
	return nil
}

// CheckFinite checks that v is a number within lo..hi (NaN and the
// infinities are not).
func CheckFinite(v, lo, hi float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < lo || v > hi {
		return fmt.Errorf("%g: want %g..%g", v, lo, hi)
	}
	return nil
}

// CheckSampleRate checks a sample rate for an IQ file (--rate): a finite
// rate from 1 kHz to 100 MHz. Whether it is a usable ratio to the
// modulator's rate is the resampler's to say.
func CheckSampleRate(r float64) error {
	if math.IsNaN(r) || math.IsInf(r, 0) || r < 1e3 || r > 100e6 {
		return fmt.Errorf("%g samples/s: want 1e3..100e6", r)
	}
	return nil
}

// CheckDuration checks a duration that may be zero (meaning "none" or
// "until interrupted") but not negative, and at most max (0: no bound).
func CheckDuration(d, max time.Duration) error {
	if d < 0 || max > 0 && d > max {
		if max > 0 {
			return fmt.Errorf("%v: want 0s..%v", d, max)
		}
		return fmt.Errorf("%v: want 0s or more", d)
	}
	return nil
}

// CheckPositiveDuration checks a duration that must be above zero and
// at most max.
func CheckPositiveDuration(d, max time.Duration) error {
	if d <= 0 || d > max {
		return fmt.Errorf("%v: want more than 0s, at most %v", d, max)
	}
	return nil
}

// CheckPort checks a UDP or TCP port number, with span more ports after
// it (a base port and the ports that follow): all within 1..65535.
func CheckPort(p, span int) error {
	if p < 1 || p > 65535-span {
		if span > 0 {
			return fmt.Errorf("port %d: want 1..%d (it and the %d ports after it must be valid)", p, 65535-span, span)
		}
		return fmt.Errorf("port %d: want 1..65535", p)
	}
	return nil
}

// CheckHostPort checks a HOST:PORT address (gsmtap.remote, --gsmtap).
func CheckHostPort(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" {
		return fmt.Errorf("%q: want HOST:PORT, e.g. \"127.0.0.1:4729\"", s)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return fmt.Errorf("port %q: want 1..65535", port)
	}
	return CheckPort(p, 0)
}

// CheckIP checks an IP address (no host name: the TRX sockets bind and
// send to addresses).
func CheckIP(s string) error {
	if _, err := netip.ParseAddr(s); err != nil {
		return fmt.Errorf("%q is not an IP address", s)
	}
	return nil
}
