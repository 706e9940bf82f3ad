package mm_test

import (
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/mm"
)

// TestFurtherMMConnection: with a call's MM connection up, the MS asks
// for one for SMS on the same RR connection (TS 24.008 §4.5.1.1). An
// accept adds it; a reject leaves the call's connection up (no release,
// no T3240); a reject of the only request waits for the release.
func TestFurtherMMConnection(t *testing.T) {
	now := time.Unix(0, 0)
	marshal := func(m mm.Message) []byte {
		b := make([]byte, m.MarshalSize())
		n, err := m.MarshalTo(b)
		if err != nil {
			t.Fatal(err)
		}
		return b[:n]
	}
	up := func() *mm.MS {
		s := noKeySIM()
		s.LAI, s.Status = cellLAI, mm.U1Updated
		ms := mm.NewMS(phoneA53(), s)
		ms.RequestService(now, cellLAI, mm.ServiceMOCall)
		ms.Handle(now, marshal(&mm.CMServiceAccept{}))
		if !ms.Connected() || !ms.HasConnection(mm.ServiceMOCall) || ms.HasConnection(mm.ServiceSMS) {
			t.Fatalf("call: connected %v, call %v, SMS %v", ms.Connected(), ms.HasConnection(mm.ServiceMOCall), ms.HasConnection(mm.ServiceSMS))
		}
		return ms
	}

	ms := up()
	acts := ms.RequestService(now, cellLAI, mm.ServiceSMS)
	if len(acts) != 1 || acts[0].Kind != mm.MSSend {
		t.Fatalf("RequestService(SMS) = %+v, want the CM Service Request", acts)
	}
	if r, ok := acts[0].Msg.(*mm.CMServiceRequest); !ok || r.Service != mm.ServiceSMS {
		t.Fatalf("sent %+v", acts[0].Msg)
	}
	if ms.Connected() || !ms.HasConnection(mm.ServiceMOCall) {
		t.Errorf("while asking: connected %v, call %v", ms.Connected(), ms.HasConnection(mm.ServiceMOCall))
	}
	ms.Handle(now, marshal(&mm.CMServiceAccept{}))
	if !ms.HasConnection(mm.ServiceSMS) || !ms.HasConnection(mm.ServiceMOCall) {
		t.Errorf("after accept: SMS %v, call %v", ms.HasConnection(mm.ServiceSMS), ms.HasConnection(mm.ServiceMOCall))
	}

	ms = up()
	ms.RequestService(now, cellLAI, mm.ServiceSMS)
	ms.Handle(now, marshal(&mm.CMServiceReject{Cause: mm.CauseCongestion}))
	if !ms.Connected() || ms.HasConnection(mm.ServiceSMS) || !ms.HasConnection(mm.ServiceMOCall) {
		t.Errorf("after reject: connected %v, SMS %v, call %v", ms.Connected(), ms.HasConnection(mm.ServiceSMS), ms.HasConnection(mm.ServiceMOCall))
	}
	if d, ok := ms.Deadline(); ok {
		t.Errorf("a timer runs after the refused further request: %v", d)
	}

	s := noKeySIM()
	s.LAI, s.Status = cellLAI, mm.U1Updated
	only := mm.NewMS(phoneA53(), s)
	only.RequestService(now, cellLAI, mm.ServiceSMS)
	only.Handle(now, marshal(&mm.CMServiceReject{Cause: mm.CauseCongestion}))
	if only.Connected() {
		t.Error("a refused first request left the MS connected")
	}
	if _, ok := only.Deadline(); !ok {
		t.Error("no T3240 after the refused first request")
	}
}
