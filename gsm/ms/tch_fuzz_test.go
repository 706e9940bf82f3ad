package ms

import (
	"testing"

	"github.com/gsmbox/gsmbox/gsm/cc"
	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Whatever L3 the network sends a phone in dedicated mode (on an SDCCH,
// or on a TCH/F after an Assignment Command): RR (assignment, channel
// mode modify, release), CC and MM, the phone never panics and keeps
// sending well-formed bursts.
func FuzzDedicatedL3(f *testing.F) {
	f.Add([]byte{0x06, 0x2e, 0x0a, 0xa3, 0x67, 0x05, 0x63, 0x21}, false)
	f.Add([]byte{0x06, 0x10, 0x0a, 0xa3, 0x67, 0x21}, true)
	f.Add([]byte{0x06, 0x0d, 0x00}, true)
	f.Add([]byte{0x83, 0x05, 0x04, 0x01, 0xa0}, false)
	f.Add([]byte{0x03, 0x01}, true)
	f.Add([]byte{0x05, 0x21}, false)
	f.Fuzz(func(t *testing.T, msg []byte, tch bool) {
		s := mm.NewSIM("001010000000001", crypto.COMP128v3, crypto.Ki{}, crypto.OPc{})
		cm1 := l3.Classmark1{Revision: 1, A51: true}
		up := NewCaller(NewMM(&mm.MSConfig{Classmark1: cm1, Classmark2: l3.Classmark2{Classmark1: cm1}}, s),
			CallConfig{Codecs: []cc.SpeechVersion{cc.FRv1}})
		p, err := New(Config{SIM: s, Upper: up})
		if err != nil {
			t.Fatal(err)
		}
		p.PowerOn()
		p.synced = true
		p.comb0 = l1.CombV
		p.state = StateAccess
		desc := rr.ChannelDesc{Type: rr.ChanSDCCH4, SubChan: 1, TSC: 7, ARFCN: 62}
		p.pageResp = true
		p.enterDedicated(&desc, 3, 100)
		if tch {
			p.assignment(&rr.AssignmentCommand{Chan: rr.ChannelDesc{Type: rr.ChanTCHF, TN: 3, TSC: 7, ARFCN: 62}, HasMode: true, Mode: rr.ModeSpeechV1})
		}
		p.l3(msg)
		var out [tdma.Slots]tdma.TxBurst
		var plan Plan
		for fn := tdma.FN(101); fn < 101+60; fn++ {
			p.Listen(fn, &plan)
			p.Frame(fn, &out)
		}
		p.l3(msg)
	})
}
