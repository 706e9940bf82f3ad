package ms_test

import (
	"testing"

	"github.com/gsmbox/gsmbox/gsm/bts"
	"github.com/gsmbox/gsmbox/gsm/lapdm"
	"github.com/gsmbox/gsmbox/gsm/ms"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// BenchmarkPhoneIdleFrame is the camped phone's per-frame step: Listen,
// the bursts of its paging block, Frame. It should not allocate except
// when a block decodes into a message that is not an empty paging.
func BenchmarkPhoneIdleFrame(b *testing.B) {
	l := newLoop(b, newCell(b, nil), 1, 0)
	p := l.phones[0]
	p2, _ := ms.New(ms.Config{SIM: testSIM("001010000000009")})
	l.phones[0] = p2 // no Upper: camps and stays idle
	p2.PowerOn()
	for range 51 * 8 {
		l.step()
	}
	if p2.State() != ms.StateIdle {
		b.Fatalf("State() = %v, want idle", p2.State())
	}
	_ = p
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		l.step()
	}
}

// BenchmarkPhoneDedicatedFrame is the per-frame step of a cell and a
// phone on an SDCCH whose link stays up (LAPDm idle: fill frames down,
// measurement reports up, SI5/SI6): the phone's part is the difference
// with BenchmarkCellFrame.
func BenchmarkPhoneDedicatedFrame(b *testing.B) {
	var nl *netLink
	cc := testCellConfig(true)
	cell, err := bts.New(bts.Config{Cell: cc, NewLink: func(bts.ChanInfo) bts.Link {
		l, _ := lapdm.NewLink(lapdm.Network, lapdm.SDCCH)
		nl = &netLink{t: b, link: l, tmsi: 1, keep: true}
		return nl
	}})
	if err != nil {
		b.Fatal(err)
	}
	l := newLoop(b, cell, 1, 0)
	p := l.phones[0]
	for range 51 * 20 {
		l.step()
		if p.Best() >= ms.MsRegistered {
			break
		}
	}
	if p.State() != ms.StateDedicated {
		b.Fatalf("phone not on an SDCCH (state %v, best %v)", p.State(), p.Best())
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		l.step()
	}
	b.StopTimer()
	if p.State() != ms.StateDedicated {
		b.Fatalf("phone left the SDCCH (state %v)", p.State())
	}
}

// BenchmarkCellFrame is the cell alone, for comparison.
func BenchmarkCellFrame(b *testing.B) {
	cell, err := bts.New(bts.Config{Cell: testCellConfig(true)})
	if err != nil {
		b.Fatal(err)
	}
	var out [tdma.Slots]tdma.TxBurst
	fn := tdma.FN(0)
	b.ReportAllocs()
	for b.Loop() {
		cell.Frame(fn, &out)
		fn = fn.Add(1)
	}
}
