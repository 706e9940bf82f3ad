package bts

import (
	"github.com/gsmbox/gsmbox/gsm/gsmtap"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Sender is where GSMTAP packets go; *gsmtap.Sender is one.
type Sender interface {
	Send(h *gsmtap.Header, payload []byte) bool
}

// GSMTAPTap returns an l1.Tap that mirrors every block the cell sends or
// receives to s as GSMTAP, so Wireshark shows the cell's traffic. It does
// not allocate.
func GSMTAPTap(s Sender, band tdma.Band) l1.Tap {
	var h gsmtap.Header
	return func(ev *l1.TapEvent) {
		ch, sub := ev.Chan.GSMTAP()
		h = gsmtap.Um(ch, ev.ARFCN, ev.Chan.TN, ev.FN, sub).ForBand(band)
		h.Uplink = ev.Uplink
		if ev.Uplink {
			h.SignalDBm = clampInt8(ev.RSSI)
		}
		s.Send(&h, ev.Data)
	}
}

func clampInt8(v float32) int8 {
	switch {
	case v > 127:
		return 127
	case v < -128:
		return -128
	}
	return int8(v)
}
