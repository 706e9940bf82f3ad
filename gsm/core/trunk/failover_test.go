package trunk

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/cc"
	"github.com/gsmbox/gsmbox/gsm/core"
	"github.com/gsmbox/gsmbox/gsm/core/trunk/trunktest"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

// Several trunks are tried in order: the first one's provider is down
// (unregistered: skipped), the second's answers; a number only the first
// routes ends #38 (network out of order).
func TestTrunksInOrder(t *testing.T) {
	testtool.Short(t)
	kport := trunktest.FreePort(t)
	trunktest.StartKamailio(t, kport)
	dead := trunktest.FreePort(t)
	tm := &testMedia{}
	ev := newEvents()
	mk := func(name string, port int, routes ...string) *Trunk {
		tr, err := New(Config{Name: name, Registrar: fmt.Sprintf("127.0.0.1:%d", port), Username: trunktest.TrunkUser,
			Password: trunktest.TrunkPass, Routes: mustRoutes(t, routes...), Listen: "127.0.0.1:0",
			RetryMin: 200 * time.Millisecond, RetryMax: time.Second, NewMedia: tm.New, Log: testLog(t)})
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	first, second := mk("first", dead, "^4930", "^77"), mk("second", kport, "^4930")
	g := NewGroup(ev, nil, first, second)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { g.Serve(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	waitState(t, second, "registered", 5*time.Second)
	waitState(t, first, "failed", 15*time.Second)
	b := trunktest.StartBaresip(t, kport, 440, "auto")
	g.Dial(1, "1001", "4930200", false)
	ans := ev.next(t, core.TrunkAnswered, 5*time.Second)
	if ans.Trunk != "second" {
		t.Errorf("answered on trunk %q, want second", ans.Trunk)
	}
	b.Wait("CALL_ESTABLISHED", 5*time.Second)
	g.Hangup(1, cc.CauseNormalClearing)
	b.Wait("CALL_CLOSED", 5*time.Second)
	g.Dial(2, "1001", "7712", false)
	end := ev.next(t, core.TrunkEnded, 5*time.Second)
	if end.Call != 2 || end.Cause != cc.CauseNetworkOutOfOrder || end.Trunk != "first" {
		t.Errorf("call only the dead trunk routes: %+v", end)
	}
	noLeak(t, g, tm)
	if !g.Route("4930200", false) || g.Route("5000", false) || g.Route("112", true) {
		t.Error("Route")
	}
}
