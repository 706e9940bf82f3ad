package config

import (
	"fmt"
	"log/slog"
	"math"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/gsm/core/registry/policy"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Validate checks c against itself and the board's limits and returns
// *Error with every problem, or nil. Problems carry no line numbers; use
// Parse to check a file.
func (c *Config) Validate(board *boards.Descriptor) error {
	if ps := c.problems(board, nil); len(ps) > 0 {
		return &Error{Problems: ps}
	}
	return nil
}

// Band returns the configured band; valid only after validation.
func (c *Config) Band() tdma.Band {
	b, _ := tdma.ParseBand(c.Cell.Band)
	return b
}

// ARFCN returns the BCCH carrier.
func (c *Config) ARFCN() tdma.ARFCN { return tdma.ARFCN(c.Cell.ARFCN) }

// BSIC returns the cell's base station identity code.
func (c *Config) BSIC() tdma.BSIC {
	return tdma.BSIC{NCC: uint8(c.Cell.NCC), BCC: uint8(c.Cell.BCC)}
}

// AllowedARFCNs returns the channels the automatic choice may use
// ([cell] allowed_arfcns, each a channel or a range "lo-hi"), every one in
// the band; nil means the whole band.
func (c *Config) AllowedARFCNs() ([]tdma.ARFCN, error) {
	band := c.Band()
	var out []tdma.ARFCN
	seen := map[tdma.ARFCN]bool{}
	for _, r := range c.Cell.AllowedARFCNs {
		var lo, hi int
		if a, b, ok := strings.Cut(r, "-"); ok {
			var err1, err2 error
			lo, err1 = strconv.Atoi(strings.TrimSpace(a))
			hi, err2 = strconv.Atoi(strings.TrimSpace(b))
			if err1 != nil || err2 != nil || lo > hi {
				return nil, fmt.Errorf("%q: want a channel or a range lo-hi", r)
			}
		} else {
			n, err := strconv.Atoi(strings.TrimSpace(r))
			if err != nil {
				return nil, fmt.Errorf("%q: want a channel or a range lo-hi", r)
			}
			lo, hi = n, n
		}
		if lo < 0 || hi > 1023 {
			return nil, fmt.Errorf("%q: ARFCNs are 0..1023", r)
		}
		for n := lo; n <= hi; n++ {
			a := tdma.ARFCN(n)
			if !band.Contains(a) {
				return nil, fmt.Errorf("%q: ARFCN %d is not a channel of %v", r, n, band)
			}
			if !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	return out, nil
}

// Neighbours returns the neighbour ARFCNs.
func (c *Config) Neighbours() []tdma.ARFCN {
	out := make([]tdma.ARFCN, len(c.Cell.Neighbours))
	for i, n := range c.Cell.Neighbours {
		out[i] = tdma.ARFCN(n)
	}
	return out
}

// CipherSet returns the ciphers security.ciphers allows.
func (c *Config) CipherSet() (mm.CipherSet, error) {
	var set mm.CipherSet
	if len(c.Security.Ciphers) == 0 {
		return 0, fmt.Errorf("list at least one of \"A5/3\", \"A5/1\", \"A5/0\"")
	}
	for _, s := range c.Security.Ciphers {
		switch strings.ToUpper(strings.ReplaceAll(s, " ", "")) {
		case "A5/0":
			set = set.With(0)
		case "A5/1":
			set = set.With(mm.A51)
		case "A5/3":
			set = set.With(mm.A53)
		case "A5/2":
			return 0, fmt.Errorf("A5/2 is broken and banned (TS 43.020); use A5/3 or A5/1")
		default:
			return 0, fmt.Errorf("%q is not a cipher: want \"A5/3\", \"A5/1\" or \"A5/0\"", s)
		}
	}
	return set, nil
}

// Policy returns the registration policy of [subscribers]; valid only
// after validation.
func (c *Config) Policy() policy.Policy {
	m, _ := policy.ParseMode(c.Subscribers.Policy)
	rg, _ := policy.ParseRange(c.Subscribers.MSISDNRange)
	return policy.Policy{Mode: m, MSISDNRange: rg, OpenPrefixes: c.Subscribers.OpenPrefixes}
}

// LogLevel returns the slog level of Log.Level.
func (c *Config) LogLevel() slog.Level {
	var l slog.Level
	_ = l.UnmarshalText([]byte(c.Log.Level))
	return l
}

// problems returns every validation problem; lines locates keys in the
// file (nil when there is no file).
func (c *Config) problems(board *boards.Descriptor, lines map[string]int) []Problem {
	var ps []Problem
	bad := func(key, format string, args ...any) {
		ps = append(ps, Problem{Key: key, Line: lines[key], Msg: fmt.Sprintf(format, args...)})
	}

	n := c.Network
	if !l3.Digits(n.MCC, 3, 3) {
		bad("network.mcc", "%q is not a mobile country code: want 3 digits in quotes, e.g. \"001\"", n.MCC)
	}
	if !l3.Digits(n.MNC, 2, 3) {
		bad("network.mnc", "%q is not a mobile network code: want 2 or 3 digits in quotes, e.g. \"01\"", n.MNC)
	}
	if strings.TrimSpace(n.Name) == "" {
		bad("network.name", "must not be empty: phones display it")
	} else if len(n.Name) > 64 {
		bad("network.name", "%d characters is too long (at most 64)", len(n.Name))
	}
	if len(n.ShortName) > 32 {
		bad("network.short_name", "%d characters is too long (at most 32)", len(n.ShortName))
	}
	if err := checkText(n.Name); err != nil {
		bad("network.name", "%v", err)
	}
	if err := checkText(n.ShortName); err != nil {
		bad("network.short_name", "%v", err)
	}

	cl := c.Cell
	band, err := tdma.ParseBand(cl.Band)
	if err != nil {
		bad("cell.band", "%q is not a band: want GSM850, GSM900, RGSM900, DCS1800 or PCS1900", cl.Band)
	}
	if band != tdma.BandUnknown {
		if _, err := c.AllowedARFCNs(); err != nil {
			bad("cell.allowed_arfcns", "%v", err)
		}
		if cl.ARFCN < 0 || cl.ARFCN > 1023 || !band.Contains(tdma.ARFCN(cl.ARFCN)) {
			bad("cell.arfcn", "%d is not a channel of %v (%s)", cl.ARFCN, band, bandRange(band))
		}
		if board != nil && !board.RF.SupportsBand(band) {
			bad("cell.band", "board %s cannot transmit on %v (it supports %v)", board.Name, band, board.RF.Bands)
		}
		seen := map[int]bool{}
		for i, nb := range cl.Neighbours {
			switch {
			case nb < 0 || nb > 1023 || !band.Contains(tdma.ARFCN(nb)):
				bad("cell.neighbours", "neighbour %d (ARFCN %d) is not a channel of %v", i+1, nb, band)
			case nb == cl.ARFCN:
				bad("cell.neighbours", "neighbour %d is this cell's own ARFCN %d", i+1, nb)
			case seen[nb]:
				bad("cell.neighbours", "ARFCN %d is listed twice", nb)
			}
			seen[nb] = true
		}
		if len(cl.Neighbours) > 32 {
			bad("cell.neighbours", "%d neighbours is too many (at most 32)", len(cl.Neighbours))
		}
		lo, hi := msPowerRange(band)
		if cl.MSTxPowerMaxDBm < lo || cl.MSTxPowerMaxDBm > hi {
			bad("cell.ms_tx_power_max_dbm", "%d dBm is outside %v's range %d..%d dBm", cl.MSTxPowerMaxDBm, band, lo, hi)
		}
	}
	if t := cl.MSPowerTargetDBm; t != 0 && (t < -110 || t > -40) {
		bad("cell.ms_power_target_dbm", "%d dBm: want -110..-40, or 0 for no power control", t)
	}
	if cl.LAC < 1 || cl.LAC > 0xFFFD {
		bad("cell.lac", "%d is not a usable location area code: want 1..65533 (0 and 65534 are reserved, TS 24.008 §10.5.1.3)", cl.LAC)
	}
	if cl.CI < 0 || cl.CI > 0xFFFF {
		bad("cell.ci", "%d is not a cell identity: want 0..65535", cl.CI)
	}
	if cl.NCC < 0 || cl.NCC > 7 {
		bad("cell.ncc", "%d is not a network colour code: want 0..7", cl.NCC)
	}
	if cl.BCC < 0 || cl.BCC > 7 {
		bad("cell.bcc", "%d is not a base station colour code: want 0..7", cl.BCC)
	}
	if math.IsNaN(cl.TxPowerDBm) || math.IsInf(cl.TxPowerDBm, 0) {
		bad("cell.tx_power_dbm", "%g is not a power in dBm", cl.TxPowerDBm)
	} else if board != nil {
		if cl.TxPowerDBm > board.RF.MaxPowerDBm {
			bad("cell.tx_power_dbm", "%g dBm is above board %s's maximum of %g dBm", cl.TxPowerDBm, board.Name, board.RF.MaxPowerDBm)
		}
		if cl.TxPowerDBm < board.RF.MinPowerDBm {
			bad("cell.tx_power_dbm", "%g dBm is below board %s's minimum of %g dBm", cl.TxPowerDBm, board.Name, board.RF.MinPowerDBm)
		}
	}
	ts := map[int]bool{}
	for _, t := range cl.SDCCH8Timeslots {
		if t < 1 || t > 7 {
			bad("cell.sdcch8_timeslots", "timeslot %d: want 1..7 (timeslot 0 carries the BCCH)", t)
		} else if ts[t] {
			bad("cell.sdcch8_timeslots", "timeslot %d is listed twice", t)
		}
		ts[t] = true
	}
	if n := c.Security.AuthEvery; n < 1 || n > 100 {
		bad("security.auth_every", "%d: want 1..100", n)
	}
	if d := c.Security.KeyMaxAge.Duration; d < time.Minute || d > 24*time.Hour {
		bad("security.key_max_age", "%v: want 1m..24h", d)
	}
	if d := c.Calls.NoAnswer.Duration; d < 10*time.Second || d > 10*time.Minute {
		bad("calls.no_answer", "%v: want 10s..10m", d)
	}
	if t := c.Emergency.Target; t != "" {
		if len(t) > 15 || strings.Trim(t, "0123456789") != "" {
			bad("emergency.target", "%q: want the MSISDN of a local subscriber, 1 to 15 digits", t)
		}
	}
	for _, num := range c.Emergency.Numbers {
		if len(num) == 0 || len(num) > 6 || strings.Trim(num, "0123456789") != "" {
			bad("emergency.numbers", "%q: want 1 to 6 digits", num)
		}
	}
	tch := map[int]bool{}
	for _, t := range cl.TCHFTimeslots {
		switch {
		case t < 1 || t > 7:
			bad("cell.tchf_timeslots", "timeslot %d: want 1..7 (timeslot 0 carries the BCCH)", t)
		case tch[t]:
			bad("cell.tchf_timeslots", "timeslot %d is listed twice", t)
		case ts[t]:
			bad("cell.tchf_timeslots", "timeslot %d already carries SDCCH/8 (cell.sdcch8_timeslots)", t)
		}
		tch[t] = true
	}
	if cl.DynamicTimeslots < 0 || cl.DynamicTimeslots > 7 {
		bad("cell.dynamic_timeslots", "%d: want 0..7 (how many TCH/F timeslots may carry SDCCH/8 under load)", cl.DynamicTimeslots)
	}
	if !cl.CombinedCCCH && len(cl.SDCCH8Timeslots) == 0 {
		// The key is the one to add; the line is the one the file has.
		line := lines["cell.sdcch8_timeslots"]
		if line == 0 {
			line = lines["cell.combined_ccch"]
		}
		ps = append(ps, Problem{Key: "cell.sdcch8_timeslots", Line: line,
			Msg: "with combined_ccch = false the cell needs at least one SDCCH/8 timeslot, or phones cannot get a signalling channel"})
	}
	maxAG := 7
	if cl.CombinedCCCH {
		maxAG = 2
	}
	if cl.AGBlocksReserved < 0 || cl.AGBlocksReserved > maxAG {
		bad("cell.bs_ag_blks_res", "%d: want 0..%d for this CCCH configuration (TS 44.018 §10.5.2.11)", cl.AGBlocksReserved, maxAG)
	}
	if cl.PagingMultiframes < 2 || cl.PagingMultiframes > 9 {
		bad("cell.bs_pa_mfrms", "%d: want 2..9", cl.PagingMultiframes)
	}
	if d := cl.PeriodicLU.Duration; d < 0 || d > 255*6*time.Minute || d%(6*time.Minute) != 0 {
		bad("cell.periodic_lu", "%v: want a multiple of 6m up to 25h30m, or 0s for off", d)
	}
	if cl.RxLevAccessMinDBm < -110 || cl.RxLevAccessMinDBm > -47 {
		bad("cell.rxlev_access_min_dbm", "%d dBm: want -110..-47", cl.RxLevAccessMinDBm)
	}
	switch cl.RACHMaxRetrans {
	case 1, 2, 4, 7:
	default:
		bad("cell.rach_max_retrans", "%d: want 1, 2, 4 or 7", cl.RACHMaxRetrans)
	}
	switch cl.RACHTxInteger {
	case 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 20, 25, 32, 50:
	default:
		bad("cell.rach_tx_integer", "%d: want 3..12, 14, 16, 20, 25, 32 or 50", cl.RACHTxInteger)
	}
	if cl.RadioLinkTimeout < 4 || cl.RadioLinkTimeout > 64 || cl.RadioLinkTimeout%4 != 0 {
		bad("cell.radio_link_timeout", "%d: want 4..64 in steps of 4", cl.RadioLinkTimeout)
	}

	switch c.Radio.SamplesPerSymbol {
	case 1, 2, 4:
	default:
		bad("radio.samples_per_symbol", "%d: want 1, 2 or 4", c.Radio.SamplesPerSymbol)
	}
	if c.GSMTAP.Enabled || c.GSMTAP.Remote != "" {
		if err := CheckHostPort(c.GSMTAP.Remote); err != nil {
			bad("gsmtap.remote", "%v", err)
		}
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.Log.Level)); err != nil {
		bad("log.level", "%q: want debug, info, warn or error", c.Log.Level)
	}
	if err := CheckSNR(c.Sim.SNRdB); err != nil {
		bad("sim.snr_db", "%v", err)
	}
	if c.Sim.SMS < 0 || c.Sim.SMS > MaxSimSMS {
		bad("sim.sms", "%d: want 0..%d", c.Sim.SMS, MaxSimSMS)
	}
	if err := CheckSimPhones(c.Sim.Phones); err != nil {
		bad("sim.phones", "%v", err)
	}
	if _, err := policy.ParseMode(c.Subscribers.Policy); err != nil {
		bad("subscribers.policy", "%q: want \"open\" or \"closed\"", c.Subscribers.Policy)
	}
	if _, err := policy.ParseRange(c.Subscribers.MSISDNRange); err != nil {
		bad("subscribers.msisdn_range", "%q: want FIRST-LAST, e.g. \"1000-1999\"", c.Subscribers.MSISDNRange)
	}
	for _, p := range c.Subscribers.OpenPrefixes {
		if !l3.Digits(p, 1, 15) {
			bad("subscribers.open_prefixes", "%q: want IMSI digits, e.g. \"00101\"", p)
		}
	}
	if c.Subscribers.DB == "" {
		bad("subscribers.db", "must name the registry file")
	}
	if _, err := c.CipherSet(); err != nil {
		bad("security.ciphers", "%v", err)
	}
	if len(c.Console.Listen) > 4 {
		bad("console.listen", "%d addresses: want at most 4", len(c.Console.Listen))
	}
	for _, a := range c.Console.Listen {
		if _, port, err := net.SplitHostPort(a); err != nil {
			bad("console.listen", "%q: want HOST:PORT or :PORT, e.g. \":443\"", a)
		} else if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
			bad("console.listen", "port %q: want 1..65535", port)
		}
	}
	ps = append(ps, c.netProblems(lines)...)
	ps = append(ps, c.smsProblems(lines)...)
	ps = append(ps, c.sipProblems(lines)...)
	return ps
}

func bandRange(b tdma.Band) string {
	switch b {
	case tdma.GSM850:
		return "128..251"
	case tdma.GSM900:
		return "0..124 and 975..1023"
	case tdma.RGSM900:
		return "0..124 and 955..1023"
	case tdma.DCS1800:
		return "512..885"
	case tdma.PCS1900:
		return "512..810"
	}
	return "?"
}

// msPowerRange is the span of MS power control levels in dBm, TS 45.005 §4.1.1.
func msPowerRange(b tdma.Band) (lo, hi int) {
	switch b {
	case tdma.DCS1800:
		return 0, 36
	case tdma.PCS1900:
		return 0, 33
	}
	return 5, 39
}
