package registrytest

import (
	"errors"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/l3"
)

// Sub returns a valid test subscriber: IMSI 00101 followed by n in 10
// digits, MSISDN 1000+n, COMP128-1 with a key derived from n.
func Sub(n int) registry.Subscriber {
	var ki crypto.Ki
	for i := range ki {
		ki[i] = byte(n + i)
	}
	return registry.Subscriber{
		IMSI:      imsiOf(n),
		MSISDN:    itoa(1000 + n),
		Algorithm: crypto.COMP128v1,
		Ki:        ki,
		Created:   Epoch,
	}
}

func imsiOf(n int) string {
	s := itoa(n)
	for len(s) < 10 {
		s = "0" + s
	}
	return "00101" + s
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// StoreSuite runs the conformance tests every registry.Store passes;
// open returns a new, empty store.
func StoreSuite(t *testing.T, open func(t *testing.T) registry.Store) {
	put := func(s registry.Store, sub registry.Subscriber) error {
		return s.Update(func(tx registry.Tx) error { return tx.Put(&sub) })
	}
	get := func(s registry.Store, imsi string) (registry.Subscriber, error) {
		var r registry.Subscriber
		err := s.View(func(tx registry.Tx) (err error) { r, err = tx.Get(imsi); return err })
		return r, err
	}
	check := func(t *testing.T, s registry.Store) {
		t.Helper()
		if c, ok := s.(registry.Checker); ok {
			if err := c.Check(); err != nil {
				t.Fatalf("Check() = %v, want nil", err)
			}
		}
	}

	t.Run("PutGetRoundTrip", func(t *testing.T) {
		s := open(t)
		want := Sub(1)
		want.TMSI, want.NewTMSI = 0x12345678, 0x2345678a
		want.LAI = registry.LAI{PLMN: l3.PLMN{MCC: "001", MNC: "01"}, LAC: 7}
		want.LastSeen = Epoch.Add(time.Hour)
		want.IMEI, _ = registry.ParseIMEI("49015420323751")
		if err := put(s, want); err != nil {
			t.Fatalf("Put = %v", err)
		}
		got, err := get(s, want.IMSI)
		if err != nil || got != want {
			t.Fatalf("Get(%s) = %+v, %v, want %+v", want.IMSI, got, err, want)
		}
		check(t, s)
	})
	t.Run("NotFound", func(t *testing.T) {
		s := open(t)
		if _, err := get(s, "001010000000009"); !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("Get(missing) = %v, want ErrNotFound", err)
		}
		err := s.Update(func(tx registry.Tx) error { return tx.Delete("001010000000009") })
		if !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("Delete(missing) = %v, want ErrNotFound", err)
		}
	})
	t.Run("Indexes", func(t *testing.T) {
		s := open(t)
		a, b := Sub(1), Sub(2)
		a.TMSI = 0x100
		if err := put(s, a); err != nil {
			t.Fatal(err)
		}
		b.MSISDN = a.MSISDN
		if err := put(s, b); !errors.Is(err, registry.ErrMSISDNInUse) {
			t.Errorf("Put(dup MSISDN) = %v, want ErrMSISDNInUse", err)
		}
		b = Sub(2)
		b.NewTMSI = 0x100
		if err := put(s, b); !errors.Is(err, registry.ErrTMSIInUse) {
			t.Errorf("Put(dup TMSI) = %v, want ErrTMSIInUse", err)
		}
		// Change a's MSISDN and TMSI: the old entries go.
		a.MSISDN, a.TMSI, a.NewTMSI = "5555", 0x200, 0x300
		if err := put(s, a); err != nil {
			t.Fatal(err)
		}
		_ = s.View(func(tx registry.Tx) error {
			if _, err := tx.IMSIByMSISDN("1001"); !errors.Is(err, registry.ErrNotFound) {
				t.Errorf("IMSIByMSISDN(old) = %v, want ErrNotFound", err)
			}
			if _, err := tx.IMSIByTMSI(0x100); !errors.Is(err, registry.ErrNotFound) {
				t.Errorf("IMSIByTMSI(old) = %v, want ErrNotFound", err)
			}
			for _, x := range []registry.TMSI{0x200, 0x300} {
				if got, err := tx.IMSIByTMSI(x); err != nil || got != a.IMSI {
					t.Errorf("IMSIByTMSI(%v) = %q, %v, want %s", x, got, err, a.IMSI)
				}
			}
			if got, err := tx.IMSIByMSISDN("5555"); err != nil || got != a.IMSI {
				t.Errorf("IMSIByMSISDN(5555) = %q, %v, want %s", got, err, a.IMSI)
			}
			return nil
		})
		// Now b can take the freed values.
		b = Sub(2)
		b.MSISDN, b.TMSI = "1001", 0x100
		if err := put(s, b); err != nil {
			t.Errorf("Put(freed values) = %v", err)
		}
		if err := s.Update(func(tx registry.Tx) error { return tx.Delete(a.IMSI) }); err != nil {
			t.Fatal(err)
		}
		_ = s.View(func(tx registry.Tx) error {
			if _, err := tx.IMSIByTMSI(0x300); !errors.Is(err, registry.ErrNotFound) {
				t.Errorf("IMSIByTMSI after Delete = %v, want ErrNotFound", err)
			}
			return nil
		})
		check(t, s)
	})
	t.Run("RollbackOnError", func(t *testing.T) {
		s := open(t)
		if err := put(s, Sub(1)); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		err := s.Update(func(tx registry.Tx) error {
			a := Sub(1)
			a.MSISDN, a.TMSI = "7777", 0x77
			if err := tx.Put(&a); err != nil {
				return err
			}
			b := Sub(2)
			if err := tx.Put(&b); err != nil {
				return err
			}
			if err := tx.SetMeta("k", []byte("v")); err != nil {
				return err
			}
			if err := tx.Delete(Sub(1).IMSI); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Update = %v, want boom", err)
		}
		got, err := get(s, Sub(1).IMSI)
		if err != nil || got != Sub(1) {
			t.Errorf("after rollback Get = %+v, %v, want the original", got, err)
		}
		_ = s.View(func(tx registry.Tx) error {
			if n, _ := tx.Len(); n != 1 {
				t.Errorf("after rollback Len() = %d, want 1", n)
			}
			if v, _ := tx.Meta("k"); v != nil {
				t.Errorf("after rollback Meta(k) = %q, want nil", v)
			}
			if _, err := tx.IMSIByMSISDN("7777"); !errors.Is(err, registry.ErrNotFound) {
				t.Errorf("after rollback IMSIByMSISDN(7777) = %v, want ErrNotFound", err)
			}
			if got, err := tx.IMSIByMSISDN(Sub(1).MSISDN); err != nil || got != Sub(1).IMSI {
				t.Errorf("after rollback IMSIByMSISDN = %q, %v", got, err)
			}
			return nil
		})
		check(t, s)
	})
	t.Run("RefusedPutChangesNothing", func(t *testing.T) {
		s := open(t)
		if err := put(s, Sub(1)); err != nil {
			t.Fatal(err)
		}
		err := s.Update(func(tx registry.Tx) error {
			b := Sub(2)
			b.MSISDN = Sub(1).MSISDN
			if err := tx.Put(&b); !errors.Is(err, registry.ErrMSISDNInUse) {
				t.Errorf("Put = %v, want ErrMSISDNInUse", err)
			}
			return nil // commit whatever is there: must be nothing
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := get(s, Sub(2).IMSI); !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("Get(refused) = %v, want ErrNotFound", err)
		}
		check(t, s)
	})
	t.Run("AscendAndLen", func(t *testing.T) {
		s := open(t)
		for _, n := range []int{5, 3, 9, 1, 7} {
			if err := put(s, Sub(n)); err != nil {
				t.Fatal(err)
			}
		}
		var got []string
		_ = s.View(func(tx registry.Tx) error {
			if n, _ := tx.Len(); n != 5 {
				t.Errorf("Len() = %d, want 5", n)
			}
			return tx.Ascend(Sub(3).IMSI, func(r *registry.Subscriber) (bool, error) {
				got = append(got, r.IMSI)
				return len(got) < 3, nil
			})
		})
		want := []string{Sub(3).IMSI, Sub(5).IMSI, Sub(7).IMSI}
		if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
			t.Errorf("Ascend(%s) = %v, want %v", Sub(3).IMSI, got, want)
		}
	})
	t.Run("ReadOnlyView", func(t *testing.T) {
		s := open(t)
		err := s.View(func(tx registry.Tx) error { a := Sub(1); return tx.Put(&a) })
		if err == nil {
			t.Errorf("Put in View = nil, want an error")
		}
	})
	t.Run("InvalidRecord", func(t *testing.T) {
		s := open(t)
		bad := Sub(1)
		bad.IMSI = "12ab"
		if err := put(s, bad); !errors.Is(err, registry.ErrInvalid) {
			t.Errorf("Put(bad IMSI) = %v, want ErrInvalid", err)
		}
	})
}
