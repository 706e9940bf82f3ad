package cc

import "testing"

func TestTransactions(t *testing.T) {
	net := NewTransactions(Network, testCfg)
	enc := func(m Message) []byte {
		b, err := Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// A Setup on TI 0 from the MS opens a call.
	c, out := net.Receive(t0, enc(moSetup()), nil)
	if c == nil || net.Len() != 1 || trace(out) != "notify setup" {
		t.Fatalf("Setup: call %v, %d calls, actions %s", c, net.Len(), trace(out))
	}
	// Its messages reach it; a repeated Setup is ignored (§8.3.1 d).
	if c2, out := net.Receive(t0, enc(moSetup()), nil); c2 != c || len(out) != 0 {
		t.Errorf("repeated Setup: %v %s", c2, trace(out))
	}
	// A message for an unknown TI: Release Complete #81 with the flag
	// inverted, also when it does not decode.
	for _, b := range [][]byte{enc(&Disconnect{Header: Header{TI: 4}, Cause: causeNormal}), h("43 25")} {
		c2, out := net.Receive(t0, b, nil)
		if c2 != nil || len(out) != 1 {
			t.Fatalf("unknown TI: %v %s", c2, trace(out))
		}
		rc := out[0].Msg.(*ReleaseComplete)
		if rc.TI != 4 || !rc.TIFlag || rc.Cause.Value != CauseInvalidTransactionID {
			t.Errorf("unknown TI answered with %+v", rc)
		}
	}
	// Release Complete and Setup with flag 1 for unknown TIs: nothing.
	for _, b := range [][]byte{enc(&ReleaseComplete{Header: Header{TI: 5}}), enc(&Setup{Header: Header{TI: 5, TIFlag: true}})} {
		if c2, out := net.Receive(t0, b, nil); c2 != nil || len(out) != 0 {
			t.Errorf("% x: %v %s", b, c2, trace(out))
		}
	}
	// An unknown message type on the call: Status #97.
	if _, out := net.Receive(t0, h("03 3e 00"), nil); trace(out) != "send Status" || out[0].Msg.(*Status).Cause.Value != CauseMsgTypeNonExistent {
		t.Errorf("unknown type: %s", trace(out))
	}
	// A mobile-terminated call gets a TI of its own; its answers match it.
	mt := net.New()
	if mt == nil {
		t.Fatal("New() = nil")
	}
	mt.Setup(t0, &Setup{}, nil)
	ti, origin := mt.TI()
	if c2, out := net.Receive(t0, enc(&CallConfirmed{Header: Header{TI: ti, TIFlag: true}}), nil); c2 != mt || trace(out) != "notify proceeding" || !origin {
		t.Errorf("Call Confirmed: %v %s", c2, trace(out))
	}
	if d, ok := net.Deadline(); !ok || !d.Equal(t0.Add(DefaultTimer)) {
		t.Errorf("Deadline() = %v %v", d, ok)
	}
	fired := 0
	net.Tick(t0.Add(DefaultTimer), func(c *Call, a []Action) { fired++ })
	if fired != 1 {
		t.Errorf("Tick fired %d calls, want 1 (T310)", fired)
	}
	// Seven calls of our own at most.
	for range 6 {
		if net.New() == nil {
			t.Fatal("New() = nil before seven")
		}
	}
	if net.New() != nil {
		t.Error("New() gave an eighth TI")
	}
	// Ended calls are swept.
	c.Abort(t0, NewCause(CauseTemporaryFailure), nil)
	net.Sweep()
	if net.Lookup(Header{TI: 0}) != nil || net.Len() != 7 {
		t.Errorf("after Sweep: %d calls", net.Len())
	}
}
