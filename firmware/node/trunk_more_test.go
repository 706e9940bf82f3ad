package node_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/firmware/node/simphones"
	"github.com/gsmbox/gsmbox/gsm/cc"
	"github.com/gsmbox/gsmbox/gsm/core/trunk/trunktest"
	"github.com/gsmbox/gsmbox/gsm/ms"
)

// callOver waits for phone's call number > calls to end and returns it.
func callOver(t *testing.T, what string, p *simphones.Phone, calls uint64, within time.Duration) ms.CallInfo {
	t.Helper()
	waitFor(t, what, within, func() bool {
		i := p.CallInfo()
		return i.Calls > calls && i.Ended
	})
	return p.CallInfo()
}

// nothingHeld waits until the node holds no call, channel or trunk call
// and checks that every RTP port of the trunk's range binds again.
func nothingHeld(t *testing.T, nd *node.Node) {
	t.Helper()
	waitFor(t, "nothing held", 20*time.Second, func() bool {
		s := nd.Snapshot()
		return s.Core.ActiveCalls == 0 && s.Cell.ChannelsInUse == 0 && s.Trunks[0].Active == 0
	})
	if held := ownUDPPorts(t, 43000, 43199); len(held) > 0 {
		t.Errorf("RTP ports still held: %v", held)
	}
}

// ownUDPPorts lists the UDP ports in [lo, hi] that this process holds
// (its sockets' inodes in /proc/net/udp): other programs on the machine
// may bind in the range too.
func ownUDPPorts(t *testing.T, lo, hi int) []int {
	t.Helper()
	mine := map[string]bool{}
	fds, _ := os.ReadDir("/proc/self/fd")
	for _, fd := range fds {
		if l, err := os.Readlink("/proc/self/fd/" + fd.Name()); err == nil && strings.HasPrefix(l, "socket:[") {
			mine[strings.TrimSuffix(strings.TrimPrefix(l, "socket:["), "]")] = true
		}
	}
	b, err := os.ReadFile("/proc/net/udp")
	if err != nil {
		t.Skip("no /proc/net/udp")
	}
	var held []int
	for _, line := range strings.Split(string(b), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) < 10 {
			continue
		}
		_, hexPort, _ := strings.Cut(f[1], ":")
		port, err := strconv.ParseUint(hexPort, 16, 16)
		if err == nil && int(port) >= lo && int(port) <= hi && mine[f[9]] {
			held = append(held, int(port))
		}
	}
	return held
}

// idle waits until the cell holds no channel: a phone dialling again
// while its last call's channel is still being released loses the new
// call with that channel (#41) before it reaches the trunk (see
// docs/trunk.md, Not done).
func idle(t *testing.T, nd *node.Node) {
	t.Helper()
	waitFor(t, "the cell idle", 15*time.Second, func() bool {
		s := nd.Snapshot()
		return s.Core.ActiveCalls == 0 && s.Cell.ChannelsInUse == 0
	})
}

// A wrong trunk password with phones on the air: the registration fails
// with an error naming the trunk and the response, and a phone dialling
// out through the trunk gets Disconnect #38 (network out of order; see
// docs/trunk.md "Causes without a SIP response") without ringing or
// answer; nothing is held afterwards.
func TestTrunkWrongPasswordOnAir(t *testing.T) {
	nd, ps, _, _, _ := trunkNodeWith(t, 100, func(c *config.Config) { c.SIP.Trunk[0].Password = "wrong" })
	st := nd.Snapshot().Trunks[0]
	if !strings.Contains(st.Detail, "trunk prov") || !strings.Contains(st.Detail, "401") {
		t.Errorf("trunk status %+v: want the trunk and the response named", st)
	}
	p := ps.Phones()[1]
	if !p.Dial("4930200", 0) {
		t.Fatal("phone busy")
	}
	i := callOver(t, "the call out of the unregistered trunk to end", p, 0, 20*time.Second)
	t.Logf("trunk %q: %s; the phone's call: %+v", st.State, st.Detail, i)
	if i.Cause != cc.CauseNetworkOutOfOrder || i.Connected != 0 || i.Alerting != 0 {
		t.Errorf("phone's call %+v, want cleared #38 before alerting", i)
	}
	nothingHeld(t, nd)
}

// The rest of the trunk's failure and clearing cases on the air, in one
// world (kamailio, baresip, two phones; radio link timeout 8 SACCH
// blocks so that a vanished phone is noticed in about 4 s):
//   - BYE from the phone in an incoming call, and from baresip in an
//     outgoing one (TestTrunkOnAir has the other two);
//   - early media: baresip answers 183 with SDP (answermode=early) and
//     its 440 Hz reaches the phone before Connect, then 200;
//   - the provider down: an outgoing call is cleared #38 at once; the
//     provider back: the trunk registers again and a call connects with
//     speech both ways;
//   - a phone vanishing mid-call (radio link failure): BYE to baresip.
//
// Nothing is held at the end.
func TestTrunkClearingOnAir(t *testing.T) {
	nd, ps, kport, _, k := trunkNodeWith(t, 100, func(c *config.Config) { c.Cell.RadioLinkTimeout = 8 }, "5551000:2000")
	phones := ps.Phones()

	// Incoming; the phone hangs up: BYE (Reason Q.850 #16) to baresip.
	b := trunktest.StartBaresip(t, kport, 440, "auto")
	b.Command("dial", fmt.Sprintf("sip:5551000@127.0.0.1:%d", kport))
	b.Wait("CALL_ESTABLISHED", 30*time.Second)
	time.Sleep(2 * time.Second)
	calls := phones[0].CallInfo().Calls - 1
	phones[0].Hangup()
	b.Wait("CALL_CLOSED", 10*time.Second)
	if i := callOver(t, "phone 0's incoming call to end", phones[0], calls, 10*time.Second); i.Cause != cc.CauseNormalClearing || i.Connected == 0 {
		t.Errorf("phone 0 hanging up: %+v", i)
	}
	_, heard, _ := phones[0].Voice()
	trunktest.CheckTone(t, "phone 0 heard (before its BYE)", decodeHeard(heard), 440, 1000)

	// Outgoing; baresip hangs up: Disconnect #16 to the phone.
	idle(t, nd)
	calls = phones[1].CallInfo().Calls
	if !phones[1].Dial("4930200", 0) {
		t.Fatal("phone 1 busy")
	}
	b.Wait("CALL_ESTABLISHED", 30*time.Second)
	time.Sleep(2 * time.Second)
	b.Command("hangup", "")
	b.Wait("CALL_CLOSED", 10*time.Second)
	if i := callOver(t, "phone 1's outgoing call to end", phones[1], calls, 10*time.Second); i.Cause != cc.CauseNormalClearing || i.Connected == 0 {
		t.Errorf("phone 1 after baresip's BYE: %+v", i)
	}
	b.Stop()

	// Early media: 183 with SDP through kamailio. The phone is alerted
	// with progress #8 (or sent Progress #8 if a 180 came first) and its
	// TCH/F is joined to the RTP before Connect. Debian's baresip 1.0.0
	// answers 183 with SDP but starts its audio only at 200, so what the
	// phone hears early is checked only if baresip sent any.
	be := trunktest.StartBaresip(t, kport, 440, "early")
	idle(t, nd)
	calls = phones[1].CallInfo().Calls
	relays := nd.Snapshot().Core.Calls.Relays
	if !phones[1].Dial("4930200", 0) {
		t.Fatal("phone 1 busy")
	}
	waitFor(t, "phone 1 alerted with in-band information", 30*time.Second, func() bool {
		i := phones[1].CallInfo()
		return i.Calls > calls && i.Alerting > 0 && i.InBand
	})
	waitFor(t, "the TCH/F joined before the answer", 5*time.Second, func() bool { return nd.Snapshot().Core.Calls.Relays > relays })
	if len(ownUDPPorts(t, 43000, 43199)) == 0 {
		t.Error("no RTP port held during a call: the leak check would see nothing")
	}
	time.Sleep(2 * time.Second)
	_, early, _ := phones[1].Voice()
	if i := phones[1].CallInfo(); i.Connected != 0 || i.Ended {
		t.Fatalf("phone 1 during early media: %+v", i)
	}
	t.Logf("phone 1 heard %d frames before Connect", len(early))
	if len(early) > 0 {
		trunktest.CheckTone(t, "phone 1 heard before Connect (183 early media)", decodeHeard(early), 440, 1000)
	}
	be.Command("accept", "")
	be.Wait("CALL_ESTABLISHED", 10*time.Second)
	waitFor(t, "phone 1 connected", 10*time.Second, func() bool { return phones[1].CallInfo().Connected > 0 })
	time.Sleep(2 * time.Second)
	be.Command("hangup", "")
	be.Wait("CALL_CLOSED", 10*time.Second)
	callOver(t, "phone 1's early-media call to end", phones[1], calls, 10*time.Second)
	be.Stop()
	_, heard, _ = phones[1].Voice()
	trunktest.CheckTone(t, "phone 1 heard (early-media call, after 200)", decodeHeard(heard), 440, 1000)
	if s := nd.Snapshot().Core.Calls.Relays; s != relays+1 {
		t.Errorf("%d relays for the early-media call, want 1 (joined once, at the 183)", s-relays)
	}

	// The provider down: the keepalive notices, calls out fail #38.
	k.Stop()
	waitFor(t, "the trunk to notice the provider gone", 30*time.Second, func() bool {
		return nd.Snapshot().Trunks[0].State != "registered"
	})
	idle(t, nd)
	calls = phones[0].CallInfo().Calls
	if !phones[0].Dial("4930200", 0) {
		t.Fatal("phone 0 busy")
	}
	if i := callOver(t, "phone 0's call with the provider down to end", phones[0], calls, 20*time.Second); i.Cause != cc.CauseNetworkOutOfOrder || i.Alerting != 0 {
		t.Errorf("phone 0 with the provider down: %+v, want #38", i)
	}
	// ... and back: the trunk registers again, a call connects.
	trunktest.StartKamailio(t, kport)
	waitFor(t, "the trunk registered again", 40*time.Second, func() bool {
		return nd.Snapshot().Trunks[0].State == "registered"
	})
	b2 := trunktest.StartBaresip(t, kport, 440, "auto")
	idle(t, nd)
	calls = phones[0].CallInfo().Calls
	if !phones[0].Dial("4930200", 1100) {
		t.Fatal("phone 0 busy")
	}
	b2.Wait("CALL_ESTABLISHED", 30*time.Second)
	b2.Wait("CALL_CLOSED", 30*time.Second)
	callOver(t, "phone 0's call after the provider came back", phones[0], calls, 15*time.Second)
	_, heard, _ = phones[0].Voice()
	trunktest.CheckTone(t, "phone 0 heard (provider back)", decodeHeard(heard), 440, 1000)

	// A phone vanishing mid-call: radio link failure, BYE to baresip.
	idle(t, nd)
	if !phones[1].Dial("4930200", 0) {
		t.Fatal("phone 1 busy")
	}
	b2.Wait("CALL_ESTABLISHED", 30*time.Second)
	time.Sleep(time.Second)
	phones[1].PowerOff()
	start := time.Now()
	m := b2.Wait("CALL_CLOSED", 30*time.Second)
	t.Logf("BYE after the phone vanished: %v later, %v", time.Since(start).Round(100*time.Millisecond), m["param"])
	b2.Stop()
	// Both calls' audio is in baresip's recording; the tone check holds
	// for the pair.
	trunktest.CheckTone(t, "baresip heard (provider back)", b2.Heard(), 1000, 440)

	nothingHeld(t, nd)
	s := nd.Snapshot()
	t.Logf("trunk %+v", s.Trunks[0])
}
