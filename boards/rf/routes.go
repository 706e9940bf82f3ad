package rf

import (
	"fmt"
	"sync"

	"periph.io/x/conn/v3/physic"

	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/boards/rf/lms7002m"
)

// lmsRouter selects the chain's antenna route (the LMS7002M's TX output
// or LNA, and the board's RF switch) on every tune of the chip: it is
// the Dev's Router, so the bring-up, the cell's retunes, the channel
// scan and the clock calibration all go through it.
type lmsRouter struct {
	c  *Chain
	d  *lms7002m.Dev
	lb *lime.Board // nil: the chip is not behind a Lime FPGA
	hw uint16      // FPGA register 3 (hardware and BOM versions)

	mu   sync.Mutex
	cur  [2]int    // route index + 1 in force, per direction (0: none yet)
	desc [2]string // what route selected, for the step log
}

func newLMSRouter(c *Chain, d *lms7002m.Dev, lb *lime.Board) (*lmsRouter, error) {
	if len(c.TXRoutes) == 0 || len(c.RXRoutes) == 0 {
		return nil, fmt.Errorf("%w: %s has an LMS7002M but no TX/RX antenna routes", ErrChain, c.Name)
	}
	r := &lmsRouter{c: c, d: d, lb: lb}
	if lb != nil {
		g, err := lb.Gateware()
		if err != nil {
			return nil, err
		}
		r.hw = g.Hardware
	}
	d.SetRouter(r.route)
	return r, nil
}

func dirIndex(dir lms7002m.Direction) int {
	if dir == lms7002m.TX {
		return 0
	}
	return 1
}

// route selects the route of LO frequency f; it writes only when the
// route changes (the channel scan tunes hundreds of times).
func (r *lmsRouter) route(dir lms7002m.Direction, f physic.Frequency) error {
	tx := dir == lms7002m.TX
	rs := r.c.RXRoutes
	if tx {
		rs = r.c.TXRoutes
	}
	idx := -1
	for i, x := range rs {
		if f >= x.Lo && f < x.Hi {
			idx = i
			break
		}
	}
	if idx < 0 {
		_, err := r.c.RouteFor(tx, f)
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	k := dirIndex(dir)
	if r.cur[k] == idx+1 {
		return nil
	}
	rt := rs[idx]
	var desc string
	if tx {
		if err := r.d.SelectTXBand(rt.TXBand); err != nil {
			return err
		}
		desc = "path " + rt.TXBand.String()
	} else {
		if err := r.d.SelectRXPath(rt.RXPath); err != nil {
			return err
		}
		desc = "path " + rt.RXPath.String()
	}
	if len(rt.Switch) > 0 {
		sw, ok := rt.SwitchFor(r.hw)
		if !ok {
			r.cur[k] = 0
			return fmt.Errorf("%w: %s: no RF switch setting for hardware register 0x%04x", ErrChain, r.c.Name, r.hw)
		}
		if r.lb == nil {
			r.cur[k] = 0
			return fmt.Errorf("%w: %s: an RF switch on the FPGA but no USB board", ErrChain, r.c.Name)
		}
		v, err := r.lb.SetRFSwitch(sw.Mask, sw.Value)
		if err != nil {
			r.cur[k] = 0
			return err
		}
		desc += fmt.Sprintf(", RF switch FPGA 0x%02x = 0x%04x", lime.FPGARFSwitch, v)
	}
	r.cur[k] = idx + 1
	r.desc[k] = desc
	return nil
}

// selected describes the route in force for dir.
func (r *lmsRouter) selected(dir lms7002m.Direction) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.desc[dirIndex(dir)]
}
