package console

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/lan"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/gsm/core"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/core/trunk"
	"github.com/gsmbox/gsmbox/gsm/l1"
)

func contextWith(r *http.Request, c *caller) context.Context {
	return context.WithValue(r.Context(), callerKey{}, c)
}

// Status is the overview: /api/status.
type Status struct {
	OnAir bool   `json:"on_air"`
	Why   string `json:"why"`
	// Transmitter is the transmitter's state: keyed, or off and why
	// ("" on the simulator).
	Transmitter string  `json:"transmitter,omitempty"`
	Network     string  `json:"network"`
	PLMN        string  `json:"plmn"`
	Band        string  `json:"band"`
	ARFCN       int     `json:"arfcn"`
	BSIC        int     `json:"bsic"`
	LAC         int     `json:"lac"`
	CI          int     `json:"ci"`
	TxPowerDBm  float64 `json:"tx_power_dbm"`
	FN          uint32  `json:"fn"`
	Frames      uint64  `json:"frames"`
	UptimeS     float64 `json:"uptime_s"`
	Version     string  `json:"version"`
	Commit      string  `json:"commit"`
	ImageSHA256 string  `json:"image_sha256"`
	Board       string  `json:"board"`
	LastUSB     string  `json:"last_usb"`
	// DataRestored is the registry's recovery report, "" when none.
	DataRestored string    `json:"data_restored"`
	Fingerprint  string    `json:"tls_fingerprint"`
	Hardware     *Hardware `json:"hardware"` // null: this board has no such sensors (n/a)
	Subscribers  int       `json:"subscribers"`
	Attached     int       `json:"attached"`
	Sessions     int       `json:"sessions"`
	Features     struct {
		SMS   bool `json:"sms"`
		Calls bool `json:"calls"`
	} `json:"features"`
	PasswordSet bool `json:"password_set"`
	// Net is the box's address and wall clock; null when the network is
	// not managed (the simulator).
	Net *lan.Status `json:"net"`
	// ConsoleURLs are the addresses the console is reached at.
	ConsoleURLs []string `json:"console_urls"`
	// Stream is a hardware radio's sample stream (null on the simulated
	// air).
	Stream *Stream `json:"stream"`
	// Trunks is each SIP trunk's registration and calls (never a
	// password).
	Trunks []trunk.Status `json:"trunks,omitempty"`
}

// Stream is the sample stream of a USB radio (LimeSDR Mini, LimeNET
// Micro) and its interlock: counters are totals since boot, over every
// restart of the cell.
type Stream struct {
	Frontend     string  `json:"frontend"`
	Chain        string  `json:"chain"`
	Up           bool    `json:"up"`
	Healthy      bool    `json:"healthy"`
	Starts       uint64  `json:"starts"`
	OpenFailures uint64  `json:"open_failures"`
	LastError    string  `json:"last_error"`
	RXPackets    uint64  `json:"rx_packets"`
	TXPackets    uint64  `json:"tx_packets"`
	RXLost       uint64  `json:"rx_lost_packets"`
	TXLate       uint64  `json:"tx_late_packets"`
	Underruns    uint64  `json:"underruns"`
	Overruns     uint64  `json:"overruns"`
	Suppressed   uint64  `json:"tx_suppressed_samples"`
	Unplugs      uint64  `json:"unplugs"`
	Stalls       uint64  `json:"stalls"`
	Faults       uint64  `json:"faults"`
	RXBytesPerS  float64 `json:"rx_bytes_per_second"`
	TXBytesPerS  float64 `json:"tx_bytes_per_second"`
	Interlock    string  `json:"interlock"`
	Trips        uint64  `json:"interlock_trips"`
	// ClockSource is what vouches for the radio's reference clock
	// (gps-disciplined, calibrated-from-cells, override, none; n/a
	// while the radio is down), ClockDetail the same in words: with
	// none, what the operator can do about it.
	ClockSource string `json:"clock_source"`
	ClockDetail string `json:"clock_detail"`
	// ClockCalibration is the calibration against nearby GSM cells at
	// the cell's start, null when not attempted (the override).
	ClockCalibration *node.ClockCalibration `json:"clock_calibration"`
	// Channel is the boot-time channel choice ([cell] arfcn = "auto"),
	// null when the ARFCN is fixed.
	Channel *node.ChannelChoice `json:"channel"`
	// TXCal is the latest bring-up's TX calibration (LO leakage and
	// image before and after), null before the first.
	TXCal *node.TXCalStatus `json:"tx_calibration"`
}

// streamStatus converts the cell's radio snapshot (nil: none).
func streamStatus(r *node.RadioSnapshot) *Stream {
	if r == nil {
		return nil
	}
	st := r.Stream
	out := &Stream{Frontend: r.Frontend, Chain: r.Chain, Up: r.Up, Healthy: r.Up && st.Healthy, Starts: r.Starts,
		OpenFailures: r.OpenFailures, LastError: r.LastError, RXPackets: st.RXPackets, TXPackets: st.TXPackets,
		RXLost: st.RXLost, TXLate: st.Late, Underruns: st.Underruns, Overruns: st.Overruns, Suppressed: st.Suppressed,
		Unplugs: st.Unplugs, Stalls: st.Stalls, Faults: st.Faults, RXBytesPerS: r.RXBytesPerSec, TXBytesPerS: r.TXBytesPerSec,
		Interlock: "n/a", Trips: r.Interlock.TotalTrips, Channel: r.Scan, TXCal: r.Cal, ClockSource: "n/a", ClockCalibration: r.ClockCal}
	if r.Up {
		out.ClockSource, out.ClockDetail = r.Interlock.ClockSource.String(), r.Interlock.ClockDetail
		out.Interlock = r.Interlock.State.String()
		if r.Interlock.TotalTrips > 0 {
			out.Interlock += " (last trip " + r.Interlock.LastTrip.String() + ")"
		}
	}
	return out
}

func (s *Server) snapshot() node.Snapshot {
	if s.cfg.Host.Snapshot == nil {
		return node.Snapshot{}
	}
	return s.cfg.Host.Snapshot()
}

func (s *Server) registry() *registry.Registry {
	if s.cfg.Host.Registry == nil {
		return nil
	}
	return s.cfg.Host.Registry()
}

func (s *Server) status() Status {
	h := s.cfg.Host
	snap := s.snapshot()
	st := Status{OnAir: snap.Running, FN: uint32(snap.FN), Frames: snap.Frames, Version: h.Version, Commit: h.Commit,
		ImageSHA256: h.ImageSHA256, Board: h.Board, Fingerprint: s.fp, Sessions: len(snap.Core.Sessions), PasswordSet: s.creds.HasAdmin(),
		Trunks: snap.Trunks}
	if !h.Started.IsZero() {
		st.UptimeS = s.now().Sub(h.Started).Seconds()
	}
	if st.OnAir {
		st.Why = "on air"
	} else {
		st.Why = "the cell is not running"
		if h.OffAir != nil {
			if w := h.OffAir(); w != "" {
				st.Why = w
			}
		}
	}
	if h.Config != nil {
		if c := h.Config.Current(); c != nil {
			st.Network, st.PLMN = c.Network.Name, c.Network.MCC+"-"+c.Network.MNC
			st.Band, st.ARFCN, st.BSIC = c.Cell.Band, c.Cell.ARFCN, int(c.BSIC().Value())
			st.LAC, st.CI, st.TxPowerDBm = c.Cell.LAC, c.Cell.CI, c.Cell.TxPowerDBm
		}
	}
	if h.LastUSB != nil {
		st.LastUSB = h.LastUSB()
	}
	if h.Transmitter != nil {
		st.Transmitter = h.Transmitter()
	}
	if h.DataRestored != nil {
		st.DataRestored = h.DataRestored()
	}
	if h.Hardware != nil {
		hw := h.Hardware()
		st.Hardware = &hw
	}
	if reg := s.registry(); reg != nil {
		st.Subscribers, _ = reg.Count()
	}
	if h.Net != nil {
		if n := h.Net(); n.Mode != "" {
			st.Net = &n
			if n.HasAddress() {
				st.ConsoleURLs = lan.ConsoleURLs(append([]string{s.cfg.Addr}, s.cfg.MoreAddrs...), n.IP())
			}
		}
	}
	st.Attached = len(s.attached())
	st.Features.SMS, st.Features.Calls = h.SMS != nil, h.Calls != nil
	st.Stream = streamStatus(snap.Radio)
	if snap.Radio != nil && snap.Radio.Scan != nil {
		st.ARFCN = int(snap.Radio.Scan.ARFCN) // arfcn = "auto": the channel chosen
	}
	if st.Stream != nil && st.Hardware == nil {
		st.Hardware = &Hardware{Interlock: st.Stream.Interlock, InterlockTrips: &st.Stream.Trips}
	}
	return st
}

func (s *Server) apiStatus(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.status())
}

// apiSetup is the one thing the console answers without credentials:
// whether one is set, how to set one, and the certificate fingerprint.
func (s *Server) apiSetup(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"password_set": s.creds.HasAdmin(), "tls_fingerprint": s.fp, "how": setupHow})
}

const setupHow = "Put a file named console_password on a USB stick holding the new password (10 to 256 characters) and plug it in; the box stores only a hash and blanks the file. Or, on the serial console, run: gsmbox console passwd"

// Subscriber is a subscriber as the API shows it: never a key.
type Subscriber struct {
	IMSI      string    `json:"imsi"`
	MSISDN    string    `json:"msisdn"`
	Name      string    `json:"name"`
	Algorithm string    `json:"algorithm"`
	HasKey    bool      `json:"has_key"`
	IMEI      string    `json:"imei"`
	Barred    bool      `json:"barred"`
	TMSI      string    `json:"tmsi"`
	LAI       string    `json:"lai"`
	Attached  bool      `json:"attached"`
	LastSeen  time.Time `json:"last_seen"`
	Created   time.Time `json:"created"`
	// Signal is the phone's last-known radio link (in /api/phones only;
	// null when never measured).
	Signal *Signal `json:"signal,omitempty"`
}

func apiSubscriber(v *registry.Subscriber) Subscriber {
	out := Subscriber{IMSI: v.IMSI, MSISDN: v.MSISDN, Name: v.Name, HasKey: v.HasKey(), Barred: v.Barred,
		Attached: v.Attached, LastSeen: v.LastSeen, Created: v.Created, Algorithm: "none"}
	if v.HasKey() {
		out.Algorithm = v.Algorithm.String()
	}
	if !v.IMEI.IsZero() {
		out.IMEI = v.IMEI.String()
	}
	if v.TMSI != registry.NoTMSI {
		out.TMSI = v.TMSI.String()
		out.LAI = v.LAI.String()
	}
	return out
}

// attached lists the subscribers the registry holds as attached.
func (s *Server) attached() []Subscriber {
	reg := s.registry()
	if reg == nil {
		return nil
	}
	p, err := reg.List("", 0)
	if err != nil {
		return nil
	}
	var out []Subscriber
	for i := range p.Subscribers {
		if p.Subscribers[i].Attached {
			out = append(out, apiSubscriber(&p.Subscribers[i]))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].LastSeen.After(out[j].LastSeen) })
	return out
}

// Session is a connection in progress, from the core's session table.
type Session struct {
	IMSI      string    `json:"imsi"`
	Channel   string    `json:"channel"`
	Procedure string    `json:"procedure"`
	State     string    `json:"state"`
	Since     time.Time `json:"since"`
	Pending   int       `json:"pending"`
	Signal    *Signal   `json:"signal"` // null until measured
}

// Signal is a phone's radio link as last measured: the uplink at the
// BTS and the phone's own Measurement Report (gsm/core Signal).
type Signal struct {
	At        time.Time `json:"at"`
	UplinkDBm float64   `json:"uplink_dbm"`
	// DownlinkDBm (from RXLEV, -110..-47) and RxQual (0..7, lower is
	// better; TS 45.008 §8.2.4) are null until the phone reported.
	DownlinkDBm *int `json:"downlink_dbm"`
	RxQual      *int `json:"rxqual"`
	// TA is the timing advance (bit periods); DistanceM is TA × 553.5 m.
	TA        int     `json:"ta"`
	DistanceM float64 `json:"distance_m"`
	MSPower   int     `json:"ms_power_level"`
}

func apiSignal(s core.Signal) *Signal {
	if s.At.IsZero() {
		return nil
	}
	out := &Signal{At: s.At, UplinkDBm: math.Round(float64(s.UplinkDBm)*10) / 10, TA: int(s.TA), DistanceM: s.DistanceM(), MSPower: int(s.MSPower)}
	if s.Report {
		dl, q := s.DownlinkDBm(), int(s.RxQual)
		out.DownlinkDBm, out.RxQual = &dl, &q
	}
	return out
}

func (s *Server) apiPhones(w http.ResponseWriter, r *http.Request) {
	snap := s.snapshot()
	out := struct {
		Sessions []Session    `json:"sessions"`
		Attached []Subscriber `json:"attached"`
		History  []LUEvent    `json:"history"`
	}{Sessions: []Session{}, Attached: s.attached(), History: []LUEvent{}}
	for _, v := range snap.Core.Sessions {
		out.Sessions = append(out.Sessions, Session{IMSI: v.IMSI, Channel: v.Chan.String(), Procedure: v.Procedure, State: v.State, Since: v.Since, Pending: len(v.Pending), Signal: apiSignal(v.Signal)})
	}
	for i := range out.Attached {
		if sig, ok := snap.Core.Signals[out.Attached[i].IMSI]; ok {
			out.Attached[i].Signal = apiSignal(sig)
		}
	}
	sort.Slice(out.Sessions, func(i, j int) bool { return out.Sessions[i].IMSI < out.Sessions[j].IMSI })
	if out.Attached == nil {
		out.Attached = []Subscriber{}
	}
	if s.cfg.Host.History != nil {
		out.History = s.cfg.Host.History.Events()
	}
	writeJSON(w, http.StatusOK, out)
}

// Radio is /api/radio: the channel layout, what is busy and the cell's
// counters.
type Radio struct {
	Slots    []string          `json:"slots"`
	Busy     map[string]int    `json:"busy"` // channel type → in use now
	Counters map[string]uint64 `json:"counters"`
	// Uplink is the received level and block error rate per channel
	// type: SDCCH, SACCH, TCH, RACH (gsm/l1 UplinkStats.ByClass).
	Uplink []UplinkClass `json:"uplink"`
	// Pictures says whether the cell has a receive scope: the spectrum
	// and constellation at /api/radio/spectrum.svg and constellation.svg.
	Pictures bool `json:"pictures"`
	// Stream is the hardware radio's sample stream (null on the
	// simulated air).
	Stream *Stream `json:"stream"`
}

// UplinkClass is the uplink of one channel type.
type UplinkClass struct {
	Channel   string `json:"channel"`
	Blocks    uint64 `json:"blocks"`
	BadBlocks uint64 `json:"bad_blocks"`
	// RxLevDBm is the running average received level, BLER the running
	// average share of bad blocks (0..1); null until measured.
	RxLevDBm *float64 `json:"rxlev_dbm"`
	BLER     *float64 `json:"bler"`
}

// uplinkClasses reads the per-type uplink measurements of a snapshot.
func uplinkClasses(snap *node.Snapshot) []UplinkClass {
	out := make([]UplinkClass, 0, l1.NumMeasClasses)
	for c := l1.MeasClass(0); c < l1.NumMeasClasses; c++ {
		m := snap.Cell.UplinkByClass[c]
		u := UplinkClass{Channel: c.String(), Blocks: m.Blocks, BadBlocks: m.BadBlocks}
		if m.Levels > 0 {
			v := math.Round(float64(m.LevelDBm)*10) / 10
			u.RxLevDBm = &v
		}
		if m.Blocks > 0 {
			v := math.Round(float64(m.BLER)*1e4) / 1e4
			u.BLER = &v
		}
		out = append(out, u)
	}
	return out
}

func (s *Server) apiRadio(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.radio())
}

func (s *Server) radio() Radio {
	snap := s.snapshot()
	out := Radio{Busy: map[string]int{}, Counters: counters(&snap), Uplink: uplinkClasses(&snap), Pictures: s.scope() != nil, Stream: streamStatus(snap.Radio)}
	if s.cfg.Host.Config != nil {
		if c := s.cfg.Host.Config.Current(); c != nil {
			out.Slots = slotLayout(c)
		}
	}
	if ts := snap.Cell.Timeslots; ts[0] != l1.CombOff {
		// The running cell's layout: a dynamic timeslot shows what it
		// carries now.
		out.Slots = liveSlots(ts)
	}
	for _, v := range snap.Core.Sessions {
		if v.Procedure == "" && v.State == "idle" {
			continue
		}
		t := v.Chan.String()
		if i := strings.IndexAny(t, "(0123456789"); i > 0 {
			t = strings.TrimSpace(t[:i])
		}
		out.Busy[t]++
	}
	return out
}

func slotLayout(c *config.Config) []string {
	slots := make([]string, 8)
	for i := range slots {
		slots[i] = "off"
	}
	if c.Cell.CombinedCCCH {
		slots[0] = "BCCH+CCCH+SDCCH/4"
	} else {
		slots[0] = "BCCH+CCCH"
	}
	for _, tn := range c.Cell.SDCCH8Timeslots {
		if tn > 0 && tn < 8 {
			slots[tn] = "SDCCH/8"
		}
	}
	return slots
}

// liveSlots names the running cell's timeslot combinations.
func liveSlots(ts [8]l1.Combination) []string {
	slots := make([]string, len(ts))
	for tn, c := range ts {
		switch c {
		case l1.CombIV:
			slots[tn] = "BCCH+CCCH"
		case l1.CombV:
			slots[tn] = "BCCH+CCCH+SDCCH/4"
		case l1.CombVII:
			slots[tn] = "SDCCH/8"
		case l1.CombI:
			slots[tn] = "TCH/F"
		default:
			slots[tn] = "off"
		}
	}
	return slots
}

// counters are the cell's and the core's counters by metric-like name.
func counters(snap *node.Snapshot) map[string]uint64 {
	c, d := &snap.Cell, &snap.Cell.Dedicated
	k := &snap.Core.Stats
	m := map[string]uint64{
		"rach_access_bursts":    c.AccessBursts,
		"rach_bad":              c.Uplink.AccessBad,
		"agch_assignments":      d.Assigned,
		"agch_rejects":          d.Rejected,
		"agch_dropped":          d.AGCHDropped,
		"channels_activated":    d.Activated,
		"t3101_expired":         d.T3101Expired,
		"dynamic_to_sdcch":      c.Dynamic.ToSDCCH,
		"dynamic_to_tch":        c.Dynamic.ToTCH,
		"radio_link_lost":       d.RadioLinkLost,
		"channels_released":     d.Released,
		"uplink_blocks":         c.Uplink.Blocks,
		"uplink_bad_blocks":     c.Uplink.BadBlocks,
		"downlink_blocks":       c.Downlink.Blocks,
		"downlink_fill":         c.Downlink.Fill,
		"paging_sent":           c.Downlink.PagingSent,
		"paging_dropped":        c.Downlink.PagingDrop,
		"core_connections":      k.Connections,
		"core_meas_results":     k.MeasResults,
		"core_registry_lookups": k.Lookups,
		"core_registry_commits": k.Commits,
		"inbox_dropped":         snap.Inbox.Dropped,
	}
	for o, n := range k.Outcomes {
		m["mm_"+strings.ReplaceAll(o.String(), " ", "_")] = n
	}
	return m
}

func (s *Server) apiSubscribers(w http.ResponseWriter, r *http.Request) {
	reg := s.registry()
	if reg == nil {
		apiError(w, http.StatusServiceUnavailable, "the subscriber registry is not open (the cell is stopped)")
		return
	}
	q := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("q")))
	p, err := reg.List("", 0)
	if err != nil {
		apiError(w, http.StatusInternalServerError, err.Error())
		return
	}
	out := struct {
		Total       int          `json:"total"`
		Subscribers []Subscriber `json:"subscribers"`
	}{Total: p.Total, Subscribers: []Subscriber{}}
	for i := range p.Subscribers {
		v := &p.Subscribers[i]
		if q != "" && !strings.Contains(v.IMSI, q) && !strings.Contains(v.MSISDN, q) && !strings.Contains(strings.ToLower(v.Name), q) {
			continue
		}
		if len(out.Subscribers) == 1000 {
			break
		}
		out.Subscribers = append(out.Subscribers, apiSubscriber(v))
	}
	writeJSON(w, http.StatusOK, out)
}

// SubscriberInput is an add or an edit. Fields left out (nil) are not
// changed by an edit. Keys go in, never out.
type SubscriberInput struct {
	IMSI      string  `json:"imsi"`
	MSISDN    *string `json:"msisdn"`
	Name      *string `json:"name"`
	Algorithm *string `json:"algorithm"`
	Ki        *string `json:"ki"`
	OPc       *string `json:"opc"`
	OP        *string `json:"op"`
	IMEI      *string `json:"imei"`
	Barred    *bool   `json:"barred"`
}

// csv makes the input a one-row subscribers.csv, so that it goes through
// exactly the parser and checks of the USB stick's and the CLI's import.
func (in *SubscriberInput) csv() []byte {
	cols, vals := []string{"imsi"}, []string{in.IMSI}
	add := func(col string, v *string) {
		if v != nil && (*v != "" || col == "msisdn" || col == "name" || col == "imei") {
			cols, vals = append(cols, col), append(vals, *v)
		}
	}
	add("msisdn", in.MSISDN)
	add("name", in.Name)
	add("algorithm", in.Algorithm)
	add("ki", in.Ki)
	add("opc", in.OPc)
	add("op", in.OP)
	add("imei", in.IMEI)
	if in.Barred != nil {
		cols, vals = append(cols, "authorized"), append(vals, strconv.FormatBool(!*in.Barred))
	}
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.Write(cols)
	cw.Write(vals)
	cw.Flush()
	return b.Bytes()
}

// changed names the fields an input sets, for the audit log (never the
// key values).
func (in *SubscriberInput) changed() string {
	var f []string
	for _, kv := range []struct {
		n   string
		set bool
	}{{"msisdn", in.MSISDN != nil}, {"name", in.Name != nil}, {"algorithm", in.Algorithm != nil}, {"ki", in.Ki != nil && *in.Ki != ""},
		{"opc", in.OPc != nil && *in.OPc != ""}, {"op", in.OP != nil && *in.OP != ""}, {"imei", in.IMEI != nil}, {"barred", in.Barred != nil}} {
		if kv.set {
			f = append(f, kv.n)
		}
	}
	return strings.Join(f, ",")
}

func (s *Server) importSubs(w http.ResponseWriter, r *http.Request, action, target, detail string, data []byte, mode registry.ImportMode, dry bool) {
	reg := s.registry()
	if reg == nil {
		apiError(w, http.StatusServiceUnavailable, "the subscriber registry is not open (the cell is stopped)")
		return
	}
	res, err := reg.ImportCSV(bytes.NewReader(data), mode, dry)
	if !dry {
		s.record(r, action, target, detail, err)
	}
	if err != nil {
		msg := err.Error()
		if action != "subscriber.import" {
			// One subscriber went in as line 2 of a one-row file: the line
			// number means nothing to whoever filled in the form.
			msg = strings.ReplaceAll(msg, "line 2: ", "")
		}
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": msg, "problems": strings.Split(msg, "\n")})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"added": res.Added, "updated": res.Updated, "dry_run": dry})
}

func (s *Server) apiSubscriberAdd(w http.ResponseWriter, r *http.Request) {
	var in SubscriberInput
	if !readJSON(w, r, &in) {
		return
	}
	s.importSubs(w, r, "subscriber.add", in.IMSI, in.changed(), in.csv(), registry.ImportAdd, false)
}

func (s *Server) apiSubscriberSet(w http.ResponseWriter, r *http.Request) {
	var in SubscriberInput
	if !readJSON(w, r, &in) {
		return
	}
	if in.IMSI != "" && in.IMSI != r.PathValue("imsi") {
		apiError(w, http.StatusBadRequest, "the IMSI cannot be changed; remove and add instead")
		return
	}
	in.IMSI = r.PathValue("imsi")
	reg := s.registry()
	if reg == nil {
		apiError(w, http.StatusServiceUnavailable, "the subscriber registry is not open")
		return
	}
	if _, err := reg.Get(in.IMSI); err != nil {
		apiError(w, http.StatusNotFound, err.Error())
		return
	}
	s.importSubs(w, r, "subscriber.edit", in.IMSI, in.changed(), in.csv(), registry.ImportUpdate, false)
}

func (s *Server) apiSubscriberRemove(w http.ResponseWriter, r *http.Request) {
	reg := s.registry()
	if reg == nil {
		apiError(w, http.StatusServiceUnavailable, "the subscriber registry is not open")
		return
	}
	imsi := r.PathValue("imsi")
	err := reg.Remove(imsi)
	s.record(r, "subscriber.remove", imsi, "", err)
	if err != nil {
		code := http.StatusUnprocessableEntity
		if errors.Is(err, registry.ErrNotFound) {
			code = http.StatusNotFound
		}
		apiError(w, code, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// exportColumns are the console export's columns: the import format
// without the keys (keys are write-only; a key backup is the registry's
// own backup file, not a download).
var exportColumns = []string{"imsi", "msisdn", "imei", "authorized", "name"}

func (s *Server) apiSubscribersExport(w http.ResponseWriter, r *http.Request) {
	reg := s.registry()
	if reg == nil {
		apiError(w, http.StatusServiceUnavailable, "the subscriber registry is not open")
		return
	}
	p, err := reg.List("", 0)
	if err != nil {
		apiError(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="subscribers.csv"`)
	cw := csv.NewWriter(w)
	cw.Write(exportColumns)
	for i := range p.Subscribers {
		v := &p.Subscribers[i]
		imei := ""
		if !v.IMEI.IsZero() {
			imei = v.IMEI.String()
		}
		cw.Write([]string{v.IMSI, v.MSISDN, imei, strconv.FormatBool(!v.Barred), v.Name})
	}
	cw.Flush()
}

func (s *Server) apiSubscribersImport(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCSV))
	if err != nil {
		apiError(w, http.StatusRequestEntityTooLarge, "CSV too large")
		return
	}
	mode := registry.ImportAdd
	if r.URL.Query().Get("update") == "true" {
		mode = registry.ImportUpdate
	}
	dry := r.URL.Query().Get("dry_run") == "true"
	s.importSubs(w, r, "subscriber.import", "", fmt.Sprintf("%d bytes", len(data)), data, mode, dry)
}

// ConfigView is /api/config.
type ConfigView struct {
	Text        string `json:"text"`
	Source      string `json:"source"`
	HasPrevious bool   `json:"has_previous"`
}

// Problem is one configuration problem, as the USB report gives it.
type Problem struct {
	Line int    `json:"line"`
	Key  string `json:"key"`
	Msg  string `json:"msg"`
	Text string `json:"text"`
}

func (s *Server) apiConfig(w http.ResponseWriter, r *http.Request) {
	cs := s.cfg.Host.Config
	if cs == nil {
		apiError(w, http.StatusServiceUnavailable, "no configuration store")
		return
	}
	text, src := cs.Running()
	writeJSON(w, http.StatusOK, ConfigView{Text: string(text), Source: src, HasPrevious: cs.Previous() != nil})
}

func problems(err error) []Problem {
	var ce *config.Error
	if errors.As(err, &ce) {
		out := make([]Problem, len(ce.Problems))
		for i, p := range ce.Problems {
			out[i] = Problem{Line: p.Line, Key: p.Key, Msg: p.Msg, Text: p.String()}
		}
		return out
	}
	return []Problem{{Msg: err.Error(), Text: err.Error()}}
}

func (s *Server) configBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if s.cfg.Host.Config == nil {
		apiError(w, http.StatusServiceUnavailable, "no configuration store")
		return nil, false
	}
	var in struct {
		Text string `json:"text"`
	}
	if !readJSONMax(w, r, &in, maxConfig) {
		return nil, false
	}
	return []byte(in.Text), true
}

func (s *Server) apiConfigValidate(w http.ResponseWriter, r *http.Request) {
	text, ok := s.configBody(w, r)
	if !ok {
		return
	}
	if _, err := s.cfg.Host.Config.Check(text); err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"ok": false, "problems": problems(err)})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "problems": []Problem{}})
}

func (s *Server) apiConfigApply(w http.ResponseWriter, r *http.Request) {
	text, ok := s.configBody(w, r)
	if !ok {
		return
	}
	cs := s.cfg.Host.Config
	var diff []string
	if nc, err := cs.Check(text); err == nil {
		for _, c := range config.Diff(cs.Current(), nc) {
			diff = append(diff, c.String())
		}
	}
	err := cs.Apply(text)
	s.record(r, "config.apply", "gsmbox.toml", strings.Join(diff, "; "), err)
	if err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"ok": false, "problems": problems(err)})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "changes": diff})
}

func (s *Server) apiConfigRevert(w http.ResponseWriter, r *http.Request) {
	cs := s.cfg.Host.Config
	if cs == nil {
		apiError(w, http.StatusServiceUnavailable, "no configuration store")
		return
	}
	err := cs.Revert()
	s.record(r, "config.revert", "gsmbox.toml", "", err)
	if err != nil {
		apiError(w, http.StatusConflict, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

func (s *Server) apiLogs(w http.ResponseWriter, r *http.Request) {
	out := struct {
		Seq   uint64   `json:"seq"`
		Lines []string `json:"lines"`
	}{Lines: []string{}}
	if l := s.cfg.Host.Logs; l != nil {
		out.Seq = l.Seq()
		lines := l.Lines()
		since, _ := strconv.ParseUint(r.URL.Query().Get("since"), 10, 64)
		if since > 0 && since <= out.Seq {
			if n := int(out.Seq - since); n < len(lines) {
				lines = lines[len(lines)-n:]
			}
		}
		if len(lines) > 500 {
			lines = lines[len(lines)-500:]
		}
		out.Lines = append(out.Lines, lines...)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiLogsText(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="gsmbox.log"`)
	if l := s.cfg.Host.Logs; l != nil {
		for _, line := range l.Lines() {
			io.WriteString(w, line+"\n")
		}
	}
}

func (s *Server) apiAudit(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"entries": s.audit.recent(200)})
}

func (s *Server) apiTokens(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"tokens": s.creds.Tokens()})
}

func (s *Server) apiTokenNew(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name   string   `json:"name"`
		Scopes []string `json:"scopes"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	secret, t, err := s.creds.NewToken(in.Name, in.Scopes, s.now())
	s.record(r, "token.create", in.Name, strings.Join(in.Scopes, ","), err)
	if err != nil {
		apiError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"token": secret, "info": t})
}

func (s *Server) apiTokenRevoke(w http.ResponseWriter, r *http.Request) {
	ok, err := s.creds.RevokeToken(r.PathValue("id"))
	s.record(r, "token.revoke", r.PathValue("id"), "", err)
	switch {
	case err != nil:
		apiError(w, http.StatusInternalServerError, err.Error())
	case !ok:
		apiError(w, http.StatusNotFound, "no such token")
	default:
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	}
}

func (s *Server) apiPassword(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Current string `json:"current"`
		New     string `json:"new"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	c := callerOf(r)
	if c.who != "local" {
		if code, msg, ss := s.login(r, in.Current); ss == nil {
			apiError(w, code, "current password: "+msg)
			return
		}
	}
	err := s.creds.SetPassword(in.New, s.now())
	s.record(r, "password.change", "admin", "", err)
	if err != nil {
		apiError(w, http.StatusBadRequest, err.Error())
		return
	}
	s.sess.removeAll()
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

func (s *Server) apiFeature(get func() Feature, name string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f := get()
		if f == nil {
			apiError(w, http.StatusNotImplemented, name+" is not available in this build")
			return
		}
		v, err := f.View(r.Context())
		if err != nil {
			apiError(w, http.StatusInternalServerError, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, v)
	}
}
