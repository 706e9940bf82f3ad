// Command spectrum measures the gsmbox transmit chain against the TS 45.005
// masks and plots the result as a PNG:
//
//	go run ./tools/spectrum -o spectrum.png [-time timemask.png] [-sps 4] [-frames 30]
//
// It modulates random normal bursts in every timeslot through dsp/trx
// (GMSK, ramps and all), measures the spectrum due to modulation (30 kHz
// resolution bandwidth, averaged over 50–90 % of each burst's useful part
// excluding the midamble, §4.2.1) and due to switching transients (peak
// hold, §4.2.2), and draws both with their masks. At 4 samples per symbol
// the plot stops at the 541 kHz Nyquist limit; -sps 16 reaches 2 MHz.
// With -time it also plots one burst's power ramps against the time mask
// of TS 45.005 Annex B. It exits non-zero if a mask is violated.
package main

import (
	"errors"
	"flag"
	"fmt"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"

	"github.com/gsmbox/gsmbox/dsp/spectrum"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "spectrum:", err)
		os.Exit(1)
	}
}

var errMask = errors.New("mask violated")

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("spectrum", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "spectrum.png", "output PNG file")
	sps := fs.Int("sps", 4, "samples per symbol (4, 8 or 16)")
	frames := fs.Int("frames", 30, "TDMA frames of random bursts (8 bursts each)")
	step := fs.Float64("step", 5, "offset step in kHz")
	seed := fs.Uint64("seed", 1, "random seed")
	timeOut := fs.String("time", "", "also plot one burst's power against the TS 45.005 Annex B time mask to this PNG")
	if err := fs.Parse(args); err != nil {
		return err
	}
	sig, err := spectrum.Generate(*sps, *frames, *seed)
	if err != nil {
		return err
	}
	span := math.Min(sig.Rate/2*0.98, 2000e3)
	var offs []float64
	if !(*step > 0) {
		return fmt.Errorf("step %g kHz must be positive", *step)
	}
	k := int(span / (*step * 1e3))
	for i := -k; i <= k; i++ {
		offs = append(offs, float64(i)**step*1e3)
	}
	fmt.Fprintf(stdout, "measuring %d bursts at %d sps (%.2f samples/s), %d offsets\n", len(sig.Gates), *sps, sig.Rate, len(offs))
	mod := spectrum.Modulation(sig.X, sig.Rate, sig.Gates, offs)
	var swOffs []float64
	for _, p := range spectrum.SwitchingMaskBTS {
		if p.Offset <= span {
			swOffs = append(swOffs, -p.Offset, p.Offset)
		}
	}
	// Peak hold over four frames is plenty: every frame has 16 ramps.
	swX := sig.X[:min(len(sig.X), 4*8*625**sps/4)]
	sw := spectrum.Switching(swX, sig.Rate, swOffs, 1)

	var bad []string
	for _, v := range spectrum.Check(spectrum.ModulationMaskBTS900, offs, mod) {
		bad = append(bad, fmt.Sprintf("modulation %+.0f kHz: %.1f dB > %.1f", v.Offset/1e3, v.Measured, v.Limit))
	}
	for _, v := range spectrum.Check(spectrum.SwitchingMaskBTS, swOffs, sw) {
		bad = append(bad, fmt.Sprintf("switching %+.0f kHz: %.1f dBc > %.1f", v.Offset/1e3, v.Measured, v.Limit))
	}
	for _, f := range []float64{200e3, 250e3, 400e3} {
		for i, o := range offs {
			if math.Abs(o-f) < 1 {
				fmt.Fprintf(stdout, "modulation at +%3.0f kHz: %6.1f dB (mask %5.1f)\n", f/1e3, mod[i], spectrum.Limit(spectrum.ModulationMaskBTS900, f))
			}
		}
	}
	for i, f := range swOffs {
		fmt.Fprintf(stdout, "switching  at %+5.0f kHz: %6.1f dBc (mask %5.1f)\n", f/1e3, sw[i], spectrum.Limit(spectrum.SwitchingMaskBTS, f))
	}

	c := draw(offs, mod, swOffs, sw, span, *sps, len(sig.Gates), len(bad) == 0)
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	if err := png.Encode(f, c.img); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", *out)
	if *timeOut != "" {
		tv, err := writeTimeMask(*timeOut, *sps, *seed)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", *timeOut)
		for _, v := range tv[:min(len(tv), 5)] {
			bad = append(bad, fmt.Sprintf("time mask at %.2f µs: %.1f dB outside [%v, %v]", v.T*1e6, v.Power, v.Lower, v.Upper))
		}
	}
	for _, b := range bad {
		fmt.Fprintln(stderr, "VIOLATION", b)
	}
	if len(bad) > 0 {
		return fmt.Errorf("%w at %d points", errMask, len(bad))
	}
	return nil
}

var (
	black  = color.RGBA{0, 0, 0, 255}
	grid   = color.RGBA{220, 220, 220, 255}
	blue   = color.RGBA{20, 80, 200, 255}
	red    = color.RGBA{210, 30, 30, 255}
	orange = color.RGBA{240, 140, 0, 255}
	green  = color.RGBA{0, 150, 60, 255}
	gray   = color.RGBA{90, 90, 90, 255}
)

func draw(offs, mod, swOffs, sw []float64, span float64, sps, bursts int, pass bool) *canvas {
	const W, H = 1100, 740
	const left, right, top, bottom = 90, 30, 70, 140
	c := newCanvas(W, H)
	const yMax, yMin = 10.0, -110.0
	px := func(f float64) float64 { return left + (f+span)/(2*span)*float64(W-left-right) }
	py := func(db float64) float64 {
		db = math.Max(yMin, math.Min(yMax, db))
		return top + (yMax-db)/(yMax-yMin)*float64(H-top-bottom)
	}
	// Grid and tick labels.
	tick, label := 100e3, 1
	if span > 1000e3 {
		tick, label = 250e3, 2
	}
	for i, f := 0, -math.Floor(span/tick)*tick; f <= span; i, f = i+1, f+tick {
		x := px(f)
		c.line(x, py(yMax), x, py(yMin), 1, 0, grid)
		if int(math.Round(f/tick))%label == 0 {
			s := fmt.Sprintf("%.0f", f/1e3)
			c.text(int(x)-textWidth(s, 2)/2, H-bottom+10, s, 2, black)
		}
	}
	for db := yMin; db <= yMax; db += 10 {
		y := py(db)
		c.line(px(-span), y, px(span), y, 1, 0, grid)
		s := fmt.Sprintf("%.0f", db)
		c.text(left-10-textWidth(s, 2), int(y)-7, s, 2, black)
	}
	// Axes box.
	c.line(px(-span), py(yMax), px(span), py(yMax), 2, 0, black)
	c.line(px(-span), py(yMin), px(span), py(yMin), 2, 0, black)
	c.line(px(-span), py(yMax), px(-span), py(yMin), 2, 0, black)
	c.line(px(span), py(yMax), px(span), py(yMin), 2, 0, black)
	xl := "OFFSET FROM CARRIER (KHZ)"
	c.text((W-textWidth(xl, 2))/2, H-bottom+40, xl, 2, black)
	c.vtext(18, (H+textWidth("LEVEL (DB)", 2))/2, "LEVEL (DB)", 2, black)
	title := fmt.Sprintf("GSMBOX TX SPECTRUM VS 3GPP TS 45.005 MASKS - %d SPS, %d BURSTS", sps, bursts)
	c.text((W-textWidth(title, 2))/2, 15, title, 2, black)
	verdict, vcol := "PASS", green
	if !pass {
		verdict, vcol = "FAIL", red
	}
	c.text(W-right-textWidth(verdict, 3)-10, top+10, verdict, 3, vcol)

	// Masks: modulation (interpolated to 600 kHz, then steps), switching.
	var prevX, prevY float64
	for i := 0; i <= W-left-right; i++ {
		f := -span + 2*span*float64(i)/float64(W-left-right)
		x, y := px(f), py(spectrum.Limit(spectrum.ModulationMaskBTS900, f))
		if i > 0 {
			c.line(prevX, prevY, x, y, 2, 0, red)
		}
		prevX, prevY = x, y
	}
	for _, side := range []float64{-1, 1} {
		pts := spectrum.SwitchingMaskBTS
		for i, p := range pts {
			if p.Offset > span {
				break
			}
			end := span
			if i+1 < len(pts) {
				end = math.Min(span, pts[i+1].Offset)
			}
			y := py(p.Limit)
			c.line(px(side*p.Offset), y, px(side*end), y, 2, 6, orange)
			if i+1 < len(pts) && pts[i+1].Offset <= span {
				c.line(px(side*end), y, px(side*end), py(pts[i+1].Limit), 2, 6, orange)
			}
		}
	}
	// Measurements.
	for i := 1; i < len(offs); i++ {
		c.line(px(offs[i-1]), py(mod[i-1]), px(offs[i]), py(mod[i]), 2, 0, blue)
	}
	for i, f := range swOffs {
		c.dot(px(f), py(sw[i]), 5, green)
	}
	// Legend.
	items := []struct {
		s    string
		col  color.RGBA
		dash int
		dot  bool
	}{
		{"MODULATION SPECTRUM (30 KHZ RBW)", blue, 0, false},
		{"SWITCHING TRANSIENTS (PEAK HOLD)", green, 0, true},
		{"MODULATION MASK 45.005 4.2.1", red, 0, false},
		{"SWITCHING MASK 45.005 4.2.2", orange, 6, false},
	}
	// Under the axis label, in two columns.
	for i, it := range items {
		lx := left + (i%2)*(W-left-right)/2
		ly := H - bottom + 75 + 24*(i/2)
		y := float64(ly + 7)
		if it.dot {
			c.dot(float64(lx+15), y, 5, it.col)
		} else {
			c.line(float64(lx), y, float64(lx+30), y, 2, it.dash, it.col)
		}
		c.text(lx+40, ly, it.s, 2, gray)
	}
	return c
}
