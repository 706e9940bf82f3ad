package main

import (
	"fmt"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"os"

	"github.com/gsmbox/gsmbox/dsp/gmsk"
	"github.com/gsmbox/gsmbox/dsp/spectrum"
	"github.com/gsmbox/gsmbox/dsp/trx"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// writeTimeMask renders one random normal burst in timeslot 1 of an
// otherwise silent frame through the real transmit chain, plots its power
// around the ramps against the time mask of TS 45.005 Annex B, and returns
// the mask violations.
func writeTimeMask(path string, sps int, seed uint64) ([]spectrum.TimeViolation, error) {
	tx, err := trx.NewTransmitter(trx.TxConfig{Modulator: gmsk.Config{SPS: sps}})
	if err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(seed, 7))
	var bursts [tdma.Slots]tdma.TxBurst
	var d [tdma.NormalDataBits]byte
	for i := range d {
		d[i] = byte(r.IntN(2))
	}
	bursts[1].Kind = tdma.KindNormal
	tdma.Normal(&bursts[1].Bits, &d, uint8(r.IntN(8)))
	x := make([]complex64, tx.FrameLen())
	tx.RenderFrame(x, 0, &bursts)
	fs := tx.SampleRate()
	b0 := float64(tx.BurstStart(1))
	u0, u1 := b0+0.5*float64(sps), b0+147.5*float64(sps)
	viol := spectrum.CheckTimeMask(x, fs, u0, u1)
	useful := (u1 - u0) / fs
	var ref float64
	var n int
	for i := int(math.Ceil(u0)); float64(i) <= u1; i++ {
		ref += float64(real(x[i])*real(x[i]) + imag(x[i])*imag(x[i]))
		n++
	}
	ref /= float64(n)

	const W, H = 1100, 600
	const left, right, top, bottom = 90, 30, 70, 110
	c := newCanvas(W, H)
	const span = 60e-6 // each panel
	panelW := (W - left - right - 40) / 2
	const yMax, yMin = 10.0, -70.0
	py := func(db float64) float64 {
		db = math.Max(yMin, math.Min(yMax, db))
		return top + (yMax-db)/(yMax-yMin)*float64(H-top-bottom)
	}
	for p := 0; p < 2; p++ {
		x0 := left + p*(panelW+40)
		// Panel 0: −40..+20 µs around the start of the useful part;
		// panel 1: −20..+40 µs around its end.
		anchor, from := 0.0, -40e-6
		if p == 1 {
			anchor, from = useful, -20e-6
		}
		px := func(t float64) float64 { return float64(x0) + (t-anchor-from)/span*float64(panelW) }
		for db := yMin; db <= yMax; db += 10 {
			y := py(db)
			c.line(float64(x0), y, float64(x0+panelW), y, 1, 0, grid)
			if p == 0 {
				s := fmt.Sprintf("%.0f", db)
				c.text(left-10-textWidth(s, 2), int(y)-7, s, 2, black)
			}
		}
		for us := -40.0; us <= 40; us += 10 {
			if us*1e-6 < from-1e-9 || us*1e-6 > from+span+1e-9 {
				continue
			}
			xx := px(anchor + us*1e-6)
			c.line(xx, py(yMax), xx, py(yMin), 1, 0, grid)
			s := fmt.Sprintf("%.0f", us)
			c.text(int(xx)-textWidth(s, 2)/2, H-bottom+10, s, 2, black)
		}
		fx0, fx1 := float64(x0), float64(x0+panelW)
		c.line(fx0, py(yMax), fx1, py(yMax), 2, 0, black)
		c.line(fx0, py(yMin), fx1, py(yMin), 2, 0, black)
		c.line(fx0, py(yMax), fx0, py(yMin), 2, 0, black)
		c.line(fx1, py(yMax), fx1, py(yMin), 2, 0, black)
		// Masks, one point per pixel column.
		var pu [2]float64
		havePrevLo := false
		var pl [2]float64
		for i := 0; i <= panelW; i++ {
			t := anchor + from + span*float64(i)/float64(panelW)
			up, lo := spectrum.TimeMask(t, useful)
			xx := float64(x0 + i)
			if i > 0 {
				c.line(pu[0], pu[1], xx, py(up), 2, 0, red)
			}
			pu = [2]float64{xx, py(up)}
			if math.IsInf(lo, -1) {
				havePrevLo = false
				continue
			}
			if havePrevLo {
				c.line(pl[0], pl[1], xx, py(lo), 2, 0, orange)
			}
			pl, havePrevLo = [2]float64{xx, py(lo)}, true
		}
		// Measured power, one point per sample.
		var prev [2]float64
		first := true
		for i, v := range x {
			t := (float64(i) - u0) / fs
			if t-anchor < from || t-anchor > from+span {
				continue
			}
			pw := 10 * math.Log10(float64(real(v)*real(v)+imag(v)*imag(v))/ref)
			xx, yy := px(t), py(pw)
			if !first {
				c.line(prev[0], prev[1], xx, yy, 2, 0, blue)
			}
			prev, first = [2]float64{xx, yy}, false
		}
		label := "US FROM START OF USEFUL PART"
		if p == 1 {
			label = "US FROM END OF USEFUL PART"
		}
		c.text(x0+(panelW-textWidth(label, 2))/2, H-bottom+35, label, 2, black)
	}
	c.vtext(18, (H+textWidth("POWER (DB)", 2))/2, "POWER (DB)", 2, black)
	title := fmt.Sprintf("GSMBOX BURST POWER VS TIME MASK, 3GPP TS 45.005 ANNEX B - %d SPS", sps)
	c.text((W-textWidth(title, 2))/2, 15, title, 2, black)
	verdict, vcol := "PASS", green
	if len(viol) > 0 {
		verdict, vcol = "FAIL", red
	}
	c.text(W-right-textWidth(verdict, 3)-10, top+10, verdict, 3, vcol)
	ly := H - bottom + 70
	legend(c, left, ly, "MEASURED POWER (BELOW -70 DB CLIPPED)", blue)
	legend(c, left+560, ly, "UPPER MASK", red)
	legend(c, left+780, ly, "LOWER MASK", orange)

	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := png.Encode(f, c.img); err != nil {
		f.Close()
		return nil, err
	}
	return viol, f.Close()
}

// legend draws a line sample and its label.
func legend(c *canvas, x, y int, s string, col color.RGBA) {
	c.line(float64(x), float64(y+7), float64(x+30), float64(y+7), 2, 0, col)
	c.text(x+40, y, s, 2, gray)
}
