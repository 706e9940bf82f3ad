package bts

import "github.com/gsmbox/gsmbox/gsm/l1"

// measure counts an uplink block of kind k on d for the operator's
// per-channel-type level and BLER (Stats.UplinkByClass). Only blocks of
// channels in use count: an active channel's, or the good block that
// shows the phone arrived. The positions of free or still-assigned
// channels carry only noise, which would read as a 100% BLER. It does
// not allocate.
func (c *Cell) measure(d *dchan, k l1.ChanKind, good, received bool, rssi float32) {
	if d.state != ChanActive && !good {
		return
	}
	if cl, ok := l1.MeasClassOf(k); ok {
		c.meas[cl].Add(good, received, rssi)
	}
}
