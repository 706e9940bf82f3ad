package ms

import (
	"time"

	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// frameDuration is one TDMA frame, 120/26 ms (TS 45.002 §4.3.1).
const frameDuration = 120 * time.Millisecond / 26

// MM is the Upper of a virtual phone: gsm/mm's MS-side MM state machine
// (location updating with identity, authentication and TMSI handling,
// TS 24.008 §4.4) on virtual time counted in TDMA frames, so its timers
// (T3210, T3211, T3212, T3240) are frame deadlines like RR's. The
// location update starts when the phone camps on a cell of a location
// area the SIM is not updated in.
type MM struct {
	MS  *mm.MS
	cfg *mm.MSConfig

	epoch   time.Time
	frames  int64
	last    tdma.FN
	started bool

	lai    l3.LAI
	camped bool
	att    bool // the cell's ATT flag
	// poweredOn: the phone has camped since power on.
	poweredOn bool
	initial   mm.Message // the message that opens the next RR connection
	abort     bool
	send      func([]byte) error
	out       [251]byte // an L3 message: at most N201 × segments
}

var (
	_ Upper        = (*MM)(nil)
	_ Registrar    = (*MM)(nil)
	_ AccessFailer = (*MM)(nil)
	_ CellOptions  = (*MM)(nil)
)

// NewMM returns the Upper of a phone with mobile equipment cfg and SIM
// sim, running a new gsm/mm MS.
func NewMM(cfg *mm.MSConfig, sim *mm.SIM) *MM {
	return &MM{MS: mm.NewMS(cfg, sim), cfg: cfg, epoch: time.Unix(0, 0).UTC()}
}

// CipherKey implements Upper.
func (u *MM) CipherKey(alg uint8) ([8]byte, string, bool) {
	kc, ok := u.MS.CipherKey(mm.Cipher(alg))
	return kc, u.cfg.IMEISV, ok
}

// CipheringStarted implements Upper.
func (u *MM) CipheringStarted() { u.MS.CipheringStarted() }

// Identity implements Upper.
func (u *MM) Identity() (uint8, l3.Classmark2, l3.MobileIdentity) {
	s := u.MS.SIM
	return s.CKSN, u.cfg.Classmark2, s.Identity(u.lai)
}

// Now returns MM's virtual time: the frames seen since the phone first
// synchronised.
func (u *MM) Now() time.Time { return u.epoch.Add(time.Duration(u.frames) * frameDuration) }

// Tick implements Upper.
func (u *MM) Tick(fn tdma.FN) bool {
	if !u.started {
		u.started = true
	} else if d := fn.Sub(u.last); d > 0 {
		u.frames += int64(d)
	}
	u.last = fn
	// While the RR connection for the pending message is still being
	// set up no MM timer runs: T3210 starts when the request goes out
	// (Established), and T3211/T3212 are stopped in that state.
	if d, ok := u.MS.Deadline(); ok && !u.Now().Before(d) && u.initial == nil {
		u.actions(u.MS.Tick(u.Now()))
	}
	a := u.abort
	u.abort = false
	return a
}

func (u *MM) actions(acts []mm.MSAction) {
	for _, a := range acts {
		switch a.Kind {
		case mm.MSSend:
			if u.send != nil {
				if n, err := a.Msg.MarshalTo(u.out[:]); err == nil {
					_ = u.send(u.out[:n])
				}
			} else {
				u.initial = a.Msg
			}
		case mm.MSRelease:
			u.abort, u.initial = true, nil
		case mm.MSStartLU:
			if u.camped {
				u.actions(u.MS.LocationUpdate(u.Now(), u.lai, a.Type))
			}
		}
	}
}

// SetATT implements CellOptions: the cell's ATT flag (SI3 Control
// Channel Description, TS 44.018 §10.5.2.11).
func (u *MM) SetATT(att bool) { u.att = att }

// Camped implements Upper. The first camping after power on with the SIM
// updated in this location area is an IMSI attach when the cell asks for
// it (ATT, TS 24.008 §4.4.3); otherwise only a SIM not updated here
// starts a location update.
func (u *MM) Camped(lai l3.LAI, t3212 uint8) {
	first := !u.poweredOn
	u.poweredOn = true
	u.lai, u.camped = lai, true
	if first && u.att && u.MS.Registered(lai) && !u.MS.Busy() && u.initial == nil {
		u.cfg.T3212 = time.Duration(t3212) * 6 * time.Minute
		u.actions(u.MS.LocationUpdate(u.Now(), lai, mm.LUIMSIAttach))
		return
	}
	// T3212 comes from the cell (TS 24.008 §4.4.2): a phone that gave up
	// after MaxLUAttempts tries again when it expires.
	u.cfg.T3212 = time.Duration(t3212) * 6 * time.Minute
	if !u.MS.Registered(lai) && !u.MS.Busy() && u.initial == nil {
		u.actions(u.MS.LocationUpdate(u.Now(), lai, u.MS.UpdateType(lai)))
	}
}

// Paged implements Upper.
func (u *MM) Paged(id l3.MobileIdentity) bool {
	s := u.MS.SIM
	switch id.Type {
	case l3.IdentityIMSI:
		return id.Digits == s.IMSI
	case l3.IdentityTMSI:
		return s.TMSI != mm.NoTMSI && id.TMSI == s.TMSI
	}
	return false
}

// WantsConnection implements Upper.
func (u *MM) WantsConnection() (rr.EstCause, bool) {
	switch u.initial.(type) {
	case nil:
		return 0, false
	case *mm.LocationUpdatingRequest:
		return rr.EstLocationUpdate, true
	case *mm.CMServiceRequest:
		// SMS and supplementary services complete on an SDCCH: "other
		// procedures" (0001xxxx with NECI, TS 44.018 Table 9.1.8.1), so
		// the cell gives them no TCH; a call asks for one.
		if r := u.initial.(*mm.CMServiceRequest); r.Service == mm.ServiceSMS || r.Service == mm.ServiceSS {
			return rr.EstSDCCHProcedure, true
		}
		return rr.EstOriginating, true
	}
	return rr.EstSDCCHProcedure, true
}

// Initial implements Upper.
func (u *MM) Initial(dst []byte) int {
	if u.initial == nil || u.initial.MarshalSize() > len(dst) {
		return 0
	}
	n, err := u.initial.MarshalTo(dst)
	if err != nil {
		return 0
	}
	return n
}

// Established implements Upper.
func (u *MM) Established() {
	u.initial = nil
	u.MS.RRConnected(u.Now())
}

// RandomAccessFailed implements AccessFailer: the random access failed
// again after T3213, which TS 24.008 §4.4.4.9 (c) counts as a failed
// location updating attempt.
func (u *MM) RandomAccessFailed() {
	if u.initial == nil {
		return
	}
	u.initial = nil
	u.actions(u.MS.RandomAccessFailed(u.Now()))
}

// Data implements Upper.
func (u *MM) Data(msg []byte, send func([]byte) error) {
	u.send = send
	u.actions(u.MS.Handle(u.Now(), msg))
	u.send = nil
}

// Released implements Upper. A connection that never came up (the
// channel request was rejected, or the random access failed) did not
// start the location update, TS 24.008 §4.4.4.9 (b), (c): MM tries again
// without counting an attempt. One that was lost after it came up
// counts as a failed update.
func (u *MM) Released(normal bool) {
	established := u.initial == nil
	u.initial = nil
	if !established {
		u.actions(u.MS.AccessFailed(u.Now()))
		return
	}
	u.actions(u.MS.Released(u.Now()))
}

// Registered implements Registrar.
func (u *MM) Registered() bool { return u.camped && u.MS.Registered(u.lai) }

// Detach starts the IMSI detach of a switch-off (TS 24.008 §4.3.4): the
// IMSI Detach Indication opens an RR connection of its own. It does
// nothing, and returns false, unless the phone is camped, registered and
// idle in MM. Pending reports when the indication has gone (or its
// access failed, which abandons the detach, §4.3.4.4).
func (u *MM) Detach() bool {
	if !u.camped || !u.MS.Registered(u.lai) || u.MS.Busy() || u.initial != nil {
		return false
	}
	u.actions(u.MS.Detach(u.Now()))
	return u.initial != nil
}

// Pending reports whether MM waits for an RR connection to send its
// initial message (a location update, a service request, a detach).
func (u *MM) Pending() bool { return u.initial != nil }
