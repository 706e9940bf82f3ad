// Package mmtest has fakes for gsm/mm: an in-memory Registry that applies
// the commits Conn emits, for tests of gsm/mm and its callers.
package mmtest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
)

// Subscriber is one record of the fake registry.
type Subscriber struct {
	IMSI      string
	MSISDN    string
	Algorithm crypto.Algorithm // AlgNone: no key
	Ki        crypto.Ki
	OPc       crypto.OPc
	Reject    mm.Cause // non-zero: Decide rejects with it

	TMSI     uint32 // confirmed TMSI, or mm.NoTMSI
	NewTMSI  uint32 // allocated, unconfirmed, or mm.NoTMSI
	LAI      l3.LAI
	Attached bool
	IMEI     string
	LastSeen time.Time
}

// Registry is an in-memory mm.Registry. Open makes unknown IMSIs
// registrable without a key; otherwise they are rejected with #2.
type Registry struct {
	Subs     map[string]*Subscriber
	Open     bool
	NextTMSI uint32
	Fail     bool // AuthVector and AllocateTMSI fail (network failure tests)
	Commits  []mm.Update
}

// New returns an empty closed registry.
func New() *Registry {
	return &Registry{Subs: map[string]*Subscriber{}, NextTMSI: 0x10000001}
}

// Add provisions a subscriber.
func (r *Registry) Add(s Subscriber) *Subscriber {
	if s.TMSI == 0 {
		s.TMSI = mm.NoTMSI
	}
	s.NewTMSI = mm.NoTMSI
	p := &s
	r.Subs[s.IMSI] = p
	return p
}

// IMSIByTMSI implements mm.Registry.
func (r *Registry) IMSIByTMSI(tmsi uint32) (string, bool) {
	for _, s := range r.Subs {
		if tmsi != mm.NoTMSI && (s.TMSI == tmsi || s.NewTMSI == tmsi) {
			return s.IMSI, true
		}
	}
	return "", false
}

// Decide implements mm.Registry.
func (r *Registry) Decide(req mm.Request) mm.Decision {
	s, ok := r.Subs[req.IMSI]
	if !ok {
		if !r.Open {
			return mm.Decision{Cause: mm.CauseIMSIUnknownInHLR}
		}
		s = r.Add(Subscriber{IMSI: req.IMSI})
	}
	if req.Service != 0 && !s.Attached {
		return mm.Decision{Cause: mm.CauseIMSIUnknownInVLR}
	}
	if s.Reject != 0 {
		return mm.Decision{Cause: s.Reject}
	}
	return mm.Decision{Accept: true, HasKey: s.Algorithm.Valid(), MSISDN: s.MSISDN}
}

// AuthVector implements mm.Registry.
func (r *Registry) AuthVector(imsi string, rand crypto.RAND) (crypto.SRES, crypto.Kc, error) {
	s, ok := r.Subs[imsi]
	if r.Fail || !ok {
		return crypto.SRES{}, crypto.Kc{}, errors.New("mmtest: no vector")
	}
	return crypto.Authenticate(s.Algorithm, s.Ki, s.OPc, rand)
}

// AllocateTMSI implements mm.Registry.
func (r *Registry) AllocateTMSI(imsi string) (uint32, error) {
	if r.Fail {
		return 0, errors.New("mmtest: no TMSI")
	}
	for {
		t := r.NextTMSI
		r.NextTMSI++
		if _, used := r.IMSIByTMSI(t); !used && t>>30 != 3 {
			return t, nil
		}
	}
}

// Apply applies an mm.Update, as the core would.
func (r *Registry) Apply(u mm.Update) error {
	r.Commits = append(r.Commits, u)
	s, ok := r.Subs[u.IMSI]
	if !ok {
		return fmt.Errorf("mmtest: commit for unknown IMSI %s", u.IMSI)
	}
	switch u.Kind {
	case mm.UpdateAttach:
		s.LAI, s.Attached, s.LastSeen, s.NewTMSI = u.LAI, true, u.Time, u.NewTMSI
	case mm.UpdateTMSI:
		s.TMSI, s.NewTMSI = u.NewTMSI, mm.NoTMSI
	case mm.UpdateDetach:
		s.Attached, s.LastSeen = false, u.Time
	case mm.UpdateIMEI:
		s.IMEI = u.IMEI.Digits
	}
	return nil
}

// SeqReader is a deterministic io.Reader for RAND challenges: a counter
// mixed into 8-octet blocks (not random; tests only).
type SeqReader struct{ n uint64 }

// Read fills p.
func (s *SeqReader) Read(p []byte) (int, error) {
	var b [8]byte
	for i := 0; i < len(p); i += 8 {
		s.n = s.n*6364136223846793005 + 1442695040888963407
		binary.BigEndian.PutUint64(b[:], s.n)
		copy(p[i:], b[:])
	}
	return len(p), nil
}
