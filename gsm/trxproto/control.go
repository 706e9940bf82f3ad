package trxproto

import (
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// SlotType is a SETSLOT channel combination code, osmo-trx's numbering of
// the combinations of 3GPP TS 45.002 §6.4.1.
type SlotType uint8

// SETSLOT codes.
const (
	SlotFill    SlotType = 0  // transmitted (dummy bursts on C0), nothing received
	SlotTCHF    SlotType = 1  // I: TCH/F + FACCH/F + SACCH/TF
	SlotTCHH2   SlotType = 2  // II: TCH/H(0) + FACCH/H(0) + SACCH/TH(0)
	SlotTCHH    SlotType = 3  // III: TCH/H(0,1) + FACCH/H(0,1) + SACCH/TH(0,1)
	SlotBCCH    SlotType = 4  // IV: FCCH + SCH + BCCH + CCCH, uplink RACH
	SlotBCCHSD4 SlotType = 5  // V: IV + SDCCH/4 + SACCH/C4, uplink RACH + SDCCH/4
	SlotCCCH    SlotType = 6  // VI: BCCH + CCCH, uplink RACH
	SlotSDCCH8  SlotType = 7  // VII: SDCCH/8 + SACCH/C8
	SlotTCHF8   SlotType = 8  // VIII (osmo-trx): TCH/F + FACCH/F + SACCH/M
	SlotPDCH    SlotType = 13 // XIII: PDTCH + PACCH + PTCCH
	SlotNone    SlotType = 12 // inactive
	slotMax     SlotType = 15
)

// Receives reports whether the transceiver demodulates the uplink of a
// slot of this type.
func (t SlotType) Receives() bool { return t != SlotFill && t != SlotNone && t <= slotMax }

// RACH reports whether uplink frame fn of a slot of this type is a random
// access position (TS 45.002 §7 Table 3 of 9: every uplink frame of
// combinations IV and VI, frames 4, 5, 14–36, 45 and 46 of the 51-frame
// multiframe in combination V).
func (t SlotType) RACH(fn tdma.FN) bool {
	switch t {
	case SlotBCCH, SlotCCCH:
		return true
	case SlotBCCHSD4:
		m := fn % 51
		return m == 4 || m == 5 || m >= 14 && m <= 36 || m == 45 || m == 46
	}
	return false
}

// State is what a transceiver has been told over TRXC.
type State struct {
	Powered  bool
	RFMuted  bool
	RxHz     int64 // uplink frequency (RXTUNE), 0 until tuned
	TxHz     int64 // downlink frequency (TXTUNE)
	TSC      uint8 // training sequence of normal bursts (SETTSC, SETBSIC)
	BSIC     int   // SETBSIC, −1 until set
	Slots    [tdma.Slots]SlotType
	AttDB    int // SETPOWER/ADJPOWER attenuation below nominal power
	RxGainDB int
	TA       [tdma.Slots]uint8
	// Handover is a bit mask of sub-slots per timeslot on which handover
	// access bursts are looked for (HANDOVER/NOHANDOVER).
	Handover   [tdma.Slots]uint8
	MaxDelay   int // SETMAXDLY, symbols (access bursts)
	MaxDelayNB int // SETMAXDLYNB, symbols (normal bursts)
	Version    uint8
}

// Hooks lets the transceiver behind a ControlServer check and act on
// commands. Every field may be nil.
type Hooks struct {
	// CheckTune is asked before RXTUNE (uplink true) and TXTUNE are
	// accepted: the transceiver refuses frequencies outside its band and
	// the board's limits (RF safety).
	CheckTune func(uplink bool, hz int64) error
	// CheckPair is asked whether an uplink and a downlink frequency may
	// be used together (a duplex pair of the band, TS 45.005 §2): at
	// POWERON, and on every RXTUNE and TXTUNE while powered on, so that
	// a transmitter on the air is never retuned off its pair.
	CheckPair func(rxHz, txHz int64) error
	// PowerOn is called on POWERON; an error answers it with status 1.
	PowerOn func(s State) error
	// PowerOff is called on POWEROFF.
	PowerOff func()
	// Measure returns the level in dBm seen at hz (MEASURE).
	Measure func(hz int64) (dbm int, ok bool)
	// NominalPowerDBm is answered to NOMTXPOWER.
	NominalPowerDBm int
	// MaxAttDB bounds SETPOWER/ADJPOWER (default 60).
	MaxAttDB int
}

// ControlServer answers TRXC commands the way osmo-trx does and keeps the
// resulting State. It is safe for concurrent use: the control socket's
// goroutine calls Handle, the frame loop reads State.
type ControlServer struct {
	hooks Hooks
	mu    sync.Mutex
	st    State
}

// NewControlServer returns a server in the power-off state.
func NewControlServer(h Hooks) *ControlServer {
	if h.MaxAttDB == 0 {
		h.MaxAttDB = 60
	}
	s := &ControlServer{hooks: h}
	s.st.BSIC = -1
	s.st.MaxDelay = 63
	for tn := range s.st.Slots {
		s.st.Slots[tn] = SlotNone
	}
	return s
}

// State returns a copy of the current state.
func (s *ControlServer) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st
}

// Handle answers one message. Messages that are not commands get no
// answer (ok false); unknown commands get "RSP ERR 1", never a crash.
func (s *ControlServer) Handle(m Message) (rsp Message, ok bool) {
	rsp, ok, _ = s.HandleWhy(m)
	return rsp, ok
}

// HandleWhy is Handle, with the reason a command was refused (for the
// transceiver's log: "not a channel of GSM900", "not a duplex pair"), or
// nil.
func (s *ControlServer) HandleWhy(m Message) (rsp Message, ok bool, why error) {
	if m.Type != CMD {
		return Message{}, false, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rsp, why = s.handle(m)
	return rsp, true, why
}

// errBadArgs is the reason for a command refused for its parameters.
var errBadArgs = errors.New("bad or missing parameters")

func (s *ControlServer) handle(m Message) (Message, error) {
	st := &s.st
	fail := func(why ...error) (Message, error) {
		err := errBadArgs
		if len(why) > 0 {
			err = why[0]
		}
		return Response(m, 1, m.Params...), err
	}
	okr := func(params ...string) (Message, error) { return Response(m, 0, params...), nil }
	arg := func(i int) (int, bool) { return m.Int(i) }
	switch m.Verb {
	case "POWEROFF":
		st.Powered = false
		if s.hooks.PowerOff != nil {
			s.hooks.PowerOff()
		}
		return okr()
	case "POWERON":
		if st.TxHz == 0 || st.RxHz == 0 {
			return fail(errors.New("not tuned")) // osmo-trx refuses too
		}
		if s.hooks.CheckPair != nil {
			if err := s.hooks.CheckPair(st.RxHz, st.TxHz); err != nil {
				return fail(err)
			}
		}
		if s.hooks.PowerOn != nil {
			if err := s.hooks.PowerOn(*st); err != nil {
				return fail(err)
			}
		}
		st.Powered = true
		return okr()
	case "RFMUTE":
		v, good := arg(0)
		if !good {
			return fail()
		}
		st.RFMuted = v != 0
		return okr(m.Params...)
	case "SETFORMAT":
		v, good := arg(0)
		if !good || v < 0 {
			return fail()
		}
		if v > MaxVersion {
			// Offer ours; the peer asks again with it.
			return Response(m, MaxVersion, m.Params...), nil
		}
		st.Version = uint8(v)
		return Response(m, v, m.Params...), nil
	case "RXTUNE", "TXTUNE":
		khz, good := arg(0)
		if !good || khz <= 0 {
			return fail()
		}
		hz := int64(khz) * 1000
		up := m.Verb == "RXTUNE"
		if s.hooks.CheckTune != nil {
			if err := s.hooks.CheckTune(up, hz); err != nil {
				return fail(err)
			}
		}
		rx, tx := st.RxHz, st.TxHz
		if up {
			rx = hz
		} else {
			tx = hz
		}
		if st.Powered && s.hooks.CheckPair != nil {
			if err := s.hooks.CheckPair(rx, tx); err != nil {
				return fail(err)
			}
		}
		st.RxHz, st.TxHz = rx, tx
		return okr(m.Params...)
	case "SETTSC":
		v, good := arg(0)
		if !good || v < 0 || v > 7 {
			return fail()
		}
		st.TSC = uint8(v)
		return okr(m.Params...)
	case "SETBSIC":
		v, good := arg(0)
		if !good || v < 0 || v > 63 {
			return fail()
		}
		st.BSIC, st.TSC = v, uint8(v&7)
		return okr(m.Params...)
	case "NOMTXPOWER":
		return okr(strconv.Itoa(s.hooks.NominalPowerDBm))
	case "SETRXGAIN":
		v, good := arg(0)
		if !good {
			return fail()
		}
		st.RxGainDB = v
		return okr(strconv.Itoa(v))
	case "SETPOWER", "ADJPOWER":
		v, good := arg(0)
		if !good {
			return fail()
		}
		if m.Verb == "ADJPOWER" {
			v += st.AttDB
		}
		v = max(0, min(v, s.hooks.MaxAttDB))
		st.AttDB = v
		return okr(strconv.Itoa(v))
	case "SETSLOT":
		tn, good1 := arg(0)
		t, good2 := arg(1)
		if !good1 || !good2 || len(m.Params) != 2 || tn < 0 || tn > 7 || t < 0 || t > int(slotMax) {
			return fail()
		}
		st.Slots[tn] = SlotType(t)
		return okr(m.Params...)
	case "HANDOVER", "NOHANDOVER":
		tn, good1 := arg(0)
		ss, good2 := arg(1)
		if !good1 || !good2 || tn < 0 || tn > 7 || ss < 0 || ss > 7 {
			return fail()
		}
		if m.Verb == "HANDOVER" {
			st.Handover[tn] |= 1 << ss
		} else {
			st.Handover[tn] &^= 1 << ss
		}
		return okr(m.Params...)
	case "SETTA":
		tn, good1 := arg(0)
		ta, good2 := arg(1)
		if !good1 || !good2 || tn < 0 || tn > 7 || ta < 0 || ta > 63 {
			return fail()
		}
		st.TA[tn] = uint8(ta)
		return okr(m.Params...)
	case "SETMAXDLY", "SETMAXDLYNB":
		v, good := arg(0)
		if !good || v < 0 || v > 255 {
			return fail()
		}
		if m.Verb == "SETMAXDLY" {
			st.MaxDelay = v
		} else {
			st.MaxDelayNB = v
		}
		return okr(m.Params...)
	case "MEASURE":
		khz, good := arg(0)
		if !good || s.hooks.Measure == nil {
			return fail()
		}
		dbm, good := s.hooks.Measure(int64(khz) * 1000)
		if !good {
			return fail(errors.New("no measurement"))
		}
		return okr(m.Params[0], strconv.Itoa(dbm))
	case "ECHO":
		return okr()
	}
	return Message{Type: RSP, Verb: "ERR", Status: 1}, errors.New("unknown command")
}

// String describes a state for logs.
func (s State) String() string {
	return fmt.Sprintf("powered %v, rx %d Hz, tx %d Hz, TSC %d, slots %v, att %d dB, TRXD v%d",
		s.Powered, s.RxHz, s.TxHz, s.TSC, s.Slots, s.AttDB, s.Version)
}

// Plan implements phy.Planner: what a transceiver told this state
// demodulates on each timeslot of uplink frame fn: nothing while powered
// off or on a slot that does not receive, access bursts on RACH positions
// and on slots with handover access enabled (HANDOVER), normal bursts with
// the SETTSC training sequence otherwise.
func (s *State) Plan(fn tdma.FN, p *phy.Plan) {
	for tn := range p.Slots {
		p.TSC[tn] = s.TSC
		sl := s.Slots[tn]
		switch {
		case !s.Powered || !sl.Receives():
			p.Slots[tn] = phy.RxOff
		case sl.RACH(fn) || s.Handover[tn] != 0:
			p.Slots[tn] = phy.RxAccess
		default:
			p.Slots[tn] = phy.RxNormal
		}
	}
}
