package ms

import (
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/rr"
)

// LUResult is where a location update stands.
type LUResult uint8

// Location update results.
const (
	LUPending      LUResult = iota // not done yet (or being retried)
	LUAccepted                     // LOCATION UPDATING ACCEPT received
	LURejected                     // LOCATION UPDATING REJECT received (Cause)
	LUAuthRejected                 // AUTHENTICATION REJECT received
)

var luNames = [...]string{"pending", "accepted", "rejected", "auth rejected"}

func (r LUResult) String() string {
	if int(r) < len(luNames) {
		return luNames[r]
	}
	return "LUResult?"
}

// LU is a small MS-side MM (TS 24.008 §4.4): when the phone camps it
// asks for an RR connection with cause "location updating", sends a
// LOCATION UPDATING REQUEST (IMSI attach, with the IMSI, or the TMSI once
// it has one) in the SABM, answers IDENTITY REQUEST, AUTHENTICATION
// REQUEST (with the SIM's A3/A8) and TMSI REALLOCATION COMMAND, and
// records the ACCEPT (with a new TMSI, answered by TMSI REALLOCATION
// COMPLETE) or the REJECT cause. It does not cipher: its classmark says
// A5/1 is not available, so a network honouring it does not start
// ciphering. It is what the virtual phones run until gsm/mm has its own
// MS-side state machine.
type LU struct {
	SIM SIM
	// IMEI is the phone's equipment identity (15 digits), sent when the
	// network asks for it.
	IMEI string
	// Result, Cause, TMSI and HaveTMSI say how the update went.
	Result   LUResult
	Cause    mm.Cause
	TMSI     uint32
	HaveTMSI bool
	// Attempts counts the RR connections asked for.
	Attempts int
	// Auths counts authentications answered.
	Auths int
	// NetworkName is the name of an MM INFORMATION, if one came.
	NetworkName string

	lai     l3.LAI
	camped  bool
	want    bool
	nsd     uint8
	out     [64]byte
	lastErr error
}

var _ Upper = (*LU)(nil)

// NewLU returns the MM of a phone with sim.
func NewLU(sim SIM) *LU { return &LU{SIM: sim} }

// Camped implements Upper.
func (u *LU) Camped(lai l3.LAI) {
	u.lai, u.camped = lai, true
	if u.Result == LUPending {
		u.want = true
	}
}

// Paged implements Upper: the phone answers pages to its IMSI or TMSI.
func (u *LU) Paged(id l3.MobileIdentity) bool {
	switch id.Type {
	case l3.IdentityIMSI:
		return id.Digits == u.SIM.IMSI
	case l3.IdentityTMSI:
		return u.HaveTMSI && id.TMSI == u.TMSI
	}
	return false
}

// WantsConnection implements Upper.
func (u *LU) WantsConnection() (rr.EstCause, bool) {
	if !u.want || u.Result != LUPending {
		return 0, false
	}
	u.Attempts++
	return rr.EstLocationUpdate, true
}

// Initial implements Upper: the LOCATION UPDATING REQUEST.
func (u *LU) Initial(dst []byte) int {
	u.nsd = 0
	id := l3.IMSI(u.SIM.IMSI)
	if u.HaveTMSI {
		id = l3.TMSI(u.TMSI)
	}
	m := mm.LocationUpdatingRequest{
		Type:       mm.LUIMSIAttach,
		CKSN:       7, // no key available
		LAI:        u.lai,
		Classmark1: l3.Classmark1{Revision: 1, RFPower: 4},
		Identity:   id,
	}
	return u.marshal(&m, dst)
}

func (u *LU) marshal(m mm.Uplink, dst []byte) int {
	m.SetNSD(u.nsd)
	u.nsd = (u.nsd + 1) & 3
	if m.MarshalSize() > len(dst) {
		return 0
	}
	n, err := m.MarshalTo(dst)
	if err != nil {
		u.lastErr = err
		return 0
	}
	return n
}

// Registered implements Registrar.
func (u *LU) Registered() bool { return u.Result == LUAccepted }

// Established implements Upper.
func (u *LU) Established() {}

// Data implements Upper.
func (u *LU) Data(msg []byte, send func([]byte) error) {
	m, err := mm.Decode(msg)
	if err != nil {
		return
	}
	reply := func(r mm.Uplink) {
		if n := u.marshal(r, u.out[:]); n > 0 {
			_ = send(u.out[:n])
		}
	}
	switch m := m.(type) {
	case *mm.IdentityRequest:
		id := l3.IMSI(u.SIM.IMSI)
		switch {
		case m.Type == mm.IdentityTMSI && u.HaveTMSI:
			id = l3.TMSI(u.TMSI)
		case (m.Type == mm.IdentityIMEI || m.Type == mm.IdentityIMEISV) && u.IMEI != "":
			id = l3.MobileIdentity{Type: l3.IdentityIMEI, Digits: u.IMEI}
		}
		reply(&mm.IdentityResponse{Identity: id})
	case *mm.AuthenticationRequest:
		sres, _, err := u.SIM.Authenticate(m.RAND)
		if err != nil {
			u.lastErr = err
			return
		}
		u.Auths++
		reply(&mm.AuthenticationResponse{SRES: sres})
	case *mm.AuthenticationReject:
		u.Result, u.want = LUAuthRejected, false
	case *mm.TMSIReallocationCommand:
		if m.Identity.Type == l3.IdentityTMSI {
			u.TMSI, u.HaveTMSI = m.Identity.TMSI, true
		}
		reply(&mm.TMSIReallocationComplete{})
	case *mm.LocationUpdatingAccept:
		u.Result, u.want = LUAccepted, false
		if m.HasIdentity && m.Identity.Type == l3.IdentityTMSI {
			u.TMSI, u.HaveTMSI = m.Identity.TMSI, true
			reply(&mm.TMSIReallocationComplete{})
		}
	case *mm.LocationUpdatingReject:
		u.Result, u.Cause, u.want = LURejected, m.Cause, false
	case *mm.MMInformation:
		if m.HasFullName {
			u.NetworkName = m.FullName.Text
		} else if m.HasShortName {
			u.NetworkName = m.ShortName.Text
		}
	}
}

// Released implements Upper: without an answer the update is retried.
func (u *LU) Released(normal bool) {
	if u.Result == LUPending && u.camped {
		u.want = true
	}
}

// Err returns the last internal error (a message that did not encode, an
// unknown SIM algorithm), for diagnosis.
func (u *LU) Err() error { return u.lastErr }
