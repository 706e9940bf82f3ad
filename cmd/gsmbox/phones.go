package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/gsmbox/gsmbox/dsp/channel"
	"github.com/gsmbox/gsmbox/dsp/gmsk"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/dsp/rx"
	"github.com/gsmbox/gsmbox/dsp/sim"
	"github.com/gsmbox/gsmbox/dsp/trx"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/ms"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// phoneOpts are the `gsmbox sim` flags for virtual phones.
type phoneOpts struct {
	n         int
	report    string
	live      time.Duration
	seed      uint64
	provision bool
}

// addPhoneFlags defines --phones, --report and --live on the sim flag set.
func addPhoneFlags(fs *flag.FlagSet) *phoneOpts {
	o := &phoneOpts{}
	fs.IntVar(&o.n, "phones", 0, "run N virtual phones on the air: cell search, camping, RACH, SDCCH, location update")
	fs.StringVar(&o.report, "report", "", "with --phones: write the final phone table as JSON to this file")
	fs.DurationVar(&o.live, "live", 5*time.Second, "with --phones: print the phone table every this much air time (0: only at the end)")
	fs.Uint64Var(&o.seed, "phone-seed", 0, "with --phones: seed for placement, IMSIs and keys (0: the config's sim.seed)")
	fs.BoolVar(&o.provision, "provision", false, "with --phones: add the phones to the subscriber registry with their Ki (COMP128-3) first, so they are authenticated and ciphered")
	return o
}

// errPhonesDone ends the frame loop early: every phone has a result.
var errPhonesDone = errors.New("every phone has a result")

// ulLag is how many frames behind the downlink the cell reads the uplink,
// so that every phone (one frame behind the cell at most, writing its
// uplink two frames ahead of its downlink) has written it.
const ulLag = 2

// phoneFrames are the frames the sim runs at most with phones when no
// --duration was given: 60 s of air.
const phoneFrames = 13000

// phoneSim is the cell's side of the phones' air plus the phones: the
// cell's uplink receiver and the goroutine of every phone.
type phoneSim struct {
	r      *cellRunner
	rxt    *trx.Transceiver
	modes  [2][tdma.Slots]trx.RxMode
	slots  [tdma.Slots]l1.Combination
	tsc    uint8
	emit   func(b *tdma.RxBurst)
	phones []*simPhone
	wg     sync.WaitGroup
	cancel context.CancelFunc
	opts   *phoneOpts
	out    io.Writer
	log    *slog.Logger
	frames int64
}

// simPhone is one virtual phone: its SIM and MM, RR state machine, radio
// and endpoint on the air, and where it was placed.
type simPhone struct {
	idx   int
	mm    *ms.MM
	sim   *mm.SIM
	phone *ms.Phone
	radio *trx.PhoneRadio
	ep    *sim.Endpoint
	l1    phoneL1
	place placement
	err   error

	mu  sync.Mutex
	row phoneRow
}

type placement struct {
	DelaySymbols float64 `json:"delay_symbols"`
	PathLossDB   float64 `json:"path_loss_db"`
	FreqOffsetHz float64 `json:"freq_offset_hz"`
}

// phoneRow is one line of the table and of the JSON report.
type phoneRow struct {
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
	placement
}

// phoneL1 joins a gsm/ms phone to its dsp/trx radio (which may import
// only gsm/tdma): the two plan types have the same values in the same
// order.
type phoneL1 struct {
	p    *ms.Phone
	plan ms.Plan
}

func (a *phoneL1) Listen(fn tdma.FN, plan *trx.PhonePlan) {
	a.p.Listen(fn, &a.plan)
	for i, s := range a.plan.Slots {
		plan.Slots[i] = trx.PhoneRx(s)
	}
	plan.TSC = a.plan.TSC
}
func (a *phoneL1) Receive(b *tdma.RxBurst) { a.p.Receive(b) }
func (a *phoneL1) Frame(fn tdma.FN, out *[tdma.Slots]tdma.TxBurst) bool {
	return a.p.Frame(fn, out)
}
func (a *phoneL1) TA() uint8 { return a.p.TA() }

// The receive modes must line up for phoneL1's conversion.
var _ = [1]int{}[int(ms.ListenNormal)-int(trx.PhoneRxNormal)]
var _ = [1]int{}[int(ms.ListenFCCH)-int(trx.PhoneRxFCCH)]

// startPhones places o.n phones on the air around the cell's endpoint
// bts, powers them on together and starts their goroutines. It returns
// nil when no phones were asked for.
func startPhones(ctx context.Context, o *phoneOpts, cfg *config.Config, r *cellRunner, air *sim.Air, bts *sim.Endpoint, out io.Writer, log *slog.Logger) (*phoneSim, error) {
	if o.n <= 0 {
		return nil, nil
	}
	if o.n > 1000 {
		return nil, fmt.Errorf("%w: --phones %d (at most 1000)", errUsage, o.n)
	}
	seed := o.seed
	if seed == 0 {
		seed = uint64(cfg.Sim.Seed)
	}
	// The cell's receiver is calibrated so that its noise, sim.snr_db
	// below full scale, reads as a -110 dBm noise floor: levels in dBm
	// then mean what they mean on a board, and the MS power control
	// loop has a real target to steer to.
	rxt, err := trx.NewTransceiver(trx.TransceiverConfig{Tx: trx.TxConfig{Modulator: gmsk.Config{SPS: cfg.Radio.SamplesPerSymbol}},
		Rx: rx.Config{RSSIOffset: -110 + cfg.Sim.SNRdB}})
	if err != nil {
		return nil, err
	}
	ps := &phoneSim{r: r, rxt: rxt, opts: o, out: out, log: log}
	lc := r.cell.L1Config()
	ps.slots, ps.tsc = lc.Slots, lc.TSC()
	ps.emit = func(b *tdma.RxBurst) { r.cell.Receive(b) }
	rate := r.tx.SampleRate()
	sps := r.tx.Modulator().SPS()
	// The cell's receiver noise, once for all phones: Eb/N0 sim.snr_db
	// for a phone with no path loss.
	if err := bts.SetNoise(channel.NoiseVariance(cfg.Sim.SNRdB, 0, rate)); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x70686f6e6573))
	used := map[string]bool{}
	ctx, ps.cancel = context.WithCancel(ctx)
	for i := range o.n {
		var imsi string
		for imsi == "" || used[imsi] {
			imsi = fmt.Sprintf("%s%s%010d", cfg.Network.MCC, cfg.Network.MNC, rng.Uint64N(10_000_000_000))
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
		pl := placement{
			DelaySymbols: float64(rng.IntN(31*sps+1)) / float64(sps),
			PathLossDB:   rng.Float64() * 20,
			FreqOffsetHz: (rng.Float64()*2 - 1) * 3000,
		}
		simc := mm.NewSIM(imsi, crypto.COMP128v3, ki, crypto.OPc{})
		// A phase 2 phone with A5/1 and A5/3, and SMS.
		cm1 := l3.Classmark1{Revision: 1, RFPower: 4, A51: true}
		msc := &mm.MSConfig{
			Classmark1: cm1,
			Classmark2: l3.Classmark2{Classmark1: cm1, SMCap: true, A53: true},
			IMEI:       imei(rng),
			T3211:      phoneT3211,
		}
		upper := ms.NewMM(msc, simc)
		phone, err := ms.New(ms.Config{SIM: simc, Seed: rng.Uint64(), Upper: upper, Log: log.With("phone", i)})
		if err != nil {
			return nil, err
		}
		// Full scale on the simulated air reads as −50 dBm at the phone,
		// so the 0..20 dB path losses give RXLEV 60..40 in its reports.
		radioCfg := trx.PhoneConfig{Modulator: gmsk.Config{SPS: sps}, Rx: rx.Config{RSSIOffset: phoneFullScaleDBm}}
		pr, err := trx.NewPhoneRadio(radioCfg)
		if err != nil {
			return nil, err
		}
		ep := air.Endpoint(fmt.Sprintf("phone%d", i))
		delay := pl.DelaySymbols * float64(sps)
		down := channel.Config{Delay: delay, PathLoss: pl.PathLossDB, FreqOffset: pl.FreqOffsetHz,
			AWGN: true, EbN0: cfg.Sim.SNRdB - pl.PathLossDB}
		if err := air.Connect(bts, ep, down); err != nil {
			return nil, err
		}
		if err := air.Connect(ep, bts, channel.Config{Delay: delay, PathLoss: pl.PathLossDB}); err != nil {
			return nil, err
		}
		if o.provision {
			if err := provisionPhone(r, simc, i); err != nil {
				return nil, err
			}
		}
		sp := &simPhone{idx: i, mm: upper, sim: simc, phone: phone, radio: pr, ep: ep, place: pl}
		sp.l1.p = phone
		sp.publish()
		ps.phones = append(ps.phones, sp)
	}
	for _, sp := range ps.phones {
		sp.phone.PowerOn() // all together: their first access bursts collide
		ps.wg.Add(1)
		go sp.run(ctx, &ps.wg)
	}
	fmt.Fprintf(out, "%d virtual phones on the air (seed %d): delays 0..31 symbols, path loss 0..20 dB, ±3 kHz\n", o.n, seed)
	return ps, nil
}

// run is the phone's frame loop.
func (sp *simPhone) run(ctx context.Context, wg *sync.WaitGroup) {
	defer wg.Done()
	defer sp.ep.Close()
	for ctx.Err() == nil {
		if err := sp.radio.Step(sp.ep, &sp.l1); err != nil {
			if !errors.Is(err, radio.ErrClosed) {
				sp.err = err
			}
			break
		}
		if sp.radio.FN()%13 == 0 {
			sp.publish()
		}
	}
	sp.publish()
}

// publish copies the phone's state into its table row.
func (sp *simPhone) publish() {
	p, s := sp.phone, sp.sim
	st := p.Stats()
	row := phoneRow{Phone: sp.idx, IMSI: s.IMSI, TMSI: "-", MSISDN: "-",
		Reached: p.Best().String(), State: p.State().String(), Requests: st.ChannelRequests,
		Rejects: st.ImmAssRej, TA: p.TA(), placement: sp.place}
	if s.TMSI != mm.NoTMSI {
		row.TMSI = fmt.Sprintf("%08x", s.TMSI)
	}
	cause := sp.mm.MS.LastCause()
	switch {
	case sp.mm.Registered():
		row.Result = "registered"
		if st.Registered {
			row.AirTimeS = float64(st.RegisteredFN) * frameDuration.Seconds()
			if st.HaveFirstRACH {
				row.RACHToLU = float64(st.RegisteredFN.Sub(st.AttemptRACH)) * frameDuration.Seconds()
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
	sp.row = row
	sp.mu.Unlock()
}

func (sp *simPhone) snapshot() phoneRow {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return sp.row
}

// done reports that the phone has a final result: registered and back
// in idle mode, or rejected.
func (sp *simPhone) done() bool {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	r := sp.row.Result
	return r == "registered" && sp.row.State == ms.StateIdle.String() ||
		strings.HasPrefix(r, "LU rejected") || strings.HasPrefix(r, "SIM invalid")
}

// provisionPhone adds a phone's SIM to the registry: IMSI, Ki and
// algorithm, and an MSISDN from 2000 on.
func provisionPhone(r *cellRunner, s *mm.SIM, i int) error {
	if r.reg == nil {
		return fmt.Errorf("sim: no subscriber registry to provision phones in")
	}
	_, err := r.reg.Add(registry.Subscriber{IMSI: s.IMSI, MSISDN: fmt.Sprintf("%d", 2000+i),
		Algorithm: s.Algorithm, Ki: s.Ki, Name: fmt.Sprintf("virtual phone %d", i)})
	if errors.Is(err, registry.ErrExists) {
		// A second run on the same --db: the phone is already there,
		// which is fine as long as it has this SIM's key.
		old, gerr := r.reg.Get(s.IMSI)
		if gerr != nil {
			return fmt.Errorf("sim: provisioning phone %d: %w", i, gerr)
		}
		if old.Algorithm == s.Algorithm && old.Ki == s.Ki {
			return nil
		}
		return fmt.Errorf("sim: provisioning phone %d: IMSI %s is in the registry with another key (another --seed wrote it; use a fresh --db)", i, s.IMSI)
	}
	if err != nil {
		return fmt.Errorf("sim: provisioning phone %d: %w", i, err)
	}
	return nil
}

// phoneFullScaleDBm calibrates the phones' receivers.
const phoneFullScaleDBm = -50

// phoneT3211 is the simulator's LU retry timer: shorter than the 15 s of
// TS 24.008 Table 11.1, so a phone that lost its access tries again soon.
const phoneT3211 = 4 * time.Second

// imei returns a random IMEI with its Luhn check digit (TS 23.003 §6.2.1,
// Annex B).
func imei(rng *rand.Rand) string {
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

// step runs the cell for one frame: the downlink through the cell runner,
// then the uplink of frame fn−ulLag through the transceiver's receiver
// into the cell.
func (ps *phoneSim) step(s radio.Stream) error {
	fn := ps.r.fn
	if err := ps.r.step(s); err != nil {
		return err
	}
	ps.frames++
	if ps.frames > ulLag {
		ufn := fn.Add(-ulLag)
		ps.modes[0] = ps.modes[1]
		for tn := range ps.modes[1] {
			ps.modes[1][tn] = ps.rxMode(tdma.TN(tn), ufn)
		}
		if _, err := ps.rxt.ReadFrame(s, ufn, &ps.modes[0], ps.tsc, ps.emit); err != nil {
			return err
		}
	}
	if every := int64(ps.opts.live / frameDuration); every > 0 && ps.frames%every == 0 {
		ps.table(ps.out, fmt.Sprintf("after %.1f s of air", float64(ps.frames)*frameDuration.Seconds()))
	}
	if ps.frames%26 == 0 {
		all := true
		for _, sp := range ps.phones {
			all = all && sp.done()
		}
		if all {
			return errPhonesDone
		}
	}
	return nil
}

// rxMode is what the cell's receiver looks for on timeslot tn of uplink
// frame fn.
func (ps *phoneSim) rxMode(tn tdma.TN, fn tdma.FN) trx.RxMode {
	switch ps.slots[tn].Uplink(tn, fn).Chan.Kind {
	case l1.ChanRACH:
		return trx.RxAccess
	case l1.ChanIdle:
		return trx.RxOff
	}
	return trx.RxNormal
}

// finish stops the phones (the cell's endpoint is closed by now), prints
// the final table and writes the report.
func (ps *phoneSim) finish(airTime time.Duration) error {
	ps.cancel()
	ps.wg.Wait()
	ps.table(ps.out, fmt.Sprintf("final, after %.1f s of air", airTime.Seconds()))
	rows := ps.rows()
	reg := 0
	var sum, worst, lu, luWorst float64
	for _, r := range rows {
		if r.Result == "registered" {
			reg++
			sum += r.AirTimeS
			worst = max(worst, r.AirTimeS)
			lu += r.RACHToLU
			luWorst = max(luWorst, r.RACHToLU)
		}
	}
	fmt.Fprintf(ps.out, "%d of %d phones registered", reg, len(rows))
	if reg > 0 {
		fmt.Fprintf(ps.out, "; air time to register: mean %.2f s, worst %.2f s; RACH to LU accept: mean %.2f s, worst %.2f s",
			sum/float64(reg), worst, lu/float64(reg), luWorst)
	}
	fmt.Fprintln(ps.out)
	st := ps.r.cell.Stats()
	fmt.Fprintf(ps.out, "cell: %d channel requests decoded, %d assigned, %d rejected, %d activated, %d released, %d T3101 expiries\n",
		st.AccessBursts, st.Dedicated.Assigned, st.Dedicated.Rejected, st.Dedicated.Activated, st.Dedicated.Released, st.Dedicated.T3101Expired)
	fmt.Fprintf(ps.out, "cell: %d channels ciphered, %d MS power and %d timing advance corrections ordered\n",
		st.Dedicated.Ciphered, st.Dedicated.PowerAdjusted, st.Dedicated.TimingAdjusted)
	if ps.opts.report == "" {
		return nil
	}
	b, err := json.MarshalIndent(struct {
		AirTimeS float64    `json:"air_time_s"`
		Phones   []phoneRow `json:"phones"`
	}{airTime.Seconds(), rows}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(ps.opts.report, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("sim: report: %w", err)
	}
	fmt.Fprintf(ps.out, "wrote %s\n", ps.opts.report)
	return nil
}

func (ps *phoneSim) rows() []phoneRow {
	rows := make([]phoneRow, len(ps.phones))
	for i, sp := range ps.phones {
		rows[i] = sp.snapshot()
		// The number the network gave (or had for) the subscriber.
		if rows[i].Result == "registered" && ps.r.reg != nil {
			if s, err := ps.r.reg.Get(rows[i].IMSI); err == nil && s.MSISDN != "" {
				rows[i].MSISDN = s.MSISDN
			}
		}
	}
	return rows
}

// table prints the phone table.
func (ps *phoneSim) table(w io.Writer, title string) {
	fmt.Fprintf(w, "phones, %s:\n", title)
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "PHONE\tIMSI\tTMSI\tMSISDN\tRESULT\tAIR TIME\tREQUESTS\tTA\tSTATE")
	for _, r := range ps.rows() {
		at := "-"
		if r.AirTimeS > 0 {
			at = fmt.Sprintf("%.2f s", r.AirTimeS)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\n", r.Phone, r.IMSI, r.TMSI, r.MSISDN, r.Result, at, r.Requests, r.TA, r.State)
	}
	tw.Flush()
}
