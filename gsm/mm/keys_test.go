package mm_test

import (
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/mm/mmtest"
)

// TestKeyReuse: with a key cache, a CM service request that presents the
// CKSN of the subscriber's last authentication is ciphered with that key
// at once (TS 24.008 §4.3.2.4), up to AuthEvery-1 times and for
// KeyMaxAge; then, and after the MS names another CKSN, the network
// authenticates again. An A5/1-only phone is always authenticated
// unless KeyReuseA51, and with AuthEvery 1 every connection is.
func TestKeyReuse(t *testing.T) {
	v := loadVector(t, crypto.Milenage)
	auth := []string{"MS>CM Service Request", "NW>Authentication Request", "MS>Authentication Response",
		"NW>Ciphering Mode Command A5/3", "MS>Ciphering Mode Complete", "NW:mm-connection SMS"}
	reuse := []string{"MS>CM Service Request", "NW>Ciphering Mode Command A5/3", "MS>Ciphering Mode Complete", "NW:mm-connection SMS"}
	run := func(cfg *mm.Config, phone *mm.MSConfig, steps []struct {
		dt   time.Duration
		cksn int // -1: leave the SIM's
		want []string
	}) {
		t.Helper()
		reg := mmtest.New()
		reg.Add(mmtest.Subscriber{IMSI: testIMSI, Algorithm: v.alg, Ki: v.ki, OPc: v.opc})
		h := newHarness(t, cfg, reg, phone, mm.NewSIM(testIMSI, v.alg, v.ki, v.opc))
		h.lu(mm.LUNormal)
		for i, s := range steps {
			h.now = h.now.Add(s.dt)
			if s.cksn >= 0 {
				h.ms.SIM.CKSN = uint8(s.cksn)
			}
			h.names = nil
			h.connect(h.ms.RequestService(h.now, cellLAI, mm.ServiceSMS), &mmtest.SeqReader{})
			wantTrace(t, h, s.want...)
			if r := h.net.Result(); r.Outcome != mm.OutcomeAccepted || !r.Ciphered || r.KeyReused != (len(s.want) == len(reuse)) {
				t.Errorf("connection %d: result %+v", i, r)
			}
			h.msActions(h.ms.AbortService(h.now))
			h.msActions(h.ms.Released(h.now))
		}
	}
	type step = struct {
		dt   time.Duration
		cksn int
		want []string
	}
	cfg := baseConfig()
	cfg.Keys = mm.NewKeyCache()
	phone := phoneA53()
	// The LU authenticated (key 1); three more connections use it, the
	// fourth authenticates, the next uses the new key; a connection
	// with another CKSN authenticates; so does one after KeyMaxAge.
	run(cfg, phone, []step{{time.Second, -1, reuse}, {time.Second, -1, reuse}, {time.Second, -1, reuse},
		{time.Second, -1, auth}, {time.Second, -1, reuse}, {time.Second, 5, auth}, {time.Second, -1, reuse},
		{mm.DefaultKeyMaxAge, -1, auth}})
	if cfg.Keys.Len() != 1 {
		t.Errorf("%d keys cached, want 1", cfg.Keys.Len())
	}

	every := baseConfig()
	every.Keys, every.AuthEvery = mm.NewKeyCache(), 1
	run(every, phone, []step{{time.Second, -1, auth}, {time.Second, -1, auth}})

	a51 := baseConfig()
	a51.Keys = mm.NewKeyCache()
	old := phoneA53()
	old.Classmark2.A53 = false
	a51auth := []string{"MS>CM Service Request", "NW>Authentication Request", "MS>Authentication Response",
		"NW>Ciphering Mode Command A5/1", "MS>Ciphering Mode Complete", "NW:mm-connection SMS"}
	run(a51, old, []step{{time.Second, -1, a51auth}, {time.Second, -1, a51auth}})
	a51.KeyReuseA51 = true
	run(a51, old, []step{{time.Second, -1, []string{"MS>CM Service Request", "NW>Ciphering Mode Command A5/1", "MS>Ciphering Mode Complete", "NW:mm-connection SMS"}}})
}
