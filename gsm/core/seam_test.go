package core

import (
	"bytes"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/core/registry/registrytest"
	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/ms"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/rsl"
	"github.com/gsmbox/gsmbox/gsm/rsl/rsltest"
)

// fakeCell is the BTS side of the seam in a test: it queues events for
// the core and collects its requests.
type fakeCell struct {
	t   *testing.T
	net *Network
	c   *rsltest.Cell
	now time.Time
}

func newFakeCell(t *testing.T, policy registry.Policy) (*fakeCell, *registry.Registry) {
	reg, _ := registrytest.NewRegistry(t, policy)
	net, err := New(Config{MM: mm.Config{LAI: cellLAI}, HLR: NewHLR(reg), SyncHLR: true})
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeCell{t: t, net: net, c: rsltest.New(5, net.Up(), 64), now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	net.AddCell(5, f.c.Down)
	return f, reg
}

// up sends one event and steps the core; it returns the requests.
func (f *fakeCell) up(u rsl.Up) []rsl.Down {
	if !f.c.Send(u) {
		f.t.Fatal("up queue full")
	}
	f.now = f.now.Add(10 * time.Millisecond)
	f.net.Step(f.now)
	return f.c.Requests()
}

func encodeMM(t *testing.T, m mm.Message) []byte {
	b := make([]byte, m.MarshalSize())
	n, err := m.MarshalTo(b)
	if err != nil {
		t.Fatal(err)
	}
	return b[:n]
}

// The core's side of the seam: the first L3 message comes in an
// establish indication, answers go down as data requests for the same
// channel and activation, SMS on SAPI 3 is answered with CP-ERROR and a
// call with RELEASE COMPLETE, the session table follows the subscriber,
// and the end of the channel (RF CHANNEL RELEASE ACK) ends the
// connection. Events for another activation are stale.
func TestSeamCore(t *testing.T) {
	rg, _ := registry.ParseRange("5000-5099")
	f, _ := newFakeCell(t, registry.Policy{Mode: registry.ModeOpen, MSISDNRange: rg})
	ch := l1.Chan{Kind: l1.ChanSDCCH4, TN: 0, Sub: 2}
	const imsi = "001010000004242"
	if d := f.up(rsl.Up{Kind: rsl.ChanRequired, Chan: ch, Ref: 7, Cause: uint8(rr.EstLocationUpdate)}); len(d) != 0 {
		t.Fatalf("CHAN RQD answered with %+v", d)
	}
	lu := encodeMM(t, &mm.LocationUpdatingRequest{Type: mm.LUIMSIAttach, CKSN: 7, LAI: cellLAI,
		Classmark1: l3.Classmark1{Revision: 1, A51: true}, Identity: l3.IMSI(imsi)})
	d := f.up(rsl.Up{Kind: rsl.EstablishInd, Chan: ch, Ref: 7, SAPI: 0, Msg: lu})
	if len(d) != 1 || d[0].Kind != rsl.DataReq || d[0].Chan != ch || d[0].Ref != 7 || d[0].Cell != 5 {
		t.Fatalf("requests after the LU request: %+v, want the LU accept as a data request on %v ref 7", d, ch)
	}
	if mt, _, err := mm.Peek(d[0].Msg); err != nil || mt != mm.MsgLocationUpdatingAccept {
		t.Errorf("first answer % x, want Location Updating Accept", d[0].Msg)
	}
	snap := f.net.Snapshot()
	if len(snap.Sessions) != 1 || snap.Sessions[0].IMSI != imsi || snap.Sessions[0].Cell != 5 || snap.Sessions[0].Chan != ch {
		t.Errorf("sessions %+v, want %s on cell 5 %v", snap.Sessions, imsi, ch)
	}
	// SMS and CC, which the network does not serve yet.
	d = f.up(rsl.Up{Kind: rsl.DataInd, Chan: ch, Ref: 7, SAPI: 3, Msg: []byte{0x09, 0x01, 0x00}})
	if len(d) != 1 || d[0].SAPI != 3 || !bytes.Equal(d[0].Msg, []byte{0x89, 0x10, 97}) {
		t.Errorf("answer to CP-DATA: %+v, want CP-ERROR #97 on SAPI 3", d)
	}
	d = f.up(rsl.Up{Kind: rsl.DataInd, Chan: ch, Ref: 7, SAPI: 0, Msg: []byte{0x03, 0x45, 0x04}})
	if len(d) != 1 || d[0].SAPI != 0 || len(d[0].Msg) < 2 || d[0].Msg[1] != 0x2a {
		t.Errorf("answer to SETUP: %+v, want RELEASE COMPLETE on SAPI 0", d)
	}
	// A stale event, for an older activation, changes nothing.
	if d = f.up(rsl.Up{Kind: rsl.DataInd, Chan: ch, Ref: 6, SAPI: 0, Msg: lu}); len(d) != 0 {
		t.Errorf("stale event answered with %+v", d)
	}
	// The phone confirms the TMSI: the core releases the channel.
	d = f.up(rsl.Up{Kind: rsl.DataInd, Chan: ch, Ref: 7, SAPI: 0, Msg: encodeMM(t, &mm.TMSIReallocationComplete{NSD: 1})})
	if len(d) != 1 || d[0].Kind != rsl.ChanRelease || len(d[0].Msg) < 2 || rr.MsgType(d[0].Msg[1]) != rr.MsgChannelRelease {
		t.Fatalf("after TMSI Reallocation Complete: %+v, want RF CHAN REL with Channel Release", d)
	}
	var ended []mm.Result
	f.net.cfg.OnResult = func(r mm.Result) { ended = append(ended, r) }
	f.up(rsl.Up{Kind: rsl.ReleaseInd, Chan: ch, Ref: 7, SAPI: 0})
	if len(ended) != 0 {
		t.Fatal("the connection ended before the channel was released")
	}
	f.up(rsl.Up{Kind: rsl.ChanReleased, Chan: ch, Ref: 7})
	if len(ended) != 1 || ended[0].Outcome != mm.OutcomeAccepted || !ended[0].TMSIConfirmed || ended[0].IMSI != imsi {
		t.Fatalf("results %+v, want one accepted LU with the TMSI confirmed", ended)
	}
	snap = f.net.Snapshot()
	if len(snap.Sessions) != 0 || snap.Connections != 0 || snap.Stats.Unserved != 2 || snap.Stats.StaleEvents == 0 {
		t.Errorf("snapshot after the release %+v, want no session or connection, 2 unserved, a stale event", snap)
	}
}

// Mobile-terminated work waits in the subscriber's session while every
// cell pages the MS with its TMSI; when the MS answers, the paging
// response clears it.
func TestPageWaitsInSession(t *testing.T) {
	f, reg := newFakeCell(t, registry.Policy{Mode: registry.ModeClosed})
	const imsi = "001010000004343"
	if _, err := reg.Add(registry.Subscriber{IMSI: imsi, MSISDN: "4343"}); err != nil {
		t.Fatal(err)
	}
	if err := f.net.Page(MTRequest{IMSI: imsi, TMSI: 0x01020304, What: "sms"}); err != nil {
		t.Fatal(err)
	}
	d := f.up(rsl.Up{Kind: rsl.MeasResult}) // any event: the step takes the command
	if len(d) != 1 || d[0].Kind != rsl.PagingCmd || d[0].IMSI != imsi {
		t.Fatalf("requests %+v, want one PAGING CMD for %s", d, imsi)
	}
	var id l3.MobileIdentity
	if err := id.Unmarshal(d[0].Msg); err != nil || id != l3.TMSI(0x01020304) {
		t.Errorf("paged identity %v (%v), want TMSI 0x01020304", id, err)
	}
	snap := f.net.Snapshot()
	if len(snap.Sessions) != 1 || len(snap.Sessions[0].Pending) != 1 {
		t.Fatalf("sessions %+v, want the page pending", snap.Sessions)
	}
	ch := l1.Chan{Kind: l1.ChanSDCCH4, TN: 0, Sub: 1}
	pr := rr.PagingResponse{CKSN: 7, Classmark: l3.Classmark2{Classmark1: l3.Classmark1{Revision: 1, A51: true}}, Identity: l3.IMSI(imsi)}
	b := make([]byte, 32)
	n, err := pr.MarshalTo(b)
	if err != nil {
		t.Fatal(err)
	}
	d = f.up(rsl.Up{Kind: rsl.EstablishInd, Chan: ch, Ref: 1, Msg: b[:n]})
	if len(d) == 0 || d[len(d)-1].Kind != rsl.ChanRelease {
		t.Fatalf("requests after the paging response %+v, want the channel released (nothing to deliver yet)", d)
	}
	snap = f.net.Snapshot()
	if len(snap.Sessions) != 1 || len(snap.Sessions[0].Pending) != 0 {
		t.Errorf("sessions %+v, want the page answered", snap.Sessions)
	}
	// Work nobody answers for expires after the page timeout.
	if err := f.net.Page(MTRequest{IMSI: "001010000009999", What: "call"}); err != nil {
		t.Fatal(err)
	}
	f.up(rsl.Up{Kind: rsl.MeasResult})
	if snap := f.net.Snapshot(); snap.Stats.PageExpired != 0 || len(snap.Sessions) != 2 {
		t.Fatalf("snapshot %+v, want the second page waiting", snap)
	}
	f.now = f.now.Add(DefaultPageTimeout)
	f.up(rsl.Up{Kind: rsl.MeasResult})
	if snap := f.net.Snapshot(); snap.Stats.PageExpired != 1 {
		t.Errorf("snapshot %+v, want the page expired", snap)
	}
}

// End to end in tier 2: a registered phone is paged through the core and
// the cell (PAGING CMD in its paging group), answers with a Paging
// Response on a new SDCCH, is authenticated and ciphered, and the work
// that waited for it leaves the session table.
func TestPagingEndToEnd(t *testing.T) {
	w := newWorld(t, registry.Policy{Mode: registry.ModeClosed}, mm.Config{})
	s := sim("001010000005151", crypto.COMP128v3)
	if _, err := w.reg.Add(registry.Subscriber{IMSI: s.IMSI, MSISDN: "5151", Algorithm: s.Algorithm, Ki: s.Ki}); err != nil {
		t.Fatal(err)
	}
	p := w.addPhone(s, 77)
	w.run(51 * 200)
	if !p.Stats().Registered || p.State() != ms.StateIdle || len(w.ended) != 1 {
		t.Fatalf("the phone did not register: %+v", p.Stats())
	}
	if err := w.net.Page(MTRequest{IMSI: s.IMSI, TMSI: s.TMSI, What: "sms"}); err != nil {
		t.Fatal(err)
	}
	for range 51 * 100 {
		w.step()
		if len(w.ended) == 2 && p.State() == ms.StateIdle {
			break
		}
	}
	if p.Stats().Pages != 1 || w.cell.Stats().Dedicated.Paged != 1 {
		t.Errorf("pages: phone saw %d, cell queued %d; want 1 each", p.Stats().Pages, w.cell.Stats().Dedicated.Paged)
	}
	if len(w.ended) != 2 {
		t.Fatalf("%d connections ended, want the LU and the paging response", len(w.ended))
	}
	if r := w.ended[1]; r.Procedure != mm.ProcPaging || r.Outcome != mm.OutcomeAccepted || r.IMSI != s.IMSI || !r.Ciphered {
		t.Errorf("paging connection %+v, want accepted and ciphered for %s", r, s.IMSI)
	}
	snap := w.net.Snapshot()
	if len(snap.Sessions) != 0 || snap.Stats.PageExpired != 0 {
		t.Errorf("snapshot %+v, want no session left and nothing expired", snap)
	}
}
