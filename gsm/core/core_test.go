package core

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/bts"
	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/core/registry/registrytest"
	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/ms"
	"github.com/gsmbox/gsmbox/gsm/ms/mstest"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// world is tier 2 of the test plan: the cell, the core network above it
// and virtual phones exchanging bursts directly, frame by frame, with no
// DSP in between (each side hands the other its bursts as confident soft
// bits).
type world struct {
	t      *testing.T
	cell   *bts.Cell
	net    *Network
	reg    *registry.Registry
	phones []*ms.Phone
	origin []int
	fn     tdma.FN
	dl, ul [tdma.Slots]tdma.TxBurst
	ended  []mm.Result
	epoch  time.Time
	frames int64
	// stepLossy's per-phone state: the current block is lost; the
	// phone is releasing, since relAt.
	lost      []bool
	releasing []bool
	relAt     []tdma.FN
}

var cellLAI = l3.LAI{PLMN: l3.PLMN{MCC: "001", MNC: "01"}, LAC: 0x1234}

func newWorld(t *testing.T, policy registry.Policy, mmcfg mm.Config) *world {
	reg, _ := registrytest.NewRegistry(t, policy)
	return newWorldOn(t, reg, mmcfg)
}

// newWorldOn is newWorld over a registry of the caller's.
func newWorldOn(t *testing.T, reg *registry.Registry, mmcfg mm.Config) *world {
	w := &world{t: t, reg: reg}
	mmcfg.LAI = cellLAI
	w.epoch = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	net, err := New(Config{MM: mmcfg, HLR: NewHLR(w.reg), Rand: rand.NewChaCha8([32]byte{1}), SyncHLR: true,
		OnResult: func(r mm.Result) { w.ended = append(w.ended, r) }})
	if err != nil {
		t.Fatal(err)
	}
	w.net = net
	cc := rr.DefaultCellConfig()
	cc.PLMN, cc.LAC, cc.CI = cellLAI.PLMN, cellLAI.LAC, 7
	cc.BSIC = tdma.BSIC{NCC: 2, BCC: 5}
	cc.Band, cc.ARFCN = tdma.GSM900, 62
	w.cell, err = bts.New(bts.Config{Cell: cc, ID: 1, Up: net.Up()})
	if err != nil {
		t.Fatal(err)
	}
	net.AddCell(1, w.cell.Down())
	return w
}

func sim(imsi string, alg crypto.Algorithm) *mm.SIM {
	var ki crypto.Ki
	for i := range ki {
		ki[i] = imsi[i%len(imsi)] ^ byte(i)
	}
	var opc crypto.OPc
	if alg.UsesOPc() {
		for i := range opc {
			opc[i] = byte(0xa0 + i)
		}
	}
	return mm.NewSIM(imsi, alg, ki, opc)
}

// addPhone powers on a phone with the SIM; its radio's frame count starts
// origin frames after the cell's.
func (w *world) addPhone(s *mm.SIM, origin int) *ms.Phone {
	return w.addPhoneCM(s, origin, true)
}

// addPhoneCM adds a phone that supports A5/1 and, if a53, A5/3.
func (w *world) addPhoneCM(s *mm.SIM, origin int, a53 bool) *ms.Phone {
	cm1 := l3.Classmark1{Revision: 1, RFPower: 4, A51: true}
	cfg := &mm.MSConfig{Classmark1: cm1, IMEI: "490154203237518",
		Classmark2: l3.Classmark2{Classmark1: cm1, A53: a53}}
	p, err := ms.New(ms.Config{SIM: s, Seed: uint64(len(w.phones) + 1), Upper: ms.NewMM(cfg, s)})
	if err != nil {
		w.t.Fatal(err)
	}
	p.PowerOn()
	w.phones = append(w.phones, p)
	w.origin = append(w.origin, origin)
	return p
}

func (w *world) step() {
	w.cell.Frame(w.fn, &w.dl)
	for i, p := range w.phones {
		local := w.fn.Add(-w.origin[i])
		mstest.Downlink(p, local, &w.dl)
		p.Frame(local, &w.ul)
		mstest.UplinkFrom(p, w.fn, &w.ul, -70, float32(i%4), w.cell.Receive)
	}
	w.core()
}

// core runs the core at the time of the frame just done (virtual time:
// one TDMA frame per step) and moves to the next frame.
func (w *world) core() {
	w.frames++
	w.net.Step(w.epoch.Add(time.Duration(w.frames) * frameDuration))
	w.fn = w.fn.Add(1)
}

// frameDuration is one TDMA frame, 120/26 ms (TS 45.002 §4.3.1).
const frameDuration = 120 * time.Millisecond / 26

// run steps until every phone is registered and idle again, or the
// frame budget runs out.
func (w *world) run(frames int) {
	for range frames {
		w.step()
		done := true
		for _, p := range w.phones {
			done = done && p.Stats().Registered && p.State() == ms.StateIdle
		}
		if done && len(w.ended) >= len(w.phones) {
			return
		}
	}
}

// Open policy: unknown phones are provisioned with MSISDNs from the range
// and registered by IMSI, get a TMSI, and the registry records them.
func TestLocationUpdateOpen(t *testing.T) {
	rg, _ := registry.ParseRange("5000-5099")
	w := newWorld(t, registry.Policy{Mode: registry.ModeOpen, MSISDNRange: rg}, mm.Config{FullName: "Village Net", ShortName: "Village"})
	for i := range 4 {
		w.addPhone(sim(fmt.Sprintf("0010100000%05d", i+1), crypto.COMP128v1), 17+500*i)
	}
	w.run(51 * 200)
	for i, p := range w.phones {
		imsi := p.SIM().IMSI
		s, err := w.reg.Get(imsi)
		if err != nil {
			t.Fatalf("phone %d: registry has no %s: %v", i, imsi, err)
		}
		if !p.Stats().Registered {
			t.Errorf("phone %d (%s) did not register: best %v state %v", i, imsi, p.Best(), p.State())
			continue
		}
		if s.TMSI == registry.NoTMSI || uint32(s.TMSI) != p.SIM().TMSI {
			t.Errorf("phone %d: registry TMSI %v, SIM TMSI %#x, want the same confirmed TMSI", i, s.TMSI, p.SIM().TMSI)
		}
		if s.MSISDN == "" || !s.Attached || s.LAI.LAC != cellLAI.LAC {
			t.Errorf("phone %d: registry record %+v, want an MSISDN, attached in LAC %#x", i, s, cellLAI.LAC)
		}
	}
	if len(w.ended) != len(w.phones) {
		t.Fatalf("%d connections ended, want %d", len(w.ended), len(w.phones))
	}
	for _, r := range w.ended {
		if r.Outcome != mm.OutcomeAccepted || !r.TMSIConfirmed {
			t.Errorf("connection result %+v, want accepted with the TMSI confirmed", r)
		}
	}
}

// Provisioned subscribers with keys are authenticated: COMP128 and
// Milenage SIMs whose keys match register; a SIM with the wrong Ki is
// refused with Authentication Reject.
func TestLocationUpdateAuthenticated(t *testing.T) {
	w := newWorld(t, registry.Policy{Mode: registry.ModeClosed}, mm.Config{NoCipher: true})
	good := []*mm.SIM{sim("001010000000101", crypto.COMP128v1), sim("001010000000102", crypto.COMP128v3), sim("001010000000103", crypto.Milenage)}
	for _, s := range good {
		if _, err := w.reg.Add(registry.Subscriber{IMSI: s.IMSI, MSISDN: "7" + s.IMSI[12:], Algorithm: s.Algorithm, Ki: s.Ki, OPc: s.OPc}); err != nil {
			t.Fatal(err)
		}
	}
	bad := sim("001010000000104", crypto.COMP128v1)
	wrong := bad.Ki
	wrong[0] ^= 1
	if _, err := w.reg.Add(registry.Subscriber{IMSI: bad.IMSI, MSISDN: "7104", Algorithm: crypto.COMP128v1, Ki: wrong}); err != nil {
		t.Fatal(err)
	}
	for i, s := range append(good, bad) {
		w.addPhone(s, 31+700*i)
	}
	for range 51 * 200 {
		w.step()
		if len(w.ended) == 4 {
			break
		}
	}
	byIMSI := map[string]mm.Result{}
	for _, r := range w.ended {
		byIMSI[r.IMSI] = r
	}
	for _, s := range good {
		r := byIMSI[s.IMSI]
		if r.Outcome != mm.OutcomeAccepted || !r.Authenticated {
			t.Errorf("%s (%v): result %+v, want accepted after authentication", s.IMSI, s.Algorithm, r)
		}
	}
	if r := byIMSI[bad.IMSI]; r.Outcome != mm.OutcomeAuthFailed {
		t.Errorf("wrong Ki: result %+v, want authentication failed", r)
	}
}

// A closed network rejects a phone it does not know with cause #2 (IMSI
// unknown in HLR), and the phone goes back to idle unregistered.
func TestLocationUpdateRejected(t *testing.T) {
	w := newWorld(t, registry.Policy{Mode: registry.ModeClosed}, mm.Config{})
	p := w.addPhone(sim("001010000000201", crypto.COMP128v1), 40)
	for range 51 * 100 {
		w.step()
		if len(w.ended) == 1 {
			break
		}
	}
	if len(w.ended) != 1 || w.ended[0].Outcome != mm.OutcomeRejected || w.ended[0].Cause != mm.Cause(2) {
		t.Fatalf("results %+v, want one rejection with cause #2", w.ended)
	}
	if p.Stats().Registered {
		t.Error("phone registered in a closed network it is not listed in")
	}
}

func encodeRACH(dst *[36]byte, ra uint8, cell *bts.Cell) {
	coding.EncodeRACH(dst, ra, cell.L1Config().BSIC)
}

// With the default security settings every subscriber with a key is
// authenticated and ciphered on the air: A5/3 with a phone that has it,
// A5/1 with one that does not. The cell's downlink goes enciphered for
// both, and the location updates complete over the ciphered channel.
func TestLocationUpdateCiphered(t *testing.T) {
	w := newWorld(t, registry.Policy{Mode: registry.ModeClosed}, mm.Config{})
	sims := []*mm.SIM{sim("001010000000401", crypto.COMP128v3), sim("001010000000402", crypto.Milenage)}
	for _, s := range sims {
		if _, err := w.reg.Add(registry.Subscriber{IMSI: s.IMSI, MSISDN: "8" + s.IMSI[12:], Algorithm: s.Algorithm, Ki: s.Ki, OPc: s.OPc}); err != nil {
			t.Fatal(err)
		}
	}
	w.addPhoneCM(sims[0], 31, true)
	w.addPhoneCM(sims[1], 900, false)
	w.run(51 * 200)
	want := map[string]mm.Cipher{sims[0].IMSI: mm.A53, sims[1].IMSI: mm.A51}
	if len(w.ended) != 2 {
		t.Fatalf("%d connections ended, want 2: %+v", len(w.ended), w.ended)
	}
	for _, r := range w.ended {
		if r.Outcome != mm.OutcomeAccepted || !r.Authenticated || !r.Ciphered || r.Cipher != want[r.IMSI] {
			t.Errorf("%s: result %+v, want accepted, authenticated, ciphered with %v", r.IMSI, r, want[r.IMSI])
		}
	}
	for i, p := range w.phones {
		if !p.Stats().Registered {
			t.Errorf("phone %d did not register", i)
		}
	}
	if st := w.cell.Stats().Dedicated; st.Ciphered != 2 {
		t.Errorf("cell enciphered the downlink of %d channels, want 2", st.Ciphered)
	}
}
