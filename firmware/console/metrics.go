package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gsmbox/gsmbox/gsm/mm"
)

// Metrics use github.com/prometheus/client_golang rather than a
// hand-written exposition: it is Prometheus's own library, keeps the
// text format, escaping, HELP/TYPE lines and content negotiation right as
// the format evolves, and its registry refuses inconsistent metrics at
// start-up. The network's figures are read from one node.Snapshot per
// scrape (a Collector), so /metrics, the dashboard and the API show the
// same numbers and a scrape never touches the cell loop.

type metrics struct {
	s      *Server
	reg    *prometheus.Registry
	logins *prometheus.CounterVec
	denied *prometheus.CounterVec
	h      http.Handler
}

func newMetrics(s *Server) *metrics {
	m := &metrics{s: s, reg: prometheus.NewRegistry()}
	m.logins = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gsmbox_console_logins_total", Help: "Console password logins by result (ok, failed, limited)."}, []string{"result"})
	m.denied = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "gsmbox_console_denied_total", Help: "Console API requests refused, by reason."}, []string{"reason"})
	m.reg.MustRegister(m.logins, m.denied, &collector{s: s})
	m.h = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{MaxRequestsInFlight: 4})
	return m
}

func (s *Server) metricsHandler(w http.ResponseWriter, r *http.Request) {
	if !s.cfg.MetricsOpen {
		c := s.identify(r)
		if c == nil {
			s.metric.denied.WithLabelValues("unauthenticated").Inc()
			apiError(w, http.StatusUnauthorized, "authentication required (a token with the metrics scope)")
			return
		}
		if !c.can(ScopeMetrics) {
			s.metric.denied.WithLabelValues("scope").Inc()
			apiError(w, http.StatusForbidden, "this token lacks the metrics scope")
			return
		}
	}
	s.metric.h.ServeHTTP(w, r)
}

type desc struct {
	d *prometheus.Desc
	t prometheus.ValueType
}

func newDesc(name, help string, t prometheus.ValueType, labels ...string) desc {
	return desc{prometheus.NewDesc(name, help, labels, nil), t}
}

var (
	dOnAir       = newDesc("gsmbox_cell_on_air", "1 when the cell loop is running (the carrier is transmitted).", prometheus.GaugeValue)
	dFrames      = newDesc("gsmbox_cell_frames_total", "TDMA frames the cell loop has run.", prometheus.CounterValue)
	dUptime      = newDesc("gsmbox_uptime_seconds", "Seconds since gsmbox started.", prometheus.GaugeValue)
	dInfo        = newDesc("gsmbox_build_info", "Build and cell identity; always 1.", prometheus.GaugeValue, "version", "commit", "band", "arfcn", "plmn")
	dARFCN       = newDesc("gsmbox_cell_arfcn", "The BCCH carrier's ARFCN.", prometheus.GaugeValue)
	dTxPower     = newDesc("gsmbox_cell_tx_power_dbm", "Configured carrier output power in dBm.", prometheus.GaugeValue)
	dRACH        = newDesc("gsmbox_rach_access_bursts_total", "Channel requests decoded on the RACH.", prometheus.CounterValue)
	dRACHBad     = newDesc("gsmbox_rach_bad_total", "Access bursts on RACH positions that did not decode.", prometheus.CounterValue)
	dAssign      = newDesc("gsmbox_agch_immediate_assignments_total", "Immediate Assignments queued on the AGCH.", prometheus.CounterValue)
	dReject      = newDesc("gsmbox_agch_immediate_assignment_rejects_total", "Immediate Assignment Rejects (no channel free).", prometheus.CounterValue)
	dAGCHDrop    = newDesc("gsmbox_agch_dropped_total", "Grants dropped because the AGCH queue was full.", prometheus.CounterValue)
	dActivated   = newDesc("gsmbox_channels_activated_total", "Dedicated channels on which the phone showed up.", prometheus.CounterValue)
	dT3101       = newDesc("gsmbox_t3101_expired_total", "Assignments the phone never used (T3101).", prometheus.CounterValue)
	dRLT         = newDesc("gsmbox_radio_link_lost_total", "Channels released on radio link timeout.", prometheus.CounterValue)
	dULBlocks    = newDesc("gsmbox_uplink_blocks_total", "Uplink blocks decoded, good and bad.", prometheus.CounterValue)
	dULBad       = newDesc("gsmbox_uplink_bad_blocks_total", "Uplink blocks that failed to decode.", prometheus.CounterValue)
	dDLBlocks    = newDesc("gsmbox_downlink_blocks_total", "Downlink blocks encoded.", prometheus.CounterValue)
	dDLFill      = newDesc("gsmbox_downlink_fill_blocks_total", "Downlink fill blocks (nothing to send).", prometheus.CounterValue)
	dPaging      = newDesc("gsmbox_paging_messages_total", "Paging messages sent on the PCH.", prometheus.CounterValue)
	dPagingDrop  = newDesc("gsmbox_paging_dropped_total", "Paging requests refused because the queue was full.", prometheus.CounterValue)
	dConns       = newDesc("gsmbox_core_connections_total", "Connections the core has handled.", prometheus.CounterValue)
	dOutcomes    = newDesc("gsmbox_mm_results_total", "Finished MM connections by outcome.", prometheus.CounterValue, "outcome")
	dSessions    = newDesc("gsmbox_core_sessions", "Subscribers with a connection or waiting work now.", prometheus.GaugeValue)
	dUpQueue     = newDesc("gsmbox_core_up_queue_events", "Cell events waiting for the core.", prometheus.GaugeValue)
	dUpDrop      = newDesc("gsmbox_core_up_dropped_total", "Cell events dropped because the core's queue was full.", prometheus.CounterValue)
	dInboxDrop   = newDesc("gsmbox_cell_inbox_dropped_total", "Commands refused by the cell loop's full inbox.", prometheus.CounterValue)
	dSubscribers = newDesc("gsmbox_subscribers", "Subscribers in the registry.", prometheus.GaugeValue)
	dAttached    = newDesc("gsmbox_subscribers_attached", "Subscribers IMSI-attached.", prometheus.GaugeValue)
	dPATemp      = newDesc("gsmbox_pa_temperature_celsius", "Power amplifier temperature.", prometheus.GaugeValue)
	dClockErr    = newDesc("gsmbox_clock_error_ppb", "Reference clock error in parts per billion.", prometheus.GaugeValue)
	dULClass     = newDesc("gsmbox_uplink_channel_blocks_total", "Uplink blocks by channel type (sdcch, sacch, tch, rach: access bursts), good and bad.", prometheus.CounterValue, "channel")
	dULClassBad  = newDesc("gsmbox_uplink_channel_bad_blocks_total", "Uplink blocks by channel type that failed to decode.", prometheus.CounterValue, "channel")
	dULRxLev     = newDesc("gsmbox_uplink_rxlev_dbm", "Uplink received level by channel type, running average over the recent blocks, in dBm.", prometheus.GaugeValue, "channel")
	dULBLER      = newDesc("gsmbox_uplink_bler_ratio", "Uplink block error rate by channel type, running average over the recent blocks (0..1).", prometheus.GaugeValue, "channel")
	dNetUp       = newDesc("gsmbox_net_address_up", "1 when the box has an IP address on its Ethernet ([net]).", prometheus.GaugeValue)
	dNTPOffset   = newDesc("gsmbox_clock_ntp_offset_seconds", "The wall clock's offset from the NTP server at the last synchronization.", prometheus.GaugeValue)
	dHistDrop    = newDesc("gsmbox_console_history_dropped_total", "Connection results the console's history missed.", prometheus.CounterValue)
	dStrHealthy  = newDesc("gsmbox_stream_healthy", "1 while the radio's sample stream is running and healthy (the only state the transmitter may be keyed in).", prometheus.GaugeValue)
	dStrRXPkts   = newDesc("gsmbox_stream_rx_packets_total", "Sample-stream packets received from the radio (4096 bytes each).", prometheus.CounterValue)
	dStrTXPkts   = newDesc("gsmbox_stream_tx_packets_total", "Sample-stream packets sent to the radio (4096 bytes each).", prometheus.CounterValue)
	dStrRXLost   = newDesc("gsmbox_stream_rx_lost_packets_total", "RX packets missing from the radio's sample counter sequence.", prometheus.CounterValue)
	dStrTXLate   = newDesc("gsmbox_stream_tx_late_packets_total", "TX packets the radio's FPGA dropped as late.", prometheus.CounterValue)
	dStrUnder    = newDesc("gsmbox_stream_underruns_total", "TX writes too late for the TX lead, dropped on the host.", prometheus.CounterValue)
	dStrOver     = newDesc("gsmbox_stream_overruns_total", "RX reads that found their samples already overwritten.", prometheus.CounterValue)
	dStrSupp     = newDesc("gsmbox_stream_tx_suppressed_samples_total", "TX samples not sent because the stream was unhealthy.", prometheus.CounterValue)
	dStrUnplug   = newDesc("gsmbox_stream_unplugs_total", "Times the USB radio went away.", prometheus.CounterValue)
	dStrStall    = newDesc("gsmbox_stream_stalls_total", "Times the radio delivered no RX packet for the stall timeout.", prometheus.CounterValue)
	dStrFaults   = newDesc("gsmbox_stream_faults_total", "Healthy-to-unhealthy turns of the sample stream.", prometheus.CounterValue)
	dStrOpenFail = newDesc("gsmbox_stream_open_failures_total", "Bring-ups of the radio that failed (missing, busy, unplugged).", prometheus.CounterValue)
	dStrRXRate   = newDesc("gsmbox_stream_rx_bytes_per_second", "USB sample-stream throughput from the radio over the last second.", prometheus.GaugeValue)
	dStrTXRate   = newDesc("gsmbox_stream_tx_bytes_per_second", "USB sample-stream throughput to the radio over the last second.", prometheus.GaugeValue)
	dClockSrc    = newDesc("gsmbox_clock_source", "1 for what vouches for the radio's reference clock now (gps-disciplined, calibrated-from-cells, override), 0 for the others; none = 1 means the transmitter is not keyed.", prometheus.GaugeValue, "source")
	dClockCal    = newDesc("gsmbox_clock_cells_offset_ppb", "Reference error the calibration against nearby GSM cells found before correcting it, in ppb (positive: fast).", prometheus.GaugeValue)
	dClockCalRes = newDesc("gsmbox_clock_cells_residual_ppb", "Reference error the calibration against nearby GSM cells measured last, after its corrections, in ppb.", prometheus.GaugeValue)
	dTrips       = newDesc("gsmbox_interlock_trips_total", "RF interlock trips of the running front end.", prometheus.CounterValue)
	dCalOK       = newDesc("gsmbox_tx_calibration_ok", "1 when the latest bring-up's TX calibration succeeded, 0 when it failed and the neutral correctors are loaded.", prometheus.GaugeValue)
	dCalLeak     = newDesc("gsmbox_tx_calibration_leakage_dbc", "TX LO leakage relative to the test tone after the latest calibration (before it, with stage=\"before\").", prometheus.GaugeValue, "stage")
	dCalImage    = newDesc("gsmbox_tx_calibration_image_dbc", "TX image relative to the test tone after the latest calibration (before it, with stage=\"before\").", prometheus.GaugeValue, "stage")
	streamDescs  = []desc{dStrHealthy, dStrRXPkts, dStrTXPkts, dStrRXLost, dStrTXLate, dStrUnder, dStrOver, dStrSupp, dStrUnplug, dStrStall,
		dStrFaults, dStrOpenFail, dStrRXRate, dStrTXRate, dTrips, dCalOK, dCalLeak, dCalImage, dClockSrc, dClockCal, dClockCalRes}
	allDescs = []desc{dOnAir, dFrames, dUptime, dInfo, dARFCN, dTxPower, dRACH, dRACHBad, dAssign, dReject, dAGCHDrop, dActivated, dT3101, dRLT,
		dULBlocks, dULBad, dDLBlocks, dDLFill, dPaging, dPagingDrop, dConns, dOutcomes, dSessions, dUpQueue, dUpDrop, dInboxDrop,
		dSubscribers, dAttached, dPATemp, dClockErr, dHistDrop, dULClass, dULClassBad, dULRxLev, dULBLER, dNetUp, dNTPOffset}
)

type collector struct{ s *Server }

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range allDescs {
		ch <- d.d
	}
	for _, d := range streamDescs {
		ch <- d.d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	s := c.s
	st := s.status()
	snap := s.snapshot()
	put := func(d desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d.d, d.t, v, labels...)
	}
	b := 0.0
	if st.OnAir {
		b = 1
	}
	put(dOnAir, b)
	put(dFrames, float64(snap.Frames))
	put(dUptime, st.UptimeS)
	put(dInfo, 1, st.Version, st.Commit, st.Band, strconv.Itoa(st.ARFCN), st.PLMN)
	put(dARFCN, float64(st.ARFCN))
	put(dTxPower, st.TxPowerDBm)
	cell, ded, k := &snap.Cell, &snap.Cell.Dedicated, &snap.Core.Stats
	put(dRACH, float64(cell.AccessBursts))
	put(dRACHBad, float64(cell.Uplink.AccessBad))
	put(dAssign, float64(ded.Assigned))
	put(dReject, float64(ded.Rejected))
	put(dAGCHDrop, float64(ded.AGCHDropped))
	put(dActivated, float64(ded.Activated))
	put(dT3101, float64(ded.T3101Expired))
	put(dRLT, float64(ded.RadioLinkLost))
	put(dULBlocks, float64(cell.Uplink.Blocks))
	put(dULBad, float64(cell.Uplink.BadBlocks))
	for _, u := range uplinkClasses(&snap) {
		ch := strings.ToLower(u.Channel)
		put(dULClass, float64(u.Blocks), ch)
		put(dULClassBad, float64(u.BadBlocks), ch)
		if u.RxLevDBm != nil {
			put(dULRxLev, *u.RxLevDBm, ch)
		}
		if u.BLER != nil {
			put(dULBLER, *u.BLER, ch)
		}
	}
	if n := st.Net; n != nil {
		up := 0.0
		if n.HasAddress() {
			up = 1
		}
		put(dNetUp, up)
		if n.Clock.Source == "ntp" {
			put(dNTPOffset, n.Clock.Offset.Seconds())
		}
	}
	put(dDLBlocks, float64(cell.Downlink.Blocks))
	put(dDLFill, float64(cell.Downlink.Fill))
	put(dPaging, float64(cell.Downlink.PagingSent))
	put(dPagingDrop, float64(cell.Downlink.PagingDrop))
	put(dConns, float64(k.Connections))
	for o := mm.OutcomePending; o <= mm.OutcomeProtocolError; o++ {
		put(dOutcomes, float64(k.Outcomes[o]), strings.ReplaceAll(o.String(), " ", "_"))
	}
	put(dSessions, float64(len(snap.Core.Sessions)))
	put(dUpQueue, float64(snap.Core.UpQueue))
	put(dUpDrop, float64(snap.Core.UpDropped))
	put(dInboxDrop, float64(snap.Inbox.Dropped))
	put(dSubscribers, float64(st.Subscribers))
	put(dAttached, float64(st.Attached))
	if hw := st.Hardware; hw != nil {
		if hw.PATempC != nil {
			put(dPATemp, *hw.PATempC)
		}
		if hw.ClockErrorPPB != nil {
			put(dClockErr, *hw.ClockErrorPPB)
		}
	}
	if h := s.cfg.Host.History; h != nil {
		put(dHistDrop, float64(h.Dropped()))
	}
	if r := streamStatus(snap.Radio); r != nil {
		healthy := 0.0
		if r.Healthy {
			healthy = 1
		}
		put(dStrHealthy, healthy)
		for _, m := range []struct {
			d desc
			v uint64
		}{{dStrRXPkts, r.RXPackets}, {dStrTXPkts, r.TXPackets}, {dStrRXLost, r.RXLost}, {dStrTXLate, r.TXLate},
			{dStrUnder, r.Underruns}, {dStrOver, r.Overruns}, {dStrSupp, r.Suppressed}, {dStrUnplug, r.Unplugs},
			{dStrStall, r.Stalls}, {dStrFaults, r.Faults}, {dStrOpenFail, r.OpenFailures}, {dTrips, r.Trips}} {
			put(m.d, float64(m.v))
		}
		put(dStrRXRate, r.RXBytesPerS)
		put(dStrTXRate, r.TXBytesPerS)
		if c := r.TXCal; c != nil {
			ok := 0.0
			if c.OK {
				ok = 1
				put(dCalLeak, c.LeakAfterDBc, "after")
				put(dCalImage, c.ImageAfterDBc, "after")
			}
			if c.Exchanges >= 2 {
				put(dCalLeak, c.LeakBeforeDBc, "before")
				put(dCalImage, c.ImageBeforeDBc, "before")
			}
			put(dCalOK, ok)
		}
		if r.ClockSource != "n/a" {
			for _, src := range []string{"gps-disciplined", "calibrated-from-cells", "override", "none"} {
				v := 0.0
				if src == r.ClockSource {
					v = 1
				}
				put(dClockSrc, v, src)
			}
		}
		if c := r.ClockCalibration; c != nil && len(c.Cells) > 0 {
			put(dClockCal, c.InitialPPB)
			put(dClockCalRes, c.ResidualPPB)
		}
	}
}
