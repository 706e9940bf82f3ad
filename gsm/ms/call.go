package ms

import (
	"github.com/gsmbox/gsmbox/gsm/cc"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// CallConfig is how a virtual phone behaves in calls.
type CallConfig struct {
	// Codecs are the speech versions the phone offers, in its order of
	// preference (its bearer capability, TS 24.008 §10.5.4.5); nil means
	// EFR, then FR.
	Codecs []cc.SpeechVersion
	// AnswerAfter is how many frames the phone rings before it answers
	// a call; a negative value never answers.
	AnswerAfter int
	// Busy refuses incoming calls with #17.
	Busy bool
	// CC holds the CC timers.
	CC cc.Config
	// Mouth supplies uplink speech frames while a call is active (see
	// Voice.UplinkSpeech); nil sends none.
	Mouth func(fn tdma.FN, mode rr.ChannelMode, dst *[260]byte) bool
	// Ear takes the downlink speech frames while a call is active.
	Ear func(fn tdma.FN, mode rr.ChannelMode, frame *[260]byte, good bool)
}

// CallInfo is what happened in the phone's last call. Times are MM's
// frame counts (the phone's virtual time since it first synchronised).
type CallInfo struct {
	Active, Ended, MO, Emergency bool
	State                        string
	Dialled                      int64 // frame of the dial (MO) or of the Setup (MT)
	Alerting, Connected          int64 // frames; 0 if never
	Released                     int64
	Cause                        cc.CauseValue // clearing cause, as received or sent
	InBand                       bool          // the user connection was attached before Connect (progress #1, #2, #8)
	Calls                        uint64        // calls made or received
}

// Caller is the Upper of a virtual phone that makes and takes calls: MM
// (embedded) with the mobile side of CC (TS 24.008 §5, gsm/cc's Call on
// the MS side) above it, and the phone's Voice. Dial, Hangup and Info
// are called on the phone's goroutine (between frames).
type Caller struct {
	*MM
	cfg      CallConfig
	tx       *cc.Transactions
	call     *cc.Call
	sendFn   func([]byte) error
	nsd      uint8
	info     CallInfo
	answerAt int64
	hangupAt int64
	wantMM   bool
	bearer   cc.BearerCapability
	inband   bool // the network attached the user connection before Connect
}

var (
	_ Upper = (*Caller)(nil)
	_ Voice = (*Caller)(nil)
)

// NewCaller returns the Upper of a phone that calls.
func NewCaller(mmu *MM, cfg CallConfig) *Caller {
	c := &Caller{MM: mmu, cfg: cfg, tx: cc.NewTransactions(cc.Mobile, cfg.CC)}
	codecs := cfg.Codecs
	if codecs == nil {
		codecs = []cc.SpeechVersion{cc.FRv2, cc.FRv1}
	}
	c.bearer = cc.SpeechBearer(1, codecs...)
	return c
}

// Info returns the state of the phone's current or last call.
func (c *Caller) Info() CallInfo {
	i := c.info
	if c.call != nil {
		i.State = cc.StateName(cc.Mobile, c.call.State())
		i.Active = c.call.State() == cc.StateActive
	}
	return i
}

// Dial places a call to number (digits); false if a call is in progress.
// An emergency number is dialled with an Emergency Setup when emergency
// is set (TS 24.008 §5.2.1.1).
func (c *Caller) Dial(number string, emergency bool) bool {
	if c.call != nil && !c.call.Ended() {
		return false
	}
	c.tx.Sweep()
	call := c.tx.New()
	if call == nil {
		return false
	}
	c.call = call
	c.info = CallInfo{MO: true, Emergency: emergency, Dialled: c.frames, Calls: c.info.Calls + 1}
	c.inband = false
	c.nsd = 1 // the CM Service Request had N(SD) 0
	var acts []cc.Action
	if emergency {
		acts = call.DialEmergency(c.Now(), &cc.EmergencySetup{HasBearer: true, Bearer: c.bearer}, nil)
	} else {
		acts = call.Dial(c.Now(), &cc.Setup{HasBearer: true, Bearer: c.bearer, HasCalled: true,
			Called: cc.Number{TON: 0, NPI: 1, Digits: number}}, nil)
	}
	c.acts(acts)
	return true
}

// HangupAfter clears the call (#16) after frames more frames.
func (c *Caller) HangupAfter(frames int) { c.hangupAt = c.frames + int64(frames) }

// Hangup clears the call now with #16 normal clearing.
func (c *Caller) Hangup() {
	if c.call == nil || c.call.Ended() {
		return
	}
	c.acts(c.call.Disconnect(c.Now(), cc.UserCause(cc.CauseNormalClearing), nil))
}

// DTMF presses (start) or releases a key in the active call: Start DTMF
// or Stop DTMF (TS 24.008 §5.5.7.1, §5.5.7.3); nothing outside the
// active state.
func (c *Caller) DTMF(key byte, start bool) {
	if c.call == nil || c.call.Ended() {
		return
	}
	if start {
		c.acts(c.call.StartDTMF(c.Now(), key, nil))
	} else {
		c.acts(c.call.StopDTMF(c.Now(), nil))
	}
}

func (c *Caller) acts(acts []cc.Action) {
	for _, a := range acts {
		switch a.Kind {
		case cc.ActSend:
			c.sendCC(a.Msg)
		case cc.ActRequestMM:
			svc := mm.ServiceMOCall
			if a.Emergency {
				svc = mm.ServiceEmergencyCall
			}
			c.MM.actions(c.MS.RequestService(c.Now(), c.lai, svc))
			c.wantMM = true
		case cc.ActNotify:
			c.event(a)
		}
	}
}

func (c *Caller) event(a cc.Action) {
	if inBand(a.Msg) {
		c.inband, c.info.InBand = true, true
	}
	switch a.Event {
	case cc.EvAlerting:
		if c.info.Alerting == 0 {
			c.info.Alerting = c.frames
		}
	case cc.EvConnect, cc.EvActive:
		if c.info.Connected == 0 {
			c.info.Connected = c.frames
		}
	case cc.EvDisconnect:
		c.info.Cause = a.Cause.Value
	case cc.EvReleased:
		if c.info.Cause == 0 {
			c.info.Cause = a.Cause.Value
		}
		c.info.Ended, c.info.Released = true, c.frames
	}
}

func (c *Caller) sendCC(m cc.Message) {
	if m.Hdr() != nil {
		m.Hdr().SetNSD(c.nsd)
		c.nsd++
	}
	b, err := cc.Marshal(m)
	if err != nil || c.sendFn == nil {
		return
	}
	_ = c.sendFn(b)
}

// Data implements Upper: CC messages go to the calls, the rest to MM.
func (c *Caller) Data(msg []byte, send func([]byte) error) {
	c.sendFn = send
	if len(msg) < 2 || l3.PD(msg[0]&0x0f) != l3.PDCC {
		c.MM.Data(msg, send)
		c.mmUp()
		return
	}
	call, acts := c.tx.Receive(c.Now(), msg, nil)
	if call != nil && call != c.call {
		// A new mobile-terminated call.
		var setup bool
		for _, a := range acts {
			setup = setup || a.Kind == cc.ActNotify && a.Event == cc.EvSetup
		}
		if setup && (c.call == nil || c.call.Ended()) && !c.cfg.Busy {
			c.call = call
			c.nsd = 0
			c.info = CallInfo{Dialled: c.frames, Calls: c.info.Calls + 1}
			c.inband = false
			c.acts(acts)
			c.acts(call.Confirm(c.Now(), &cc.CallConfirmed{HasBearer: true, Bearer: c.bearer}, nil))
			c.acts(call.Alert(c.Now(), nil))
			c.info.Alerting = c.frames
			c.answerAt = -1
			if c.cfg.AnswerAfter >= 0 {
				c.answerAt = c.frames + int64(c.cfg.AnswerAfter)
			}
			return
		}
		if setup {
			c.acts(call.Reject(c.Now(), cc.UserCause(cc.CauseUserBusy), nil))
			c.tx.Sweep()
			return
		}
	}
	c.acts(acts)
}

// mmUp sends the Setup once the MM connection is established.
func (c *Caller) mmUp() {
	if c.wantMM && c.MS.Connected() && c.call != nil && c.call.State() == cc.StateMMPending {
		c.wantMM = false
		c.acts(c.call.MMEstablished(c.Now(), nil))
	}
}

// Tick implements Upper: MM's timers, then CC's, the answer and the
// hang-up.
func (c *Caller) Tick(fn tdma.FN) bool {
	abort := c.MM.Tick(fn)
	// The Setup goes once MM is connected: after the CM Service Accept,
	// or after the Ciphering Mode Complete that stood for it.
	c.mmUp()
	if c.call == nil || c.call.Ended() {
		return abort
	}
	now := c.Now()
	if d, _, ok := c.call.Deadline(); ok && !now.Before(d) {
		c.acts(c.call.Tick(now, nil))
	}
	if c.answerAt > 0 && c.frames >= c.answerAt && c.call.State() == cc.StateCallReceived {
		c.answerAt = 0
		c.acts(c.call.Connect(now, nil))
	}
	if c.hangupAt > 0 && c.frames >= c.hangupAt {
		c.hangupAt = 0
		c.Hangup()
	}
	return abort
}

// Released implements Upper: a call still up when the RR connection
// goes ends with it (radio link failure: #41 is what the user hears).
func (c *Caller) Released(normal bool) {
	if c.call != nil && !c.call.Ended() {
		c.acts(c.call.Abort(c.Now(), cc.UserCause(cc.CauseTemporaryFailure), nil))
	}
	c.wantMM = false
	c.MM.Released(normal)
}

// UplinkSpeech implements Voice: speech only in an active call.
func (c *Caller) UplinkSpeech(fn tdma.FN, mode rr.ChannelMode, dst *[260]byte) bool {
	if c.cfg.Mouth == nil || c.call == nil || c.call.State() != cc.StateActive {
		return false
	}
	return c.cfg.Mouth(fn, mode, dst)
}

// inBand reports whether a CC message from the network carries a
// progress indicator that has the MS attach the user connection before
// the call is active: #1, #2 or #8 (TS 24.008 §5.5.1, in-band tones and
// announcements), e.g. the ringback of a called party beyond a SIP trunk.
func inBand(m cc.Message) bool {
	var p cc.ProgressIndicator
	switch m := m.(type) {
	case *cc.Alerting:
		if !m.HasProgress {
			return false
		}
		p = m.Progress
	case *cc.CallProceeding:
		if !m.HasProgress {
			return false
		}
		p = m.Progress
	case *cc.Progress:
		p = m.Progress
	default:
		return false
	}
	switch p.Description {
	case cc.ProgressNotEndToEnd, cc.ProgressDestNotPLMN, cc.ProgressInBand:
		return true
	}
	return false
}

// DownlinkSpeech implements Voice: in an active call, or before it once
// the network attached the user connection (inBand).
func (c *Caller) DownlinkSpeech(fn tdma.FN, mode rr.ChannelMode, frame *[260]byte, good bool) {
	if c.cfg.Ear == nil || c.call == nil {
		return
	}
	if st := c.call.State(); st != cc.StateActive && !(c.inband && (st == cc.StateMOProceeding || st == cc.StateCallDelivered)) {
		return
	}
	c.cfg.Ear(fn, mode, frame, good)
}

// Frames returns the phone's virtual time in frames (the clock of
// CallInfo).
func (c *Caller) Frames() int64 { return c.frames }
