package node

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"periph.io/x/conn/v3/physic"

	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/boards/rf/discipline"
	"github.com/gsmbox/gsmbox/boards/rf/lms7002m"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/firmware/chanscan"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Calibration of the reference oscillator against nearby GSM cells, for
// Lime boards without a disciplined reference (the LimeSDR Mini has no
// GPS; a LimeNET Micro's GPS takes minutes to lock, or has no antenna).
//
// Every operator's BTS holds its carriers within 0.05 ppm (3GPP TS 45.010
// §5.1); their FCCH is a pure tone at +1625/24 kHz (TS 45.002 §5.2.4,
// TS 45.004 §2.6). This board's receiver, whose LO derives from its own
// reference, sees each such tone shifted by −y·f when its reference is y
// fast. So before the cell transmits, the front end is brought up with
// the transmitter off, the band's GSM cells are found (the channel
// scan's, or a scan of their own when the ARFCN is fixed), their FCCH
// offsets are measured (chanscan.FCCHOffsets), turned into a reference
// error and a trim DAC correction (discipline.CarrierCalibration), and
// the correction applied (Frontend.TrimBy) and measured again until the
// error left is within calTargetPPB: a DAC slope that is off by 10 % only
// slows that down. The cell's own front end then starts from the code
// found (Frontend.SetTrimCode) and the interlock is told the reference
// is calibrated from cells (Guard.SetClockCalibrated), which lets it key.

// Calibration limits.
const (
	// calTargetPPB: the error the last measurement must show. A fifth
	// of TS 45.010 §5.1's 50 ppb would leave too little for the cells'
	// own error; 15 ppb leaves 35.
	calTargetPPB = 15
	// calRounds bounds the measure-and-correct rounds.
	calRounds = 5
	// calCells is how many of the strongest decoded cells are measured.
	calCells = 3
	// calFrames is how long each cell's FCCH is measured per round: two
	// 51-multiframes, 10 bursts.
	calFrames = 102
)

// ClockCalibration is the outcome of the boot-time calibration.
type ClockCalibration struct {
	// OK says the reference is calibrated: the last round's error was
	// within calTargetPPB with a standard error under 10 ppb.
	OK bool `json:"ok"`
	// Cells are the GSM cells measured, with their offsets in the
	// first round.
	Cells []CalCell `json:"cells"`
	// InitialPPB is the reference error the first round found (positive:
	// fast); ResidualPPB and StdErrPPB the last round's.
	InitialPPB  float64 `json:"initial_ppb"`
	ResidualPPB float64 `json:"residual_ppb"`
	StdErrPPB   float64 `json:"stderr_ppb"`
	// Code is the trim DAC code the rounds ended at; Rounds how many ran.
	Code   uint32 `json:"dac_code"`
	Rounds int    `json:"rounds"`
	// Error says why the calibration failed ("" when OK).
	Error string `json:"error,omitempty"`
}

// CalCell is one cell the calibration measured.
type CalCell struct {
	ARFCN  tdma.ARFCN `json:"arfcn"`
	Cell   string     `json:"cell"`
	Bursts int        `json:"fcch_bursts"`
	// PPB is the reference error this cell's FCCH alone gave.
	PPB float64 `json:"ppb"`
}

// Summary is one line for status and the log.
func (c *ClockCalibration) Summary() string {
	if c == nil {
		return "not attempted"
	}
	var cells []string
	for _, x := range c.Cells {
		cells = append(cells, fmt.Sprintf("ARFCN %d (%s, %d FCCH, %+.0f ppb)", x.ARFCN, x.Cell, x.Bursts, x.PPB))
	}
	if !c.OK {
		if len(cells) == 0 {
			return "failed: " + c.Error
		}
		return fmt.Sprintf("failed: %s; cells %s", c.Error, strings.Join(cells, ", "))
	}
	return fmt.Sprintf("cells %s: reference was %+.1f ppb, now %+.1f ± %.1f ppb; DAC %d after %d rounds",
		strings.Join(cells, ", "), c.InitialPPB, c.ResidualPPB, c.StdErrPPB, c.Code, c.Rounds)
}

// calibrateClock calibrates the board's reference against the GSM cells
// in range, with the transmitter off, and records the result for the
// cell's front end (applyClockCalibration). It is skipped with the
// operator override (the operator vouches for the reference). Failing to
// calibrate is not an error: the interlock then refuses to key, and the
// status says why. Only the context ending is returned.
func (s *Service) calibrateClock(ctx context.Context, c *config.Config) error {
	if c.Radio.ClockOverride || s.cfg.Radio == nil {
		return nil
	}
	log := s.cfg.Log
	r := &s.radio
	r.mu.Lock()
	r.frontend = s.cfg.Board.RF.Frontend
	if ch := s.cfg.Board.RF.Chain; ch != nil {
		r.chainName = ch.Name
	}
	scan := r.scan
	r.mu.Unlock()
	cal, err := s.measureClock(ctx, c, scan)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		cal.OK, cal.Error = false, err.Error()
	}
	r.mu.Lock()
	r.clockCal = cal
	r.mu.Unlock()
	if cal.OK {
		log.Info("reference calibrated from GSM cells", "summary", cal.Summary())
	} else {
		log.Warn("reference not calibrated from GSM cells; the transmitter needs GPS or the override", "why", cal.Error)
	}
	return nil
}

// applyClockCalibration starts the cell's front end from the calibrated
// trim code and tells its interlock.
func (s *Service) applyClockCalibration(front *rf.Frontend) {
	s.radio.mu.Lock()
	cal := s.radio.clockCal
	s.radio.mu.Unlock()
	if cal == nil || !cal.OK {
		return
	}
	if err := front.SetTrimCode(cal.Code); err != nil {
		s.cfg.Log.Error("calibrated trim code not applied", "code", cal.Code, "err", err)
		return
	}
	front.Guard.SetClockCalibrated(true, cal.Summary())
}

// measureClock runs the calibration on a front end of its own.
func (s *Service) measureClock(ctx context.Context, c *config.Config, scan *ChannelChoice) (*ClockCalibration, error) {
	cal := &ClockCalibration{}
	front, err := s.openFront(c)
	if err != nil {
		return cal, fmt.Errorf("front end: %w", err)
	}
	defer front.Close()
	if front.Lime == nil || front.LMS == nil {
		return cal, fmt.Errorf("chain %s has no USB transceiver", front.Chain.Name)
	}
	code, ok := front.TrimCode()
	if !ok {
		return cal, fmt.Errorf("chain %s has no reference trim", front.Chain.Name)
	}
	cal.Code = code
	sps := c.Radio.SamplesPerSymbol
	st, err := s.receiveOnly(front, sps, s.cfg.Log)
	if err != nil {
		return cal, err
	}
	stop := context.AfterFunc(ctx, func() { _ = st.Close() })
	defer func() { stop(); _ = st.Close() }()
	rcv := &chanscan.Lime{LMS: front.LMS, S: st, Allow: s.cfg.ScanAllow}
	band := c.Band()

	// The cells: the channel scan's, or a short scan of the band.
	var chans []chanscan.Channel
	if scan != nil {
		chans = scan.Scan
	} else {
		s.cfg.Log.Info("scanning the band for GSM cells to calibrate the reference against", "band", band)
		chans, err = chanscan.Scan(rcv, band, nil, chanscan.Options{SPS: sps, MaxDecode: calCells + 1})
		if err != nil {
			return cal, fmt.Errorf("scan: %w", err)
		}
	}
	var cells []chanscan.Channel
	for _, ch := range chans {
		if ch.Cell != nil {
			cells = append(cells, ch)
		}
	}
	sort.SliceStable(cells, func(a, b int) bool { return cells[a].DBFS > cells[b].DBFS })
	cells = cells[:min(len(cells), calCells)]
	if len(cells) == 0 {
		return cal, fmt.Errorf("no GSM cell in range on %v", band)
	}

	// After a retune or a trim change, skip what the board may already
	// have sent (every RX transfer in flight) and one frame more.
	sc := st.Config()
	skip := radio.Timestamp(int(math.Round(sc.SampleRate*120/26/1000)) + sc.RXURBs*sc.PacketsPerTransfer*sc.Format.SamplesPerPacket())
	ppbPerLSB := front.Chain.Trim.PPBPerLSB
	refHz, _ := band.DownlinkHz(cells[0].ARFCN)
	var prevPPB float64
	prevDelta := 0
	for round := 1; round <= calRounds; round++ {
		var all []float64
		var per []CalCell
		for _, ch := range cells {
			hz, _ := band.DownlinkHz(ch.ARFCN)
			sx, err := front.LMS.Tune(lms7002m.RX, physic.Frequency(hz)*physic.Hertz)
			if err != nil {
				return cal, fmt.Errorf("ARFCN %d: %w", ch.ARFCN, err)
			}
			offs, err := chanscan.FCCHOffsets(rcv.Stream(), rcv.Next()+skip, sps, calFrames)
			if err != nil {
				return cal, fmt.Errorf("ARFCN %d: %w", ch.ARFCN, err)
			}
			var sum float64
			for i, o := range offs {
				// The LO sits ErrorHz off the carrier on the fraction's
				// grid: take that out, then scale to the reference
				// carrier (the offset is proportional to f).
				o += sx.ErrorHz()
				sum += o
				offs[i] = o * float64(refHz) / float64(hz)
			}
			all = append(all, offs...)
			cc := CalCell{ARFCN: ch.ARFCN, Cell: ch.Cell.String(), Bursts: len(offs)}
			if len(offs) > 0 {
				cc.PPB = -sum / float64(len(offs)) / float64(hz) * 1e9
			}
			per = append(per, cc)
		}
		if round == 1 {
			cal.Cells = per
		}
		cal.Rounds = round
		s.cfg.Log.Debug("calibration round", "round", round, "offsets_hz", all)
		res, err := discipline.CarrierCalibration(all, float64(refHz), ppbPerLSB)
		if err != nil {
			return cal, err
		}
		if round == 1 {
			cal.InitialPPB = res.PPB
		}
		cal.ResidualPPB, cal.StdErrPPB = res.PPB, res.StdErrPPB
		if math.Abs(res.PPB) <= calTargetPPB {
			cal.OK = true
			break
		}
		if round == calRounds {
			return cal, fmt.Errorf("reference still %+.1f ppb off after %d rounds", res.PPB, round)
		}
		// The DAC's true slope is known only to 10–20 %: from the second
		// round on, correct with the slope the last step showed (a
		// secant step), when it is plausible.
		delta := res.DACDelta
		if prevDelta != 0 {
			if k := (res.PPB - prevPPB) / float64(prevDelta); k/ppbPerLSB > 0.5 && k/ppbPerLSB < 2 {
				delta = int(math.Round(-res.PPB / k))
			}
		}
		before := cal.Code
		if cal.Code, err = front.TrimBy(delta); err != nil {
			return cal, fmt.Errorf("trim DAC: %w", err)
		}
		prevPPB, prevDelta = res.PPB, int(cal.Code)-int(before)
		if prevDelta == 0 {
			return cal, fmt.Errorf("reference %+.1f ppb off and the trim DAC at the end of its range (code %d)", res.PPB, cal.Code)
		}
	}
	if !txOff(front) {
		return cal, fmt.Errorf("the transmitter was on during the calibration")
	}
	return cal, nil
}
