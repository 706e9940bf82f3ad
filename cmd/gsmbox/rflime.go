package main

import (
	"fmt"
	"io"
	"log/slog"
	"math"
	"time"

	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/boards/rf/lms7002m"
	"github.com/gsmbox/gsmbox/boards/usbfs"
	"github.com/gsmbox/gsmbox/dsp/radio"
)

// usbChain reports whether the chain's transceiver is on USB (a LimeSDR
// Mini or LimeNET Micro).
func usbChain(c *rf.Chain) bool {
	p, ok := c.Part(rf.RoleTransceiver)
	return ok && p.Bus.Kind == rf.BusUSB
}

// limeProbeOpener wraps an Opener so that opening the USB board runs, and
// reports, the USB steps: enumerate, claim and FT601 reset, GET_INFO and
// the gateware version.
type limeProbeOpener struct {
	rf.Opener
	dry    bool
	report func(rf.Step)
}

func (o *limeProbeOpener) step(name string, fn func() (string, error)) error {
	start := time.Now()
	d, err := fn()
	o.report(rf.Step{Name: name, Detail: d, Took: time.Since(start), Err: err})
	return err
}

func (o *limeProbeOpener) OpenLime(name string) (*lime.Board, io.Closer, error) {
	lo, ok := o.Opener.(rf.LimeOpener)
	if !ok {
		return nil, nil, fmt.Errorf("rf probe: no USB on this opener")
	}
	if err := o.step("usb enumerate 0403:601f", func() (string, error) {
		if o.dry {
			return "simulated LimeSDR (limetest)", nil
		}
		devs, err := usbfs.Bus{}.Find(lime.Vendor, lime.Product)
		if err != nil {
			return "", err
		}
		d := devs[0]
		return fmt.Sprintf("%s, %s Mbit/s, %d found", d.DevPath(), d.SpeedMbps, len(devs)), nil
	}); err != nil {
		return nil, nil, err
	}
	var b *lime.Board
	var cl io.Closer
	if err := o.step("usb claim + ft601 reset", func() (string, error) {
		var err error
		b, cl, err = lo.OpenLime(name)
		if err != nil {
			return "", err
		}
		return "interfaces 0, 1 claimed; control pipe 0x82 flushed and set to 64-byte packets", nil
	}); err != nil {
		return nil, nil, err
	}
	fail := func(err error) (*lime.Board, io.Closer, error) { cl.Close(); return nil, nil, err }
	if err := o.step("lms64c get_info", func() (string, error) {
		i, err := b.Info()
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("firmware %d, device %d, protocol %d, hardware %d, serial %x", i.Firmware, i.Device, i.Protocol, i.Hardware, i.Serial), nil
	}); err != nil {
		return fail(err)
	}
	if err := o.step("fpga gateware", func() (string, error) {
		g, err := b.Gateware()
		if err != nil {
			return "", err
		}
		return g.String(), nil
	}); err != nil {
		return fail(err)
	}
	return b, cl, nil
}

// probeStream runs the stream steps on an opened USB front end: configure
// the LMS7002M's digital side for 1625/6 kHz × sps, start the FPGA
// stream, check timestamp continuity for dur of samples, stop.
//
// allow, when set, is told before each read how far the board may run
// (the dry run's simulated board is paced by the reader, not a clock).
func probeStream(fe *rf.Frontend, sps int, dur time.Duration, format lime.Format, allow func(radio.Timestamp), report func(rf.Step), log *slog.Logger) error {
	step := func(name string, fn func() (string, error)) error {
		start := time.Now()
		d, err := fn()
		report(rf.Step{Name: name, Detail: d, Took: time.Since(start), Err: err})
		return err
	}
	var plan lms7002m.StreamPlan
	if err := step("lms7002m stream clocks", func() (string, error) {
		var err error
		if plan, err = lms7002m.PlanStream(fe.Chain.RefClock, sps, 0); err != nil {
			return "", err
		}
		if err := fe.LMS.ConfigureStream(plan); err != nil {
			return "", err
		}
		return fmt.Sprintf("%.3f kS/s, HBI/HBD ×%d, TSP %.3f MHz, CGEN %.3f MHz, LimeLight SISO DDR", plan.RateHz/1e3, plan.Ratio, plan.TSPHz/1e6, plan.CGENHz/1e6), nil
	}); err != nil {
		return err
	}
	var s *lime.Stream
	if err := step("stream start", func() (string, error) {
		var err error
		s, err = lime.NewStream(fe.Lime, lime.StreamConfig{SampleRate: plan.RateHz, Format: format, DeviceDelay: fe.Chain.DeviceDelaySamples(plan.RateHz), Log: log})
		if err != nil {
			return "", err
		}
		c := s.Config()
		return fmt.Sprintf("%v, %d packets a transfer, %d+%d URBs, TX lead %d samples, device delay %d", c.Format, c.PacketsPerTransfer, c.RXURBs, c.TXURBs, c.TXLead, c.DeviceDelay), nil
	}); err != nil {
		return err
	}
	defer func() {
		_ = step("stream stop", func() (string, error) {
			return "FPGA stream off, RX pipe flushed", s.Close()
		})
	}()
	return step(fmt.Sprintf("timestamp continuity %v", dur), func() (string, error) {
		frame := int(math.Round(plan.RateHz * 120 / 26 / 1000))
		buf := make([]complex64, frame)
		c := s.Config()
		margin := 2 * c.PacketsPerTransfer * c.Format.SamplesPerPacket() // the board fills whole transfers
		total := int64(plan.RateHz * dur.Seconds())
		start := time.Now()
		var power float64
		var n int64
		for ts := radio.Timestamp(0); int64(ts) < total; ts += radio.Timestamp(frame) {
			if allow != nil {
				allow(ts + radio.Timestamp(frame+margin))
			}
			if _, _, err := s.Read(buf, ts); err != nil {
				return "", err
			}
			for _, v := range buf {
				power += float64(real(v)*real(v) + imag(v)*imag(v))
			}
			n += int64(frame)
		}
		took := time.Since(start)
		st := s.Stats()
		detail := fmt.Sprintf("%d samples in %d packets, lost %d, overruns %d, late %d, RX power %.1f dBFS, %.2f MB/s over USB in %v",
			n, st.RXPackets, st.RXLost, st.Overruns, st.Late, dbfs(power/float64(n)), float64(st.RXPackets)*lime.PacketSize/took.Seconds()/1e6, took.Round(time.Millisecond))
		if st.RXLost != 0 || st.Overruns != 0 || !st.Healthy {
			return detail, fmt.Errorf("timestamps not continuous: %s", detail)
		}
		return detail, nil
	})
}

// probeTXCal runs the TX calibration on the LMS7002M's internal
// loopback (lime.CalibrateTX: the TX pad stays powered down) and reports
// the LO leakage and image before and after; the correctors found stay
// loaded until the front end closes.
func probeTXCal(fe *rf.Frontend, sps int, report func(rf.Step), log *slog.Logger) {
	start := time.Now()
	plan, err := lms7002m.PlanStream(fe.Chain.RefClock, sps, 0)
	var res lms7002m.TXCalibration
	if err == nil {
		res, err = lime.CalibrateTX(fe.Lime, fe.LMS, lime.StreamConfig{SampleRate: plan.RateHz,
			DeviceDelay: fe.Chain.DeviceDelaySamples(plan.RateHz), Log: log}, lime.LoopbackOpts{})
	}
	d := fmt.Sprintf("leakage %.1f → %.1f dBc, image %.1f → %.1f dBc, DC %d/%d, IQ gain %.4f/%.4f phase %.2f°, %d exchanges, TX pad off",
		res.LeakBeforeDBc, res.LeakAfterDBc, res.ImageBeforeDBc, res.ImageAfterDBc, res.DCI, res.DCQ,
		res.IQ.GainI, res.IQ.GainQ, res.IQ.PhaseRad*180/math.Pi, res.Measurements)
	report(rf.Step{Name: "tx calibration (loopback)", Detail: d, Took: time.Since(start), Err: err})
}

func dbfs(p float64) float64 {
	if p <= 0 {
		return -200
	}
	return 10 * math.Log10(p)
}
