// Package simphones runs virtual phones on the simulated air (dsp/sim):
// each a complete mobile (gsm/ms: cell search, camping, RACH, SDCCH,
// LAPDm, MM location updating with its SIM's A3/A8 and A5 ciphering) on
// its own radio (dsp/trx.PhoneRadio) and goroutine, placed at a seeded
// distance, path loss and frequency offset from the cell's endpoint.
// `gsmbox sim --phones`, `gsmbox trx --phones` and the appliance on the
// sim front end (gsmbox.simphones=N, [sim] phones) run them; printing
// the table is the command's.
//
// Place in the dependency order: beside firmware/node, above gsm/ms,
// gsm/mm, dsp/trx and dsp/sim.
package simphones

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/gsmbox/gsmbox/dsp/channel"
	"github.com/gsmbox/gsmbox/dsp/gmsk"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/dsp/rx"
	"github.com/gsmbox/gsmbox/dsp/sim"
	"github.com/gsmbox/gsmbox/dsp/trx"
	"github.com/gsmbox/gsmbox/gsm/cc"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/ms"
)

// frameDuration is one TDMA frame, 120/26 ms (TS 45.002 §4.3.1).
const frameDuration = 120 * time.Millisecond / 26

// Max is the most phones one air carries.
const Max = 1000

// Config configures the phones.
type Config struct {
	// N is how many phones (1..Max).
	N int
	// Seed draws placements, IMSIs, keys and IMEIs.
	Seed uint64
	// MCC and MNC are the home network of the phones' IMSIs.
	MCC, MNC string
	// SNRdB is the Eb/N0 of a phone with no path loss (sim.snr_db).
	SNRdB float64
	// Air is the simulated air and BTS the cell's endpoint on it.
	Air *sim.Air
	BTS *sim.Endpoint
	// SPS is the air's samples per symbol and SampleRate its rate.
	SPS        int
	SampleRate float64
	// Provision, when not nil, adds each phone's subscriber (IMSI, Ki
	// with COMP128-3, an MSISDN from 2000 on) to the network's registry
	// before it powers on, so it is authenticated and ciphered.
	Provision func(s registry.Subscriber) error
	// OnRegistered, when not nil, is called from the phone's goroutine
	// once, when the phone first reports itself registered.
	OnRegistered func(r Row)
	// SMS, when not nil, is the phones' SMS traffic (sms.go).
	SMS *SMSPlan
	// Log receives the phones' RR events; nil discards them.
	Log *slog.Logger
	// Codecs are the speech versions the phones offer in calls (nil: EFR
	// then FR); AnswerFrames is how long a called phone rings before it
	// answers (negative: never). See call.go.
	Codecs       []cc.SpeechVersion
	AnswerFrames int
	// Tone, when not 0, is what every phone's FR mouth speaks: a sine
	// at Tone Hz instead of the synthetic voice (call.go).
	Tone float64
}

// Placement is where a phone is on the air.
type Placement struct {
	DelaySymbols float64 `json:"delay_symbols"`
	PathLossDB   float64 `json:"path_loss_db"`
	FreqOffsetHz float64 `json:"freq_offset_hz"`
}

// Row is one phone's state: a line of the table and of the JSON report.
type Row struct {
	Phone    int     `json:"phone"`
	IMSI     string  `json:"imsi"`
	TMSI     string  `json:"tmsi"`
	MSISDN   string  `json:"msisdn"`
	Result   string  `json:"result"`
	Reached  string  `json:"reached"`
	State    string  `json:"state"`
	AirTimeS float64 `json:"air_time_to_register_s"` // from power-on; 0 when not registered
	// RACHToLU is from the first channel request of the access that
	// registered to the location updating accept.
	RACHToLU float64 `json:"rach_to_accept_s"`
	Requests uint64  `json:"channel_requests"`
	Rejects  uint64  `json:"immediate_assignment_rejects"`
	TA       uint8   `json:"timing_advance"`
	// Authenticated says the SIM ran A3/A8 for the network (it holds a
	// key); Cipher is the A5 algorithm the phone's RR started ("" if none).
	Authenticated bool   `json:"authenticated"`
	Cipher        string `json:"cipher,omitempty"`
	// Releases counts the channel releases the phone timed, from the
	// Channel Release received to back in idle (TS 44.018 §3.4.13.1);
	// ReleaseWorstS is the longest in seconds of air. DISCRepeats counts
	// DISCs the phone repeated because no UA came (TS 44.006 §5.4.4.3),
	// ReleaseTimeouts releases that ended with the DISC never answered.
	Releases        uint64  `json:"releases"`
	ReleaseWorstS   float64 `json:"release_to_idle_worst_s"`
	ReleaseMeanS    float64 `json:"release_to_idle_mean_s"`
	DISCRepeats     uint64  `json:"disc_repeats"`
	ReleaseTimeouts uint64  `json:"release_timeouts"`
	Placement
}

// Registered reports whether the row's result is a registration.
func (r *Row) Registered() bool { return r.Result == "registered" }

// Phones is a running set of virtual phones.
type Phones struct {
	cfg    Config
	phones []*Phone
	wg     sync.WaitGroup
	cancel context.CancelFunc
	calls  []*Call
	ledger *Ledger
}

// Phone is one virtual phone: its SIM and MM, RR state machine, radio
// and endpoint on the air, and where it was placed.
type Phone struct {
	idx   int
	up    *upper
	sim   *mm.SIM
	phone *ms.Phone
	radio *trx.PhoneRadio
	ep    *sim.Endpoint
	place Placement
	err   error
	told  bool
	on    func(Row)
	sms   *smsPhone // SMS traffic, or nil
	l1    *powered

	mu    sync.Mutex
	row   Row
	stats ms.Stats
	best  ms.Milestone
	call  ms.CallInfo

	voice *voice
	cmds  chan func() // run on the phone's goroutine (call.go)
	talk  int         // frames to talk before hanging up, 0: no hang-up
}

// upper is the phone's MM, SMS and CC (one Handset), watched for
// ciphering.
type upper struct {
	*ms.Handset
	alg    uint8
	cipher uint8 // the algorithm ciphering started with, 0 if none
}

func (u *upper) CipherKey(alg uint8) ([8]byte, string, bool) {
	u.alg = alg
	return u.MM.CipherKey(alg)
}

func (u *upper) CipheringStarted() {
	u.cipher = u.alg
	u.MM.CipheringStarted()
}

// FullScaleDBm calibrates the phones' receivers: full scale on the
// simulated air reads as −50 dBm at the phone, so the 0..20 dB path
// losses give RXLEV 60..40 in its reports.
const FullScaleDBm = -50

// Start places cfg.N phones on the air around the cell's endpoint,
// provisions them, powers them on together and starts their goroutines,
// which run until ctx ends or Stop.
func Start(ctx context.Context, cfg Config) (*Phones, error) {
	if cfg.N < 1 || cfg.N > Max {
		return nil, fmt.Errorf("simphones: %d phones (want 1..%d)", cfg.N, Max)
	}
	if cfg.Air == nil || cfg.BTS == nil || cfg.SPS < 1 || cfg.SampleRate <= 0 {
		return nil, errors.New("simphones: no air, cell endpoint or sample rate")
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	sps := cfg.SPS
	// The cell's receiver noise, once for all phones: Eb/N0 sim.snr_db
	// for a phone with no path loss.
	if err := cfg.BTS.SetNoise(channel.NoiseVariance(cfg.SNRdB, 0, cfg.SampleRate)); err != nil {
		return nil, err
	}
	ps := &Phones{cfg: cfg, ledger: &Ledger{}}
	if cfg.SMS != nil {
		ps.ledger.tag, ps.ledger.onEvent = cfg.SMS.Tag, cfg.SMS.OnEvent
	}
	sc := "100"
	if cfg.SMS != nil && cfg.SMS.SCAddress != "" {
		sc = cfg.SMS.SCAddress
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x70686f6e6573))
	used := map[string]bool{}
	for i := range cfg.N {
		imsi, ki, pl := draw(rng, cfg.MCC, cfg.MNC, sps, used)
		simc := mm.NewSIM(imsi, crypto.COMP128v3, ki, crypto.OPc{})
		// A phase 2 phone with A5/1 and A5/3, and SMS.
		cm1 := l3.Classmark1{Revision: 1, RFPower: 4, A51: true}
		msc := &mm.MSConfig{
			Classmark1: cm1,
			Classmark2: l3.Classmark2{Classmark1: cm1, SMCap: true, A53: true},
			IMEI:       IMEI(rng),
			// T3210, T3211 and T3213 at TS 24.008 Table 11.1's values:
			// the network must cope with phones as strict as real ones.
		}
		v := newVoice(i)
		v.tone = cfg.Tone
		up := &upper{Handset: ms.NewHandset(ms.NewMM(msc, simc), cfg.callConfig(v),
			ms.SMSConfig{SCAddress: sc, StatusReports: cfg.SMS != nil && cfg.SMS.StatusReports})}
		phone, err := ms.New(ms.Config{SIM: simc, Seed: rng.Uint64(), Upper: up, Log: log.With("phone", i)})
		if err != nil {
			return nil, err
		}
		radioCfg := trx.PhoneConfig{Modulator: gmsk.Config{SPS: sps}, Rx: rx.Config{RSSIOffset: FullScaleDBm}}
		pr, err := trx.NewPhoneRadio(radioCfg)
		if err != nil {
			return nil, err
		}
		ep := cfg.Air.Endpoint(fmt.Sprintf("phone%d", i))
		delay := pl.DelaySymbols * float64(sps)
		down := channel.Config{Delay: delay, PathLoss: pl.PathLossDB, FreqOffset: pl.FreqOffsetHz,
			AWGN: true, EbN0: cfg.SNRdB - pl.PathLossDB}
		if err := cfg.Air.Connect(cfg.BTS, ep, down); err != nil {
			return nil, err
		}
		if err := cfg.Air.Connect(ep, cfg.BTS, channel.Config{Delay: delay, PathLoss: pl.PathLossDB}); err != nil {
			return nil, err
		}
		if cfg.Provision != nil {
			err := cfg.Provision(subscriber(i, simc.IMSI, simc.Ki))
			if err != nil {
				return nil, fmt.Errorf("simphones: provisioning phone %d: %w", i, err)
			}
		}
		sp := &Phone{idx: i, up: up, sim: simc, phone: phone, radio: pr, ep: ep, place: pl, on: cfg.OnRegistered,
			voice: v, cmds: make(chan func(), 4)}
		sp.l1 = &powered{Phone: phone, sp: sp}
		ps.smsSetup(sp, rand.New(rand.NewPCG(cfg.Seed, 0x736d7300|uint64(i))))
		sp.publish()
		ps.phones = append(ps.phones, sp)
	}
	ctx, ps.cancel = context.WithCancel(ctx)
	for _, sp := range ps.phones {
		sp.phone.PowerOn() // all together: their first access bursts collide
		ps.wg.Add(1)
		go sp.run(ctx, &ps.wg)
	}
	return ps, nil
}

// draw draws one phone's IMSI, Ki and placement from rng: the phones of a
// seed are the same in every process (Subscribers).
func draw(rng *rand.Rand, mcc, mnc string, sps int, used map[string]bool) (string, crypto.Ki, Placement) {
	var imsi string
	for imsi == "" || used[imsi] {
		imsi = fmt.Sprintf("%s%s%010d", mcc, mnc, rng.Uint64N(10_000_000_000))
	}
	used[imsi] = true
	var ki crypto.Ki
	for j := range ki {
		ki[j] = byte(rng.UintN(256))
	}
	// One-way delay up to 31 symbols, so the round trip stays within
	// the timing-advance range 0..63 (TS 45.010 §5.2), in whole
	// samples (a quarter symbol, 277 m at 4 sps): an integer delay is
	// one tap on the air instead of a 16-tap interpolator.
	pl := Placement{
		DelaySymbols: float64(rng.IntN(31*sps+1)) / float64(sps),
		PathLossDB:   rng.Float64() * 20,
		FreqOffsetHz: (rng.Float64()*2 - 1) * 3000,
	}
	return imsi, ki, pl
}

// subscriber is phone i's registry entry (Config.Provision).
func subscriber(i int, imsi string, ki crypto.Ki) registry.Subscriber {
	return registry.Subscriber{IMSI: imsi, MSISDN: MSISDN(i), Algorithm: crypto.COMP128v3, Ki: ki, Name: fmt.Sprintf("virtual phone %d", i)}
}

// SPS is the samples per symbol of the simulated air the commands run
// (sim, trx): the phones' placements are drawn for it.
const SPS = 4

// Subscribers returns the registry entries of the n phones Start runs
// for seed, mcc, mnc and sps, without starting them: the network process
// of a split ("gsmbox bts --provision-phones") provisions the phones the
// transceiver process ("gsmbox trx --phones") runs.
func Subscribers(n int, seed uint64, mcc, mnc string, sps int) []registry.Subscriber {
	rng := rand.New(rand.NewPCG(seed, 0x70686f6e6573))
	used := map[string]bool{}
	out := make([]registry.Subscriber, n)
	for i := range n {
		imsi, ki, _ := draw(rng, mcc, mnc, sps, used)
		out[i] = subscriber(i, imsi, ki)
		// The rest of the phone's draws, in Start's order.
		IMEI(rng)
		rng.Uint64()
	}
	return out
}

// Stop ends the phones' goroutines and waits for them. Call it after the
// cell's endpoint is closed (or the cell loop has stopped), so that no
// phone waits on the air for the cell.
func (ps *Phones) Stop() {
	ps.cancel()
	ps.wg.Wait()
}

// Phones returns the phones, in order.
func (ps *Phones) Phones() []*Phone { return ps.phones }

// Rows returns every phone's latest row. Safe from any goroutine.
func (ps *Phones) Rows() []Row {
	rows := make([]Row, len(ps.phones))
	for i, sp := range ps.phones {
		rows[i] = sp.Row()
	}
	return rows
}

// Done reports that every phone has a final result: registered and back
// in idle mode, or rejected. Safe from any goroutine.
func (ps *Phones) Done() bool {
	for _, sp := range ps.phones {
		if !sp.done() {
			return false
		}
	}
	return true
}

// Registered counts the registered phones.
func (ps *Phones) Registered() int {
	n := 0
	for _, sp := range ps.phones {
		if r := sp.Row(); r.Registered() {
			n++
		}
	}
	return n
}

// run is the phone's frame loop.
func (sp *Phone) run(ctx context.Context, wg *sync.WaitGroup) {
	defer wg.Done()
	defer sp.ep.Close()
	for ctx.Err() == nil {
		if err := sp.radio.Step(sp.ep, sp.l1); err != nil {
			if !errors.Is(err, radio.ErrClosed) {
				sp.err = err
			}
			break
		}
		sp.callTick()
		if sp.radio.FN()%13 == 0 {
			sp.publish()
		}
	}
	sp.publish()
}

// Index is the phone's number.
func (sp *Phone) Index() int { return sp.idx }

// Placement is where the phone is on the air.
func (sp *Phone) Placement() Placement { return sp.place }

// MS is the phone's RR state machine; read it only after Stop.
func (sp *Phone) MS() *ms.Phone { return sp.phone }

// Err is the radio's error, if it stopped on one; read it after Stop.
func (sp *Phone) Err() error { return sp.err }

// Stats returns the phone's RR counters as last published (every 13
// frames). Safe from any goroutine.
func (sp *Phone) Stats() ms.Stats {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return sp.stats
}

// Best returns the furthest milestone reached, as last published. Safe
// from any goroutine.
func (sp *Phone) Best() ms.Milestone {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return sp.best
}

// Row returns the phone's latest row. Safe from any goroutine.
func (sp *Phone) Row() Row {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return sp.row
}

// publish copies the phone's state into its row; on the phone's goroutine.
func (sp *Phone) publish() {
	p, s := sp.phone, sp.sim
	st := p.Stats()
	row := Row{Phone: sp.idx, IMSI: s.IMSI, TMSI: "-", MSISDN: "-",
		Reached: p.Best().String(), State: p.State().String(), Requests: st.ChannelRequests,
		Releases: st.Released, DISCRepeats: st.DISCRepeats, ReleaseTimeouts: st.ReleaseTimeouts,
		ReleaseWorstS: float64(st.ReleaseFramesMax) * frameDuration.Seconds(),
		Rejects:       st.ImmAssRej, TA: p.TA(), Placement: sp.place,
		Authenticated: s.CKSN != mm.CKSNNone}
	if st.Released > 0 {
		row.ReleaseMeanS = float64(st.ReleaseFramesSum) / float64(st.Released) * frameDuration.Seconds()
	}
	if sp.up.cipher != 0 {
		row.Cipher = fmt.Sprintf("A5/%d", sp.up.cipher)
	}
	if s.TMSI != mm.NoTMSI {
		row.TMSI = fmt.Sprintf("%08x", s.TMSI)
	}
	cause := sp.up.MS.LastCause()
	switch {
	case sp.up.Registered():
		row.Result = "registered"
		if st.Registered {
			row.AirTimeS = float64(st.RegisteredFN) * frameDuration.Seconds()
			if d := st.RegisteredFN.Sub(st.AttemptRACH); st.HaveFirstRACH && d >= 0 {
				row.RACHToLU = float64(d) * frameDuration.Seconds()
			} else {
				// A later access (a call) started since: keep the figure
				// of the access that registered.
				sp.mu.Lock()
				row.RACHToLU = sp.row.RACHToLU
				sp.mu.Unlock()
			}
		}
	case s.Invalid:
		row.Result = "SIM invalid: " + cause.String()
	case cause != 0:
		row.Result = "LU rejected: " + cause.String()
	default:
		// Not registered (yet): say how far it got.
		row.Result = "not registered: " + p.Best().String()
		if p.Best() == ms.MsAssigned {
			row.Result += " (no L2/L3 answer on the SDCCH)"
		}
	}
	if sp.err != nil {
		row.Result = "radio error: " + sp.err.Error()
	}
	sp.mu.Lock()
	sp.row, sp.stats, sp.best, sp.call = row, st, p.Best(), sp.up.Info()
	sp.mu.Unlock()
	if row.Registered() && !sp.told {
		sp.told = true
		if sp.on != nil {
			sp.on(row)
		}
	}
}

// done reports that the phone has a final result.
func (sp *Phone) done() bool {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	r := sp.row.Result
	return r == "registered" && sp.row.State == ms.StateIdle.String() ||
		strings.HasPrefix(r, "LU rejected") || strings.HasPrefix(r, "SIM invalid")
}

// IMEI returns a random IMEI with its Luhn check digit (TS 23.003 §6.2.1,
// Annex B).
func IMEI(rng *rand.Rand) string {
	d := fmt.Sprintf("35%012d", rng.Uint64N(1_000_000_000_000))
	sum := 0
	for i := 0; i < 14; i++ {
		v := int(d[i] - '0')
		if i%2 == 1 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return d + string(rune('0'+(10-sum%10)%10))
}
