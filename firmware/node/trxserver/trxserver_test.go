package trxserver

import (
	"testing"

	"github.com/gsmbox/gsmbox/gsm/tdma"
	"github.com/gsmbox/gsmbox/gsm/trxproto"
)

// The uplink PDU carries the burst's bits and its measurements, rounded
// to the PDU's units (dBm, 1/256 symbol, centibels).
func TestFillUplinkPDU(t *testing.T) {
	var soft tdma.SoftBurst
	for i := range soft {
		soft[i] = int8(i%200 - 100)
	}
	rb := tdma.RxBurst{FN: 173, TN: 0, Kind: tdma.KindAccess, RSSI: -63.4, ToA: 2.5, CI: 12.34, Soft: soft}
	var p trxproto.UplinkPDU
	FillUplinkPDU(&p, &rb, 1)
	if p.RSSI != -63 || p.ToA256 != 640 || p.CI != 123 || p.NOPE || p.Soft != rb.Soft || p.FN != 173 {
		t.Errorf("FillUplinkPDU = RSSI %d ToA256 %d C/I %d NOPE %v, want −63, 640, 123, false", p.RSSI, p.ToA256, p.CI, p.NOPE)
	}
	rb.Kind = tdma.KindNone
	FillUplinkPDU(&p, &rb, 1)
	if !p.NOPE || p.Soft != (tdma.SoftBurst{}) {
		t.Errorf("FillUplinkPDU(nothing) = NOPE %v, want a NOPE without bits", p.NOPE)
	}
}
