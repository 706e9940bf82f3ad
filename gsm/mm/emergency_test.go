package mm

import (
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/l3"
)

// With an invalid SIM (a location update rejected with #2) the MS asks for
// no service but an emergency call, and identifies itself by its IMEI
// with no key (TS 22.101 §10.1.1, TS 24.008 §4.5.1.5, §10.5.1.4).
func TestEmergencyWithInvalidSIM(t *testing.T) {
	var ki crypto.Ki
	m := NewMS(&MSConfig{IMEI: "490154203237518"}, NewSIM("001010000000001", crypto.COMP128v1, ki, crypto.OPc{}))
	lai := l3.LAI{PLMN: l3.PLMN{MCC: "001", MNC: "01"}, LAC: 1}
	now := time.Unix(1000, 0)
	m.SIM.Invalid = true
	if acts := m.RequestService(now, lai, ServiceMOCall); len(acts) != 0 {
		t.Errorf("a call with an invalid SIM: %v, want nothing", acts)
	}
	acts := m.RequestService(now, lai, ServiceEmergencyCall)
	if len(acts) != 1 || acts[0].Kind != MSSend {
		t.Fatalf("an emergency call with an invalid SIM: %v, want a CM Service Request", acts)
	}
	req, ok := acts[0].Msg.(*CMServiceRequest)
	if !ok || req.Service != ServiceEmergencyCall || req.Identity.Type != l3.IdentityIMEI || req.Identity.Digits != "490154203237518" || req.CKSN != CKSNNone {
		t.Errorf("request %+v, want an emergency call by IMEI with no key", acts[0].Msg)
	}
}
