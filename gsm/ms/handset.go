package ms

import (
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Handset is a phone's whole connection-management layer over one MM:
// SMS and USSD (SMS, TS 24.011 and TS 24.080) and call control (Caller,
// TS 24.008 §5). It is an Upper: SMS takes what is its own (SAPI 3, SS
// messages, SMS connection wishes) and hands everything else down the
// chain to the Caller, which takes CC and hands the rest to MM, so each
// frame ticks MM once and each message reaches one owner.
type Handset struct {
	*SMS
	// Caller is the phone's call control.
	Caller *Caller
}

var (
	_ Upper        = (*Handset)(nil)
	_ Voice        = (*Handset)(nil)
	_ SAPI3Upper   = (*Handset)(nil)
	_ PoweredOffer = (*Handset)(nil)
)

// NewHandset builds the CM layer of a phone over mmu.
func NewHandset(mmu *MM, calls CallConfig, sms SMSConfig) *Handset {
	c := NewCaller(mmu, calls)
	s := NewSMS(mmu, sms)
	s.next = c
	return &Handset{SMS: s, Caller: c}
}

// Dial places a call (see Caller.Dial).
func (h *Handset) Dial(number string, emergency bool) bool { return h.Caller.Dial(number, emergency) }

// Hangup ends the call in progress (see Caller.Hangup).
func (h *Handset) Hangup() { h.Caller.Hangup() }

// HangupAfter hangs up after frames more frames (see Caller.HangupAfter).
func (h *Handset) HangupAfter(frames int) { h.Caller.HangupAfter(frames) }

// Info returns the current or last call's record (see Caller.Info).
func (h *Handset) Info() CallInfo { return h.Caller.Info() }

// Frames returns the frames the call control has counted.
func (h *Handset) Frames() int64 { return h.Caller.Frames() }

// UplinkSpeech implements Voice through the Caller.
func (h *Handset) UplinkSpeech(fn tdma.FN, mode rr.ChannelMode, dst *[260]byte) bool {
	return h.Caller.UplinkSpeech(fn, mode, dst)
}

// DownlinkSpeech implements Voice through the Caller.
func (h *Handset) DownlinkSpeech(fn tdma.FN, mode rr.ChannelMode, frame *[260]byte, good bool) {
	h.Caller.DownlinkSpeech(fn, mode, frame, good)
}
