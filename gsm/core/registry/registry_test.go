package registry_test

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/core/registry/registrytest"
	"github.com/gsmbox/gsmbox/gsm/l3"
)

var lai = registry.LAI{PLMN: l3.PLMN{MCC: "001", MNC: "01"}, LAC: 42}

// stores runs f against both stores.
func stores(t *testing.T, f func(t *testing.T, st registry.Store)) {
	t.Run("bolt", func(t *testing.T) { f(t, openTemp(t)) })
	t.Run("bolt-group", func(t *testing.T) { f(t, openTempGroup(t)) })
	t.Run("memory", func(t *testing.T) { f(t, registrytest.NewStore()) })
}

func newReg(t *testing.T, st registry.Store, p registry.Policy) (*registry.Registry, *registrytest.Clock) {
	t.Helper()
	c := registrytest.NewClock(registrytest.Epoch)
	r, err := registry.New(registry.Config{Store: st, Policy: p, Now: c.Now, Rand: rand.NewChaCha8([32]byte{1})})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r, c
}

func TestDecide(t *testing.T) {
	mix := registry.Policy{OpenPrefixes: []string{"00102"}, MSISDNRange: registry.Range{First: "2000", Last: "2002"},
		HomePrefixes: []string{"00101", "00102"}}
	for _, tc := range []struct {
		name   string
		policy registry.Policy
		imsi   string
		accept bool
		cause  registry.Cause
		msisdn string
	}{
		{"closed known", registry.Policy{}, registrytest.Sub(1).IMSI, true, 0, "1001"},
		{"closed barred", registry.Policy{}, registrytest.Sub(2).IMSI, false, registry.CauseIllegalMS, ""},
		{"closed unknown", registry.Policy{}, "001019999999999", false, registry.CauseIMSIUnknownInHLR, ""},
		{"closed unknown custom cause", registry.Policy{UnknownCause: registry.CausePLMNNotAllowed}, "001019999999999", false, registry.CausePLMNNotAllowed, ""},
		{"closed foreign", registry.Policy{HomePrefixes: []string{"00101"}}, "262019999999999", false, registry.CauseRoamingNotAllowedInLA, ""},
		{"closed home unknown", registry.Policy{HomePrefixes: []string{"00101"}}, "001019999999999", false, registry.CauseIMSIUnknownInHLR, ""},
		{"malformed", registry.Policy{}, "12x", false, registry.CauseInvalidMandatoryInfo, ""},
		{"open provisions", registry.Policy{Mode: registry.ModeOpen, MSISDNRange: registry.Range{First: "1000", Last: "1999"}}, "262019999999999", true, 0, "1000"},
		{"open known", registry.Policy{Mode: registry.ModeOpen, MSISDNRange: registry.Range{First: "1000", Last: "1999"}}, registrytest.Sub(1).IMSI, true, 0, "1001"},
		{"open barred", registry.Policy{Mode: registry.ModeOpen, MSISDNRange: registry.Range{First: "1000", Last: "1999"}}, registrytest.Sub(2).IMSI, false, registry.CauseIllegalMS, ""},
		{"mix open prefix", mix, "001023333333333", true, 0, "2000"},
		{"mix closed home", mix, "001013333333333", false, registry.CauseIMSIUnknownInHLR, ""},
		{"mix foreign", mix, "262013333333333", false, registry.CauseRoamingNotAllowedInLA, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stores(t, func(t *testing.T, st registry.Store) {
				r, _ := newReg(t, st, tc.policy)
				if _, err := r.Add(registrytest.Sub(1)); err != nil {
					t.Fatal(err)
				}
				b := registrytest.Sub(2)
				b.Barred = true
				if _, err := r.Add(b); err != nil {
					t.Fatal(err)
				}
				d, err := r.Decide(tc.imsi)
				if err != nil {
					t.Fatalf("Decide(%s) error %v", tc.imsi, err)
				}
				if d.Accept != tc.accept || d.Cause != tc.cause || d.Subscriber.MSISDN != tc.msisdn {
					t.Errorf("Decide(%s) = %v (MSISDN %q), want accept=%v cause %v MSISDN %q", tc.imsi, d, d.Subscriber.MSISDN, tc.accept, tc.cause, tc.msisdn)
				}
				if d.Accept && d.Subscriber.IMSI != tc.imsi {
					t.Errorf("Decide(%s).Subscriber.IMSI = %s", tc.imsi, d.Subscriber.IMSI)
				}
				if d.Provisioned {
					got, err := r.Get(tc.imsi)
					if err != nil || got.MSISDN != tc.msisdn {
						t.Errorf("after provisioning Get = %+v, %v", got, err)
					}
				}
			})
		})
	}
}

func TestProvisionRange(t *testing.T) {
	stores(t, func(t *testing.T, st registry.Store) {
		p := registry.Policy{Mode: registry.ModeOpen, MSISDNRange: registry.Range{First: "0998", Last: "1001"}}
		r, _ := newReg(t, st, p)
		// 1000 is taken by a provisioned subscriber: skipped.
		pre := registrytest.Sub(0) // MSISDN 1000
		if _, err := r.Add(pre); err != nil {
			t.Fatal(err)
		}
		var got []string
		for i := range 3 {
			d, err := r.Decide("00199000000000" + string(rune('1'+i)))
			if err != nil || !d.Accept || !d.Provisioned {
				t.Fatalf("Decide #%d = %v, %v, want a provisioning accept", i, d, err)
			}
			got = append(got, d.Subscriber.MSISDN)
		}
		if want := []string{"0998", "0999", "1001"}; got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
			t.Errorf("provisioned MSISDNs = %v, want %v", got, want)
		}
		// Again for a known IMSI: not provisioned twice.
		d, err := r.Decide("001990000000001")
		if err != nil || !d.Accept || d.Provisioned || d.Subscriber.MSISDN != "0998" {
			t.Errorf("Decide(known) = %v, %v, want accept of 0998 without provisioning", d, err)
		}
		// The range is full now.
		d, err = r.Decide("001990000000009")
		if !errors.Is(err, registry.ErrExhausted) || d.Accept || d.Cause != registry.CauseNetworkFailure {
			t.Errorf("Decide(range full) = %v, %v, want reject #17 with ErrExhausted", d, err)
		}
		// Freeing a number makes it available again.
		if err := r.Remove("001990000000002"); err != nil {
			t.Fatal(err)
		}
		d, err = r.Decide("001990000000009")
		if err != nil || d.Subscriber.MSISDN != "0999" {
			t.Errorf("Decide(after remove) = %v (%s), %v, want MSISDN 0999", d, d.Subscriber.MSISDN, err)
		}
	})
}

func TestLocationUpdateFlow(t *testing.T) {
	stores(t, func(t *testing.T, st registry.Store) {
		r, clock := newReg(t, st, registry.Policy{})
		s := registrytest.Sub(7)
		if _, err := r.Add(s); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
		got, err := r.UpdateLocation(s.IMSI, lai, true)
		if err != nil {
			t.Fatal(err)
		}
		if got.LAI != lai || !got.Attached || !got.LastSeen.Equal(registrytest.Epoch.Add(time.Minute)) {
			t.Errorf("UpdateLocation = %+v, want LAI %v, attached, seen at epoch+1m", got, lai)
		}
		if !got.NewTMSI.Valid() || got.TMSI != registry.NoTMSI {
			t.Fatalf("UpdateLocation TMSIs = %v/%v, want none/valid", got.TMSI, got.NewTMSI)
		}
		first := got.NewTMSI
		if b, err := r.ByTMSI(first); err != nil || b.IMSI != s.IMSI {
			t.Errorf("ByTMSI(new) = %v, %v", b.IMSI, err)
		}
		if got, err = r.ConfirmTMSI(s.IMSI); err != nil || got.TMSI != first || got.NewTMSI != registry.NoTMSI {
			t.Fatalf("ConfirmTMSI = %v/%v, %v, want %v/none", got.TMSI, got.NewTMSI, err, first)
		}
		// Reallocation: both the old and the new TMSI find the subscriber
		// until the MS confirms (TS 24.008 §4.3.1.4).
		got, err = r.UpdateLocation(s.IMSI, lai, true)
		if err != nil || got.NewTMSI == first || !got.NewTMSI.Valid() {
			t.Fatalf("second UpdateLocation = %+v, %v", got, err)
		}
		second := got.NewTMSI
		for _, x := range []registry.TMSI{first, second} {
			if b, err := r.ByTMSI(x); err != nil || b.IMSI != s.IMSI {
				t.Errorf("ByTMSI(%v) during reallocation = %v, %v", x, b.IMSI, err)
			}
		}
		if _, err := r.ConfirmTMSI(s.IMSI); err != nil {
			t.Fatal(err)
		}
		if _, err := r.ByTMSI(first); !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("ByTMSI(old) after confirm = %v, want ErrNotFound", err)
		}
		clock.Advance(time.Hour)
		got, err = r.Detach(s.IMSI)
		if err != nil || got.Attached || got.TMSI != second || !got.LastSeen.Equal(registrytest.Epoch.Add(61*time.Minute)) {
			t.Errorf("Detach = %+v, %v", got, err)
		}
		if b, err := r.ByMSISDN(s.MSISDN); err != nil || b.IMSI != s.IMSI {
			t.Errorf("ByMSISDN = %v, %v", b.IMSI, err)
		}
		m, _ := registry.IMEIFromAir("490154203237510")
		if got, err = r.SetIMEI(s.IMSI, m); err != nil || got.IMEI.String() != "490154203237518" {
			t.Errorf("SetIMEI = %v, %v", got.IMEI, err)
		}
		if c, ok := st.(registry.Checker); ok {
			if err := c.Check(); err != nil {
				t.Errorf("Check() = %v", err)
			}
		}
	})
}

func TestTMSIAllocationAvoidsReservedAndCollisions(t *testing.T) {
	// A random source that first yields reserved values, then a value in
	// use, then a free one.
	var src bytes.Buffer
	for _, v := range []uint32{0, 0xFFFFFFFF, 0xC0000001, 0x00000100, 0x00000200} {
		src.Write([]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
	}
	st := registrytest.NewStore()
	r, err := registry.New(registry.Config{Store: st, Rand: &src})
	if err != nil {
		t.Fatal(err)
	}
	a := registrytest.Sub(1)
	a.TMSI = 0x100
	if _, err := r.Add(a); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Add(registrytest.Sub(2)); err != nil {
		t.Fatal(err)
	}
	got, err := r.AllocateTMSI(registrytest.Sub(2).IMSI)
	if err != nil || got.NewTMSI != 0x200 {
		t.Errorf("AllocateTMSI = %v, %v, want 0x00000200", got.NewTMSI, err)
	}
	// A source that only gives taken values: ErrExhausted, nothing stored.
	r2, _ := registry.New(registry.Config{Store: st, Rand: zeros{}})
	if _, err := r2.AllocateTMSI(registrytest.Sub(1).IMSI); !errors.Is(err, registry.ErrExhausted) {
		t.Errorf("AllocateTMSI(stuck source) = %v, want ErrExhausted", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestSQN(t *testing.T) {
	stores(t, func(t *testing.T, st registry.Store) {
		r, _ := newReg(t, st, registry.Policy{})
		s := registrytest.Sub(3)
		if _, err := r.Add(s); err != nil {
			t.Fatal(err)
		}
		for i := uint64(1); i <= 3; i++ {
			if got, err := r.NextSQN(s.IMSI); err != nil || got != i<<registry.SQNIndBits {
				t.Errorf("NextSQN #%d = %d, %v, want %d", i, got, err, i<<registry.SQNIndBits)
			}
		}
		if err := r.ResyncSQN(s.IMSI, 1000<<registry.SQNIndBits|7); err != nil {
			t.Fatal(err)
		}
		if got, err := r.NextSQN(s.IMSI); err != nil || got != 1001<<registry.SQNIndBits {
			t.Errorf("NextSQN after resync = %d, %v, want %d", got, err, 1001<<registry.SQNIndBits)
		}
		if err := r.ResyncSQN(s.IMSI, registry.MaxSQN); err != nil {
			t.Fatal(err)
		}
		if _, err := r.NextSQN(s.IMSI); !errors.Is(err, registry.ErrExhausted) {
			t.Errorf("NextSQN at the top = %v, want ErrExhausted", err)
		}
	})
}

func TestListPagination(t *testing.T) {
	stores(t, func(t *testing.T, st registry.Store) {
		r, _ := newReg(t, st, registry.Policy{})
		for _, n := range rand.New(rand.NewPCG(3, 4)).Perm(25) {
			if _, err := r.Add(registrytest.Sub(n)); err != nil {
				t.Fatal(err)
			}
		}
		var all []string
		after := ""
		for pages := 0; ; pages++ {
			p, err := r.List(after, 10)
			if err != nil {
				t.Fatal(err)
			}
			if p.Total != 25 {
				t.Errorf("List().Total = %d, want 25", p.Total)
			}
			for _, s := range p.Subscribers {
				all = append(all, s.IMSI)
			}
			if p.Next == "" {
				if pages != 2 {
					t.Errorf("pages = %d, want 3", pages+1)
				}
				break
			}
			after = p.Next
		}
		if len(all) != 25 {
			t.Fatalf("listed %d, want 25", len(all))
		}
		for i, imsi := range all {
			if imsi != registrytest.Sub(i).IMSI {
				t.Errorf("List[%d] = %s, want %s", i, imsi, registrytest.Sub(i).IMSI)
			}
		}
	})
}

func TestAddRemoveErrors(t *testing.T) {
	stores(t, func(t *testing.T, st registry.Store) {
		r, _ := newReg(t, st, registry.Policy{})
		if _, err := r.Add(registrytest.Sub(1)); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Add(registrytest.Sub(1)); !errors.Is(err, registry.ErrExists) {
			t.Errorf("Add(dup) = %v, want ErrExists", err)
		}
		if err := r.Remove("001010000000099"); !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("Remove(missing) = %v, want ErrNotFound", err)
		}
		if _, err := r.Update(registrytest.Sub(1).IMSI, func(s *registry.Subscriber) error { s.IMSI = "001010000000002"; return nil }); !errors.Is(err, registry.ErrInvalid) {
			t.Errorf("Update(change IMSI) = %v, want ErrInvalid", err)
		}
	})
}

func TestPolicyValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    registry.Policy
		ok   bool
	}{
		{"zero", registry.Policy{}, true},
		{"open without range", registry.Policy{Mode: registry.ModeOpen}, false},
		{"mix without range", registry.Policy{OpenPrefixes: []string{"001"}}, false},
		{"bad prefix", registry.Policy{HomePrefixes: []string{"00a"}}, false},
		{"open", registry.Policy{Mode: registry.ModeOpen, MSISDNRange: registry.Range{First: "100", Last: "199"}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.p.Validate(); (err == nil) != tc.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tc.ok)
			}
		})
	}
	for _, tc := range []struct {
		in string
		ok bool
	}{{"1000-1999", true}, {"1000-999", false}, {"2000-1000", false}, {"1000", false}, {"", true}, {"0001-0100", true}} {
		if _, err := registry.ParseRange(tc.in); (err == nil) != tc.ok {
			t.Errorf("ParseRange(%q) = %v, want ok=%v", tc.in, err, tc.ok)
		}
	}
	for _, tc := range []struct {
		in   string
		want registry.Cause
	}{{"13", 13}, {"#2", 2}, {"plmn not allowed", 11}, {"Illegal MS", 3}} {
		if got, err := registry.ParseCause(tc.in); err != nil || got != tc.want {
			t.Errorf("ParseCause(%q) = %v, %v, want %v", tc.in, got, err, tc.want)
		}
	}
	if _, err := registry.ParseCause("bogus"); err == nil {
		t.Errorf("ParseCause(bogus) = nil error")
	}
}

func TestReopenKeepsData(t *testing.T) {
	path := t.TempDir() + "/subscribers.db"
	db, err := registry.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := registry.New(registry.Config{Store: db})
	if _, err := r.Add(registrytest.Sub(1)); err != nil {
		t.Fatal(err)
	}
	// A second writer is refused while the first holds the file.
	if _, err := registry.Open(path, &registry.Options{Timeout: 50 * time.Millisecond}); !errors.Is(err, registry.ErrLocked) {
		t.Errorf("second Open = %v, want ErrLocked", err)
	}
	var backup bytes.Buffer
	if _, err := db.Backup(&backup); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = registry.Open(path, &registry.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r, _ = registry.New(registry.Config{Store: db})
	if got, err := r.Get(registrytest.Sub(1).IMSI); err != nil || got != registrytest.Sub(1) {
		t.Errorf("Get after reopen = %+v, %v", got, err)
	}
	if _, err := r.Add(registrytest.Sub(2)); err == nil {
		t.Errorf("Add on a read-only store = nil error")
	}
	if backup.Len() == 0 {
		t.Errorf("Backup wrote nothing")
	}
}
