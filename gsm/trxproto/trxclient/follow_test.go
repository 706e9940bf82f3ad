package trxclient

import (
	"bytes"
	"log/slog"
	"math/rand/v2"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/tdma"
	"github.com/gsmbox/gsmbox/gsm/trxproto"
)

// frames returns the time n frames after t0.
func frames(t0 time.Time, n int) time.Time {
	return t0.Add(time.Duration(n) * phy.FrameDuration)
}

// One outlying IND CLOCK (spoofed, or corrupted) does not move the
// followed clock, nor does a burst of agreeing spoofs between two real
// indications; real indications a few frames late move it by a bounded
// slew; a transceiver that really restarted with a new clock is followed
// once its indications have agreed for clockAgreeSpan.
func TestFollowerIgnoresOutliers(t *testing.T) {
	t0 := time.Unix(1000, 0)
	var f follower
	real := func(k int) { // the real clock: FN 5000 at t0, an indication every 102 frames
		f.observe(tdma.FN(5000+k), frames(t0, k))
	}
	real(0)
	for k := 102; k <= 1020; k += 102 {
		real(k)
		if k == 306 {
			if f.observe(tdma.FN(900000), frames(t0, k+1)) {
				t.Fatalf("one spoofed IND CLOCK moved the clock")
			}
		}
		if k == 612 { // a flood of agreeing spoofs between two real indications
			for i := 0; i < 1000; i++ {
				f.observe(tdma.FN(70000+k+i/100), frames(t0, k+i/100))
			}
		}
		if got, want := f.now(frames(t0, k+50)), tdma.FN(5000+k+50); got != want {
			t.Fatalf("after the indication at frame %d: clock at +50 = %d, want %d", k, got, want)
		}
	}
	if f.jumps != 0 || f.outliers != 1001 {
		t.Errorf("jumps %d, outliers %d; want 0 and 1001", f.jumps, f.outliers)
	}
	// Real indications 5 frames late (a busy host): followed at most
	// slewPerSecond frames a second.
	k := 1020 + 102
	f.observe(tdma.FN(5000+k-5), frames(t0, k))
	if d := f.now(frames(t0, k)).Sub(tdma.FN(5000 + k)); d > 0 || d < -5 || d > -1 {
		t.Errorf("after an indication 5 frames late the clock moved %d frames, want 1..5 back", -d)
	}
	// A restarted transceiver: FN 10 from now on.
	start := frames(t0, 2000)
	jumped := false
	for i := 0; i <= 4*102; i += 102 {
		jumped = f.observe(tdma.FN(10+i), frames(start, i)) || jumped
	}
	if !jumped || f.now(frames(start, 500)) != 510 {
		t.Errorf("restarted clock: jumped %v, clock %d; want a jump to FN 510 at +500", jumped, f.now(frames(start, 500)))
	}
}

// The client against a transceiver on loopback: a spoofed IND CLOCK sent
// to its clock port does not change the downlink schedule (the frames
// Next hands out stay Advance ahead of the real clock), and it is counted.
func TestClientIgnoresSpoofedClock(t *testing.T) {
	base := 41000 + int(time.Now().UnixNano()%1000)*4
	trxLink, err := trxproto.Listen(trxproto.LinkConfig{Side: trxproto.TRXSide, Base: base})
	if err != nil {
		t.Skipf("cannot bind loopback UDP: %v", err)
	}
	start := time.Now()
	fakeTRXAt(t, trxLink, start)
	btsLink, err := trxproto.Listen(trxproto.LinkConfig{Side: trxproto.BTSSide, Base: base})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	cfg := Config{Link: btsLink, Band: tdma.GSM900, ARFCN: 62, TSC: 5, Advance: 10, MaxVersion: 1,
		Log: slog.New(slog.NewTextHandler(&logs, nil))}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	// sched returns the frame Next returns and how far it is from the real
	// clock plus the advance (the loop's tick, the indications' latency on
	// a busy host).
	sched := func() (tdma.FN, int) {
		fn, err := c.Next(ctx)
		if err != nil {
			t.Fatalf("Next() = %v", err)
		}
		real := tdma.FN(1000 + time.Since(start)/phy.FrameDuration)
		return fn, fn.Sub(real.Add(cfg.Advance))
	}
	fn, d0 := sched()
	for c.Stats().Clocks < 2 {
		fn, d0 = sched()
	}
	if d0 < -100 || d0 > 100 {
		t.Fatalf("before the spoof Next() = %d, %d frames off the real clock plus the advance", fn, d0)
	}
	// The followed clock, which sets the schedule (Next hands out frames
	// up to it plus the advance), read at a fixed time: immune to this
	// goroutine being descheduled on a busy host.
	t0 := time.Now()
	followed := func() tdma.FN { ci := c.clock.Load(); return predict(ci.fn, ci.at, t0) }
	before := followed()
	spoof, err := net.DialUDP("udp", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: base + trxproto.ClientOffset})
	if err != nil {
		t.Fatal(err)
	}
	defer spoof.Close()
	for _, m := range []string{"IND CLOCK 2000000", "IND CLOCK 12", "IND CLOCK x", "garbage\x00\xff"} {
		spoof.Write([]byte(m))
	}
	for end := time.Now().Add(600 * time.Millisecond); time.Now().Before(end); {
		next, _ := sched()
		if next != fn.Add(1) {
			t.Fatalf("after the spoof Next() = %d, want %d: the schedule jumped", next, fn.Add(1))
		}
		// Real indications delayed on a busy host may slew it a little.
		if d := followed().Sub(before); d < -2*clockTolerance || d > 2*clockTolerance {
			t.Fatalf("after the spoof the followed clock moved %d frames: the schedule moved", d)
		}
		fn = next
	}
	s := c.Stats()
	// Real indications delayed on a busy host may be outliers too.
	if s.ClockOutliers < 2 || s.BadClock != 2 || s.ClockJumps != 0 {
		t.Errorf("Stats() = %+v, want ≥ 2 clock outliers, 2 bad clock datagrams, no jumps", s)
	}
	c.Close()
	if n := strings.Count(logs.String(), "far from the followed clock"); n < 1 || n > 6 {
		t.Errorf("the outliers gave %d log lines, want 1 to 6 (rate-limited, with a summary):\n%s", n, logs.String())
	}
}

// fakeTRXAt is fakeTRX with a known clock origin: FN 1000 at start.
func fakeTRXAt(t *testing.T, link *trxproto.Link, start time.Time) *trxproto.ControlServer {
	return fakeTRXClock(t, link, func() uint32 { return uint32(1000 + time.Since(start)/phy.FrameDuration) })
}

// Whatever arrives on the clock socket, the follower never panics, and
// the followed clock moves by more than the tolerance only on a jump.
func FuzzClockIndication(f *testing.F) {
	f.Add([]byte("IND CLOCK 1000"), uint16(102))
	f.Add([]byte("IND CLOCK 2715647"), uint16(0))
	f.Add([]byte("IND CLOCK -1"), uint16(5))
	f.Add([]byte("IND CLOCK 99999999999999999999"), uint16(1))
	f.Add([]byte("RSP CLOCK 0 5"), uint16(1))
	c, _ := New(Config{Link: &trxproto.Link{}})
	f.Fuzz(func(t *testing.T, b []byte, gap uint16) {
		var fl follower
		var gen uint64
		t0 := time.Unix(0, 0)
		c.observe(&fl, &gen, 1000, t0)
		now := frames(t0, int(gap))
		before := fl.now(now)
		m, err := trxproto.ParseMessage(b)
		if err != nil {
			return
		}
		fn, ok := m.Int(0)
		if m.Type != trxproto.IND || m.Verb != "CLOCK" || !ok || fn < 0 || fn >= tdma.HyperFrame {
			return
		}
		c.observe(&fl, &gen, tdma.FN(fn), now)
		if d := fl.now(now).Sub(before); (d > clockTolerance || d < -clockTolerance) && fl.jumps == 0 {
			t.Fatalf("IND CLOCK %d moved the clock %d frames without a jump", fn, d)
		}
		if ci := c.clock.Load(); ci == nil || ci.fn != fl.fn && fl.outliers == 0 {
			t.Fatalf("the published clock is not the follower's")
		}
	})
}

// Whatever uplink PDU arrives, the client never panics; it hands a burst
// up only on a slot the plan listens to, and an access burst only where
// the plan expects one.
func FuzzUplinkClassification(f *testing.F) {
	up := trxproto.UplinkPDU{Version: 1, TN: 0, FN: 20, RSSI: -60, TSC: 5}
	var access tdma.Burst
	var ad [tdma.AccessDataBits]byte
	tdma.Access(&access, &ad)
	up.Soft = soft(&access, tdma.AccessBurstBits)
	buf := make([]byte, trxproto.MaxUplinkLen+2)
	n, _ := up.MarshalTo(buf)
	f.Add(append([]byte(nil), buf[:n]...))
	up.Version, up.Padding = 0, true
	n, _ = up.MarshalTo(buf)
	f.Add(append([]byte(nil), buf[:n]...))
	up = trxproto.UplinkPDU{Version: 1, TN: 3, FN: 21, NOPE: true}
	n, _ = up.MarshalTo(buf)
	f.Add(append([]byte(nil), buf[:n]...))
	f.Add([]byte{0x10, 0, 0, 0, 20, 60})
	plan := phy.PlanFunc(func(fn tdma.FN, p *phy.Plan) {
		*p = phy.Plan{}
		p.Slots[0] = phy.RxNormal
		if fn%2 == 0 {
			p.Slots[0] = phy.RxAccess
		}
		p.Slots[3] = phy.RxAccess
	})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, _ := New(Config{Link: &trxproto.Link{}})
		var p trxproto.UplinkPDU
		if err := p.Unmarshal(b); err != nil {
			c.badData.Note(err)
			if c.badData.Count() != 1 {
				t.Fatalf("a malformed PDU was not counted")
			}
			return
		}
		c.deliver(&p)
		var got []tdma.RxBurst
		c.Receive(plan, func(rb *tdma.RxBurst) { got = append(got, *rb) })
		var want phy.Plan
		plan.Plan(p.FN, &want)
		mode := want.Slots[p.TN&7]
		if mode == phy.RxOff {
			if len(got) != 0 {
				t.Fatalf("burst on TN%d, which the plan does not listen to, handed up", p.TN)
			}
			return
		}
		if len(got) != 1 {
			t.Fatalf("Receive handed up %d bursts, want 1", len(got))
		}
		switch k := got[0].Kind; {
		case k == tdma.KindAccess && mode != phy.RxAccess:
			t.Fatalf("access burst where the plan expects %v", mode)
		case k != tdma.KindAccess && k != tdma.KindNone && k != tdma.KindNormal:
			t.Fatalf("kind %v handed up", k)
		case p.NOPE && k != tdma.KindNone:
			t.Fatalf("NOPE handed up as %v", k)
		}
		if got[0].FN != p.FN || got[0].TN != p.TN {
			t.Fatalf("burst FN %d TN %d, PDU FN %d TN %d", got[0].FN, got[0].TN, p.FN, p.TN)
		}
	})
}

// A transceiver that cannot keep real time (gsmbox trx on an overloaded
// host, running at 80 to 97 % speed, or catching up at 110 %) is still
// followed: by the bounded slew and small jumps, a few dozen frames off
// at worst, so that the layer 1's bursts stay inside its queue. Random
// spoofed indications between its real ones change nothing.
func TestFollowerSlowTransceiver(t *testing.T) {
	for _, spoofed := range []bool{false, true} {
		for _, c := range []struct {
			speed float64
			worst int
		}{{0.97, 20}, {0.9, 30}, {0.8, 60}, {1.1, 40}} {
			rng := rand.New(rand.NewPCG(1, 2))
			t0 := time.Unix(1000, 0)
			var f follower
			worst := 0
			for k := 0; k < 60*217; k += 102 { // a minute of its frames
				at := t0.Add(time.Duration(float64(k) / c.speed * float64(phy.FrameDuration)))
				f.observe(tdma.FN(k), at)
				if d := f.now(at).Sub(tdma.FN(k)); max(d, -d) > worst {
					worst = max(d, -d)
				}
				for i := 0; spoofed && i < 5; i++ {
					f.observe(tdma.FN(rng.UintN(tdma.HyperFrame)), at.Add(time.Duration(i+1)*40*time.Millisecond))
				}
			}
			if worst > c.worst || f.jumps == 0 {
				t.Errorf("following a clock at %.0f %% speed (spoofs between: %v): worst error %d frames, %d jumps; want ≤ %d frames, by jumps",
					100*c.speed, spoofed, worst, f.jumps, c.worst)
			}
		}
	}
}
