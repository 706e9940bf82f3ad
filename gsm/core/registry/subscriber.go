package registry

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/l3"
)

// TMSI is a temporary mobile subscriber identity (3GPP TS 23.003 §2.4).
//
// In a Subscriber the zero TMSI means "none": the registry never allocates
// 0, nor the all-ones value a SIM stores for "no valid TMSI" (TS 23.003
// §2.4), which SIMAllOnes names.
type TMSI uint32

// NoTMSI is the zero value, "no TMSI".
const NoTMSI TMSI = 0

// SIMAllOnes is the value the SIM uses for "no valid TMSI"; the network
// shall not allocate it (TS 23.003 §2.4).
const SIMAllOnes TMSI = 0xFFFFFFFF

// Valid reports whether t is a TMSI the VLR may hand out: not zero (our
// "none"), and not in the SGSN's P-TMSI space, whose two most significant
// bits are 11 (TS 23.003 §2.4; this also excludes SIMAllOnes).
func (t TMSI) Valid() bool { return t != NoTMSI && t>>30 != 3 }

func (t TMSI) String() string {
	if t == NoTMSI {
		return "none"
	}
	return fmt.Sprintf("0x%08x", uint32(t))
}

// ParseTMSI parses a TMSI in hex, with or without "0x".
func ParseTMSI(s string) (TMSI, error) {
	h := strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "0x"), "0X")
	if len(h) == 0 || len(h) > 8 {
		return NoTMSI, fieldErr("tmsi", "%q is not 1..8 hex digits", s)
	}
	var v uint32
	for i := 0; i < len(h); i++ {
		c := h[i]
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return NoTMSI, fieldErr("tmsi", "%q is not hex", s)
		}
		v = v<<4 | uint32(d)
	}
	return TMSI(v), nil
}

// LAI is a location area identity (TS 23.003 §4.1, TS 24.008 §10.5.1.3).
// The zero LAI means "never registered".
type LAI struct {
	PLMN l3.PLMN
	LAC  uint16
}

// IsZero reports whether the LAI is unset.
func (l LAI) IsZero() bool { return l == LAI{} }

func (l LAI) String() string {
	if l.IsZero() {
		return "none"
	}
	return fmt.Sprintf("%s-%d", l.PLMN, l.LAC)
}

// Subscriber is one subscriber record. Provisioning fields (IMSI to Name)
// come from the operator; the rest is state the core updates.
type Subscriber struct {
	IMSI      string           // 6..15 digits, TS 23.003 §2.2; the primary key
	MSISDN    string           // the subscriber's number, E.164 digits (TS 23.003 §3.3); "" for none
	Algorithm crypto.Algorithm // A3/A8; AlgNone: no key, no authentication
	Ki        crypto.Ki        // redacts itself
	OPc       crypto.OPc       // Milenage only; redacts itself
	IMEI      IMEI             // last IMEI seen or provisioned; zero for unknown
	Barred    bool             // the authorised flag, inverted so the zero value is authorised: Decide rejects a barred subscriber
	Name      string           // free text for the operator, up to 64 bytes

	SQN      uint64    // Milenage SQN (48 bits, TS 33.102 Annex C), the last one used
	TMSI     TMSI      // the TMSI the MS holds, or NoTMSI
	NewTMSI  TMSI      // allocated and sent, awaiting TMSI Reallocation Complete (TS 24.008 §4.3.1.4), or NoTMSI
	LAI      LAI       // where the last location update succeeded
	Attached bool      // IMSI attached (false after IMSI detach)
	LastSeen time.Time // last location update or detach (injected clock); zero: never
	Created  time.Time // when provisioned
}

// MaxName is the longest Name kept.
const MaxName = 64

// MaxSQN is the largest 48-bit SQN.
const MaxSQN = 1<<48 - 1

// HasKey reports whether the subscriber can be authenticated.
func (s *Subscriber) HasKey() bool { return s.Algorithm.Valid() }

// Validate checks every provisioning field and reports all problems at once.
func (s *Subscriber) Validate() error {
	var errs []error
	if err := ValidateIMSI(s.IMSI); err != nil {
		errs = append(errs, err)
	}
	if s.MSISDN != "" {
		if err := ValidateMSISDN(s.MSISDN); err != nil {
			errs = append(errs, err)
		}
	}
	switch {
	case s.Algorithm == crypto.AlgNone:
		if s.Ki != (crypto.Ki{}) || !s.OPc.IsZero() {
			errs = append(errs, fieldErr("algorithm", "keys given but no algorithm"))
		}
	case !s.Algorithm.Valid():
		errs = append(errs, fieldErr("algorithm", "unknown algorithm %d", uint8(s.Algorithm)))
	case s.Algorithm.UsesOPc() && s.OPc.IsZero():
		errs = append(errs, fieldErr("opc", "milenage needs OPc (or OP)"))
	case !s.Algorithm.UsesOPc() && !s.OPc.IsZero():
		errs = append(errs, fieldErr("opc", "OPc given but %s does not use it", s.Algorithm))
	}
	if !s.IMEI.IsZero() && !s.IMEI.valid() {
		errs = append(errs, fieldErr("imei", "not 14 decimal digits"))
	}
	if len(s.Name) > MaxName {
		errs = append(errs, fieldErr("name", "longer than %d bytes", MaxName))
	}
	if s.SQN > MaxSQN {
		errs = append(errs, fieldErr("sqn", "more than 48 bits"))
	}
	for _, t := range []struct {
		name string
		v    TMSI
	}{{"tmsi", s.TMSI}, {"new_tmsi", s.NewTMSI}} {
		if t.v != NoTMSI && !t.v.Valid() {
			errs = append(errs, fieldErr(t.name, "%v is reserved or in the P-TMSI space", t.v))
		}
	}
	if s.TMSI != NoTMSI && s.TMSI == s.NewTMSI {
		errs = append(errs, fieldErr("new_tmsi", "equals tmsi"))
	}
	if !s.LAI.IsZero() {
		if err := s.LAI.PLMN.Validate(); err != nil {
			errs = append(errs, fieldErr("lai", "%v", err))
		}
	}
	return errors.Join(errs...)
}

// ValidateIMSI checks an IMSI: 6 to 15 decimal digits (TS 23.003 §2.2: MCC
// 3 digits, MNC 2 or 3, MSIN; at most 15 in all). The lower bound is the one
// gsm/l3 enforces for the Mobile Identity IE.
func ValidateIMSI(s string) error {
	if !l3.Digits(s, 6, 15) {
		return fieldErr("imsi", "%q is not 6..15 decimal digits", s)
	}
	return nil
}

// ValidateMSISDN checks an MSISDN: 1 to 15 decimal digits (ITU-T E.164, TS
// 23.003 §3.3), with an optional leading '+'.
func ValidateMSISDN(s string) error {
	d := strings.TrimPrefix(s, "+")
	if !l3.Digits(d, 1, 15) {
		return fieldErr("msisdn", "%q is not 1..15 decimal digits", s)
	}
	return nil
}
