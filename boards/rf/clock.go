package rf

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/gsmbox/gsmbox/boards/rf/discipline"
	"github.com/gsmbox/gsmbox/boards/rf/gpspps"
)

// PPSSource delivers PPS events: *gpspps.Receiver in production. Next
// blocks for at most a couple of seconds.
type PPSSource interface {
	Next() (gpspps.Event, error)
}

// ClockService disciplines the reference oscillator: it feeds PPS events
// to the control loop, writes the trim DAC codes the loop returns, and
// tells the interlock whether the reference may be transmitted on.
type ClockService struct {
	PPS   PPSSource
	Loop  *discipline.Loop
	DAC   TrimDAC
	Guard *Guard // may be nil (probe)
	Log   *slog.Logger
}

// Serve runs until ctx ends. It writes the loop's starting code first. A
// failing PPS source or DAC returns an error (the supervisor restarts the
// service); the interlock is told the clock is not good before returning.
func (s *ClockService) Serve(ctx context.Context) error {
	log := s.Log
	if log == nil {
		log = slog.Default()
	}
	log = log.With("part", "clock-discipline")
	defer s.setOK(false)
	if err := s.DAC.SetCode(s.Loop.DAC()); err != nil {
		return fmt.Errorf("rf: trim DAC: %w", err)
	}
	for ctx.Err() == nil {
		ev, err := s.PPS.Next()
		if errors.Is(err, gpspps.ErrNoFit) {
			// A software latch with no sample stream to read (the cell
			// is between streams): a second without a usable edge.
			ev, err = gpspps.Event{Timeout: true}, nil
		}
		if err != nil {
			return fmt.Errorf("rf: PPS: %w", err)
		}
		if ctx.Err() != nil {
			break
		}
		var a discipline.Action
		if ev.Timeout {
			a = s.Loop.Timeout()
		} else {
			a = s.Loop.PPS(ev.Ticks)
		}
		if a.SetDAC {
			if err := s.DAC.SetCode(a.DAC); err != nil {
				return fmt.Errorf("rf: trim DAC: %w", err)
			}
		}
		if a.Changed {
			st := s.Loop.Status()
			log.Info("clock discipline state", "state", a.State.String(), "dac", a.DAC, "freq_ppb", st.FreqPPB, "time_err_ns", st.TimeErrNs)
		}
		s.setOK(s.Loop.TXAllowed())
		if s.Guard != nil {
			s.Guard.SetClockDetail(LoopDetail(s.Loop.Status()))
		}
	}
	return ctx.Err()
}

// LoopDetail describes the discipline loop's state for status lines:
// "locked, +3.1 ppb ±2.0, DAC 32771, jitter 41.2 µs".
func LoopDetail(st discipline.Status) string {
	d := fmt.Sprintf("%s, %+.1f ppb", st.State, st.FreqPPB)
	if st.StdErrPPB > 0 {
		d += fmt.Sprintf(" ±%.1f", st.StdErrPPB)
	}
	d += fmt.Sprintf(", DAC %d", st.DAC)
	if st.JitterNs > 0 {
		d += fmt.Sprintf(", PPS jitter %.1f µs over a %d s window", st.JitterNs/1e3, st.Window)
	}
	if st.State == discipline.Holdover {
		d += fmt.Sprintf(", %d s in holdover", st.HoldoverSeconds)
	}
	return d
}

func (s *ClockService) setOK(ok bool) {
	if s.Guard != nil {
		s.Guard.SetClockOK(ok)
	}
}
