package mm_test

import (
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/mm/mmtest"
)

// splitFrames cuts a fuzz input into L3 messages, each preceded by its
// length octet.
func splitFrames(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		n := int(b[0])
		b = b[1:]
		n = min(n, len(b))
		out = append(out, b[:n])
		b = b[n:]
	}
	return out
}

func joinFrames(fs ...[]byte) []byte {
	var out []byte
	for _, f := range fs {
		out = append(out, byte(len(f)))
		out = append(out, f...)
	}
	return out
}

// FuzzConn feeds arbitrary uplink messages to the network side, as a
// hostile or broken phone would: no panic, and the channel is never left
// stuck: once the timers have run, the connection is released unless it
// holds an established MM connection (then the CM layer owns it) or never
// got a valid first message (then RR's own timer releases it).
func FuzzConn(f *testing.F) {
	lu := hexBytes("05 08 70 00f110 0017 53 05 f40badcafe")
	luIMSI := hexBytes("05 08 72 00f110 0017 53 08 09 10 10 00 00 00 00 10")
	f.Add(joinFrames(lu))
	f.Add(joinFrames(lu, hexBytes("05 59 08 09 10 10 00 00 00 00 10")))
	f.Add(joinFrames(luIMSI, hexBytes("05 54 00000000")))
	f.Add(joinFrames(luIMSI, hexBytes("05 54 00000000"), hexBytes("05 9b")))
	f.Add(joinFrames(hexBytes("05 24 74 03 441992 05 f40badcafe"), hexBytes("05 63")))
	f.Add(joinFrames(hexBytes("05 01 53 05 f40badcafe")))
	v := vector{}
	f.Fuzz(func(t *testing.T, b []byte) {
		// Each input runs twice: with the registry answering at once,
		// and asynchronously, lookups answered after the uplink message
		// that raised them (those an answer raises, after the next
		// message), as a slow HLR would.
		for _, async := range []bool{false, true} {
			reg := mmtest.New()
			reg.Open = true
			reg.Add(mmtest.Subscriber{IMSI: testIMSI, Algorithm: crypto.COMP128v1, Ki: v.ki, TMSI: 0x0badcafe})
			cfg := baseConfig()
			var c *mm.Conn
			if async {
				c = mm.NewConn(cfg, nil, &mmtest.SeqReader{})
			} else {
				c = mm.NewConn(cfg, reg, &mmtest.SeqReader{})
			}
			var pending []mm.Query
			do := func(acts []mm.Action) {
				for _, a := range acts {
					switch a.Kind {
					case mm.ActCommit:
						reg.Apply(a.Update)
					case mm.ActLookup:
						pending = append(pending, a.Query)
					}
				}
			}
			now := t0
			for i, fr := range splitFrames(b) {
				do(c.Handle(now, fr))
				for _, q := range pending[:len(pending):len(pending)] {
					pending = pending[1:]
					do(c.Answer(now, mm.Resolve(reg, q)))
				}
				if i%3 == 2 {
					do(c.CipheringComplete(now))
					do(c.Classmark(now, phoneA53().Classmark2, nil))
				}
				now = now.Add(time.Second)
			}
			for range 4 {
				now = now.Add(time.Minute)
				do(c.Tick(now))
			}
			if !c.Done() && c.State() != "connected" && c.State() != "idle" {
				t.Fatalf("async %v: connection stuck in %s after the timers ran (result %+v)", async, c.State(), c.Result())
			}
		}
	})
}

// FuzzMS feeds arbitrary downlink messages to a phone in the middle of a
// location update: no panic, and its timers bring it back to idle.
func FuzzMS(f *testing.F) {
	f.Add(joinFrames(hexBytes("05 18 01"), hexBytes("05 12 00 000102030405060708090a0b0c0d0e0f")))
	f.Add(joinFrames(hexBytes("05 02 00f110 0017 17 05 f410000001"), hexBytes("05 32 45 03 82 4721")))
	f.Add(joinFrames(hexBytes("05 04 11"), hexBytes("05 11")))
	f.Fuzz(func(t *testing.T, b []byte) {
		v := vector{alg: crypto.COMP128v1}
		ms := mm.NewMS(phoneA53(), mm.NewSIM(testIMSI, v.alg, v.ki, v.opc))
		now := t0
		ms.LocationUpdate(now, cellLAI, mm.LUNormal)
		for _, fr := range splitFrames(b) {
			ms.Handle(now, fr)
			now = now.Add(time.Second)
		}
		for range 3 {
			now = now.Add(time.Minute)
			ms.Tick(now)
		}
		if ms.Busy() && !ms.Connected() {
			t.Fatalf("MS still busy after its timers ran")
		}
	})
}

// BenchmarkLocationUpdate runs a whole location update with COMP128-1
// authentication, A5/3 ciphering, TMSI allocation and MM Information
// between Conn and MS (encoding and decoding every message, as over the
// air), per iteration.
func BenchmarkLocationUpdate(b *testing.B) {
	v := vector{alg: crypto.COMP128v1}
	reg := mmtest.New()
	reg.Add(mmtest.Subscriber{IMSI: testIMSI, Algorithm: v.alg, Ki: v.ki})
	phone := phoneA53()
	phone.SendClassmark2 = true
	h := newHarness(b, baseConfig(), reg, phone, mm.NewSIM(testIMSI, v.alg, v.ki, v.opc))
	b.ReportAllocs()
	for b.Loop() {
		h.names, h.frames = h.names[:0], h.frames[:0]
		h.lu(mm.LUNormal)
		if h.net.Result().Outcome != mm.OutcomeAccepted {
			b.Fatalf("LU result %+v", h.net.Result())
		}
	}
}
