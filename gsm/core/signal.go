package core

import (
	"time"

	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/rsl"
)

// Signal is a phone's radio link as last measured: the uplink as the
// BTS received it and the downlink as the phone reported it in its
// Measurement Report (TS 44.018 §9.1.21, every SACCH period, 480 ms).
type Signal struct {
	At time.Time
	// UplinkDBm is the level the BTS received the phone's SACCH at.
	UplinkDBm float32
	// TA is the timing advance ordered, 0..63 bit periods (TS 45.010
	// §5.6); DistanceM turns it into metres.
	TA uint8
	// MSPower is the MS power control level ordered (TS 45.005 §4.1.1).
	MSPower uint8
	// Report says the phone's last report was valid (MEAS-VALID); RxLev
	// and RxQual are its serving-cell RXLEV 0..63 (TS 45.008 §8.1.4) and
	// RXQUAL 0..7 (§8.2.4): the SUB values when it used DTX, else FULL.
	Report bool
	RxLev  uint8
	RxQual uint8
}

// MetresPerTA is the distance one step of timing advance stands for:
// half the round trip of one bit period, 3.69 µs × c / 2 ≈ 553.5 m
// (TS 45.010 §5.1).
const MetresPerTA = 553.5

// DistanceM is the phone's distance from the cell as its timing advance
// places it, to within one step.
func (s Signal) DistanceM() float64 { return float64(s.TA) * MetresPerTA }

// DownlinkDBm is RxLev as a level: RXLEV n is -110+n dBm (0 is below
// -110 dBm, 63 above -48 dBm; TS 45.008 §8.1.4).
func (s Signal) DownlinkDBm() int { return int(s.RxLev) - 110 }

// maxSignals bounds the last-known signals of phones not connected now.
const maxSignals = 4096

// measured notes a MEASUREMENT RESULT on c's channel; called on the core's
// goroutine with mu held.
func (n *Network) measured(c *conn, u *rsl.Up) {
	s := Signal{At: n.now, UplinkDBm: u.Meas.RSSI, TA: u.Meas.TA, MSPower: u.Meas.MSPower}
	var mr rr.MeasurementReport
	if err := mr.Unmarshal(u.Msg); err == nil && mr.Results.Valid {
		r := &mr.Results
		s.Report, s.RxLev, s.RxQual = true, r.RxLevFull, r.RxQualFull
		if r.DTXUsed {
			s.RxLev, s.RxQual = r.RxLevSub, r.RxQualSub
		}
	} else if c.signal.Report {
		// No valid report this period (the phone has not decoded the
		// BCCH list yet, or the block was not a report): keep the last.
		s.Report, s.RxLev, s.RxQual = true, c.signal.RxLev, c.signal.RxQual
	}
	c.signal = s
	if c.imsi != "" {
		n.noteSignal(c.imsi, s)
	}
}

// noteSignal keeps s as imsi's last-known signal.
func (n *Network) noteSignal(imsi string, s Signal) {
	if n.signals == nil {
		n.signals = map[string]Signal{}
	}
	if _, ok := n.signals[imsi]; !ok && len(n.signals) >= maxSignals {
		// Full: forget the oldest.
		var oldest string
		var at time.Time
		for k, v := range n.signals {
			if oldest == "" || v.At.Before(at) {
				oldest, at = k, v.At
			}
		}
		delete(n.signals, oldest)
	}
	n.signals[imsi] = s
}
