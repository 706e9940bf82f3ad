package ms_test

import (
	"testing"

	"github.com/gsmbox/gsmbox/gsm/bts"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/ms"
	"github.com/gsmbox/gsmbox/gsm/rr"
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
	cc := testCellConfig(true)
	net := newFakeNet(b, bts.Config{Cell: cc}, 1)
	net.keep = true
	l := newLoop(b, net.cell, 1, 0)
	l.net = net
	// An MM that never gives up the connection (gsm/mm's would leave
	// after T3240, 10 s): the benchmark measures RR, LAPDm and L1.
	sim := testSIM("001010000000077")
	p, err := ms.New(ms.Config{SIM: sim, Seed: 9, Upper: stayUpper{}})
	if err != nil {
		b.Fatal(err)
	}
	p.PowerOn()
	l.phones[0] = p
	for range 51 * 20 {
		l.step()
		if p.Best() >= ms.MsEstablished {
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

// stayUpper is an MM that asks for one connection and keeps it.
type stayUpper struct{}

func (stayUpper) Tick(tdma.FN) bool                    { return false }
func (stayUpper) Camped(l3.LAI, uint8)                 {}
func (stayUpper) Paged(l3.MobileIdentity) bool         { return false }
func (stayUpper) WantsConnection() (rr.EstCause, bool) { return rr.EstLocationUpdate, true }
func (stayUpper) Identity() (uint8, l3.Classmark2, l3.MobileIdentity) {
	return 7, l3.Classmark2{}, l3.IMSI("001010000000077")
}
func (stayUpper) CipherKey(uint8) ([8]byte, string, bool) { return [8]byte{}, "", false }
func (stayUpper) CipheringStarted()                       {}
func (stayUpper) Established()                            {}
func (stayUpper) Data([]byte, func([]byte) error)         {}
func (stayUpper) Released(bool)                           {}

// Initial is a Location Updating Request (TS 24.008 §9.2.15) by IMSI.
func (stayUpper) Initial(dst []byte) int {
	m := mm.LocationUpdatingRequest{Type: mm.LUIMSIAttach, CKSN: 7,
		LAI: l3.LAI{PLMN: l3.PLMN{MCC: "001", MNC: "01"}, LAC: 0x1234}, Identity: l3.IMSI("001010000000077")}
	n, err := m.MarshalTo(dst)
	if err != nil {
		return 0
	}
	return n
}
