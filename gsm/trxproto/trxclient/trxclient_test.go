package trxclient

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/tdma"
	"github.com/gsmbox/gsmbox/gsm/trxproto"
)

func soft(b *tdma.Burst, n int) (s tdma.SoftBurst) {
	for i := range n {
		s[i] = int8(100 - 200*int(b[i]))
	}
	return s
}

// An access burst where the plan listens for one is recognised by its
// synchronisation sequence; a normal burst there, or noise, is not; a
// burst where the plan expects normal bursts passes unchanged, and one on
// a slot the plan does not listen to is not handed up.
func TestReceiveClassifies(t *testing.T) {
	var access, normal tdma.Burst
	var ad [tdma.AccessDataBits]byte
	var nd [tdma.NormalDataBits]byte
	tdma.Access(&access, &ad)
	tdma.Normal(&normal, &nd, 7)
	const rach = 20 // the plan below: TN0 of even frames is RACH
	plan := phy.PlanFunc(func(fn tdma.FN, p *phy.Plan) {
		*p = phy.Plan{}
		p.Slots[0] = phy.RxNormal
		if fn%2 == 0 {
			p.Slots[0] = phy.RxAccess
		}
	})
	cases := []struct {
		name string
		b    tdma.RxBurst
		want tdma.BurstKind
	}{
		{"access on RACH", tdma.RxBurst{FN: rach, Kind: tdma.KindNormal, Soft: soft(&access, tdma.AccessBurstBits)}, tdma.KindAccess},
		{"normal burst on RACH", tdma.RxBurst{FN: rach, Kind: tdma.KindNormal, Soft: soft(&normal, tdma.BurstBits)}, tdma.KindNone},
		{"NOPE", tdma.RxBurst{FN: rach, Kind: tdma.KindNone}, tdma.KindNone},
		{"normal off RACH", tdma.RxBurst{FN: rach + 1, Kind: tdma.KindNormal, Soft: soft(&normal, tdma.BurstBits)}, tdma.KindNormal},
	}
	c := &Client{ul: make(chan tdma.RxBurst, 8)}
	for _, cs := range cases {
		c.ul <- cs.b
	}
	c.ul <- tdma.RxBurst{FN: rach, TN: 3, Kind: tdma.KindNormal} // TN3 is off
	var got []tdma.BurstKind
	if err := c.Receive(plan, func(b *tdma.RxBurst) { got = append(got, b.Kind) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(cases) {
		t.Fatalf("Receive handed up %d bursts, want %d", len(got), len(cases))
	}
	for i, cs := range cases {
		if got[i] != cs.want {
			t.Errorf("Receive(%s) kind = %v, want %v", cs.name, got[i], cs.want)
		}
	}
}

// fakeTRX is a transceiver's control and clock on loopback: it answers
// TRXC as osmo-trx does and, once powered on, sends IND CLOCK every 50 ms
// from FN 1000.
func fakeTRX(t *testing.T, link *trxproto.Link) *trxproto.ControlServer {
	start := time.Now()
	return fakeTRXClock(t, link, func() uint32 { return uint32(1000 + time.Since(start)/phy.FrameDuration) })
}

// fakeTRXClock is fakeTRX with the clock given by now.
func fakeTRXClock(t *testing.T, link *trxproto.Link, now func() uint32) *trxproto.ControlServer {
	t.Helper()
	ctrl := trxproto.NewControlServer(trxproto.Hooks{NominalPowerDBm: 20})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop); link.Close(); wg.Wait() })
	wg.Add(2)
	go func() {
		defer wg.Done()
		for {
			m, err := link.ReadControl(time.Time{})
			if err != nil {
				return
			}
			if r, ok := ctrl.Handle(m); ok {
				link.SendControl(r)
			}
		}
	}()
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			if ctrl.State().Powered {
				link.SendClock(now())
			}
		}
	}()
	return ctrl
}

// Against a transceiver on loopback, the client initialises it (tuned,
// TSC, slots, powered on), hands out frames Advance ahead of its clock,
// sends their bursts as TRXD, hands up its uplink PDUs, and switches it
// off when the context ends.
func TestClientAgainstTransceiver(t *testing.T) {
	base := 43000 + int(time.Now().UnixNano()%1000)*4
	trxLink, err := trxproto.Listen(trxproto.LinkConfig{Side: trxproto.TRXSide, Base: base})
	if err != nil {
		t.Skipf("cannot bind loopback UDP: %v", err)
	}
	ctrl := fakeTRX(t, trxLink)
	btsLink, err := trxproto.Listen(trxproto.LinkConfig{Side: trxproto.BTSSide, Base: base})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Link: btsLink, Band: tdma.GSM900, ARFCN: 62, TSC: 5, Advance: 5, MaxVersion: 1}
	cfg.Slots[0], cfg.Slots[1] = trxproto.SlotBCCHSD4, trxproto.SlotSDCCH8
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fn, err := c.Next(ctx)
	if err != nil {
		t.Fatalf("Next() = %v", err)
	}
	st := ctrl.State()
	if !st.Powered || st.TSC != 5 || st.Slots[0] != trxproto.SlotBCCHSD4 || st.Slots[1] != trxproto.SlotSDCCH8 || st.Version != 1 {
		t.Errorf("transceiver state after Next: %v", st.String())
	}
	if fn < 1005 || fn > 1005+50 {
		t.Errorf("first frame %d, want about the clock (≥ 1000) plus the advance 5", fn)
	}
	if next, err := c.Next(ctx); err != nil || next != fn.Add(1) {
		t.Errorf("second Next() = %d, %v, want %d", next, err, fn.Add(1))
	}
	// A dynamic timeslot switches: SETSLOT at run time, from the
	// client's own goroutine (the loop's call returns at once).
	if !c.SetSlot(6, trxproto.SlotSDCCH8) {
		t.Fatal("SetSlot refused")
	}
	for end := time.Now().Add(3 * time.Second); ctrl.State().Slots[6] != trxproto.SlotSDCCH8 && time.Now().Before(end); {
		time.Sleep(5 * time.Millisecond)
	}
	if st := ctrl.State(); st.Slots[6] != trxproto.SlotSDCCH8 || c.Stats().SlotChanges != 1 {
		t.Errorf("after SetSlot(6, SDCCH/8): transceiver %v, %d slot changes; want TS6 SDCCH/8, 1", st.String(), c.Stats().SlotChanges)
	}
	var bursts [tdma.Slots]tdma.TxBurst
	bursts[2] = tdma.TxBurst{Kind: tdma.KindNormal, Bits: tdma.Burst{1, 0, 1}}
	if err := c.Transmit(fn, &bursts); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1500)
	n, err := trxLink.ReadData(buf, time.Now().Add(2*time.Second))
	var dl trxproto.DownlinkPDU
	if err != nil || dl.Unmarshal(buf[:n]) != nil || dl.FN != fn || dl.TN != 2 || dl.Bits != bursts[2].Bits {
		t.Errorf("transceiver read %+v, %v; want FN %d TN 2 with the burst's bits", dl, err, fn)
	}
	// An uplink PDU comes back up.
	up := trxproto.UplinkPDU{Version: 1, TN: 1, FN: fn, RSSI: -70, ToA256: 256, TSC: 5}
	n, err = up.MarshalTo(buf)
	if err != nil {
		t.Fatal(err)
	}
	trxLink.SendData(buf[:n])
	var got []tdma.RxBurst
	plan := phy.PlanFunc(func(_ tdma.FN, p *phy.Plan) { *p = phy.Plan{}; p.Slots[1] = phy.RxNormal })
	for end := time.Now().Add(2 * time.Second); len(got) == 0 && time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		c.Receive(plan, func(b *tdma.RxBurst) { got = append(got, *b) })
	}
	if len(got) != 1 || got[0].FN != fn || got[0].TN != 1 || got[0].RSSI != -70 || got[0].ToA != 1 {
		t.Errorf("Receive handed up %+v, want the PDU's burst (TN1, -70 dBm, ToA 1)", got)
	}
	cancel()
	if _, err := c.Next(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Next() after cancel = %v, want context.Canceled", err)
	}
	if ctrl.State().Powered {
		t.Errorf("transceiver still powered after the client stopped")
	}
	if s := c.Stats(); s.Sent != 1 || s.Inits != 1 || s.Clocks == 0 || s.Received != 1 {
		t.Errorf("Stats() = %+v, want 1 sent, 1 init, clocks, 1 received", s)
	}
}

// A transceiver whose IND CLOCK runs 40 frames ahead of the air (as
// "gsmbox trx --clock-lead 40" does for osmo-bts-trx): the client learns
// the lead from the uplink PDUs' frame numbers and hands out frames its
// Advance ahead of the air, not of the clock, so that the stack's answer
// to an uplink block makes the next downlink block (LAPDm T200, TS 44.006
// §5.8.1). Without the correction the stack ran 40 frames further ahead.
func TestClientFollowsTheAir(t *testing.T) {
	base := 45000 + int(time.Now().UnixNano()%1000)*4
	trxLink, err := trxproto.Listen(trxproto.LinkConfig{Side: trxproto.TRXSide, Base: base})
	if err != nil {
		t.Skipf("cannot bind loopback UDP: %v", err)
	}
	const lead, adv = 40, 10
	start := time.Now()
	air := func() tdma.FN { return tdma.FN(1000 + time.Since(start)/phy.FrameDuration) }
	ctrl := fakeTRXClock(t, trxLink, func() uint32 { return uint32(air().Add(lead)) })
	btsLink, err := trxproto.Listen(trxproto.LinkConfig{Side: trxproto.BTSSide, Base: base})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Link: btsLink, Band: tdma.GSM900, ARFCN: 62, TSC: 5, Advance: adv, MaxVersion: 1}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The uplink: a NOPE for TN0 of each frame read from the air.
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		var last tdma.FN
		for {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
			if fn := air(); ctrl.State().Powered && fn != last {
				last = fn
				up := trxproto.UplinkPDU{Version: 1, FN: fn, NOPE: true}
				if n, err := up.MarshalTo(buf); err == nil {
					trxLink.SendData(buf[:n])
				}
			}
		}
	}()
	defer func() { close(stop); <-done }()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	plan := phy.PlanFunc(func(_ tdma.FN, p *phy.Plan) { *p = phy.Plan{} })
	var ahead []int
	for end := time.Now().Add(1500 * time.Millisecond); time.Now().Before(end); {
		fn, err := c.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		c.Receive(plan, func(*tdma.RxBurst) {})
		ahead = append(ahead, fn.Sub(air()))
	}
	// Past the first second (the lead learnt), every frame is about the
	// advance ahead of the air.
	late := ahead[len(ahead)/2:]
	for _, a := range late {
		if a < adv-6 || a > adv+6 {
			t.Fatalf("frames handed out %d ahead of the air (last half of %d: %v), want %d ± 6; lead learnt %d", a, len(ahead), late[:min(len(late), 20)], adv, c.Stats().ClockLead)
		}
	}
	if l := c.Stats().ClockLead; l < lead-3 || l > lead+6 {
		t.Errorf("Stats().ClockLead = %d, want about %d", l, lead)
	}
}
