package firmware

import (
	"context"
	"log/slog"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/firmware/config"
)

// bringUpRF brings up the board's RF front end (boards/rf): safe pin
// states first, then the PLLs, attenuator, monitors, interlock and clock.
// The interlock then keeps the PA off until the PLL locks and the clock is
// disciplined, and trips it off on any fault.
func bringUpRF(board *boards.Descriptor, cfg *config.Config, op rf.Opener, log *slog.Logger) (*rf.Frontend, error) {
	return rf.Open(board.RF.Chain, op, rf.BringupOpts{
		Band:        cfg.Band(),
		ARFCN:       cfg.ARFCN(),
		BoardMaxDBm: board.RF.MaxPowerDBm,
		LockTimeout: 2 * time.Second,
		Log:         log,
	}, func(s rf.Step) { log.Info("rf bring-up", "step", s.Name, "detail", s.Detail) })
}

// usbRadio reports whether the chain's transceiver is on USB (a LimeSDR
// Mini or LimeNET Micro), which the cell service opens itself.
func usbRadio(c *rf.Chain) bool {
	if c == nil {
		return false
	}
	p, ok := c.Part(rf.RoleTransceiver)
	return ok && p.Bus.Kind == rf.BusUSB
}

// radio is the cell's RadioOpener on a board whose radio is on USB: it
// brings the chain up for the configuration the cell runs and records
// the front end for the supervisor's last act. Nil on other boards.
func (a *appliance) radio(cfg *config.Config) (*rf.Frontend, error) {
	if a.radioOpener == nil {
		return nil, errNoOpener
	}
	fe, err := bringUpRF(a.board, cfg, a.radioOpener, a.log)
	if err != nil {
		return nil, err
	}
	a.radioFE.Store(fe)
	return fe, nil
}

// rfService runs the front end's interlock poll and clock service as the
// critical "rf" service. The front end is put in its safe state when the
// service stops, and again by the supervisor's last act (rfShutdown).
type rfService struct{ fe *rf.Frontend }

func (s rfService) Name() string { return "rf" }

func (s rfService) Serve(ctx context.Context) error {
	err := s.fe.Serve(ctx)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// rfShutdown is the supervisor's last act on the radio, after every
// service has stopped (or the supervisor panicked): PA off, maximum
// attenuation, buses closed. The PA enable line's hardware pull-down
// keeps it off from then on, through reset and the watchdog.
func rfShutdown(fe *rf.Frontend, log *slog.Logger) {
	if fe == nil {
		return
	}
	if err := fe.Close(); err != nil {
		log.Error("rf: safe state", "err", err)
		return
	}
	log.Info("rf: transmitter in its safe state")
}
