package trxclient

import (
	"testing"

	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/tdma"
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
