package console

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"sync"

	"github.com/gsmbox/gsmbox/dsp/spectrum"
	"github.com/gsmbox/gsmbox/dsp/trx"
)

// The Radio page's pictures (issue 15): the received spectrum and the
// constellation of recent bursts, drawn as SVG from the cell's receive
// scope (trx.Scope, low-rate copies the frame loop makes without
// waiting), by our own DSP (dsp/spectrum.PSD, rx.Demodulator.Symbols).

// Picture geometry, in SVG user units.
const (
	picW, picH      = 640, 260
	picL, picR      = 52, 12 // plot margins
	picT, picB      = 14, 34
	spectrumBins    = 256
	spectrumFloorDB = -140.0 // dBFS per bin: the plot shows 80 dB down from its top, not below this
	constBursts     = 8      // bursts drawn in the constellation
	constRange      = 2.5    // the constellation's axes run ±constRange
)

// scopeCopy is the console's copy of the scope, reused across requests
// under mu (pictures are drawn one at a time; the console bounds the
// requests in flight anyway).
type scopeCopy struct {
	mu  sync.Mutex
	cap trx.Capture
}

func (s *Server) scope() *trx.Scope {
	if s.cfg.Host.Scope == nil {
		return nil
	}
	return s.cfg.Host.Scope()
}

func writeSVG(w http.ResponseWriter, b *bytes.Buffer) {
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b.Bytes())
}

// svgOpen starts a picture with its frame and title.
func svgOpen(b *bytes.Buffer, title string) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" font-family="sans-serif" font-size="11">`, picW, picH, picW, picH)
	fmt.Fprintf(b, `<rect width="%d" height="%d" fill="#ffffff"/>`, picW, picH)
	fmt.Fprintf(b, `<text x="%d" y="11" fill="#333333">%s</text>`, picL, svgEscape(title))
}

// svgEmpty is the picture shown before the scope has anything.
func svgEmpty(b *bytes.Buffer, title, why string) {
	svgOpen(b, title)
	fmt.Fprintf(b, `<text x="%d" y="%d" text-anchor="middle" fill="#888888">%s</text></svg>`, picW/2, picH/2, svgEscape(why))
}

func svgEscape(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// capture copies the scope into the console's copy; ok is false (with
// the reason) when there is no picture to draw.
func (s *Server) capture() (c *trx.Capture, why string, unlock func()) {
	sc := s.scope()
	if sc == nil {
		return nil, "no receive scope on this cell", nil
	}
	s.pics.mu.Lock()
	if !sc.Copy(&s.pics.cap) {
		s.pics.mu.Unlock()
		return nil, "nothing received yet", nil
	}
	return &s.pics.cap, "", s.pics.mu.Unlock
}

// apiSpectrum is GET /api/radio/spectrum.svg: the power spectrum of the
// last captured uplink frame (Welch, 256 bins, Hann), in dB relative to
// full scale per bin, over the receiver's whole sample rate.
func (s *Server) apiSpectrum(w http.ResponseWriter, r *http.Request) {
	var b bytes.Buffer
	const title = "Received spectrum (uplink)"
	c, why, unlock := s.capture()
	if c == nil {
		svgEmpty(&b, title, why)
		writeSVG(w, &b)
		return
	}
	p := make([]float64, spectrumBins)
	err := spectrum.PSD(p, c.Samples)
	fn, rate := c.FN, c.SampleRate
	unlock()
	if err != nil {
		svgEmpty(&b, title, err.Error())
		writeSVG(w, &b)
		return
	}
	drawSpectrum(&b, title, p, rate, uint32(fn))
	writeSVG(w, &b)
}

// drawSpectrum plots p (bins from −rate/2, linear power per bin) in dBFS.
func drawSpectrum(b *bytes.Buffer, title string, p []float64, rate float64, fn uint32) {
	svgOpen(b, fmt.Sprintf("%s, frame %d, %.0f kHz per bin", title, fn, rate/float64(len(p))/1e3))
	x0, x1, y0, y1 := float64(picL), float64(picW-picR), float64(picT), float64(picH-picB)
	top := spectrumFloorDB
	for _, v := range p {
		top = max(top, 10*math.Log10(max(v, 1e-30)))
	}
	top = math.Ceil(top/10)*10 + 10
	bot := max(top-80, spectrumFloorDB)
	ydb := func(db float64) float64 { return y0 + (top-max(db, bot))/(top-bot)*(y1-y0) }
	// Grid: every 10 dB, and every 100 kHz.
	for db := top; db >= bot; db -= 10 {
		y := ydb(db)
		fmt.Fprintf(b, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#e2e8f0"/>`, x0, y, x1, y)
		fmt.Fprintf(b, `<text x="%.0f" y="%.1f" text-anchor="end" fill="#555555">%.0f</text>`, x0-4, y+4, db)
	}
	half := rate / 2e3 // kHz
	for k := -math.Floor(half/100) * 100; k <= half; k += 100 {
		x := x0 + (k+half)/(2*half)*(x1-x0)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#e2e8f0"/>`, x, y0, x, y1)
		if int(k)%200 == 0 {
			fmt.Fprintf(b, `<text x="%.1f" y="%.0f" text-anchor="middle" fill="#555555">%.0f</text>`, x, y1+14, k)
		}
	}
	fmt.Fprintf(b, `<text x="%.0f" y="%d" text-anchor="middle" fill="#333333">offset from the carrier, kHz</text>`, (x0+x1)/2, picH-4)
	fmt.Fprintf(b, `<text x="12" y="%.0f" fill="#333333" transform="rotate(-90 12 %.0f)" text-anchor="middle">dBFS per bin</text>`, (y0+y1)/2, (y0+y1)/2)
	b.WriteString(`<polyline fill="none" stroke="#2b6cb0" stroke-width="1.5" points="`)
	for i, v := range p {
		x := x0 + (float64(i)+0.5)/float64(len(p))*(x1-x0)
		fmt.Fprintf(b, "%.1f,%.1f ", x, ydb(10*math.Log10(max(v, 1e-30))))
	}
	b.WriteString(`"/></svg>`)
}

// apiConstellation is GET /api/radio/constellation.svg: the symbols of
// the last normal bursts the cell received as its equaliser saw them
// (rx.Demodulator.Symbols: whitened, frequency-corrected, the other
// channel taps' interference removed), I against Q.
func (s *Server) apiConstellation(w http.ResponseWriter, r *http.Request) {
	var b bytes.Buffer
	const title = "Constellation of recent uplink bursts"
	c, why, unlock := s.capture()
	if c == nil {
		svgEmpty(&b, title, why)
		writeSVG(w, &b)
		return
	}
	syms := c.Symbols
	if len(syms) > constBursts {
		syms = syms[len(syms)-constBursts:]
	}
	if len(syms) == 0 {
		unlock()
		svgEmpty(&b, title, "no burst received yet")
		writeSVG(w, &b)
		return
	}
	svgOpen(&b, fmt.Sprintf("%s (%d bursts, as the equaliser sees them)", title, len(syms)))
	// A square plot on the left.
	side := float64(picH - picT - picB)
	x0, y0 := float64(picL), float64(picT)
	cx, cy := x0+side/2, y0+side/2
	sc := side / 2 / constRange
	fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="%.0f" height="%.0f" fill="none" stroke="#cbd5e0"/>`, x0, y0, side, side)
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#cbd5e0"/>`, x0, cy, x0+side, cy)
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#cbd5e0"/>`, cx, y0, cx, y0+side)
	for _, v := range []float64{-2, -1, 1, 2} {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="middle" fill="#555555">%g</text>`, cx+v*sc, y0+side+14, v)
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="#333333">I</text>`, cx, picH-4)
	fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" text-anchor="end" fill="#333333">Q</text>`, x0-6, cy+4)
	var sum, sum2, n float64
	for _, burst := range syms {
		for _, v := range burst {
			x, y := float64(real(v)), float64(imag(v))
			if math.IsNaN(x) || math.IsNaN(y) {
				continue
			}
			a := math.Abs(x)
			sum, sum2, n = sum+a, sum2+a*a, n+1
			x = max(-constRange, min(constRange, x))
			y = max(-constRange, min(constRange, y))
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="1.6" fill="#2b6cb0" fill-opacity="0.35"/>`, cx+x*sc, cy-y*sc)
		}
	}
	unlock()
	// The spread of |I| about its mean: a rough figure of the eye's opening.
	if n > 0 {
		mean := sum / n
		sd := math.Sqrt(max(sum2/n-mean*mean, 0))
		tx := x0 + side + 24
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" fill="#333333">mean |I| %.2f</text>`, tx, y0+30, mean)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" fill="#333333">spread of |I| %.2f</text>`, tx, y0+48, sd)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" fill="#555555">Each symbol with the channel's other</text>`, tx, y0+80)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" fill="#555555">echoes taken away: two clouds at ±1.</text>`, tx, y0+96)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" fill="#555555">Noise and interference spread them,</text>`, tx, y0+112)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" fill="#555555">a frequency error turns them.</text>`, tx, y0+128)
	}
	b.WriteString(`</svg>`)
	writeSVG(w, &b)
}
