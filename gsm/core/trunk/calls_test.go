package trunk

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/cc"
	"github.com/gsmbox/gsmbox/gsm/core"
	"github.com/gsmbox/gsmbox/gsm/core/trunk/trunktest"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

// setup starts kamailio, a registered trunk and baresip.
func setup(t *testing.T, answer string) (*Trunk, *Group, *events, *testMedia, *trunktest.Baresip, int) {
	t.Helper()
	testtool.Short(t)
	kport := trunktest.FreePort(t)
	trunktest.StartKamailio(t, kport)
	tm := &testMedia{}
	ev := newEvents()
	tr, g := startTrunk(t, kport, trunktest.TrunkPass, ev, tm, nil)
	waitState(t, tr, "registered", 5*time.Second)
	b := trunktest.StartBaresip(t, kport, 440, answer)
	return tr, g, ev, tm, b, kport
}

// A phone calls baresip through the trunk: INVITE with digest proxy
// authentication, baresip answers, speech both ways, our BYE ends it.
func TestCallToBaresip(t *testing.T) {
	tr, g, ev, tm, b, _ := setup(t, "auto")
	g.Dial(1, "1001", "4930200", false)
	ans := ev.next(t, core.TrunkAnswered, 5*time.Second)
	if ans.Call != 1 || ans.Port == nil {
		t.Fatalf("answered %+v", ans)
	}
	c := runCell(ans.Port, 1000)
	b.Wait("CALL_ESTABLISHED", 5*time.Second)
	time.Sleep(3 * time.Second)
	g.DTMF(1, '9', true)
	time.Sleep(200 * time.Millisecond)
	g.DTMF(1, '9', false)
	if m := b.Wait("CALL_DTMF_START", 3*time.Second); m["param"] != "9" {
		t.Errorf("baresip's DTMF event %v, want 9", m)
	}
	g.Hangup(1, cc.CauseNormalClearing)
	b.Wait("CALL_CLOSED", 5*time.Second)
	down := c.end()
	b.Stop()
	trunktest.CheckTone(t, "the phone heard", down, 440, 1000)
	trunktest.CheckTone(t, "baresip heard", b.Heard(), 1000, 440)
	noLeak(t, g, tm)
	if s := tr.Status(); s.CallsOut != 1 {
		t.Errorf("status %+v", s)
	}
}

// The phone hangs up while baresip rings: CANCEL; baresip's call closes;
// nothing is left.
func TestCancelWhileRinging(t *testing.T) {
	_, g, ev, tm, b, _ := setup(t, "manual")
	g.Dial(1, "1001", "4930200", false)
	ev.next(t, core.TrunkRinging, 5*time.Second)
	b.Wait("CALL_INCOMING", 5*time.Second)
	g.Hangup(1, cc.CauseNormalClearing)
	b.Wait("CALL_CLOSED", 5*time.Second)
	noLeak(t, g, tm)
}

// Failure responses map to causes: busy (486 → #17), unknown (404 → #1),
// a provider failure (503 → #41 once no other trunk is left).
func TestOutgoingFailures(t *testing.T) {
	_, g, ev, tm, _, _ := setup(t, "auto")
	for i, c := range []struct {
		to   string
		want cc.CauseValue
	}{{"4930486", cc.CauseUserBusy}, {"4930999", cc.CauseUnassignedNumber}, {"4930503", cc.CauseTemporaryFailure}} {
		id := uint32(10 + i)
		g.Dial(id, "1001", c.to, false)
		end := ev.next(t, core.TrunkEnded, 5*time.Second)
		if end.Call != id || end.Cause != c.want {
			t.Errorf("call to %s ended %+v, want #%d", c.to, end, c.want)
		}
	}
	noLeak(t, g, tm)
}

// Incoming calls the switch refuses get the mapped SIP response: an
// unknown DID 404, a busy subscriber 486, a phone out of coverage 480;
// baresip giving up while the phone rings (CANCEL) ends the call #16.
func TestIncomingFailures(t *testing.T) {
	tr, g, ev, tm, b, kport := setup(t, "auto")
	dial := func(did string) { b.Command("dial", fmt.Sprintf("sip:%s@127.0.0.1:%d", did, kport)) }
	dial("5559999")
	if m := b.Wait("CALL_CLOSED", 5*time.Second); !strings.Contains(fmt.Sprint(m["param"]), "404") {
		t.Errorf("unknown DID: %v, want 404", m)
	}
	for _, c := range []struct {
		cause cc.CauseValue
		code  string
	}{{cc.CauseUserBusy, "486"}, {cc.CauseNoUserResponding, "480"}, {cc.CauseUnassignedNumber, "404"}} {
		dial("5551000")
		in := ev.next(t, core.TrunkIncoming, 5*time.Second)
		g.Hangup(in.Call, c.cause)
		if m := b.Wait("CALL_CLOSED", 5*time.Second); !strings.Contains(fmt.Sprint(m["param"]), c.code) {
			t.Errorf("cause #%d: baresip got %v, want %s", c.cause, m, c.code)
		}
	}
	dial("5551002")
	in := ev.next(t, core.TrunkIncoming, 5*time.Second)
	g.Ringing(in.Call)
	b.Wait("CALL_RINGING", 5*time.Second)
	b.Command("hangup", "")
	end := ev.next(t, core.TrunkEnded, 5*time.Second)
	if end.Call != in.Call || end.Cause != cc.CauseNormalClearing {
		t.Errorf("CANCEL gave %+v", end)
	}
	noLeak(t, g, tm)
	if s := tr.Status(); s.Refused != 1 || s.CallsIn != 4 {
		t.Errorf("status %+v", s)
	}
}

// Hostile SIP: an INVITE flood, malformed and huge messages from an
// address that is not the provider's are dropped unparsed; malformed
// messages from the provider's own address crash nothing; calls still
// go through, and the registration holds.
func TestHostileSIP(t *testing.T) {
	tr, g, ev, tm, b, kport := setup(t, "auto")
	target, _ := net.ResolveUDPAddr("udp4", tr.Addr())
	invite := func(i int) []byte {
		return fmt.Appendf(nil, "INVITE sip:5551000@%s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:5099;branch=z9hG4bK%d\r\nFrom: <sip:x@127.0.0.2>;tag=%d\r\nTo: <sip:5551000@127.0.0.1>\r\nCall-ID: flood%d\r\nCSeq: 1 INVITE\r\nContact: <sip:x@127.0.0.2:5099>\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
			tr.Addr(), i, i, i)
	}
	junk := [][]byte{
		[]byte("INVITE\r\n\r\n"),
		[]byte("SIP/2.0 200\r\nVia: ;;;;\r\n\r\n"),
		append([]byte("INVITE sip:a@b SIP/2.0\r\nContent-Length: 99999999\r\nVia: SIP/2.0/UDP x\r\n\r\n"), make([]byte, 60000)...),
		[]byte("INVITE sip:5551000@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKx\r\nFrom: <sip:@>\r\nTo: <>\r\nCall-ID: \r\nCSeq: x INVITE\r\n\r\n"),
		[]byte("\x00\x01\x02\xff"),
	}
	// From 127.0.0.2: not the provider.
	stranger, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 2)})
	if err != nil {
		t.Skip("no 127.0.0.2: ", err)
	}
	defer stranger.Close()
	for i := range 3000 {
		stranger.WriteToUDP(invite(i), target)
	}
	for _, j := range junk {
		stranger.WriteToUDP(j, target)
	}
	// From the provider's address (127.0.0.1), the malformed ones.
	local, _ := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	defer local.Close()
	for _, j := range junk {
		local.WriteToUDP(j, target)
	}
	time.Sleep(500 * time.Millisecond)
	// The kernel drops part of a flood sent this fast; what was read
	// was dropped by the filter, and none of it became a call.
	if s := tr.Status(); s.Dropped < 500 || s.CallsIn != 0 || s.Active != 0 {
		t.Errorf("after the flood: %+v", s)
	}
	// A real call still gets through.
	b.Command("dial", fmt.Sprintf("sip:5551000@127.0.0.1:%d", kport))
	in := ev.next(t, core.TrunkIncoming, 5*time.Second)
	g.Answer(in.Call)
	b.Wait("CALL_ESTABLISHED", 5*time.Second)
	g.Hangup(in.Call, cc.CauseNormalClearing)
	b.Wait("CALL_CLOSED", 5*time.Second)
	noLeak(t, g, tm)
	if s := tr.Status(); s.State != "registered" {
		t.Errorf("registration after the flood: %+v", s)
	}
}
