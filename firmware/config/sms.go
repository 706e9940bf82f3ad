package config

import (
	"fmt"
	"time"

	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/sms/gsm7"
	"github.com/gsmbox/gsmbox/gsm/ss"
)

// SMS limits.
const (
	MaxSMSQueued = 1_000_000
	// maxTPVP is the longest relative TP-VP, 63 weeks (TS 23.040
	// §9.2.3.12.1).
	maxTPVP = 63 * 7 * 24 * time.Hour
)

// smsProblems checks [sms].
func (c *Config) smsProblems(lines map[string]int) []Problem {
	var ps []Problem
	bad := func(key, format string, args ...any) {
		ps = append(ps, Problem{Key: key, Line: lines[key], Msg: fmt.Sprintf(format, args...)})
	}
	s := c.SMS
	if s.MaxQueued < 1 || s.MaxQueued > MaxSMSQueued {
		bad("sms.max_queued", "%d: want 1..%d", s.MaxQueued, MaxSMSQueued)
	}
	if s.MaxPerRecipient < 1 || s.MaxPerRecipient > max(s.MaxQueued, 1) {
		bad("sms.max_per_recipient", "%d: want 1..max_queued (%d)", s.MaxPerRecipient, s.MaxQueued)
	}
	if s.MaxValidity.Duration < time.Minute || s.MaxValidity.Duration > maxTPVP {
		bad("sms.max_validity", "%v: want 1m..%v (63 weeks, the longest TP-VP)", s.MaxValidity.Duration, maxTPVP)
	}
	if s.Validity.Duration < time.Minute || s.Validity.Duration > s.MaxValidity.Duration {
		bad("sms.validity", "%v: want 1m..max_validity (%v)", s.Validity.Duration, s.MaxValidity.Duration)
	}
	if len(s.Retry) == 0 || len(s.Retry) > 16 {
		bad("sms.retry", "%d steps: want 1..16, e.g. [\"30s\", \"2m\", \"10m\"]", len(s.Retry))
	}
	for _, d := range s.Retry {
		if d.Duration < time.Second || d.Duration > 24*time.Hour {
			bad("sms.retry", "%v: each step 1s..24h", d.Duration)
			break
		}
	}
	if s.PageRetry.Duration < 250*time.Millisecond || s.PageRetry.Duration > time.Minute {
		bad("sms.page_retry", "%v: want 250ms..1m", s.PageRetry.Duration)
	}
	if n, err := gsm7.Count(s.Sender); s.Sender == "" || err != nil || n > 11 {
		bad("sms.sender", "%q: want 1..11 characters of the GSM alphabet", s.Sender)
	}
	if !l3.Digits(s.SCAddress, 1, 20) {
		bad("sms.sc_address", "%q: want 1..20 digits", s.SCAddress)
	}
	u := c.USSD
	seen := map[string]bool{"*#100#": true}
	for _, c := range u.Codes {
		code, text := c.Code, c.Answer
		if !ussdCode(code) || seen[code] {
			bad("ussd.codes", "%q: want a new code of * # and digits ending in #, e.g. \"*100#\"", code)
		}
		if _, err := ss.EncodeUSSD(text); err != nil || text == "" {
			bad("ussd.codes", "%q: the answer %q does not fit one USSD string (182 GSM characters or 80 others)", code, text)
		}
		seen[code] = true
	}
	for _, m := range u.Menus {
		if !ussdCode(m.Code) || seen[m.Code] {
			bad("ussd.menus", "code %q: want a new code of * # and digits ending in #", m.Code)
		}
		seen[m.Code] = true
		if len(m.Options) < 1 || len(m.Options) > 9 {
			bad("ussd.menus", "%q: %d options, want 1..9", m.Code, len(m.Options))
		}
		text := m.Title
		for i, o := range m.Options {
			text += fmt.Sprintf("\n%d. %s", i+1, o.Label)
			if _, err := ss.EncodeUSSD(o.Answer); err != nil || o.Answer == "" || o.Label == "" {
				bad("ussd.menus", "%q option %d: want a label and an answer that fits one USSD string", m.Code, i+1)
			}
		}
		if _, err := ss.EncodeUSSD(text); err != nil {
			bad("ussd.menus", "%q: title and options do not fit one USSD string (182 GSM characters or 80 others)", m.Code)
		}
	}
	return ps
}

// ussdCode reports whether s looks like a USSD code: * # and digits,
// ending in #, at most 32 characters.
func ussdCode(s string) bool {
	if len(s) < 2 || len(s) > 32 || s[len(s)-1] != '#' {
		return false
	}
	for _, c := range s {
		if c != '*' && c != '#' && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
