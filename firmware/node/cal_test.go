package node

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math"
	"math/cmplx"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/boards/rf/lime/limetest"
	"github.com/gsmbox/gsmbox/boards/rf/rftest"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/node/simphones"
)

// lockedBuf is a log sink for a service running in other goroutines.
type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuf) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// padWatch follows the LMS7002M model's register writes: when the TX pad
// loopback was switched on and off (0x0101 EN_LOOPB_TXPAD_TRF) and when
// the TX pad was first powered (0x0100 PD_TXPAD_TRF = 0, EN_G_TRF = 1:
// the interlock keying the transmitter).
type padWatch struct {
	mu                    sync.Mutex
	n                     int
	lbOn, lbOff, firstPad int
	padWhileLoop          int
	loopOn                bool
}

func (w *padWatch) tx(b, _ []byte) {
	if b[0]&0x80 == 0 || b[0]&0x7f != 0x01 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.n++
	switch b[1] {
	case 0x01:
		on := b[3]&1 == 1
		if on && !w.loopOn && w.lbOn == 0 {
			w.lbOn = w.n
		}
		if !on && w.loopOn {
			w.lbOff = w.n
		}
		w.loopOn = on
	case 0x00:
		if b[3]&2 == 0 && b[3]&1 == 1 {
			if w.firstPad == 0 {
				w.firstPad = w.n
			}
			if w.loopOn {
				w.padWhileLoop++
			}
		}
	}
}

// calCell runs the cell service on the rpi4-limesdr board whose USB
// radio is a limetest fake with the given TX and RX impairments, fed by
// a simulated air with n virtual phones, until the transmitter is keyed
// and the phones registered (or 60 s).
func calCell(t *testing.T, lc limetest.Config, n int) (rs *RadioSnapshot, fake *limetest.Fake, w *padWatch, logs string, ps *simphones.Phones) {
	t.Helper()
	board, err := boards.Lookup("rpi4-limesdr")
	if err != nil {
		t.Fatal(err)
	}
	chain := board.RF.Chain
	cfg := config.Default()
	cfg.Subscribers.DB = filepath.Join(t.TempDir(), "subscribers.db")
	cfg.Cell.TxPowerDBm, cfg.Cell.MSPowerTargetDBm, cfg.Radio.ClockOverride = 5, 0, true
	if err := cfg.Validate(board); err != nil {
		t.Fatal(err)
	}
	air, err := NewSimAir(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer air.Close()
	frame := air.Transmitter().FrameLen()
	pacer := limetest.NewPacer()
	bts := air.BTS
	pacer.Src = func(dst []complex64, ts radio.Timestamp) {
		if _, _, err := bts.Read(dst, ts); err != nil {
			clear(dst)
		}
	}
	defer pacer.Close()
	lc.RX, lc.TX, lc.Delay = pacer, &pacedTX{bts: bts, pacer: pacer, frame: frame}, 96
	dry := &rftest.DryRun{W: io.Discard, Chain: chain, LimeConfig: lc}
	buf := &lockedBuf{}
	log := slog.New(slog.NewTextHandler(buf, nil))
	w = &padWatch{}
	var svc *Service
	var mu sync.Mutex
	open := func(c *config.Config) (*rf.Frontend, error) {
		fe, err := rf.Open(chain, dry, rf.BringupOpts{Band: c.Band(), ARFCN: c.ARFCN(), BoardMaxDBm: board.RF.MaxPowerDBm,
			Log: slog.New(slog.DiscardHandler), Sleep: func(time.Duration) {}}, nil)
		if err != nil {
			return nil, err
		}
		dry.Lime.Chip.OnTx = w.tx
		mu.Lock()
		defer mu.Unlock()
		if ps == nil && n > 0 {
			if ps, err = air.StartPhones(context.Background(), PhoneOptions{N: n, Seed: 7, Registry: svc.Registry(), Log: slog.New(slog.DiscardHandler)}); err != nil {
				fe.Close()
				return nil, err
			}
		}
		return fe, nil
	}
	svc = NewService(ServiceConfig{Config: cfg, Board: board, Log: log,
		Stream: lime.StreamConfig{TXLead: 500, PacketsPerTransfer: 1, StallTimeout: 20 * time.Second},
		OnFrame: func(k int64) error {
			if k > 1 {
				pacer.Allow(radio.Timestamp((k-1)*int64(frame) + 3*1020))
			}
			return nil
		}})
	svc.UseRadio(open)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Serve(ctx) }()
	registered := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return n == 0 || ps != nil && ps.Registered() == n
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		rs = svc.Snapshot().Radio
		if rs != nil && rs.Up && rs.Interlock.State == rf.TXOn && registered() || time.Now().After(deadline) {
			break
		}
	}
	fake = dry.Lime
	cancel()
	pacer.Close()
	air.BTS.Close()
	if err := <-done; err != nil {
		t.Errorf("Serve = %v", err)
	}
	if ps != nil {
		ps.Stop()
	}
	return rs, fake, w, buf.String(), ps
}

// modelTruth measures the fake's TX chain model with the correctors now
// loaded (no receiver): LO leakage and image of a tone at +Fs/16, dBc.
func modelTruth(f *limetest.Fake) (leak, image float64) {
	const n, k = 1024, 64
	src, dst := make([]complex64, n), make([]complex64, n)
	for i := range src {
		s, c := math.Sincos(2 * math.Pi * k * float64(i) / n)
		src[i] = complex(float32(0.5*c), float32(0.5*s))
	}
	f.Loopback(dst, src)
	bin := func(k int) complex128 {
		var acc complex128
		for i, v := range dst {
			s, c := math.Sincos(-2 * math.Pi * float64(k*i) / n)
			acc += complex128(v) * complex(c, s)
		}
		return acc / n
	}
	tone := cmplx.Abs(bin(k))
	return 20 * math.Log10(cmplx.Abs(bin(0))/tone), 20 * math.Log10(cmplx.Abs(bin(-k))/tone)
}

// Issue 17: the appliance's Lime path calibrates the transmitter at
// bring-up, on the chip's internal loopback over the USB stream, after
// the chip is configured and before the PA is keyed: the TX pad is
// powered for the first time only after the loopback is switched off,
// never while it is on. The result (leakage and image before and after)
// is in the snapshot and the log, the fake's model confirms the
// correctors cancel its impaired chain below −40 dBc, and the phones
// then register through the calibrated transmitter.
func TestLimeCalibratesAtBoot(t *testing.T) {
	const phones = 4
	rs, fake, w, logs, ps := calCell(t, limetest.Config{
		Impairment: limetest.Impairment{LOLeak: complex(0.06, 0.04), GainQ: 0.94, PhaseRad: -0.07},
		LOPhaseRad: 2.2, RXImpairment: limetest.RXImpairment{DC: complex(0.03, -0.02), GainQ: 1.03, PhaseRad: 0.03, NoiseDBFS: -70}, Seed: 11,
	}, phones)
	if rs == nil || rs.Cal == nil {
		t.Fatalf("no calibration in the snapshot: %+v", rs)
	}
	c := rs.Cal
	t.Logf("calibration: %s", c.Summary())
	if !c.OK || c.LeakBeforeDBc < -30 || c.ImageBeforeDBc < -30 || c.LeakAfterDBc > -40 || c.ImageAfterDBc > -40 || c.ARFCN != config.Default().Cell.ARFCN {
		t.Errorf("calibration %+v: want OK on the configured ARFCN, impaired before (above -30 dBc), both below -40 dBc after", c)
	}
	if leak, image := modelTruth(fake); leak > -40 || image > -40 {
		t.Errorf("the fake's model with the loaded correctors: leakage %.1f dBc, image %.1f dBc; want both below -40", leak, image)
	}
	if !strings.Contains(logs, "TX calibrated on the internal loopback") || !strings.Contains(logs, "leak_after_dbc=") {
		t.Errorf("log lacks the calibration:\n%s", logs)
	}
	w.mu.Lock()
	lbOn, lbOff, firstPad, bad := w.lbOn, w.lbOff, w.firstPad, w.padWhileLoop
	w.mu.Unlock()
	if lbOn == 0 || lbOff <= lbOn || firstPad <= lbOff || bad != 0 || fake.Stats().PadOnLoopback != 0 {
		t.Errorf("register writes: loopback on at %d, off at %d, TX pad first powered at %d, %d pad writes during the loopback (board %d); want on < off < pad",
			lbOn, lbOff, firstPad, bad, fake.Stats().PadOnLoopback)
	}
	if rs.Interlock.State != rf.TXOn || !rs.Stream.Healthy {
		t.Errorf("after the calibration: interlock %v, stream %+v; want on air", rs.Interlock.State, rs.Stream)
	}
	if ps == nil || ps.Registered() != phones {
		t.Fatalf("phones registered after the calibration: %v", ps)
	}
	for _, r := range ps.Rows() {
		if r.TMSI == "" || !r.Authenticated || r.Cipher == "" {
			t.Errorf("phone %d: TMSI %q authenticated %v cipher %q", r.Phone, r.TMSI, r.Authenticated, r.Cipher)
		}
	}
}

// A calibration that fails (a loopback that carries nothing) does not
// take the site down: it is logged and reported, the neutral correctors
// stay loaded, and the cell goes on air.
func TestLimeCalibrationFailureKeepsSiteUp(t *testing.T) {
	rs, fake, _, logs, _ := calCell(t, limetest.Config{BrokenLoopback: true,
		Impairment:   limetest.Impairment{LOLeak: complex(0.06, 0.04), GainQ: 0.94},
		RXImpairment: limetest.RXImpairment{DC: 0.02, NoiseDBFS: -70}, Seed: 12}, 0)
	if rs == nil || rs.Cal == nil {
		t.Fatalf("no calibration in the snapshot: %+v", rs)
	}
	t.Logf("calibration: %s", rs.Cal.Summary())
	if rs.Cal.OK || !strings.Contains(rs.Cal.Summary(), "FAILED, neutral correctors loaded") || !strings.Contains(rs.Cal.Error, "no signal") {
		t.Errorf("calibration %+v: want a failure reported", rs.Cal)
	}
	if v := fake.Chip.Reg(0x0204); v != 0 || fake.Chip.Reg(0x0203)&0xfff != 0 {
		t.Errorf("TX correctors DC 0x%04x IQCORR 0x%04x after a failed calibration, want neutral", v, fake.Chip.Reg(0x0203))
	}
	if !strings.Contains(logs, "TX calibration failed; on air with neutral correctors") {
		t.Errorf("log lacks the failure:\n%s", logs)
	}
	if rs.Interlock.State != rf.TXOn || !rs.Up {
		t.Errorf("after a failed calibration: interlock %v, up %v; want on air", rs.Interlock.State, rs.Up)
	}
}
