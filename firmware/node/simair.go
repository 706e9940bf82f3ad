package node

import (
	"context"
	"errors"
	"log/slog"

	"github.com/gsmbox/gsmbox/dsp/gmsk"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/dsp/rx"
	"github.com/gsmbox/gsmbox/dsp/sim"
	"github.com/gsmbox/gsmbox/dsp/trx"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/node/simphones"
	"github.com/gsmbox/gsmbox/gsm/cc"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
)

// SimAir is the simulated air of the sim front end: the medium, the
// cell's endpoint on it and the cell's PHY there.
type SimAir struct {
	Air     *sim.Air
	BTS     *sim.Endpoint
	Carrier *trx.StreamCarrier
	// Scope gets low-rate copies of the cell's uplink for the console's
	// radio pictures (trx.Scope).
	Scope *trx.Scope
	cfg   *config.Config
}

// NewSimAir builds the air of c ([radio] samples per symbol, [sim] seed)
// with the cell's endpoint and its in-process transceiver. The cell's
// receiver is calibrated so that its noise, sim.snr_db below full scale,
// reads as a -110 dBm noise floor: levels in dBm then mean what they mean
// on a board, and the MS power control loop has a real target to steer to.
func NewSimAir(c *config.Config) (*SimAir, error) {
	scope := trx.NewScope(0)
	tcfg := simTransceiver(c, scope)
	t, err := trx.NewTransmitter(tcfg.Tx)
	if err != nil {
		return nil, err
	}
	air, err := sim.New(sim.Config{SampleRate: t.SampleRate(), Block: t.FrameLen(), Seed: uint64(c.Sim.Seed)})
	if err != nil {
		return nil, err
	}
	ep := air.Endpoint("bts")
	car, err := trx.NewStreamCarrier(ep, tcfg)
	if err != nil {
		air.Close()
		return nil, err
	}
	return &SimAir{Air: air, BTS: ep, Carrier: car, Scope: scope, cfg: c}, nil
}

// simTransceiver is the cell's transceiver on the simulated air, its
// receiver calibrated as NewSimAir says.
func simTransceiver(c *config.Config, scope *trx.Scope) trx.TransceiverConfig {
	return trx.TransceiverConfig{Tx: trx.TxConfig{Modulator: gmsk.Config{SPS: c.Radio.SamplesPerSymbol}},
		Rx: SimRx(c), Scope: scope}
}

// SimRx is the calibration of a receiver on the simulated air of c: its
// noise, sim.snr_db below full scale, reads as a -110 dBm noise floor, so
// that its levels are dBm (TS 45.008 §8.1.4 RXLEV) as on a board. The
// in-process cell and "gsmbox trx" (whose uplink PDUs carry RSSI in dBm,
// as osmo-trx's do) both use it: a layer 1 steering MS power to a dBm
// target (gsm/bts power control) would otherwise read the phones as
// tens of dB too loud and turn them down until their uplink fails.
func SimRx(c *config.Config) rx.Config {
	return rx.Config{RSSIOffset: -110 + c.Sim.SNRdB}
}

// OnStream replaces the cell's PHY by one over st, a radio front end
// whose antenna is the BTS endpoint (a board fake such as
// boards/rf/lime/limetest reading and writing s.BTS): the cell then
// reaches the air through that driver instead of directly, and the
// phones StartPhones puts on the air are unchanged.
func (s *SimAir) OnStream(st radio.Stream) error {
	car, err := trx.NewStreamCarrier(st, simTransceiver(s.cfg, s.Scope))
	if err != nil {
		return err
	}
	s.Carrier = car
	return nil
}

// Transmitter returns the cell's transmitter (sample rate, frame length).
func (s *SimAir) Transmitter() *trx.Transmitter { return s.Carrier.Transceiver().Transmitter() }

// Close closes the air.
func (s *SimAir) Close() error { return s.Air.Close() }

// PhoneOptions are the virtual phones to put on a SimAir.
type PhoneOptions struct {
	N int
	// Seed draws the phones; 0 uses the configuration's sim.seed.
	Seed uint64
	// Registry, when not nil, is where the phones are provisioned.
	Registry     *registry.Registry
	OnRegistered func(simphones.Row)
	Log          *slog.Logger
	// Codecs and AnswerFrames set the phones' behaviour in calls
	// (simphones.Config).
	Codecs       []cc.SpeechVersion
	AnswerFrames int
	// Tone makes the phones' FR mouths speak a sine (simphones.Config).
	Tone float64
	// SMS, when not nil, is the phones' SMS traffic (needs Registry).
	SMS *simphones.SMSPlan
}

// StartPhones puts o.N virtual phones on the air (see simphones.Start).
func (s *SimAir) StartPhones(ctx context.Context, o PhoneOptions) (*simphones.Phones, error) {
	seed := o.Seed
	if seed == 0 {
		seed = uint64(s.cfg.Sim.Seed)
	}
	tx := s.Transmitter()
	pc := simphones.Config{N: o.N, Seed: seed, MCC: s.cfg.Network.MCC, MNC: s.cfg.Network.MNC, SNRdB: s.cfg.Sim.SNRdB,
		Air: s.Air, BTS: s.BTS, SPS: tx.Modulator().SPS(), SampleRate: tx.SampleRate(),
		OnRegistered: o.OnRegistered, Log: o.Log, Codecs: o.Codecs, AnswerFrames: o.AnswerFrames, SMS: o.SMS, Tone: o.Tone}
	if o.Registry != nil {
		reg := o.Registry
		pc.Provision = func(sub registry.Subscriber) error { return provision(reg, sub) }
	}
	return simphones.Start(ctx, pc)
}

// provision adds a virtual phone's subscriber, or, when the IMSI is
// already there (the cell restarted, the box rebooted), gives it the
// phone's key and keeps its number.
func provision(reg *registry.Registry, sub registry.Subscriber) error {
	_, err := reg.Add(sub)
	if !errors.Is(err, registry.ErrExists) {
		return err
	}
	_, err = reg.Update(sub.IMSI, func(s *registry.Subscriber) error {
		s.Algorithm, s.Ki = sub.Algorithm, sub.Ki
		return nil
	})
	return err
}
