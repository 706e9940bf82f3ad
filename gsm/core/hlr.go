package core

import (
	"errors"
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/core/cdr"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
)

// HLR answers gsm/mm's questions from the subscriber registry and applies
// the updates MM commits.
type HLR struct {
	reg *registry.Registry
}

var _ mm.Registry = (*HLR)(nil)

// NewHLR wraps a registry.
func NewHLR(reg *registry.Registry) *HLR { return &HLR{reg: reg} }

// Registry returns the registry behind the HLR.
func (h *HLR) Registry() *registry.Registry { return h.reg }

// IMSIByTMSI implements mm.Registry.
func (h *HLR) IMSIByTMSI(tmsi uint32) (string, bool) {
	if tmsi == mm.NoTMSI {
		return "", false
	}
	s, err := h.reg.ByTMSI(registry.TMSI(tmsi))
	if err != nil {
		return "", false
	}
	return s.IMSI, true
}

// Decide implements mm.Registry: the registration policy, which may
// provision a new subscriber.
func (h *HLR) Decide(req mm.Request) mm.Decision {
	d, err := h.reg.Decide(req.IMSI)
	if err != nil || !d.Accept {
		return mm.Decision{Cause: d.Cause}
	}
	return mm.Decision{Accept: true, HasKey: d.Subscriber.HasKey(), MSISDN: d.Subscriber.MSISDN}
}

// AuthVector implements mm.Registry with the subscriber's A3/A8.
func (h *HLR) AuthVector(imsi string, rand crypto.RAND) (crypto.SRES, crypto.Kc, error) {
	s, err := h.reg.Get(imsi)
	if err != nil {
		return crypto.SRES{}, crypto.Kc{}, err
	}
	return crypto.Authenticate(s.Algorithm, s.Ki, s.OPc, rand)
}

// AllocateTMSI implements mm.Registry: the registry reserves a fresh
// TMSI as the subscriber's NewTMSI.
func (h *HLR) AllocateTMSI(imsi string) (uint32, error) {
	s, err := h.reg.AllocateTMSI(imsi)
	if err != nil {
		return 0, err
	}
	if s.NewTMSI == registry.NoTMSI {
		return 0, fmt.Errorf("core: registry allocated no TMSI for %s", imsi)
	}
	return uint32(s.NewTMSI), nil
}

// Apply commits one MM update to the registry.
func (h *HLR) Apply(u mm.Update) error {
	var err error
	switch u.Kind {
	case mm.UpdateAttach:
		_, err = h.reg.UpdateLocation(u.IMSI, registry.LAI{PLMN: u.LAI.PLMN, LAC: u.LAI.LAC}, false)
	case mm.UpdateTMSI:
		_, err = h.reg.ConfirmTMSI(u.IMSI)
	case mm.UpdateDetach:
		_, err = h.reg.Detach(u.IMSI)
	case mm.UpdateIMEI:
		if u.IMEI.Type != l3.IdentityIMEI && u.IMEI.Type != l3.IdentityIMEISV {
			return nil
		}
		var imei registry.IMEI
		if imei, err = registry.IMEIFromAir(u.IMEI.Digits); err == nil {
			_, err = h.reg.SetIMEI(u.IMSI, imei)
		}
	default:
		err = errors.New("unknown update kind")
	}
	if err != nil {
		return fmt.Errorf("core: %v for %s: %w", u.Kind, u.IMSI, err)
	}
	return nil
}

// hlrJob is one request to the registry worker: a lookup for the
// connection key/ref, or a write.
type hlrJob struct {
	key    connKey
	ref    uint32
	query  mm.Query
	commit bool
	update mm.Update
	// The switch: a directory lookup of an MSISDN for call, or a CDR.
	dir  string
	call uint32
	cdr  *cdr.Record
	sink CDRSink
}

// hlrDone is the worker's answer.
type hlrDone struct {
	key    connKey
	ref    uint32
	commit bool
	answer mm.Answer
	err    error
	// The switch's answers.
	isDir, isCDR bool
	call         uint32
	found        bool
	callee       Callee
}

// Subscribers is what the core's registry worker asks and writes: MM's
// lookups (mm.Registry) and updates. HLR implements it over the local
// registry; an HLR over GSUP (osmo-hlr) can implement it over the
// network. Its methods are called on the worker goroutine only (or inside
// Step with Config.SyncHLR), one at a time, in the order MM asked; they
// may block on the disk or the network.
type Subscribers interface {
	mm.Registry
	Apply(mm.Update) error
}

var _ Subscribers = (*HLR)(nil)

// runJob carries out one request. It may block on the disk (bbolt's
// fsync) or, for an HLR over GSUP, the network: it runs on the registry
// worker, never on a cell's frame loop.
func runJob(s Subscribers, j hlrJob) hlrDone {
	d := hlrDone{key: j.key, ref: j.ref, commit: j.commit}
	switch {
	case j.cdr != nil:
		d.isCDR = true
		if j.sink != nil {
			d.err = j.sink.Append(*j.cdr)
		}
		return d
	case j.dir != "":
		d.isDir, d.call = true, j.call
		if dir, ok := s.(Directory); ok {
			d.callee, d.found = dir.LookupMSISDN(j.dir)
		}
		return d
	}
	if j.commit {
		d.err = s.Apply(j.update)
		return d
	}
	d.answer = mm.Resolve(s, j.query)
	return d
}
