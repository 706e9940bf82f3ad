package config

import (
	"path/filepath"
	"reflect"
	"slices"
	"time"
)

// Config is the whole of gsmbox.toml. Field tags give the TOML keys; the
// example file docs/gsmbox.example.toml documents each one.
type Config struct {
	Network Network `toml:"network"`
	Cell    Cell    `toml:"cell"`
	Radio   Radio   `toml:"radio"`
	GSMTAP  GSMTAP  `toml:"gsmtap"`
	Log     Log     `toml:"log"`
	Sim     Sim     `toml:"sim"`

	Subscribers Subscribers `toml:"subscribers"`
	Security    Security    `toml:"security"`
	Calls       Calls       `toml:"calls"`
	Emergency   Emergency   `toml:"emergency"`
	Console     Console     `toml:"console"`
	Net         Net         `toml:"net"`
	SMS         SMS         `toml:"sms"`
	USSD        USSD        `toml:"ussd"`
	SIP         SIP         `toml:"sip"`
}

// Calls sets up the switch for calls between the network's subscribers.
type Calls struct {
	// NoAnswer is how long a called phone rings before the call is
	// cleared with #19 (T301, TS 24.008 Table 11.3).
	NoAnswer Duration `toml:"no_answer"`
	// CDR is the call detail record log on the data partition; "" keeps
	// no records.
	CDR string `toml:"cdr"`
}

// Emergency routes emergency calls (TS 22.101 §10).
type Emergency struct {
	// Target is the local MSISDN emergency calls go to; "" refuses them.
	Target string `toml:"target"`
	// Numbers are the numbers that are emergency calls when dialled.
	Numbers []string `toml:"numbers"`
	// WithoutSIM accepts emergency calls from phones with no SIM or not
	// registered (TS 22.101 §10.1.1, TS 24.008 §4.5.1.5).
	WithoutSIM bool `toml:"without_sim"`
}

// Console sets the operator's web console (firmware/console).
type Console struct {
	// Listen are the HTTPS listen addresses, e.g. [":443"] or
	// ["192.168.1.20:443"]; empty turns the web console off (the local
	// socket for the CLI stays).
	Listen []string `toml:"listen"`
	// MetricsOpen serves /metrics without authentication: only by this
	// explicit choice, for a Prometheus on a trusted network.
	MetricsOpen bool `toml:"metrics_open"`
}

// Net sets the box's own IP networking (firmware/lan): the Ethernet
// address the web console and the SIP trunk are reached at, and the
// wall clock. The console's listen addresses are [console] listen.
type Net struct {
	// Mode is "dhcp" (the default: RFC 2131, retried in the background
	// with back-off while the box works offline), "static" (Address,
	// Gateway and DNS below) or "off" (loopback only).
	Mode string `toml:"mode"`
	// Interface is the Ethernet interface; "" is the board's.
	Interface string `toml:"interface"`
	// Address is the static address with its prefix length,
	// "192.168.1.20/24" (mode "static" only).
	Address string `toml:"address"`
	// Gateway is the static default route's next hop; "" adds none.
	Gateway string `toml:"gateway"`
	// DNS are the name servers written to /etc/resolv.conf (static);
	// with DHCP the server's come first.
	DNS []string `toml:"dns"`
	// NTP are the time servers (host names or addresses), tried after
	// the ones a DHCP server offers (RFC 2132 §8.3); [] uses only
	// those. Without any, the RTC or the last-known time stands in.
	NTP []string `toml:"ntp"`
}

// NetModes are the values of net.mode.
var NetModes = []string{"dhcp", "static", "off"}

// USSD sets the USSD service (TS 24.090): "*#100#" always answers the
// subscriber's own number; Codes and Menus add the operator's.
type USSD struct {
	// Enabled serves USSD.
	Enabled bool `toml:"enabled"`
	// Codes are static answers to codes.
	Codes []USSDCode `toml:"codes"`
	// Menus are numbered menus: the code, a title and the options.
	Menus []USSDMenu `toml:"menus"`
}

// USSDCode is a code ("*100#") and its answer.
type USSDCode struct {
	Code   string `toml:"code"`
	Answer string `toml:"answer"`
}

// USSDMenu is one numbered menu.
type USSDMenu struct {
	Code    string       `toml:"code"`
	Title   string       `toml:"title"`
	Options []USSDOption `toml:"options"`
}

// USSDOption is one entry of a menu and its answer.
type USSDOption struct {
	Label  string `toml:"label"`
	Answer string `toml:"answer"`
}

// SMS sets the short message centre: store and forward (TS 23.040 §3.1).
type SMS struct {
	// Enabled serves SMS; without it SAPI 3 gets CP-ERROR #97.
	Enabled bool `toml:"enabled"`
	// DB is the queue file; "" puts sms.db beside the registry file.
	DB string `toml:"db"`
	// MaxQueued bounds the messages waiting (more get RP-ERROR #47
	// "resources unavailable"); MaxPerRecipient bounds one number's.
	MaxQueued       int `toml:"max_queued"`
	MaxPerRecipient int `toml:"max_per_recipient"`
	// Validity applies to messages without a TP-VP; MaxValidity caps
	// any TP-VP.
	Validity    Duration `toml:"validity"`
	MaxValidity Duration `toml:"max_validity"`
	// Retry is the back-off between delivery attempts to a phone that
	// did not answer; the last step repeats. A location update, IMSI
	// attach or memory-available notice tries at once.
	Retry []Duration `toml:"retry"`
	// PageRetry repeats the paging for a message until the phone answers
	// (or T3113 ends the attempt).
	PageRetry Duration `toml:"page_retry"`
	// Sender is the alphanumeric name the operator's messages come from
	// (at most 11 characters of the GSM alphabet).
	Sender string `toml:"sender"`
	// SCAddress is the service centre's number phones see.
	SCAddress string `toml:"sc_address"`
}

// SMSDB returns the queue file: sms.db beside the registry unless set.
func (c *Config) SMSDB() string {
	if c.SMS.DB != "" {
		return c.SMS.DB
	}
	return filepath.Join(filepath.Dir(c.Subscribers.DB), "sms.db")
}

// SMSRetry returns the retry schedule as durations.
func (c *Config) SMSRetry() []time.Duration {
	out := make([]time.Duration, len(c.SMS.Retry))
	for i, d := range c.SMS.Retry {
		out[i] = d.Duration
	}
	return out
}

// Subscribers sets the subscriber registry and who may register.
type Subscribers struct {
	// Policy is "open" (any phone registers and gets the next free
	// number from MSISDNRange) or "closed" (only provisioned IMSIs).
	Policy string `toml:"policy"`
	// MSISDNRange is the block numbers are given from, "FIRST-LAST".
	MSISDNRange string `toml:"msisdn_range"`
	// OpenPrefixes, with policy "closed", still admits IMSIs starting
	// with one of these (e.g. your own MCC+MNC) and provisions them.
	OpenPrefixes []string `toml:"open_prefixes"`
	// DB is the registry file; on a board it lives on the data partition.
	// `gsmbox sim` uses a temporary one unless told otherwise.
	DB string `toml:"db"`
}

// Security sets authentication and ciphering (TS 43.020).
type Security struct {
	// Authenticate every subscriber that has a key (Ki).
	Authenticate bool `toml:"authenticate"`
	// Ciphers are the algorithms phones may be asked to use, from
	// "A5/3", "A5/1" and "A5/0" (none); the strongest a phone supports
	// is chosen.
	Ciphers []string `toml:"ciphers"`
	// AuthEvery: a subscriber is authenticated on at least every
	// AuthEvery-th connection; between, a connection on which the phone
	// presents the ciphering key sequence number of its last
	// authentication is ciphered with that key at once (TS 24.008
	// §4.3.2.4), saving two round trips on the air. 1 authenticates
	// every connection. Keys are kept in memory only, never logged, and
	// reused only on connections ciphered with A5/3 (or A5/1 with
	// key_reuse_a51).
	AuthEvery int `toml:"auth_every"`
	// KeyMaxAge: a key is not used again once this old.
	KeyMaxAge Duration `toml:"key_max_age"`
	// KeyReuseA51 allows the reuse on A5/1 connections (whose keys can
	// be recovered from a recording of the air).
	KeyReuseA51 bool `toml:"key_reuse_a51"`
}

// Network identifies the PLMN.
type Network struct {
	// MCC is the mobile country code, three digits, kept as a string so
	// leading zeros survive.
	MCC string `toml:"mcc"`
	// MNC is the mobile network code, two or three digits.
	MNC string `toml:"mnc"`
	// Name is the full network name phones display (MM Information).
	Name string `toml:"name"`
	// ShortName is the abbreviated network name; empty means Name.
	ShortName string `toml:"short_name"`
}

// Cell is the one cell this box runs.
type Cell struct {
	// Band is GSM850, GSM900 (P- and E-GSM), RGSM900, DCS1800 or PCS1900.
	Band string `toml:"band"`
	// ARFCN is the BCCH carrier. In the file it may be "auto" instead of
	// a number (ARFCNAuto); ARFCN then keeps its previous value.
	ARFCN int `toml:"arfcn"`
	// ARFCNAuto is arfcn = "auto": a board with a hardware radio scans
	// its band at boot, before it transmits, and chooses the cleanest
	// channel away from other cells (firmware/chanscan.Choose), within
	// AllowedARFCNs. Not a key of its own.
	ARFCNAuto bool `toml:"-"`
	// AllowedARFCNs limits the automatic choice to these channels or
	// ranges ("975-1023", "1-124", "62"), e.g. the licensed ones; empty
	// means the whole band. The choice never leaves the band.
	AllowedARFCNs []string `toml:"allowed_arfcns"`
	// LAC is the location area code, 1..65533 (0 and 65534 are reserved).
	LAC int `toml:"lac"`
	// CI is the cell identity, 0..65535.
	CI int `toml:"ci"`
	// NCC and BCC make the BSIC (NCC×8+BCC). BCC is also the TSC.
	NCC int `toml:"ncc"`
	BCC int `toml:"bcc"`
	// TxPowerDBm is the carrier output power; the board's maximum caps it.
	TxPowerDBm float64 `toml:"tx_power_dbm"`
	// Neighbours lists the BCCH ARFCNs of neighbour cells, sent in SI2 and
	// SI5 so phones measure them.
	Neighbours []int `toml:"neighbours"`
	// CombinedCCCH puts SDCCH/4 on the BCCH timeslot (channel
	// combination V); false, the default, gives combination IV with
	// SDCCH/8 on the timeslots in SDCCH8Timeslots. Combination IV has 9
	// CCCH blocks per 51-multiframe instead of 3 (TS 45.002 §6.4.1,
	// TS 44.018 §10.5.2.11 CCCH_CONF), so access grants and pages wait
	// less: calls ring sooner and a registration storm clears faster
	// (docs/storm.md gives the figures).
	CombinedCCCH bool `toml:"combined_ccch"`
	// SDCCH8Timeslots are timeslots (1..7) carrying SDCCH/8
	// (combination VII). The default, DefaultSDCCH8Timeslots, sizes the
	// cell for a village's registration storm.
	SDCCH8Timeslots []int `toml:"sdcch8_timeslots"`
	// TCHFTimeslots are timeslots (1..7) carrying a full-rate traffic
	// channel (combination I: TCH/F + FACCH/F + SACCH/TF), one per
	// timeslot; a call between two local phones takes two.
	TCHFTimeslots []int `toml:"tchf_timeslots"`
	// VeryEarlyAssignment puts a phone that asks for a channel to make
	// or answer a call straight onto a free TCH/F (signalling on FACCH/F,
	// much faster call setup), instead of an SDCCH first.
	VeryEarlyAssignment bool `toml:"very_early_assignment"`
	// DynamicTimeslots is how many of the TCH/F timeslots, the highest
	// first, may carry eight SDCCH/8 while signalling demand exceeds the
	// SDCCHs (a registration storm), going back to TCH/F when calls need
	// them; two TCH/Fs are always left free for a call. 0 turns it off.
	DynamicTimeslots int `toml:"dynamic_timeslots"`
	// AGBlocksReserved is BS_AG_BLKS_RES, CCCH blocks kept for AGCH.
	AGBlocksReserved int `toml:"bs_ag_blks_res"`
	// PagingMultiframes is BS_PA_MFRMS, 2..9.
	PagingMultiframes int `toml:"bs_pa_mfrms"`
	// PeriodicLU is T3212, the periodic location updating timer, in steps
	// of 6 minutes up to 25h30m; "0s" turns periodic updating off.
	PeriodicLU Duration `toml:"periodic_lu"`
	// RxLevAccessMinDBm is the weakest signal a phone may access at.
	RxLevAccessMinDBm int `toml:"rxlev_access_min_dbm"`
	// MSTxPowerMaxDBm is the most a phone may transmit on this cell's CCCH.
	MSTxPowerMaxDBm int `toml:"ms_tx_power_max_dbm"`
	// MSPowerTargetDBm is the uplink level MS power control steers each
	// phone to on a dedicated channel (saving its battery and the
	// cell's interference); 0 turns power control off.
	MSPowerTargetDBm int `toml:"ms_power_target_dbm"`
	// Barred bars the cell for normal access.
	Barred bool `toml:"barred"`
	// RACHMaxRetrans is the most RACH retransmissions: 1, 2, 4 or 7.
	RACHMaxRetrans int `toml:"rach_max_retrans"`
	// RACHTxInteger is the spread of RACH retransmissions, in slots:
	// 3..12, 14, 16, 20, 25, 32 or 50.
	RACHTxInteger int `toml:"rach_tx_integer"`
	// RadioLinkTimeout is in SACCH blocks: 4..64 in steps of 4.
	RadioLinkTimeout int `toml:"radio_link_timeout"`
	// DTX lets phones use discontinuous transmission on the uplink.
	DTX bool `toml:"dtx"`
}

// Radio is the sample-level setup of the transceiver.
type Radio struct {
	// SamplesPerSymbol is the transceiver's oversampling, 4 by default.
	SamplesPerSymbol int `toml:"samples_per_symbol"`
	// ClockOverride lets a hardware front end transmit on a reference
	// clock the GPS discipline has not locked (rf.Guard.SetOverride): a
	// lab, or a site whose trim was set by a carrier calibration. It is
	// logged at every start. Off by default.
	ClockOverride bool `toml:"clock_override"`
}

// GSMTAP mirrors every frame to Wireshark.
type GSMTAP struct {
	Enabled bool `toml:"enabled"`
	// Remote is HOST:PORT to send to; 4729 is GSMTAP's port.
	Remote string `toml:"remote"`
}

// Log sets logging.
type Log struct {
	// Level is debug, info, warn or error.
	Level string `toml:"level"`
}

// Sim sets the simulated air used by `gsmbox sim` and the qemu board.
type Sim struct {
	// SNRdB is the downlink signal-to-noise ratio seen by listeners.
	SNRdB float64 `toml:"snr_db"`
	// Seed makes the noise reproducible.
	Seed int64 `toml:"seed"`
	// Phones is how many virtual phones the appliance runs on the sim
	// front end's air, provisioned with keys so they authenticate and
	// cipher (0: none). The kernel command line's gsmbox.simphones=N
	// overrides it.
	Phones int `toml:"phones"`
	// SMS is how many text messages each of those phones sends after
	// every start of the cell (0: none), to random others, every
	// alphabet and long ones: SMS traffic on the appliance itself, for
	// the power-cut tests. The kernel command line's gsmbox.simsms=M
	// overrides it.
	SMS int `toml:"sms"`
}

// MaxSimPhones is the most virtual phones one simulated air carries.
const MaxSimPhones = 1000

// MaxSimSMS bounds sim.sms (gsmbox.simsms), messages per virtual phone.
const MaxSimSMS = 10000

// Duration is a time.Duration written as a string ("6h", "30m").
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	d.Duration = v
	return nil
}

// MarshalText writes the duration in Go syntax.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.Duration.String()), nil }

// DefaultDynamicTimeslots is the default cell.dynamic_timeslots: the
// highest two TCH/F timeslots carry SDCCH/8 while the signalling
// outgrows the SDCCHs. Without them a registration storm spills onto the
// TCH/Fs one phone each, and until it is over no call, not even an
// emergency call, finds a channel; with them the other TCH/Fs stay free
// and the storm registers sooner (docs/storm.md has the figures).
const DefaultDynamicTimeslots = 2

// DynamicTS returns the TCH/F timeslots that may become SDCCH/8: the
// cell.dynamic_timeslots highest of cell.tchf_timeslots.
func (c *Config) DynamicTS() []int {
	ts := slices.Clone(c.Cell.TCHFTimeslots)
	slices.Sort(ts)
	n := min(max(c.Cell.DynamicTimeslots, 0), len(ts))
	return ts[len(ts)-n:]
}

// Default returns the built-in configuration: the test network 001/01 on
// GSM900 ARFCN 62, at low power. It is what runs when no file is given.
func Default() *Config {
	return &Config{
		Network: Network{MCC: "001", MNC: "01", Name: "gsmbox test network", ShortName: "gsmbox"},
		Cell: Cell{
			Band:                "GSM900",
			ARFCN:               62,
			LAC:                 1,
			CI:                  1,
			NCC:                 0,
			BCC:                 7,
			TxPowerDBm:          20,
			Neighbours:          []int{},
			AllowedARFCNs:       []string{},
			CombinedCCCH:        false,
			SDCCH8Timeslots:     DefaultSDCCH8Timeslots(),
			TCHFTimeslots:       []int{3, 4, 5, 6, 7},
			VeryEarlyAssignment: true,
			DynamicTimeslots:    DefaultDynamicTimeslots,
			AGBlocksReserved:    1,
			PagingMultiframes:   2,
			PeriodicLU:          Duration{time.Hour},
			RxLevAccessMinDBm:   -110,
			MSTxPowerMaxDBm:     33,
			MSPowerTargetDBm:    -80,
			RACHMaxRetrans:      4,
			RACHTxInteger:       9,
			RadioLinkTimeout:    32,
		},
		Radio:  Radio{SamplesPerSymbol: 4},
		GSMTAP: GSMTAP{Enabled: false, Remote: "127.0.0.1:4729"},
		Log:    Log{Level: "info"},
		Sim:    Sim{SNRdB: 40, Seed: 1},
		Subscribers: Subscribers{
			Policy:       "open",
			MSISDNRange:  "1000-1999",
			OpenPrefixes: []string{},
			DB:           "/perm/gsmbox/subscribers.db",
		},
		Security:  Security{Authenticate: true, Ciphers: []string{"A5/3", "A5/1"}, AuthEvery: 4, KeyMaxAge: Duration{30 * time.Minute}},
		Calls:     Calls{NoAnswer: Duration{60 * time.Second}, CDR: "/perm/gsmbox/cdr.log"},
		Emergency: Emergency{Target: "", Numbers: []string{"112", "911"}, WithoutSIM: true},
		Console:   Console{Listen: []string{":443"}},
		Net:       Net{Mode: "dhcp", DNS: []string{}, NTP: []string{"pool.ntp.org"}},
		SMS: SMS{Enabled: true, MaxQueued: 10000, MaxPerRecipient: 100,
			Validity: Duration{72 * time.Hour}, MaxValidity: Duration{7 * 24 * time.Hour},
			Retry:     []Duration{{30 * time.Second}, {2 * time.Minute}, {10 * time.Minute}, {30 * time.Minute}, {time.Hour}},
			PageRetry: Duration{2 * time.Second}, Sender: "gsmbox", SCAddress: "100"},
		USSD: USSD{Enabled: true, Codes: []USSDCode{}, Menus: []USSDMenu{}},
		SIP:  SIP{Trunk: []Trunk{}},
	}
}

// Clone returns a deep copy of c: its slices are its own.
func (c *Config) Clone() *Config {
	n := *c
	cloneSlices(reflect.ValueOf(&n).Elem())
	return &n
}

func cloneSlices(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				cloneSlices(v.Field(i))
			}
		}
	case reflect.Slice:
		if !v.IsNil() {
			s := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
			reflect.Copy(s, v)
			v.Set(s)
		}
	}
}

// DefaultSDCCH8Timeslots returns the default SDCCH/8 timeslots: 1 and 2.
// With the default non-combined CCCH on timeslot 0 (no SDCCH/4) that
// makes 16 signalling channels, enough for a village of 200 phones that
// all register at once after a power cut to be through in under a minute
// (issue #16; one location update holds an SDCCH for about 4 s; the worst
// phone registers after about 35 s of air, docs/storm.md). One SDCCH/8
// timeslot alone is not enough (about 70 s). Timeslots 3..7 stay for
// traffic: two local calls.
func DefaultSDCCH8Timeslots() []int { return []int{1, 2} }
