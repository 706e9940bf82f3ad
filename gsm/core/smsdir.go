package core

import (
	"errors"

	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/mm"
)

// SMSUser is what the SMSC needs to know of a subscriber.
type SMSUser struct {
	IMSI, MSISDN string
	TMSI         uint32 // mm.NoTMSI if none
	Attached     bool
	Barred       bool
}

// SMSDirectory answers the SMSC's questions about subscribers. Like
// Subscribers, it is called on the core's worker goroutine only (or inside
// Step with SyncHLR) and may block on the disk. ErrUnknownSubscriber means
// no such subscriber; other errors are temporary failures.
type SMSDirectory interface {
	SMSByIMSI(imsi string) (SMSUser, error)
	SMSByMSISDN(msisdn string) (SMSUser, error)
}

var _ SMSDirectory = (*HLR)(nil)

func smsUser(s registry.Subscriber, err error) (SMSUser, error) {
	if errors.Is(err, registry.ErrNotFound) {
		return SMSUser{}, ErrUnknownSubscriber
	}
	if err != nil {
		return SMSUser{}, err
	}
	t := uint32(s.TMSI)
	if s.TMSI == registry.NoTMSI {
		t = mm.NoTMSI
	}
	return SMSUser{IMSI: s.IMSI, MSISDN: s.MSISDN, TMSI: t, Attached: s.Attached, Barred: s.Barred}, nil
}

// SMSByIMSI implements SMSDirectory.
func (h *HLR) SMSByIMSI(imsi string) (SMSUser, error) { return smsUser(h.reg.Get(imsi)) }

// SMSByMSISDN implements SMSDirectory.
func (h *HLR) SMSByMSISDN(msisdn string) (SMSUser, error) {
	if msisdn == "" {
		return SMSUser{}, ErrUnknownSubscriber
	}
	return smsUser(h.reg.ByMSISDN(msisdn))
}
