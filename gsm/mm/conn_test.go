package mm_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/mm/mmtest"
)

const testIMSI = "001010000000001"

// Mobile equipment: an R99 phone with A5/1 and A5/3, and an old one with
// A5/1 only.
func phoneA53() *mm.MSConfig {
	cm1 := l3.Classmark1{Revision: 2, ESInd: true, A51: true, RFPower: 4}
	return &mm.MSConfig{
		Classmark1: cm1,
		Classmark2: l3.Classmark2{Classmark1: cm1, SMCap: true, FC: true, CM3: true, A53: true},
		IMEI:       "490154203237518", IMEISV: "4901542032375101",
		T3212: 30 * time.Minute,
	}
}

func phoneA51() *mm.MSConfig {
	cm1 := l3.Classmark1{Revision: 1, A51: true, RFPower: 4}
	return &mm.MSConfig{Classmark1: cm1, Classmark2: l3.Classmark2{Classmark1: cm1, SMCap: true}, IMEI: "35209900176148"}
}

func baseConfig() *mm.Config {
	return &mm.Config{LAI: cellLAI, FullName: "gsmbox test network", ShortName: "gsmbox", SendTime: true}
}

func noKeySIM() *mm.SIM { return mm.NewSIM(testIMSI, crypto.AlgNone, crypto.Ki{}, crypto.OPc{}) }

func wantTrace(t *testing.T, h *harness, want ...string) {
	t.Helper()
	if !slices.Equal(h.names, want) {
		t.Errorf("message flow:\n%s\nwant:\n%s", h.trace(), strings.Join(want, "\n"))
	}
}

// TestLUNewSubscriberIMSI: a new SIM registers by IMSI on an open network
// without keys: no identity request, no authentication; it gets a TMSI,
// confirms it, and shows the network name.
func TestLUNewSubscriberIMSI(t *testing.T) {
	reg := mmtest.New()
	reg.Open = true
	h := newHarness(t, baseConfig(), reg, phoneA53(), noKeySIM())
	h.lu(mm.LUNormal)
	wantTrace(t, h,
		"MS>Location Updating Request",
		"NW>Location Updating Accept",
		"NW>MM Information",
		"MS>TMSI Reallocation Complete",
		"NW>Channel Release")
	r := h.net.Result()
	if r.Outcome != mm.OutcomeAccepted || r.IMSI != testIMSI || !r.TMSIConfirmed || r.Authenticated || r.Ciphered {
		t.Errorf("Result = %+v, want accepted, IMSI %s, TMSI confirmed, no auth", r, testIMSI)
	}
	s := reg.Subs[testIMSI]
	if s == nil || s.TMSI != r.TMSI || s.NewTMSI != mm.NoTMSI || !s.Attached || s.LAI != cellLAI || !s.LastSeen.Equal(t0) {
		t.Errorf("registry record = %+v, want TMSI %#x attached in %v", s, r.TMSI, cellLAI)
	}
	if h.ms.SIM.TMSI != r.TMSI || !h.ms.Registered(cellLAI) {
		t.Errorf("SIM TMSI = %#x, registered %v, want %#x, true", h.ms.SIM.TMSI, h.ms.Registered(cellLAI), r.TMSI)
	}
	if h.ms.FullName != "gsmbox test network" || h.ms.ShortName != "gsmbox" || !h.ms.HasTime ||
		h.ms.UniversalTime != (mm.UniversalTime{Year: 26, Month: 11, Day: 22, Hour: 3, Zone: 4}) {
		t.Errorf("MS network info = %q, %q, %+v, want the configured names and 03:00 UTC+1", h.ms.FullName, h.ms.ShortName, h.ms.UniversalTime)
	}
	// Two TMSI-related commits: attach with the new TMSI pending, then
	// its confirmation.
	if len(reg.Commits) != 2 || reg.Commits[0].Kind != mm.UpdateAttach || reg.Commits[1].Kind != mm.UpdateTMSI {
		t.Errorf("commits = %+v, want attach then tmsi", reg.Commits)
	}
}

// TestLUUnknownTMSI: the MS presents a TMSI the VLR does not know (e.g.
// after a database loss): the network asks for the IMSI (T3270).
func TestLUUnknownTMSI(t *testing.T) {
	reg := mmtest.New()
	reg.Add(mmtest.Subscriber{IMSI: testIMSI})
	sim := noKeySIM()
	sim.TMSI, sim.LAI, sim.Status = 0x0badcafe, cellLAI, mm.U1Updated
	h := newHarness(t, baseConfig(), reg, phoneA53(), sim)
	h.lu(mm.LUIMSIAttach)
	wantTrace(t, h,
		"MS>Location Updating Request",
		"NW>Identity Request",
		"MS>Identity Response",
		"NW>Location Updating Accept",
		"NW>MM Information",
		"MS>TMSI Reallocation Complete",
		"NW>Channel Release")
	if r := h.net.Result(); r.Outcome != mm.OutcomeAccepted || r.IMSI != testIMSI || r.Type != mm.LUIMSIAttach {
		t.Errorf("Result = %+v, want IMSI attach accepted for %s", r, testIMSI)
	}
	if h.ms.SIM.TMSI == 0x0badcafe || h.ms.SIM.TMSI != reg.Subs[testIMSI].TMSI {
		t.Errorf("SIM TMSI = %#x, registry %#x: want a new TMSI on both", h.ms.SIM.TMSI, reg.Subs[testIMSI].TMSI)
	}

	// The next update uses the new TMSI, which the VLR knows: no
	// identity request, and a fresh TMSI again.
	old := h.ms.SIM.TMSI
	h.names = nil
	h.lu(mm.LUNormal)
	if slices.Contains(h.names, "NW>Identity Request") || h.ms.SIM.TMSI == old || !h.net.Result().TMSIConfirmed {
		t.Errorf("second LU with a known TMSI:\n%s\nTMSI %#x (old %#x)", h.trace(), h.ms.SIM.TMSI, old)
	}
}

// TestLUAuthCipher runs authentication and ciphering for COMP128v1 and
// Milenage subscribers with the RAND, SRES and Kc of gsm/crypto's
// committed osmo-auc-gen vectors, against phones with and without A5/3.
func TestLUAuthCipher(t *testing.T) {
	tests := []struct {
		name    string
		alg     crypto.Algorithm
		phone   func() *mm.MSConfig
		sendCM2 bool
		ciphers mm.CipherSet
		want    mm.Cipher
		enquiry bool
	}{
		{"comp128v1 A5/1 phone", crypto.COMP128v1, phoneA51, false, 0, mm.A51, true},
		{"comp128v1 A5/3 phone enquiry", crypto.COMP128v1, phoneA53, false, 0, mm.A53, true},
		{"milenage A5/3 phone cm2 in request", crypto.Milenage, phoneA53, true, 0, mm.A53, false},
		{"milenage A5/1 only network", crypto.Milenage, phoneA53, true, 1 << mm.A51, mm.A51, false},
		{"comp128v1 A5/0 allowed, A5/3-only network, A5/1 phone", crypto.COMP128v1, phoneA51, false, 1<<mm.A50 | 1<<mm.A53, mm.A50, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := loadVector(t, tt.alg)
			reg := mmtest.New()
			reg.Add(mmtest.Subscriber{IMSI: testIMSI, Algorithm: v.alg, Ki: v.ki, OPc: v.opc})
			cfg := baseConfig()
			cfg.Ciphers = tt.ciphers
			phone := tt.phone()
			phone.SendClassmark2 = tt.sendCM2
			h := newHarness(t, cfg, reg, phone, mm.NewSIM(testIMSI, v.alg, v.ki, v.opc))
			rand := fixedRand(v.rand)
			h.connect(h.ms.LocationUpdate(h.now, cellLAI, mm.LUNormal), &rand)

			// The challenge on the air is the vector's RAND, and the
			// MS's answer is osmo-auc-gen's SRES.
			var req mm.AuthenticationRequest
			var resp mm.AuthenticationResponse
			for _, f := range h.frames {
				if t2, _, err := mm.Peek(f.b); err == nil {
					switch t2 {
					case mm.MsgAuthenticationRequest:
						req.Unmarshal(f.b)
					case mm.MsgAuthenticationResponse:
						resp.Unmarshal(f.b)
					}
				}
			}
			if req.RAND != v.rand || resp.SRES != v.sres {
				t.Errorf("RAND %v SRES %v on the air, want %v and osmo-auc-gen's %v", req.RAND, resp.SRES, v.rand, v.sres)
			}
			if h.ms.SIM.Kc != v.kc || h.ms.SIM.CKSN != req.CKSN {
				t.Errorf("SIM Kc matches osmo-auc-gen: %v, CKSN %d want %d", h.ms.SIM.Kc == v.kc, h.ms.SIM.CKSN, req.CKSN)
			}
			r := h.net.Result()
			if r.Outcome != mm.OutcomeAccepted || !r.Authenticated || r.Cipher != tt.want || r.Ciphered != (tt.want != mm.A50) {
				t.Errorf("Result = %+v, want accepted, authenticated, %v", r, tt.want)
			}
			if h.ciphered != (tt.want != mm.A50) || (h.ciphered && h.cipher != tt.want) {
				t.Errorf("RR ciphering started %v with %v, want %v", h.ciphered, h.cipher, tt.want)
			}
			if got := slices.Contains(h.names, "NW>Classmark Enquiry"); got != tt.enquiry {
				t.Errorf("classmark enquiry %v, want %v\n%s", got, tt.enquiry, h.trace())
			}
			// Ciphering comes after authentication and before the
			// accept.
			ia := slices.Index(h.names, "MS>Authentication Response")
			ic := slices.IndexFunc(h.names, func(s string) bool { return strings.HasPrefix(s, "NW>Ciphering Mode Command") })
			iacc := slices.Index(h.names, "NW>Location Updating Accept")
			if ia < 0 || iacc < ia || (tt.want != mm.A50 && (ic < ia || ic > iacc)) {
				t.Errorf("order: auth %d, cipher %d, accept %d\n%s", ia, ic, iacc, h.trace())
			}
		})
	}
}

// TestLUNoCommonCipher: the network allows only A5/3, the phone has only
// A5/1: the update is rejected rather than run in clear.
func TestLUNoCommonCipher(t *testing.T) {
	v := loadVector(t, crypto.COMP128v1)
	reg := mmtest.New()
	reg.Add(mmtest.Subscriber{IMSI: testIMSI, Algorithm: v.alg, Ki: v.ki})
	cfg := baseConfig()
	cfg.Ciphers = 1 << mm.A53
	h := newHarness(t, cfg, reg, phoneA51(), mm.NewSIM(testIMSI, v.alg, v.ki, crypto.OPc{}))
	h.lu(mm.LUNormal)
	if r := h.net.Result(); r.Outcome != mm.OutcomeRejected || r.Cause != mm.CauseNetworkFailure || h.ciphered {
		t.Errorf("Result = %+v (ciphered %v), want rejected #17\n%s", r, h.ciphered, h.trace())
	}
}

// TestLUWrongSRES: the SIM's Ki differs from the registry's: the network
// sends Authentication Reject, and the MS considers its SIM invalid.
func TestLUWrongSRES(t *testing.T) {
	v := loadVector(t, crypto.COMP128v1)
	reg := mmtest.New()
	reg.Add(mmtest.Subscriber{IMSI: testIMSI, Algorithm: v.alg, Ki: v.ki})
	other := v.ki
	other[0] ^= 1
	h := newHarness(t, baseConfig(), reg, phoneA53(), mm.NewSIM(testIMSI, v.alg, other, crypto.OPc{}))
	h.lu(mm.LUNormal)
	wantTrace(t, h,
		"MS>Location Updating Request",
		"NW>Authentication Request",
		"MS>Authentication Response",
		"NW>Authentication Reject",
		"NW>Channel Release")
	if r := h.net.Result(); r.Outcome != mm.OutcomeAuthFailed || r.Authenticated {
		t.Errorf("Result = %+v, want authentication failed", r)
	}
	if !h.ms.SIM.Invalid || h.ms.SIM.TMSI != mm.NoTMSI || h.ms.SIM.CKSN != mm.CKSNNone || h.ms.SIM.Status != mm.U3RoamingNotAllowed {
		t.Errorf("SIM after authentication reject = %+v, want invalid, no TMSI, no key, U3", h.ms.SIM)
	}
	if reg.Subs[testIMSI].Attached || len(reg.Commits) != 0 {
		t.Errorf("registry changed after a failed authentication: %+v", reg.Commits)
	}
	// An invalid SIM does not try again.
	if acts := h.ms.LocationUpdate(h.now, cellLAI, mm.LUNormal); len(acts) != 0 {
		t.Errorf("LocationUpdate with an invalid SIM = %v, want nothing", acts)
	}
}

// TestLUReject checks the reject causes from the registry's policy and the
// MS's reaction to each (TS 24.008 §4.4.4.7).
func TestLUReject(t *testing.T) {
	tests := []struct {
		name      string
		open      bool
		provision bool
		cause     mm.Cause
		want      mm.Cause
		invalid   bool
		status    mm.UpdateStatus
		retry     bool
	}{
		{"closed network unknown IMSI", false, false, 0, mm.CauseIMSIUnknownInHLR, true, mm.U3RoamingNotAllowed, false},
		{"barred", false, true, mm.CauseIllegalMS, mm.CauseIllegalMS, true, mm.U3RoamingNotAllowed, false},
		{"plmn not allowed", false, true, mm.CausePLMNNotAllowed, mm.CausePLMNNotAllowed, false, mm.U3RoamingNotAllowed, false},
		{"roaming not allowed in LA", false, true, mm.CauseRoamingNotAllowedInLA, mm.CauseRoamingNotAllowedInLA, false, mm.U3RoamingNotAllowed, false},
		{"congestion", false, true, mm.CauseCongestion, mm.CauseCongestion, false, mm.U2NotUpdated, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := mmtest.New()
			reg.Open = tt.open
			if tt.provision {
				reg.Add(mmtest.Subscriber{IMSI: testIMSI, Reject: tt.cause})
			}
			h := newHarness(t, baseConfig(), reg, phoneA53(), noKeySIM())
			h.lu(mm.LUNormal)
			wantTrace(t, h, "MS>Location Updating Request", "NW>Location Updating Reject", "NW>Channel Release")
			if r := h.net.Result(); r.Outcome != mm.OutcomeRejected || r.Cause != tt.want {
				t.Errorf("Result = %+v, want rejected with %v", r, tt.want)
			}
			if h.ms.LastCause() != tt.want || h.ms.SIM.Invalid != tt.invalid || h.ms.SIM.Status != tt.status {
				t.Errorf("MS cause %v, SIM invalid %v, status %v; want %v, %v, %v", h.ms.LastCause(), h.ms.SIM.Invalid, h.ms.SIM.Status, tt.want, tt.invalid, tt.status)
			}
			h.advance(mm.T3211Default)
			if got := len(h.pending) > 0; got != tt.retry {
				t.Errorf("retry after T3211 = %v (%v), want %v", got, h.pending, tt.retry)
			}
		})
	}
}

// TestTMSIReallocation: after a CM service request on a registered MS,
// the network reallocates the TMSI with a TMSI Reallocation Command.
func TestTMSIReallocation(t *testing.T) {
	reg := mmtest.New()
	reg.Open = true
	h := newHarness(t, baseConfig(), reg, phoneA53(), noKeySIM())
	h.lu(mm.LUNormal)
	first := h.ms.SIM.TMSI

	h.names = nil
	h.connect(h.ms.RequestService(h.now, cellLAI, mm.ServiceSMS), &mmtest.SeqReader{})
	h.netActions(h.net.ReallocateTMSI(h.now))
	wantTrace(t, h,
		"MS>CM Service Request",
		"NW:mm-connection SMS",
		"NW>CM Service Accept",
		"NW>TMSI Reallocation Command",
		"MS>TMSI Reallocation Complete")
	second := h.ms.SIM.TMSI
	if second == first || reg.Subs[testIMSI].TMSI != second || !h.net.Result().TMSIConfirmed || !h.ms.Connected() {
		t.Errorf("TMSI %#x -> %#x, registry %#x, result %+v", first, second, reg.Subs[testIMSI].TMSI, h.net.Result())
	}
	// Until confirmed, both TMSIs name the subscriber; after, the old
	// one is free.
	if _, ok := reg.IMSIByTMSI(first); ok {
		t.Errorf("old TMSI %#x still resolves after confirmation", first)
	}
}

// TestCMService covers the CM service request: accepted with ciphering
// (the Ciphering Mode Command is the implicit accept), and rejected with
// #4 for an unknown TMSI, after which the MS updates its location.
func TestCMService(t *testing.T) {
	v := loadVector(t, crypto.Milenage)
	reg := mmtest.New()
	reg.Add(mmtest.Subscriber{IMSI: testIMSI, Algorithm: v.alg, Ki: v.ki, OPc: v.opc})
	phone := phoneA53()
	phone.SendClassmark2 = true
	h := newHarness(t, baseConfig(), reg, phone, mm.NewSIM(testIMSI, v.alg, v.ki, v.opc))
	h.lu(mm.LUNormal)

	h.names = nil
	h.connect(h.ms.RequestService(h.now, cellLAI, mm.ServiceMOCall), &mmtest.SeqReader{})
	wantTrace(t, h,
		"MS>CM Service Request",
		"NW>Authentication Request",
		"MS>Authentication Response",
		"NW>Ciphering Mode Command A5/3",
		"MS>Ciphering Mode Complete",
		"NW:mm-connection MO call")
	if !h.ms.Connected() || h.net.Result().Outcome != mm.OutcomeAccepted {
		t.Errorf("MS connected %v, result %+v", h.ms.Connected(), h.net.Result())
	}
	// The MS abandons it.
	h.msActions(h.ms.AbortService(h.now))
	if !h.net.Done() || h.net.Result().Outcome != mm.OutcomeAccepted {
		t.Errorf("after CM Service Abort: done %v, result %+v", h.net.Done(), h.net.Result())
	}

	// The VLR forgets the TMSI.
	reg.Subs[testIMSI].TMSI = mm.NoTMSI
	h.names, h.pending = nil, nil
	h.connect(h.ms.RequestService(h.now, cellLAI, mm.ServiceSMS), &mmtest.SeqReader{})
	wantTrace(t, h, "MS>CM Service Request", "NW>CM Service Reject", "NW>Channel Release")
	if h.ms.SIM.TMSI != mm.NoTMSI || !slices.Equal(h.pending, []mm.LUType{mm.LUNormal}) {
		t.Errorf("after #4: SIM TMSI %#x, LU requests %v, want none and a normal LU", h.ms.SIM.TMSI, h.pending)
	}
}

// TestPeriodicLU: T3212 expires in idle mode and the MS does a periodic
// update, which the network accepts.
func TestPeriodicLU(t *testing.T) {
	reg := mmtest.New()
	reg.Open = true
	h := newHarness(t, baseConfig(), reg, phoneA53(), noKeySIM())
	h.lu(mm.LUNormal)
	if d, ok := h.ms.Deadline(); !ok || !d.Equal(t0.Add(30*time.Minute)) {
		t.Fatalf("MS Deadline() = %v, %v, want T3212 at %v", d, ok, t0.Add(30*time.Minute))
	}
	h.advance(30*time.Minute - time.Second)
	if len(h.pending) != 0 {
		t.Fatalf("periodic LU %v before T3212", h.pending)
	}
	h.advance(time.Second)
	if !slices.Equal(h.pending, []mm.LUType{mm.LUPeriodic}) {
		t.Fatalf("after T3212: LU requests %v, want periodic", h.pending)
	}
	h.lu(mm.LUPeriodic)
	if r := h.net.Result(); r.Outcome != mm.OutcomeAccepted || r.Type != mm.LUPeriodic || !reg.Subs[testIMSI].LastSeen.Equal(h.now) {
		t.Errorf("periodic LU result %+v, last seen %v", r, reg.Subs[testIMSI].LastSeen)
	}
}

// TestIMSIDetach: at power off the MS sends IMSI Detach Indication with
// its TMSI; the network marks the subscriber detached and releases
// without answering. The next power on is an IMSI attach.
func TestIMSIDetach(t *testing.T) {
	reg := mmtest.New()
	reg.Open = true
	h := newHarness(t, baseConfig(), reg, phoneA53(), noKeySIM())
	h.lu(mm.LUNormal)
	h.names = nil
	h.now = h.now.Add(time.Hour)
	h.connect(h.ms.Detach(h.now), &mmtest.SeqReader{})
	wantTrace(t, h, "MS>IMSI Detach Indication", "NW>Channel Release")
	s := reg.Subs[testIMSI]
	if s.Attached || !s.LastSeen.Equal(h.now) || h.net.Result().Outcome != mm.OutcomeDetached {
		t.Errorf("after detach: record %+v, result %+v", s, h.net.Result())
	}
	if got := h.ms.UpdateType(cellLAI); got != mm.LUIMSIAttach {
		t.Errorf("UpdateType after detach = %v, want IMSI attach", got)
	}
}

// TestTimers: a silent MS makes the network's T3270, T3260 and T3250
// expire; the network releases. The MS's T3210 aborts an unanswered
// update and T3211 retries it.
func TestTimers(t *testing.T) {
	v := loadVector(t, crypto.COMP128v1)
	tests := []struct {
		name    string
		drop    mm.MsgType
		tmsi    bool
		key     bool
		timer   string
		outcome mm.Outcome
	}{
		{"T3270 identity", mm.MsgIdentityResponse, true, false, "T3270", mm.OutcomeTimeout},
		{"T3260 authentication", mm.MsgAuthenticationResponse, false, true, "T3260", mm.OutcomeTimeout},
		{"T3250 TMSI reallocation", mm.MsgTMSIReallocationComplete, false, false, "T3250", mm.OutcomeAccepted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := mmtest.New()
			s := mmtest.Subscriber{IMSI: testIMSI}
			sim := noKeySIM()
			if tt.key {
				s.Algorithm, s.Ki = v.alg, v.ki
				sim = mm.NewSIM(testIMSI, v.alg, v.ki, crypto.OPc{})
			}
			reg.Add(s)
			if tt.tmsi {
				sim.TMSI, sim.LAI = 0x0badcafe, cellLAI
			}
			phone := phoneA53()
			phone.T3240 = time.Minute // the MS waits longer than T3250
			h := newHarness(t, baseConfig(), reg, phone, sim)
			h.drop = func(f frame) bool {
				ty, _, err := mm.Peek(f.b)
				return err == nil && ty == tt.drop
			}
			h.lu(mm.LUNormal)
			d, ok := h.net.Deadline()
			if !ok || !d.Equal(t0.Add(12*time.Second)) {
				t.Fatalf("Deadline() = %v, %v, want %v", d, ok, t0.Add(12*time.Second))
			}
			h.advance(12*time.Second - time.Millisecond)
			if h.net.Done() {
				t.Fatalf("released before %s", tt.timer)
			}
			h.advance(time.Millisecond)
			r := h.net.Result()
			if !h.net.Done() || r.Timer != tt.timer || r.Outcome != tt.outcome {
				t.Errorf("after %s: done %v, result %+v\n%s", tt.timer, h.net.Done(), r, h.trace())
			}
			if tt.timer == "T3250" {
				// The new TMSI stays pending; both resolve.
				rec := reg.Subs[testIMSI]
				if rec.NewTMSI != r.TMSI || rec.NewTMSI == mm.NoTMSI {
					t.Errorf("record after T3250 = %+v, want TMSI %#x pending", rec, r.TMSI)
				}
				if imsi, ok := reg.IMSIByTMSI(r.TMSI); !ok || imsi != testIMSI {
					t.Errorf("unconfirmed TMSI does not resolve")
				}
			}
		})
	}

	t.Run("T3210 and T3211 on the MS", func(t *testing.T) {
		reg := mmtest.New()
		reg.Open = true
		h := newHarness(t, baseConfig(), reg, phoneA53(), noKeySIM())
		h.drop = func(frame) bool { return true } // nothing gets through
		h.lu(mm.LUNormal)
		h.advance(mm.T3210Default)
		if h.ms.Busy() || !slices.Contains(h.names, "MS>local release") {
			t.Fatalf("after T3210: busy %v\n%s", h.ms.Busy(), h.trace())
		}
		h.advance(mm.T3211Default)
		if !slices.Equal(h.pending, []mm.LUType{mm.LUNormal}) {
			t.Errorf("after T3211: LU requests %v, want a normal LU", h.pending)
		}
	})
}

// TestDuplicate: an uplink message repeated with the same N(SD) (a LAPDm
// retransmission across a channel change) is processed once.
func TestDuplicate(t *testing.T) {
	v := loadVector(t, crypto.COMP128v1)
	reg := mmtest.New()
	reg.Add(mmtest.Subscriber{IMSI: testIMSI, Algorithm: v.alg, Ki: v.ki})
	h := newHarness(t, baseConfig(), reg, phoneA51(), mm.NewSIM(testIMSI, v.alg, v.ki, crypto.OPc{}))
	var resp []byte
	h.drop = func(f frame) bool {
		if ty, _, _ := mm.Peek(f.b); f.uplink && ty == mm.MsgAuthenticationResponse && resp == nil {
			resp = f.b
		}
		return false
	}
	h.lu(mm.LUNormal)
	if resp == nil || resp[1]>>6 != 1 {
		t.Fatalf("authentication response % x, want N(SD) 1", resp)
	}
	conn := mm.NewConn(h.cfg, reg, &mmtest.SeqReader{})
	lu := h.frames[0].b
	if acts := conn.Handle(t0, lu); len(acts) != 1 || acts[0].Kind != mm.ActSend {
		t.Fatalf("Handle(LU request) = %v", acts)
	}
	// An R98 phone: modulo 2. The challenge is different here, so the
	// response fails either way; what matters is that the repeat is
	// ignored.
	if acts := conn.Handle(t0, lu); len(acts) != 0 {
		t.Errorf("Handle(repeated LU request) = %v, want nothing", acts)
	}
}

// TestConnBadInput feeds malformed and unexpected messages: a clean reject
// or MM Status, never a panic or a stuck channel.
func TestConnBadInput(t *testing.T) {
	reg := mmtest.New()
	reg.Open = true
	cfg := baseConfig()
	tests := []struct {
		name string
		in   []string
		want []mm.ActionKind
		done bool
	}{
		{"garbage first", []string{"ff"}, []mm.ActionKind{mm.ActRelease}, true},
		{"not MM", []string{"06 35 01"}, nil, false},
		{"malformed LU", []string{"05 08 70 62f224"}, []mm.ActionKind{mm.ActSend, mm.ActRelease}, true},
		{"unknown type first", []string{"05 3f"}, []mm.ActionKind{mm.ActRelease}, true},
		{"auth response first", []string{"05 14 00000000"}, []mm.ActionKind{mm.ActSend}, false},
		{"identity response first", []string{"05 19 05 f400000001"}, []mm.ActionKind{mm.ActSend}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mm.NewConn(cfg, reg, &mmtest.SeqReader{})
			var kinds []mm.ActionKind
			for _, s := range tt.in {
				for _, a := range c.Handle(t0, hexBytes(s)) {
					kinds = append(kinds, a.Kind)
				}
			}
			if !slices.Equal(kinds, tt.want) || c.Done() != tt.done {
				t.Errorf("actions %v, done %v; want %v, %v", kinds, c.Done(), tt.want, tt.done)
			}
		})
	}
	// A phone that vanishes mid-procedure: Lost ends it.
	c := mm.NewConn(cfg, reg, &mmtest.SeqReader{})
	c.Handle(t0, hexBytes("05 08 70 00f110 0017 53 05 f40badcafe"))
	if c.State() != "wait-identity" {
		t.Fatalf("State() = %s, want wait-identity", c.State())
	}
	if acts := c.Lost(t0); len(acts) != 0 || !c.Done() || c.Result().Outcome != mm.OutcomeLost {
		t.Errorf("Lost = %v, done %v, result %+v", acts, c.Done(), c.Result())
	}
	if _, ok := c.Deadline(); ok {
		t.Errorf("Deadline still running after Lost")
	}
}

func TestNegotiate(t *testing.T) {
	a51 := mm.CipherSet(1<<mm.A50 | 1<<mm.A51)
	a513 := a51 | 1<<mm.A53
	tests := []struct {
		allowed, ms mm.CipherSet
		want        mm.Cipher
		ok          bool
	}{
		{mm.DefaultCiphers, a513, mm.A53, true},
		{mm.DefaultCiphers, a51, mm.A51, true},
		{mm.DefaultCiphers, 1 << mm.A50, 0, false},
		{1<<mm.A50 | 1<<mm.A53, a51, mm.A50, true},
		{1 << mm.A51, a513, mm.A51, true},
		{1<<mm.A51 | 1<<2, 1<<mm.A50 | 1<<2, 0, false}, // A5/2 is never chosen
	}
	for _, tt := range tests {
		if got, ok := mm.Negotiate(tt.allowed, tt.ms); got != tt.want || ok != tt.ok {
			t.Errorf("Negotiate(%v, %v) = %v, %v, want %v, %v", tt.allowed, tt.ms, got, ok, tt.want, tt.ok)
		}
	}
	cm1 := l3.Classmark1{A51: false}
	cm2 := l3.Classmark2{A52: true, A53: true}
	cm3 := l3.Classmark3{A54: true, A57: true}
	if got, want := mm.MSCiphers(cm1, &cm2, &cm3), mm.CipherSet(1|1<<2|1<<3|1<<4|1<<7); got != want {
		t.Errorf("MSCiphers = %v, want %v", got, want)
	}
}

func TestConfigValidate(t *testing.T) {
	bad := mm.Config{LAI: l3.LAI{PLMN: l3.PLMN{MCC: "1", MNC: "01"}, LAC: 0xfffe}, Ciphers: 1 << 2, DST: 3, T3260: -1}
	err := bad.Validate()
	if err == nil {
		t.Fatal("Validate(bad) = nil")
	}
	for _, want := range []string{"lai", "LAC", "ciphers", "dst", "t3260"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate(bad) = %v, missing %q", err, want)
		}
	}
	if err := baseConfig().Validate(); err != nil {
		t.Errorf("Validate(base) = %v", err)
	}
}

// TestFollowOn: the MS asks for follow-on and the network grants it: the
// channel stays up after the update and carries a CM service request
// without a second authentication. Without FollowOnProceed the request is
// ignored and the channel released.
func TestFollowOn(t *testing.T) {
	for _, grant := range []bool{true, false} {
		reg := mmtest.New()
		reg.Open = true
		cfg := baseConfig()
		cfg.FollowOnProceed = grant
		h := newHarness(t, cfg, reg, phoneA53(), noKeySIM())
		h.ms.RequestFollowOn = true
		h.lu(mm.LUNormal)
		if grant {
			if h.net.Done() || !h.ms.Connected() {
				t.Fatalf("follow-on granted: network done %v, MS connected %v\n%s", h.net.Done(), h.ms.Connected(), h.trace())
			}
			h.names = nil
			h.msActions(h.ms.RequestService(h.now, cellLAI, mm.ServiceSMS))
			wantTrace(t, h, "MS>CM Service Request", "NW:mm-connection SMS", "NW>CM Service Accept")
			continue
		}
		if !h.net.Done() || h.ms.Busy() {
			t.Errorf("follow-on not granted: network done %v, MS busy %v\n%s", h.net.Done(), h.ms.Busy(), h.trace())
		}
	}
}

// TestPaged: a mobile-terminated connection: after the Paging Response the
// network authenticates and ciphers, then hands the channel to the CM
// layer. An unknown TMSI is released.
func TestPaged(t *testing.T) {
	v := loadVector(t, crypto.Milenage)
	reg := mmtest.New()
	reg.Add(mmtest.Subscriber{IMSI: testIMSI, Algorithm: v.alg, Ki: v.ki, OPc: v.opc})
	phone := phoneA53()
	phone.SendClassmark2 = true
	h := newHarness(t, baseConfig(), reg, phone, mm.NewSIM(testIMSI, v.alg, v.ki, v.opc))
	h.lu(mm.LUNormal)

	h.names = nil
	h.net = mm.NewConn(h.cfg, reg, &mmtest.SeqReader{})
	h.released = false
	h.netActions(h.net.Paged(h.now, h.ms.SIM.CKSN, phone.Classmark2, l3.TMSI(h.ms.SIM.TMSI)))
	wantTrace(t, h,
		"NW>Authentication Request",
		"MS>Authentication Response",
		"NW>Ciphering Mode Command A5/3",
		"MS>Ciphering Mode Complete",
		"NW:mm-connection service type 0")
	if r := h.net.Result(); r.Procedure != mm.ProcPaging || r.Outcome != mm.OutcomeAccepted || r.IMSI != testIMSI {
		t.Errorf("Result = %+v", r)
	}

	c := mm.NewConn(h.cfg, reg, &mmtest.SeqReader{})
	acts := c.Paged(h.now, 0, phone.Classmark2, l3.TMSI(0x3fffffff))
	if len(acts) != 1 || acts[0].Kind != mm.ActRelease || c.Result().Outcome != mm.OutcomeRejected {
		t.Errorf("Paged(unknown TMSI) = %v, result %+v, want a release", acts, c.Result())
	}
}

// TestClassmarkGuard: the MS never answers the classmark enquiry; at the
// guard's expiry the network ciphers with what Classmark 1 allows (A5/1).
func TestClassmarkGuard(t *testing.T) {
	v := loadVector(t, crypto.COMP128v1)
	reg := mmtest.New()
	reg.Add(mmtest.Subscriber{IMSI: testIMSI, Algorithm: v.alg, Ki: v.ki})
	rand := fixedRand(v.rand)
	c := mm.NewConn(baseConfig(), reg, &rand)
	lu := &mm.LocationUpdatingRequest{CKSN: mm.CKSNNone, LAI: cellLAI, Classmark1: phoneA53().Classmark1, Identity: l3.IMSI(testIMSI)}
	if acts := c.HandleMessage(t0, lu); len(acts) != 1 || acts[0].Msg.MsgType() != mm.MsgAuthenticationRequest {
		t.Fatalf("LU request: %v", acts)
	}
	acts := c.HandleMessage(t0, &mm.AuthenticationResponse{SRES: v.sres})
	if len(acts) != 1 || acts[0].Kind != mm.ActClassmarkEnquiry {
		t.Fatalf("after authentication: %v, want a classmark enquiry", acts)
	}
	if acts := c.Tick(t0.Add(mm.GuardDefault - time.Millisecond)); len(acts) != 0 {
		t.Fatalf("Tick before the guard = %v", acts)
	}
	acts = c.Tick(t0.Add(mm.GuardDefault))
	if len(acts) != 1 || acts[0].Kind != mm.ActStartCiphering || acts[0].Cipher != mm.A51 || acts[0].Kc != v.kc {
		t.Fatalf("at the guard: %v, want start ciphering A5/1 with osmo-auc-gen's Kc", acts)
	}
}

// TestForeignTMSI: a phone arriving from another PLMN presents a TMSI that
// happens to equal one of ours; the network asks for its IMSI instead of
// taking it for our subscriber.
func TestForeignTMSI(t *testing.T) {
	reg := mmtest.New()
	reg.Open = true
	reg.Add(mmtest.Subscriber{IMSI: "001010000000099", TMSI: 0x0badcafe})
	sim := noKeySIM()
	sim.TMSI, sim.Status = 0x0badcafe, mm.U1Updated
	sim.LAI = l3.LAI{PLMN: l3.PLMN{MCC: "262", MNC: "01"}, LAC: 7}
	h := newHarness(t, baseConfig(), reg, phoneA53(), sim)
	h.lu(mm.LUNormal)
	if !slices.Contains(h.names, "NW>Identity Request") || h.net.Result().IMSI != testIMSI {
		t.Errorf("foreign TMSI: result %+v\n%s", h.net.Result(), h.trace())
	}
}

// TestEmergencyCall: with EmergencyCalls on, an MS without a SIM (IMEI
// identity) or unknown to a closed network gets its emergency MM
// connection, unauthenticated; with it off, #32.
func TestEmergencyCall(t *testing.T) {
	imei := l3.MobileIdentity{Type: l3.IdentityIMEI, Digits: "490154203237518"}
	for _, tt := range []struct {
		name    string
		allow   bool
		id      l3.MobileIdentity
		service mm.ServiceType
		want    []mm.ActionKind
		cause   mm.Cause
	}{
		{"no SIM", true, imei, mm.ServiceEmergencyCall, []mm.ActionKind{mm.ActSend, mm.ActMMConnection}, 0},
		{"unknown IMSI", true, l3.IMSI("999990000000001"), mm.ServiceEmergencyCall, []mm.ActionKind{mm.ActSend, mm.ActMMConnection}, 0},
		{"unknown TMSI", true, l3.TMSI(0x1234), mm.ServiceEmergencyCall, []mm.ActionKind{mm.ActSend, mm.ActMMConnection}, 0},
		{"not allowed", false, imei, mm.ServiceEmergencyCall, []mm.ActionKind{mm.ActSend, mm.ActRelease}, mm.CauseServiceNotSupported},
		{"no SIM, normal call", true, imei, mm.ServiceMOCall, []mm.ActionKind{mm.ActSend, mm.ActRelease}, mm.CauseInvalidMandatoryInfo},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig()
			cfg.EmergencyCalls = tt.allow
			c := mm.NewConn(cfg, mmtest.New(), &mmtest.SeqReader{})
			var kinds []mm.ActionKind
			for _, a := range c.HandleMessage(t0, &mm.CMServiceRequest{Service: tt.service, CKSN: mm.CKSNNone, Classmark2: phoneA53().Classmark2, Identity: tt.id}) {
				kinds = append(kinds, a.Kind)
			}
			if !slices.Equal(kinds, tt.want) || c.Result().Cause != tt.cause || c.Result().Authenticated {
				t.Errorf("actions %v, result %+v; want %v, cause %v", kinds, c.Result(), tt.want, tt.cause)
			}
		})
	}
}

// An asynchronous Conn (no Registry: lookups as ActLookup actions, the
// answers through Answer) goes through the same message flows as one that
// asks its Registry directly.
func TestAsyncLookups(t *testing.T) {
	asyncHarness = true
	defer func() { asyncHarness = false }()
	for name, f := range map[string]func(*testing.T){
		"LUNewSubscriberIMSI": TestLUNewSubscriberIMSI, "LUUnknownTMSI": TestLUUnknownTMSI,
		"LUAuthCipher": TestLUAuthCipher, "LUWrongSRES": TestLUWrongSRES, "LUReject": TestLUReject,
		"TMSIReallocation": TestTMSIReallocation, "CMService": TestCMService, "IMSIDetach": TestIMSIDetach,
		"FollowOn": TestFollowOn, "Paged": TestPaged, "ForeignTMSI": TestForeignTMSI,
	} {
		t.Run(name, f)
	}
}

// A lookup that is never answered runs into the guard timer; an answer
// that comes after that, or to another query, is ignored.
func TestAsyncLookupTimeout(t *testing.T) {
	c := mm.NewConn(baseConfig(), nil, &mmtest.SeqReader{})
	acts := c.HandleMessage(t0, &mm.LocationUpdatingRequest{Type: mm.LUNormal, CKSN: 7, LAI: cellLAI, Identity: l3.TMSI(0x1234)})
	if len(acts) != 1 || acts[0].Kind != mm.ActLookup || acts[0].Query.Kind != mm.QueryIMSIByTMSI || acts[0].Query.TMSI != 0x1234 {
		t.Fatalf("actions %v, want one lookup of TMSI 0x1234", acts)
	}
	q := acts[0].Query
	if !c.Waiting() {
		t.Error("Waiting() = false with a lookup out")
	}
	if acts := c.Answer(t0, mm.Answer{Kind: q.Kind, Seq: q.Seq + 1}); len(acts) != 0 || !c.Waiting() {
		t.Errorf("answer to another query: %v, waiting %v", acts, c.Waiting())
	}
	acts = c.Tick(t0.Add(mm.GuardDefault))
	if len(acts) != 1 || acts[0].Kind != mm.ActRelease || c.Result().Outcome != mm.OutcomeTimeout || c.Result().Timer != "registry" {
		t.Fatalf("after the guard: %v, result %+v; want release on timeout of the registry", acts, c.Result())
	}
	if acts := c.Answer(t0.Add(mm.GuardDefault), mm.Answer{Kind: q.Kind, Seq: q.Seq, IMSI: testIMSI, OK: true}); len(acts) != 0 {
		t.Errorf("late answer: %v, want nothing", acts)
	}
}
