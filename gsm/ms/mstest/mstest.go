// Package mstest joins virtual phones (gsm/ms) to a cell at the burst
// level, with no DSP between them: tier 2 of the test plan, where the
// signalling of a whole cell runs frame by frame in a test. Each side's
// bursts reach the other as confident soft bits, which is what the DSP
// would hand up for a clean signal.
package mstest

import (
	"github.com/gsmbox/gsmbox/gsm/ms"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Soft turns hard bits into confident soft bits (positive means 0).
func Soft(dst *tdma.SoftBurst, b *tdma.Burst) {
	for i, v := range b {
		dst[i] = 100
		if v == 1 {
			dst[i] = -100
		}
	}
}

// Downlink hands a phone what it listens for in one frame of the cell's
// downlink dl: the FCCH and SCH while it searches, normal and dummy
// bursts on the timeslots its plan names. local is the phone radio's own
// frame count for that frame.
func Downlink(p *ms.Phone, local tdma.FN, dl *[tdma.Slots]tdma.TxBurst) {
	var plan ms.Plan
	p.Listen(local, &plan)
	var rb tdma.RxBurst
	for tn, what := range plan.Slots {
		b := &dl[tn]
		rb = tdma.RxBurst{FN: local, TN: tdma.TN(tn), RSSI: -60}
		switch what {
		case ms.ListenOff:
			continue
		case ms.ListenFCCH:
			if b.Kind != tdma.KindFCCH {
				continue
			}
			rb.Kind = tdma.KindFCCH
		case ms.ListenSCH:
			if b.Kind != tdma.KindSCH {
				rb.Kind = tdma.KindNone
				break
			}
			rb.Kind = tdma.KindSCH
			Soft(&rb.Soft, &b.Bits)
		case ms.ListenNormal:
			if b.Kind != tdma.KindNormal && b.Kind != tdma.KindDummy {
				break
			}
			rb.Kind, rb.TSC = tdma.KindNormal, plan.TSC[tn]
			Soft(&rb.Soft, &b.Bits)
		}
		p.Receive(&rb)
	}
}

// Uplink turns a phone's uplink bursts ul for cell frame fn into received
// bursts with the given level and time of arrival, and hands each to
// receive (the cell's Receive, or a test's filter in front of it). toa is
// the time of arrival as the cell measures it, whatever timing advance
// the phone applies; for a phone at a distance use UplinkFrom.
func Uplink(fn tdma.FN, ul *[tdma.Slots]tdma.TxBurst, rssi, toa float32, receive func(*tdma.RxBurst)) {
	var rb tdma.RxBurst
	for tn := range ul {
		b := &ul[tn]
		if b.Kind == tdma.KindNone {
			continue
		}
		rb = tdma.RxBurst{FN: fn, TN: tdma.TN(tn), Kind: b.Kind, RSSI: rssi, ToA: toa}
		Soft(&rb.Soft, &b.Bits)
		receive(&rb)
	}
}

// UplinkFrom is Uplink for phone p at a distance whose round trip takes
// delay symbols: an access burst, sent without timing advance, arrives
// delay symbols late, every other burst delay − TA symbols late, TA being
// the timing advance p applies (TS 45.010 §5.1, §5.6). A cell whose
// timing advance loop works orders TA ≈ delay and holds it there; fed a
// fixed time of arrival instead, it would raise the advance without end.
func UplinkFrom(p *ms.Phone, fn tdma.FN, ul *[tdma.Slots]tdma.TxBurst, rssi, delay float32, receive func(*tdma.RxBurst)) {
	ta := float32(p.TA())
	var rb tdma.RxBurst
	for tn := range ul {
		b := &ul[tn]
		if b.Kind == tdma.KindNone {
			continue
		}
		rb = tdma.RxBurst{FN: fn, TN: tdma.TN(tn), Kind: b.Kind, RSSI: rssi, ToA: delay}
		if b.Kind != tdma.KindAccess {
			rb.ToA = delay - ta
		}
		Soft(&rb.Soft, &b.Bits)
		receive(&rb)
	}
}
