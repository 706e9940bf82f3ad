package mm

import (
	"errors"
	"fmt"
	"time"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// Default timer values (TS 24.008 §11.2.2, table 11.2): T3250, T3260 and
// T3270 are 12 s. GuardDefault bounds the waits 24.008 gives no MM timer
// for (ciphering, classmark enquiry), as an MSC's BSSMAP timers would.
const (
	T3250Default = 12 * time.Second
	T3260Default = 12 * time.Second
	T3270Default = 12 * time.Second
	GuardDefault = 10 * time.Second
)

// Config is the network side's MM configuration for a cell. The zero value
// plus an LAI is a working default: authentication and ciphering on
// whenever the subscriber has a key, A5/3 preferred then A5/1, TMSIs
// allocated, no MM Information.
type Config struct {
	LAI l3.LAI // the cell's location area, sent in Location Updating Accept

	// Ciphers is the set of allowed algorithms (A5/0 allowed only if
	// listed); zero means DefaultCiphers.
	Ciphers CipherSet
	// NoAuth turns authentication off even for subscribers with a key.
	NoAuth bool
	// Keys, when set, lets a connection be ciphered with the key of the
	// subscriber's last authentication instead of authenticating again,
	// when the MS presents that key's CKSN (TS 24.008 §4.3.2.4; see
	// KeyCache for the rules). nil authenticates every connection.
	Keys *KeyCache
	// AuthEvery: with Keys, a subscriber is authenticated on at least
	// every AuthEvery-th connection (1: every one); zero means
	// DefaultAuthEvery.
	AuthEvery int
	// KeyMaxAge: with Keys, a key is not used again once this old; zero
	// means DefaultKeyMaxAge.
	KeyMaxAge time.Duration
	// KeyReuseA51 lets a key be used again on a connection ciphered
	// with A5/1; by default only A5/3 (whose keys a recording of the air
	// does not give away) qualifies.
	KeyReuseA51 bool
	// NoCipher turns ciphering off (authentication still runs).
	NoCipher bool
	// NoTMSI turns TMSI allocation off; MSs then register by IMSI.
	NoTMSI bool
	// RequestIMEI asks every registering MS for its IMEI, after
	// ciphering (identity procedure, TS 24.008 §4.3.3).
	RequestIMEI bool
	// EmergencyCalls accepts a CM service request for an emergency call
	// even from an MS the network cannot identify or would refuse (no
	// SIM: IMEI identity; unknown TMSI; rejected subscriber), without
	// authentication (TS 24.008 §4.5.1.5). When false such a request
	// gets #32 service option not supported.
	EmergencyCalls bool
	// FollowOnProceed honours a follow-on request: the channel is kept
	// after the location update for a CM Service Request.
	FollowOnProceed bool

	// Network names for MM Information (TS 24.008 §4.3.6), sent after
	// every accepted location update when either is set. Names the GSM
	// 7-bit alphabet cannot write go in UCS2.
	FullName, ShortName string
	// SendTime adds the local time zone and universal time to MM
	// Information, from the time passed to Conn and its location.
	SendTime bool
	// DST is the network daylight saving time adjustment in hours
	// (0..2) sent with the time; HasDST says whether to send it.
	HasDST bool
	DST    uint8

	// Timers; zero means the default.
	T3250, T3260, T3270, Guard time.Duration
}

// Validate checks c and reports every problem at once.
func (c *Config) Validate() error {
	var errs []error
	if err := c.LAI.PLMN.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("%w: lai: %v", ErrConfig, err))
	}
	if c.LAI.LAC == 0 || c.LAI.LAC == 0xfffe {
		errs = append(errs, fmt.Errorf("%w: lai: LAC %#04x is reserved (TS 23.003 §4.1)", ErrConfig, c.LAI.LAC))
	}
	if c.Ciphers&^Supported != 0 {
		errs = append(errs, fmt.Errorf("%w: ciphers %v: only A5/0, A5/1 and A5/3 are supported", ErrConfig, c.Ciphers))
	}
	for _, n := range []struct{ key, v string }{{"full_name", c.FullName}, {"short_name", c.ShortName}} {
		if s := NewNetworkName(n.v).MarshalSize(); s > 255 {
			errs = append(errs, fmt.Errorf("%w: %s: %d octets encoded, at most 255", ErrConfig, n.key, s))
		}
	}
	if c.DST > 2 {
		errs = append(errs, fmt.Errorf("%w: dst: %d hours, want 0..2", ErrConfig, c.DST))
	}
	for _, t := range []struct {
		key string
		v   time.Duration
	}{{"t3250", c.T3250}, {"t3260", c.T3260}, {"t3270", c.T3270}, {"guard", c.Guard}} {
		if t.v < 0 {
			errs = append(errs, fmt.Errorf("%w: %s: negative duration %v", ErrConfig, t.key, t.v))
		}
	}
	return errors.Join(errs...)
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func (c *Config) authEvery() int {
	if c.AuthEvery <= 0 {
		return DefaultAuthEvery
	}
	return c.AuthEvery
}

func (c *Config) ciphers() CipherSet {
	if c.Ciphers == 0 {
		return DefaultCiphers
	}
	return c.Ciphers
}
