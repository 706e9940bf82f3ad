package core

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/core/registry/registrytest"
	"github.com/gsmbox/gsmbox/gsm/core/smsc"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/rsl"
	"github.com/gsmbox/gsmbox/gsm/rsl/rsltest"
	"github.com/gsmbox/gsmbox/gsm/sms/cp"
	"github.com/gsmbox/gsmbox/gsm/sms/rp"
	"github.com/gsmbox/gsmbox/gsm/sms/tp"
)

var smsChan = l1.Chan{Kind: l1.ChanSDCCH4, TN: 0, Sub: 1}

// smsSeam is a core with an SMSC behind a fake cell, and one MS whose MM
// connection for SMS is established (no authentication, no ciphering).
func smsSeam(t testing.TB) *fakeCell {
	rg, _ := registry.ParseRange("5000-5099")
	reg, _ := registrytest.NewRegistry(t, registry.Policy{Mode: registry.ModeOpen, MSISDNRange: rg})
	st, err := smsc.Open(filepath.Join(t.TempDir(), "sms.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	net, err := New(Config{MM: mm.Config{LAI: cellLAI, NoAuth: true, NoCipher: true}, HLR: NewHLR(reg), SyncHLR: true,
		SMS: SMSConfig{Store: st}})
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeCell{net: net, c: rsltest.New(5, net.Up(), 256), now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	if tt, ok := t.(*testing.T); ok {
		f.t = tt
	}
	net.AddCell(5, f.c.Down)
	if _, err := reg.Decide("001010000005555"); err != nil { // provisioned, with a number
		t.Fatal(err)
	}
	cm1 := l3.Classmark1{Revision: 1, A51: true}
	req := mm.CMServiceRequest{Service: mm.ServiceSMS, CKSN: 7, Classmark2: l3.Classmark2{Classmark1: cm1}, Identity: l3.IMSI("001010000005555")}
	b := make([]byte, req.MarshalSize())
	n, _ := req.MarshalTo(b)
	f.c.Send(rsl.Up{Kind: rsl.EstablishInd, Chan: smsChan, Ref: 1, SAPI: 0, Msg: b[:n]})
	f.now = f.now.Add(10 * time.Millisecond)
	net.Step(f.now)
	d := f.c.Requests()
	if len(d) == 0 {
		t.Fatal("no answer to the CM service request")
	}
	if mt, _, _ := mm.Peek(d[0].Msg); mt != mm.MsgCMServiceAccept {
		t.Fatalf("answer % x, want CM Service Accept", d[0].Msg)
	}
	return f
}

func (f *fakeCell) sapi3(msg []byte) []rsl.Down {
	f.c.Send(rsl.Up{Kind: rsl.DataInd, Chan: smsChan, Ref: 1, SAPI: 3, Msg: msg})
	f.now = f.now.Add(10 * time.Millisecond)
	f.net.Step(f.now)
	return f.c.Requests()
}

func cpDataMsg(ti uint8, rpdu []byte) []byte {
	b, err := cp.Marshal(&cp.Message{Type: cp.MsgData, TI: ti, UserData: rpdu})
	if err != nil {
		return nil // (the fuzz target skips it)
	}
	return b
}

// sapi3Answers decodes the CP messages of requests (SAPI 3 only).
func sapi3Answers(t *testing.T, d []rsl.Down) []cp.Message {
	var out []cp.Message
	for _, r := range d {
		if r.Kind != rsl.DataReq || r.SAPI != 3 {
			continue
		}
		var m cp.Message
		if err := m.Unmarshal(r.Msg); err != nil {
			t.Fatalf("the core sent an undecodable CP message % x: %v", r.Msg, err)
		}
		out = append(out, m)
	}
	return out
}

// Malformed input from a phone is answered as TS 24.011 §9 and TS 23.040
// ask: an RP-DATA whose TPDU is wrong gets CP-ACK and RP-ERROR #96 with an
// SMS-SUBMIT-REPORT; an RP message that does not decode gets RP-ERROR; an
// answer in a transaction the network never opened gets CP-ERROR #81; an
// unknown CP message type gets CP-ERROR #97.
func TestSMSHostileAnswers(t *testing.T) {
	good := tp.Submit{MR: 1, DA: tp.Number("5001"), UD: tp.UserData{Length: 2, Octets: []byte{0xe8, 0x34}}}
	gb, _ := tp.Marshal(&good)
	badUDH := bytes.Clone(gb)
	badUDH[0] |= 0x40 // UDHI set, but the user data holds no valid header
	reservedDCS := bytes.Clone(gb)
	reservedDCS[len(reservedDCS)-4] = 0x8c // a reserved coding group
	shortUDL := bytes.Clone(gb)
	shortUDL[len(shortUDL)-3] = 40 // TP-UDL says more than there is
	rpData := func(tpdu []byte) []byte {
		b, _ := rp.Marshal(&rp.Data{MR: 9, Destination: rp.Number("100"), UserData: tpdu})
		return b
	}
	cases := []struct {
		name string
		msg  []byte
		rp   rp.Cause // the RP-ERROR wanted, 0: a CP-ERROR
		cpc  cp.Cause
	}{
		{"bad UDH", cpDataMsg(1, rpData(badUDH)), rp.CauseInvalidMandatoryInfo, 0},
		{"reserved DCS", cpDataMsg(2, rpData(reservedDCS)), rp.CauseInvalidMandatoryInfo, 0},
		{"TP-UDL too long", cpDataMsg(3, rpData(shortUDL)), rp.CauseInvalidMandatoryInfo, 0},
		{"RP too short", cpDataMsg(4, []byte{0x00, 0x09, 0x00}), rp.CauseInvalidMandatoryInfo, 0},
		{"RP unknown type", cpDataMsg(5, []byte{0x07, 0x09}), rp.CauseMessageTypeNonExistent, 0},
		{"answer to nothing", []byte{0x89 | 0x00, 0x01, 0x02, 0x02, 0x09}, 0, cp.CauseInvalidTI},
		{"unknown CP type", []byte{0x69, 0x77}, 0, cp.CauseMessageTypeNonExistent},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := smsSeam(t)
			ans := sapi3Answers(t, f.sapi3(c.msg))
			if c.rp == 0 {
				if len(ans) != 1 || ans[0].Type != cp.MsgError || ans[0].Cause != c.cpc {
					t.Fatalf("answers %+v, want CP-ERROR #%d", ans, c.cpc)
				}
				return
			}
			if len(ans) != 2 || ans[0].Type != cp.MsgAck || ans[1].Type != cp.MsgData {
				t.Fatalf("answers %+v, want CP-ACK and CP-DATA", ans)
			}
			m, err := rp.Decode(ans[1].UserData)
			e, ok := m.(*rp.Error)
			if err != nil || !ok || e.Cause != c.rp {
				t.Fatalf("RPDU %+v (%v), want RP-ERROR #%d", m, err, c.rp)
			}
		})
	}
}

// FuzzSMSUplink feeds the SMSC's connection arbitrary SAPI 3 messages,
// raw and inside CP-DATA and RP-DATA: nothing panics, everything the core
// sends decodes, and the connection is released in the end (no channel is
// held by a transaction that never finishes).
func FuzzSMSUplink(f *testing.F) {
	good := tp.Submit{MR: 1, DA: tp.Number("5001"), UD: tp.UserData{Length: 2, Octets: []byte{0xe8, 0x34}}}
	gb, _ := tp.Marshal(&good)
	rpd, _ := rp.Marshal(&rp.Data{MR: 9, Destination: rp.Number("100"), UserData: gb})
	f.Add(byte(0), cpDataMsg(0, rpd))
	f.Add(byte(1), rpd)
	f.Add(byte(2), gb)
	f.Add(byte(0), []byte{0x09, 0x04})
	f.Add(byte(1), []byte{0x06, 0x01})
	f.Fuzz(func(t *testing.T, mode byte, b []byte) {
		fc := smsSeam(t)
		msg := b
		switch mode % 3 {
		case 1:
			msg = cpDataMsg(mode>>2%7, b)
		case 2:
			r, err := rp.Marshal(&rp.Data{MR: mode, Destination: rp.Number("100"), UserData: b})
			if err != nil {
				return
			}
			msg = cpDataMsg(mode>>2%7, r)
		}
		if len(msg) == 0 || len(msg) > 251 {
			return
		}
		sapi3Answers(t, fc.sapi3(msg))
		released := false
		for range 200 {
			fc.now = fc.now.Add(time.Second)
			fc.net.Step(fc.now)
			for _, d := range fc.c.Requests() {
				if d.Kind == rsl.ChanRelease {
					released = true
				}
				if d.Kind == rsl.DataReq && d.SAPI == 3 {
					sapi3Answers(t, []rsl.Down{d})
				}
			}
			if released {
				break
			}
		}
		if !released {
			t.Fatal("the SMS connection was never released")
		}
	})
}
