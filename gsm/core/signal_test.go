package core

import (
	"testing"

	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/rsl"
)

func measReport(t *testing.T, r rr.MeasurementResults) []byte {
	b := make([]byte, rr.MeasurementReportLen)
	if _, err := (&rr.MeasurementReport{Results: r}).MarshalTo(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// A phone's radio link: MEASUREMENT RESULT events on its channel give
// its session the uplink level, the timing advance and the phone's own
// RXLEV/RXQUAL (SUB with DTX); an invalid report keeps the last valid
// one; after the connection the signal stays as the phone's last known.
func TestSignal(t *testing.T) {
	rg, _ := registry.ParseRange("5000-5099")
	f, _ := newFakeCell(t, registry.Policy{Mode: registry.ModeOpen, MSISDNRange: rg})
	ch := l1.Chan{Kind: l1.ChanSDCCH4, TN: 0, Sub: 1}
	const imsi = "001010000004343"
	f.up(rsl.Up{Kind: rsl.ChanRequired, Chan: ch, Ref: 3, Cause: uint8(rr.EstLocationUpdate)})
	// Before SAPI 0 there is no connection to measure.
	f.up(rsl.Up{Kind: rsl.MeasResult, Chan: ch, Ref: 3, Msg: measReport(t, rr.MeasurementResults{Valid: true, RxLevFull: 9}), Meas: rsl.Meas{RSSI: -100}})
	lu := encodeMM(t, &mm.LocationUpdatingRequest{Type: mm.LUIMSIAttach, CKSN: 7, LAI: cellLAI,
		Classmark1: l3.Classmark1{Revision: 1, A51: true}, Identity: l3.IMSI(imsi)})
	f.up(rsl.Up{Kind: rsl.EstablishInd, Chan: ch, Ref: 3, SAPI: 0, Msg: lu})
	f.up(rsl.Up{Kind: rsl.MeasResult, Chan: ch, Ref: 3, Msg: measReport(t, rr.MeasurementResults{Valid: true, RxLevFull: 40, RxQualFull: 2}),
		Meas: rsl.Meas{RSSI: -77.5, TA: 4, MSPower: 5}})
	snap := f.net.Snapshot()
	if len(snap.Sessions) != 1 {
		t.Fatalf("sessions %+v", snap.Sessions)
	}
	s := snap.Sessions[0].Signal
	if s.UplinkDBm != -77.5 || s.TA != 4 || !s.Report || s.RxLev != 40 || s.RxQual != 2 || s.DownlinkDBm() != -70 || s.DistanceM() != 4*553.5 {
		t.Errorf("session signal = %+v", s)
	}
	if got := snap.Signals[imsi]; got != s {
		t.Errorf("Signals[%s] = %+v, want %+v", imsi, got, s)
	}
	// DTX: the SUB values.
	f.up(rsl.Up{Kind: rsl.MeasResult, Chan: ch, Ref: 3, Msg: measReport(t, rr.MeasurementResults{Valid: true, DTXUsed: true, RxLevFull: 40, RxQualFull: 2, RxLevSub: 30, RxQualSub: 5}),
		Meas: rsl.Meas{RSSI: -80, TA: 5}})
	if s := f.net.Snapshot().Sessions[0].Signal; s.RxLev != 30 || s.RxQual != 5 || s.TA != 5 {
		t.Errorf("DTX signal = %+v, want the SUB values", s)
	}
	// Not valid: the uplink updates, the phone's figures stay.
	f.up(rsl.Up{Kind: rsl.MeasResult, Chan: ch, Ref: 3, Msg: measReport(t, rr.MeasurementResults{Valid: false, RxLevFull: 1}), Meas: rsl.Meas{RSSI: -90, TA: 5}})
	if s := f.net.Snapshot().Sessions[0].Signal; s.UplinkDBm != -90 || !s.Report || s.RxLev != 30 {
		t.Errorf("after an invalid report signal = %+v", s)
	}
	// Garbage in Msg never panics and keeps the last report.
	f.up(rsl.Up{Kind: rsl.MeasResult, Chan: ch, Ref: 3, Msg: []byte{0x06}, Meas: rsl.Meas{RSSI: -91}})
	f.up(rsl.Up{Kind: rsl.ChanReleased, Chan: ch, Ref: 3})
	snap = f.net.Snapshot()
	if got := snap.Signals[imsi]; got.UplinkDBm != -91 || got.RxLev != 30 {
		t.Errorf("last-known signal after the connection = %+v", got)
	}
}
