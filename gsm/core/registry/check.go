package registry

import (
	"errors"
	"fmt"
)

// checkIndexes cross-checks records and indexes through the Tx interface
// (for the stores that cannot do better). It returns every problem.
func checkIndexes(tx Tx) []error {
	var errs []error
	msisdns := map[string]string{}
	tmsis := map[TMSI]string{}
	err := tx.Ascend("", func(s *Subscriber) (bool, error) {
		if s.MSISDN != "" {
			msisdns[s.MSISDN] = s.IMSI
			if got, err := tx.IMSIByMSISDN(s.MSISDN); err != nil || got != s.IMSI {
				errs = append(errs, fmt.Errorf("%w: IMSI %s: MSISDN %s not indexed to it (index: %q, %v)", ErrCorrupt, s.IMSI, s.MSISDN, got, err))
			}
		}
		for _, x := range [2]TMSI{s.TMSI, s.NewTMSI} {
			if x == NoTMSI {
				continue
			}
			tmsis[x] = s.IMSI
			if got, err := tx.IMSIByTMSI(x); err != nil || got != s.IMSI {
				errs = append(errs, fmt.Errorf("%w: IMSI %s: TMSI %v not indexed to it (index: %q, %v)", ErrCorrupt, s.IMSI, x, got, err))
			}
		}
		return true, nil
	})
	if err != nil {
		errs = append(errs, err)
	}
	if it, ok := tx.(indexIterator); ok {
		errs = append(errs, it.eachIndex(func(kind, key, imsi string) error {
			var owner string
			switch kind {
			case "msisdn":
				owner = msisdns[key]
			case "tmsi":
				x, _ := ParseTMSI(key)
				owner = tmsis[x]
			}
			if owner != imsi {
				// %q: the bytes come from a possibly damaged file, and
				// the message goes to a terminal.
				return fmt.Errorf("%w: %s index entry %q points to IMSI %q, whose record does not hold it", ErrCorrupt, kind, key, imsi)
			}
			return nil
		})...)
	}
	return errs
}

// indexIterator lets Check walk the raw index entries, to find entries
// that point at a missing record or at one that no longer holds the value.
type indexIterator interface {
	eachIndex(fn func(kind, key, imsi string) error) []error
}

func (t *boltTx) eachIndex(fn func(kind, key, imsi string) error) []error {
	var errs []error
	_ = t.msisdn().ForEach(func(k, v []byte) error {
		if err := fn("msisdn", string(k), string(v)); err != nil {
			errs = append(errs, err)
		}
		return nil
	})
	_ = t.tmsi().ForEach(func(k, v []byte) error {
		if len(k) != 4 {
			errs = append(errs, fmt.Errorf("%w: TMSI index key of %d octets", ErrCorrupt, len(k)))
			return nil
		}
		x := TMSI(uint32(k[0])<<24 | uint32(k[1])<<16 | uint32(k[2])<<8 | uint32(k[3]))
		if err := fn("tmsi", fmt.Sprintf("%08x", uint32(x)), string(v)); err != nil {
			errs = append(errs, err)
		}
		return nil
	})
	return errs
}

// CheckTx runs the record/index cross-check inside any store's
// transaction; registrytest uses it.
func CheckTx(tx Tx) error { return errors.Join(checkIndexes(tx)...) }
