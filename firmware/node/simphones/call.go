package simphones

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/gsmbox/gsmbox/gsm/codec/fr"
	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/ms"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Calls: the phones call each other, speak and listen.
//
// Each phone's mouth is a deterministic synthetic voice: a vowel-like
// signal (a 110–190 Hz fundamental, chosen by the phone's number, with
// harmonics shaped by two fixed formants at 700 and 1200 Hz, amplitude
// modulated at a 4 Hz syllable rate), 8 kHz 13-bit PCM, coded by our GSM
// 06.10 encoder (gsm/codec/fr) for FR calls. For EFR calls, until an EFR
// speech encoder exists, the mouth sends a known pseudo-random sequence
// of EFR frames (the phone's number seeds it), through the EFR
// preliminary coding. The ear keeps every frame it hears. A call's speech
// matches when every frame heard equals, bit for bit, the next frame the
// other phone sent, in order, with gaps only where frames were erased
// (lost); the decoded PCM is then what a decoder makes of the sent frames.

// MaxTalkFrames bounds the speech a phone keeps per call (both ways),
// about 2 minutes.
const MaxTalkFrames = 6000

// voice is one phone's mouth and ear.
type voice struct {
	mu    sync.Mutex
	idx   int
	enc   *fr.Encoder
	t     int // samples produced
	rng   *rand.Rand
	sent  [][260]byte
	heard [][260]byte
	bad   int
	mode  rr.ChannelMode
	tone  float64 // Hz; 0 for the synthetic voice
}

func newVoice(idx int) *voice {
	return &voice{idx: idx, enc: fr.NewEncoder(), rng: rand.New(rand.NewPCG(uint64(idx)+1, 0x65667266))}
}

// Synth fills pcm with the next 20 ms of phone idx's synthetic voice,
// from sample t on (13-bit range, as GSM 06.10 expects).
func Synth(pcm *[160]int16, idx, t int) {
	f0 := 110 + float64(idx%9)*10
	for i := range pcm {
		n := float64(t + i)
		ts := n / 8000
		env := 0.55 + 0.45*math.Sin(2*math.Pi*4*ts)
		var s float64
		for h := 1; h*int(f0) < 3400; h++ {
			f := float64(h) * f0
			g := 1/(1+math.Pow((f-700)/150, 2)) + 0.6/(1+math.Pow((f-1200)/200, 2))
			s += g * math.Sin(2*math.Pi*f*ts)
		}
		pcm[i] = int16(max(-4095, min(4095, 2500*env*s))) << 3
	}
}

// Tone fills pcm with the next 20 ms of a sine at hz, from sample t on
// (13-bit range, at about -6 dBFS): a signal whose share at hz survives
// FR and G.711, for checks through a transcoder (the SIP trunk's).
func Tone(pcm *[160]int16, hz float64, t int) {
	for i := range pcm {
		pcm[i] = int16(2000*math.Sin(2*math.Pi*hz*float64(t+i)/8000)) << 3
	}
}

// Dial has the phone call number (any number: a trunk's too) and hang up
// after talk frames of conversation (0: never). Safe from any goroutine;
// false when the phone's command queue is full.
func (sp *Phone) Dial(number string, talk int) bool {
	return sp.do(func() {
		sp.voice.reset()
		sp.talk = talk
		sp.up.Dial(number, false)
	})
}

// DTMF has the phone press (start) or release a key in its active call.
// Safe from any goroutine.
func (sp *Phone) DTMF(key byte, start bool) bool {
	return sp.do(func() { sp.up.Caller.DTMF(key, start) })
}

// PowerOff switches the phone off at once, as a pulled battery (no
// detach: the network still thinks it reachable). Safe from any
// goroutine.
func (sp *Phone) PowerOff() bool {
	return sp.do(func() { sp.phone.PowerOff() })
}

// Hangup has the phone end its call. Safe from any goroutine.
func (sp *Phone) Hangup() bool {
	return sp.do(func() { sp.up.Caller.Hangup() })
}

// mouth implements ms.CallConfig.Mouth.
func (v *voice) mouth(fn tdma.FN, mode rr.ChannelMode, dst *[260]byte) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	switch mode {
	case rr.ModeSpeechV1:
		var pcm [160]int16
		if v.tone != 0 {
			Tone(&pcm, v.tone, v.t)
		} else {
			Synth(&pcm, v.idx, v.t)
		}
		v.t += 160
		var frame [fr.FrameSize]byte
		v.enc.Encode(&frame, &pcm)
		if coding.FRFromRTP(dst, frame[:]) != nil {
			return false
		}
	case rr.ModeSpeechV2:
		var frame [coding.EFRFrameSize]byte
		for i := range frame {
			frame[i] = byte(v.rng.UintN(256))
		}
		frame[0] = 0xc0 | frame[0]&0x0f
		if coding.EFRFromRTP(dst, frame[:]) != nil {
			return false
		}
	default:
		return false
	}
	v.mode = mode
	if len(v.sent) < MaxTalkFrames {
		v.sent = append(v.sent, *dst)
	}
	return true
}

// ear implements ms.CallConfig.Ear.
func (v *voice) ear(fn tdma.FN, mode rr.ChannelMode, f *[260]byte, good bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if !good {
		v.bad++
		return
	}
	if len(v.heard) < MaxTalkFrames {
		v.heard = append(v.heard, *f)
	}
}

// reset starts a new call.
func (v *voice) reset() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.sent, v.heard, v.bad, v.t = nil, nil, 0, 0
	v.enc.Reset()
}

// Match compares what one phone heard with what the other sent: every
// frame heard must be the next sent frame at or after the previous
// match (frames in between were lost). matched counts the frames heard,
// lost the sent frames skipped between the first and the last match.
func Match(heard, sent [][260]byte) (ok bool, matched, lost int) {
	j := 0
	first := -1
	for _, h := range heard {
		for j < len(sent) && sent[j] != h {
			j++
		}
		if j == len(sent) {
			return false, matched, lost
		}
		if first < 0 {
			first = j
		}
		matched++
		j++
	}
	if first >= 0 {
		lost = j - first - matched
	}
	return matched > 0, matched, lost
}

// CallRow is one call of `gsmbox sim --calls`: a line of the calls table
// and of the JSON report's "calls".
type CallRow struct {
	Call          int     `json:"call"`
	Caller        int     `json:"caller_phone"`
	Callee        int     `json:"callee_phone"`
	Number        string  `json:"dialled"`
	Codec         string  `json:"codec"`
	State         string  `json:"state"`
	Cause         string  `json:"cause"`
	DialToAlertS  float64 `json:"dial_to_alerting_s"`
	DialToAnswerS float64 `json:"dial_to_connect_s"`
	// Per direction: frames the speaker sent, frames the listener heard
	// that matched, frames lost (erased) between them, and whether the
	// speech matches.
	SentAB, HeardAB, LostAB int  `json:"-"`
	SentBA, HeardBA, LostBA int  `json:"-"`
	MatchAB, MatchBA        bool `json:"-"`
	Up                      Leg  `json:"caller_to_callee"`
	Down                    Leg  `json:"callee_to_caller"`
}

// Leg is one direction of a call's speech.
type Leg struct {
	Sent    int  `json:"frames_sent"`
	Relayed int  `json:"frames_received"` // heard by the other phone, matching
	Lost    int  `json:"frames_lost"`
	Bad     int  `json:"frames_bad"`
	Matches bool `json:"speech_matches"`
}

// Call is a call the phones placed.
type Call struct {
	idx            int
	caller, callee *Phone
	number         string
	talk           int // frames to talk once connected
	placed         bool
}

// do runs fn on the phone's goroutine before its next frame.
func (sp *Phone) do(fn func()) bool {
	select {
	case sp.cmds <- fn:
		return true
	default:
		return false
	}
}

// callTick runs on the phone's goroutine every frame: commands, and the
// hang-up after the talk time.
func (sp *Phone) callTick() {
	for {
		select {
		case fn := <-sp.cmds:
			fn()
			continue
		default:
		}
		break
	}
	c := sp.up.Caller
	if sp.talk > 0 {
		i := c.Info()
		if i.Active && i.Connected > 0 && c.Frames()-i.Connected >= int64(sp.talk) {
			sp.talk = 0
			c.Hangup()
		}
	}
}

// PlaceCalls has k pairs of registered phones call each other (the
// first of each pair dials the other's MSISDN, 2000 + its number, so the
// phones must be provisioned); each caller hangs up after talk frames of
// conversation. Pairs are drawn with seed; a phone is in one call at
// most. Safe from any goroutine.
func (ps *Phones) PlaceCalls(k int, seed uint64, talk int) ([]*Call, error) {
	var free []*Phone
	for _, sp := range ps.phones {
		if r := sp.Row(); r.Registered() {
			free = append(free, sp)
		}
	}
	if 2*k > len(free) {
		return nil, fmt.Errorf("simphones: %d calls need %d registered phones, have %d", k, 2*k, len(free))
	}
	rng := rand.New(rand.NewPCG(seed, 0x63616c6c))
	rng.Shuffle(len(free), func(i, j int) { free[i], free[j] = free[j], free[i] })
	var calls []*Call
	for i := range k {
		a, b := free[2*i], free[2*i+1]
		c := &Call{idx: i, caller: a, callee: b, number: fmt.Sprintf("%d", 2000+b.idx), talk: talk}
		b.do(func() { b.voice.reset() })
		num := c.number
		c.placed = a.do(func() {
			a.voice.reset()
			a.talk = talk
			a.up.Dial(num, false)
		})
		calls = append(calls, c)
	}
	ps.calls = calls
	return calls, nil
}

// CallsDone reports that every placed call has ended and its phones are
// back in idle mode. Safe from any goroutine.
func (ps *Phones) CallsDone() bool {
	for _, c := range ps.calls {
		for _, sp := range []*Phone{c.caller, c.callee} {
			sp.mu.Lock()
			i, st := sp.call, sp.row.State
			sp.mu.Unlock()
			if i.Calls == 0 || !i.Ended || st != ms.StateIdle.String() {
				return false
			}
		}
	}
	return true
}

// CallRows returns a row per placed call. Safe from any goroutine; the
// speech figures are final once CallsDone.
func (ps *Phones) CallRows() []CallRow {
	var rows []CallRow
	for _, c := range ps.calls {
		c.caller.mu.Lock()
		ia := c.caller.call
		c.caller.mu.Unlock()
		c.callee.mu.Lock()
		ib := c.callee.call
		c.callee.mu.Unlock()
		r := CallRow{Call: c.idx, Caller: c.caller.idx, Callee: c.callee.idx, Number: c.number, State: ia.State, Cause: "-"}
		if ia.Ended {
			r.Cause = ia.Cause.String()
		}
		if ia.Alerting > 0 {
			r.DialToAlertS = float64(ia.Alerting-ia.Dialled) * frameDuration.Seconds()
		}
		if ia.Connected > 0 {
			r.DialToAnswerS = float64(ia.Connected-ia.Dialled) * frameDuration.Seconds()
		}
		_ = ib
		va, vb := c.caller.voice, c.callee.voice
		va.mu.Lock()
		vb.mu.Lock()
		switch va.mode {
		case rr.ModeSpeechV1:
			r.Codec = "FR"
		case rr.ModeSpeechV2:
			r.Codec = "EFR"
		default:
			r.Codec = "-"
		}
		r.MatchAB, r.HeardAB, r.LostAB = Match(vb.heard, va.sent)
		r.MatchBA, r.HeardBA, r.LostBA = Match(va.heard, vb.sent)
		r.SentAB, r.SentBA = len(va.sent), len(vb.sent)
		r.Up = Leg{Sent: r.SentAB, Relayed: r.HeardAB, Lost: r.LostAB, Bad: vb.bad, Matches: r.MatchAB}
		r.Down = Leg{Sent: r.SentBA, Relayed: r.HeardBA, Lost: r.LostBA, Bad: va.bad, Matches: r.MatchBA}
		vb.mu.Unlock()
		va.mu.Unlock()
		rows = append(rows, r)
	}
	return rows
}

// Voice returns what the phone sent and heard in its last call, for
// checks after Stop.
func (sp *Phone) Voice() (sent, heard [][260]byte, mode rr.ChannelMode) {
	v := sp.voice
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.sent, v.heard, v.mode
}

// CallInfo is the phone's last call as last published.
func (sp *Phone) CallInfo() ms.CallInfo {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return sp.call
}

// callConfig is a phone's behaviour in calls.
func (cfg *Config) callConfig(v *voice) ms.CallConfig {
	return ms.CallConfig{Codecs: cfg.Codecs, AnswerAfter: cfg.AnswerFrames, Mouth: v.mouth, Ear: v.ear}
}

// Text has the phone send text to phone to's number (MSISDN(to)), as a
// user would type it: during a call it goes on the call's connection
// (TS 24.008 §4.5.1.1, SAPI 3 on the SACCH of the TCH/F), else on a
// connection of its own. Safe from any goroutine; false when the phone's
// command queue is full. Read the recipient's Inbox after Stop.
func (sp *Phone) Text(to int, text string) bool {
	return sp.do(func() { _, _ = sp.up.SMS.Send(MSISDN(to), text, false, uint64(sp.idx)<<16) })
}
