// Package chanscan scans a GSM band from a receiver's sample stream: the
// power on every downlink carrier, the identity of any GSM cell found
// there (FCCH detection, SCH decoding for the BSIC and frame number, the
// BCCH's SYSTEM INFORMATION TYPE 3 for the MCC, MNC, LAC and cell
// identity), and the choice of the cleanest channel for this box's own
// cell (Choose).
//
// Decoding runs the same receiver a virtual phone runs: dsp/trx's
// PhoneRadio (dsp/rx's FCCH search, SCH and normal-burst demodulation)
// under gsm/ms's RR layer with no MM above it, which synchronises
// (TS 45.002 §3.3.2.2.1, TS 45.010 §5) and reads the BCCH until it camps
// on the cell (TS 44.018 §9.1.35, SI3). Nothing is transmitted: the
// phone's uplink writes are discarded.
//
// Place in the dependency order: above dsp/trx and gsm/ms (which dsp/
// may not import), below firmware/node and cmd/gsmbox, which scan a
// board's band with it.
package chanscan

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/gsmbox/gsmbox/dsp/filter"
	"github.com/gsmbox/gsmbox/dsp/gmsk"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/dsp/trx"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/ms"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// ErrConfig reports bad scan options.
var ErrConfig = errors.New("chanscan: bad configuration")

// Cell is a GSM cell identified on a carrier.
type Cell struct {
	BSIC tdma.BSIC `json:"bsic"`
	// FN is the cell's frame number at the SCH the receiver decoded.
	FN  tdma.FN `json:"fn"`
	MCC string  `json:"mcc"`
	MNC string  `json:"mnc"`
	LAC uint16  `json:"lac"`
	CI  uint16  `json:"ci"`
	// PLMNKnown says SI3 was read (MCC, MNC, LAC and CI are valid);
	// without it only the SCH decoded.
	PLMNKnown bool `json:"plmn_known"`
	// Neighbours is the cell's BA list, the BCCH carriers of its
	// neighbour cells (TS 44.018 §10.5.2.22), from SI2 (§9.1.32) and,
	// when SI2's EXT-IND says the list goes on, SI2bis (§9.1.33).
	// BAKnown says it was read in full; a cell broadcasting no
	// neighbours has BAKnown and no Neighbours.
	Neighbours []tdma.ARFCN `json:"neighbours"`
	BAKnown    bool         `json:"ba_known"`
}

func (c *Cell) String() string {
	if c == nil {
		return "-"
	}
	s := fmt.Sprintf("BSIC %d (NCC %d BCC %d)", c.BSIC.Value(), c.BSIC.NCC, c.BSIC.BCC)
	if c.PLMNKnown {
		s += fmt.Sprintf(", PLMN %s-%s, LAC %d, CI %d", c.MCC, c.MNC, c.LAC, c.CI)
	}
	if c.BAKnown {
		s += ", neighbours " + ARFCNList(c.Neighbours)
	}
	return s
}

// ARFCNList renders channel numbers compactly, runs as ranges:
// "1-3,17,60" ("none" for none).
func ARFCNList(a []tdma.ARFCN) string {
	if len(a) == 0 {
		return "none"
	}
	var b []byte
	for i := 0; i < len(a); {
		j := i
		for j+1 < len(a) && a[j+1] == a[j]+1 {
			j++
		}
		if len(b) > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, "%d", a[i])
		if j > i {
			b = fmt.Appendf(b, "-%d", a[j])
		}
		i = j + 1
	}
	return string(b)
}

// Channel is one carrier's scan result.
type Channel struct {
	ARFCN tdma.ARFCN `json:"arfcn"`
	// DBFS is the mean power in the 200 kHz channel, dB below full
	// scale.
	DBFS float64 `json:"dbfs"`
	// Cell is the GSM cell found on the carrier, nil when none decoded.
	Cell *Cell `json:"cell,omitempty"`
}

// Receiver is what a scan needs of a radio: retuning its receiver to a
// downlink carrier, and the sample stream (the board's counter is its
// timestamp). Tune returns once the synthesiser has locked; samples
// older than Next() after Tune may still be of the old carrier.
type Receiver interface {
	TuneDownlink(band tdma.Band, n tdma.ARFCN) error
	Stream() radio.Stream
	// Next is the timestamp of the next sample the board will deliver.
	Next() radio.Timestamp
}

// Options configure Scan. Zero fields take defaults.
type Options struct {
	// SPS is the stream's samples per symbol (default 4).
	SPS int
	// PowerFrames is how many TDMA frames are measured per channel
	// (default 4).
	PowerFrames int
	// DecodeAboveDBFS: channels at least this strong (and DecodeMarginDB
	// above the band's median) are decoded (default -60 dBFS).
	DecodeAboveDBFS float64
	// DecodeMarginDB is how far above the band's median power a channel
	// must be to be decoded (default 10 dB).
	DecodeMarginDB float64
	// DecodeFrames bounds the decoding of one channel (default 10
	// 51-multiframes: SI2, with the BA list, is sent once in every 8 of
	// them at TC = 1, SI2bis at TC = 5, SI3 at TC = 2 and 6, TS 45.002
	// §6.3.1.3; the rest is the FCCH search and the SCH).
	DecodeFrames int
	// MaxDecode bounds how many channels are decoded, strongest first
	// (default 16).
	MaxDecode int
	// Progress, when set, is told each channel measured.
	Progress func(Channel)
}

func (o *Options) defaults() error {
	if o.SPS == 0 {
		o.SPS = 4
	}
	if o.PowerFrames == 0 {
		o.PowerFrames = 4
	}
	if o.DecodeAboveDBFS == 0 {
		o.DecodeAboveDBFS = -60
	}
	if o.DecodeMarginDB == 0 {
		o.DecodeMarginDB = 10
	}
	if o.DecodeFrames == 0 {
		o.DecodeFrames = 10 * 51
	}
	if o.MaxDecode == 0 {
		o.MaxDecode = 16
	}
	if o.SPS != 1 && o.SPS != 2 && o.SPS != 4 || o.PowerFrames < 1 || o.DecodeFrames < 1 || o.MaxDecode < 0 {
		return fmt.Errorf("%w: %+v", ErrConfig, *o)
	}
	return nil
}

// Scan measures every downlink carrier of band (or only those in
// allowed, when not empty) and decodes the cells on the strongest. The
// result is in ARFCN order.
func Scan(r Receiver, band tdma.Band, allowed []tdma.ARFCN, o Options) ([]Channel, error) {
	if err := o.defaults(); err != nil {
		return nil, err
	}
	chans := allowed
	if len(chans) == 0 {
		chans = band.Channels()
	}
	frame := int(math.Round(r.Stream().SampleRate() * 120 / 26 / 1000))
	taps, err := filter.LowPass(16*o.SPS+1, 90e3/r.Stream().SampleRate(), 60, 1)
	if err != nil {
		return nil, err
	}
	buf := make([]complex64, frame)
	y := make([]complex64, frame)
	out := make([]Channel, 0, len(chans))
	for _, n := range chans {
		if !band.Contains(n) {
			return nil, fmt.Errorf("%w: ARFCN %d is not in %v", ErrConfig, n, band)
		}
		if err := r.TuneDownlink(band, n); err != nil {
			return nil, fmt.Errorf("chanscan: ARFCN %d: %w", n, err)
		}
		ts := r.Next() + radio.Timestamp(frame) // skip the retune
		fir := filter.NewFIR(filter.Float32(taps))
		var p float64
		var k int
		for i := 0; i < o.PowerFrames; i++ {
			if _, _, err := r.Stream().Read(buf, ts); err != nil {
				return nil, fmt.Errorf("chanscan: ARFCN %d: %w", n, err)
			}
			fir.Filter(y, buf)
			skip := 0
			if i == 0 {
				skip = len(taps)
			}
			for _, v := range y[skip:] {
				p += float64(real(v)*real(v) + imag(v)*imag(v))
				k++
			}
			ts += radio.Timestamp(frame)
		}
		c := Channel{ARFCN: n, DBFS: 10 * math.Log10(p/float64(max(k, 1))+1e-30)}
		out = append(out, c)
		if o.Progress != nil {
			o.Progress(c)
		}
	}
	// Decode the strongest channels that stand out of the band.
	med := median(out)
	idx := make([]int, 0, len(out))
	for i, c := range out {
		if c.DBFS >= o.DecodeAboveDBFS && c.DBFS >= med+o.DecodeMarginDB {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return out[idx[a]].DBFS > out[idx[b]].DBFS })
	for _, i := range idx[:min(len(idx), o.MaxDecode)] {
		if err := r.TuneDownlink(band, out[i].ARFCN); err != nil {
			return nil, fmt.Errorf("chanscan: ARFCN %d: %w", out[i].ARFCN, err)
		}
		cell, err := Decode(r.Stream(), r.Next()+radio.Timestamp(frame), o.SPS, o.DecodeFrames)
		if err != nil {
			return nil, fmt.Errorf("chanscan: ARFCN %d: %w", out[i].ARFCN, err)
		}
		out[i].Cell = cell
	}
	return out, nil
}

func median(cs []Channel) float64 {
	if len(cs) == 0 {
		return 0
	}
	v := make([]float64, len(cs))
	for i, c := range cs {
		v[i] = c.DBFS
	}
	sort.Float64s(v)
	return v[len(v)/2]
}

// rxOnly is a stream seen from timestamp at: reads are shifted, writes
// are dropped (the scan never transmits).
type rxOnly struct {
	s  radio.Stream
	at radio.Timestamp
}

func (r rxOnly) SampleRate() float64 { return r.s.SampleRate() }
func (r rxOnly) Close() error        { return nil }
func (r rxOnly) Write(src []complex64, ts radio.Timestamp) (int, radio.Flags, error) {
	return len(src), 0, nil
}
func (r rxOnly) Read(dst []complex64, ts radio.Timestamp) (int, radio.Flags, error) {
	if ts+r.at < 0 {
		// Before the window: silence (the FCCH search looks back).
		clear(dst)
		return len(dst), 0, nil
	}
	return r.s.Read(dst, ts+r.at)
}

// scanSIM is the receive-only phone's SIM: only its IMSI is used (the
// paging group), and it never registers.
var scanSIM = mm.SIM{IMSI: "001010000000001"}

// Decode looks for a GSM cell in s from timestamp at (the receiver tuned
// to the carrier), for at most frames TDMA frames: the cell's BSIC and
// frame number from its SCH, its PLMN, LAC and cell identity from SI3,
// and its neighbours' BA list from SI2 (and SI2bis). It returns nil when
// no SCH decoded; a Cell with PLMNKnown false when the SCH decoded but
// SI3 did not, BAKnown false when the BA list was not read in full.
func Decode(s radio.Stream, at radio.Timestamp, sps, frames int) (*Cell, error) {
	pr, err := trx.NewPhoneRadio(trx.PhoneConfig{Modulator: gmsk.Config{SPS: sps}})
	if err != nil {
		return nil, err
	}
	sim := scanSIM
	ph, err := ms.New(ms.Config{SIM: &sim})
	if err != nil {
		return nil, err
	}
	ph.PowerOn()
	st := rxOnly{s: s, at: at}
	for i := 0; i < frames && (ph.Best() < ms.MsCamped || !baDone(ph)); i++ {
		if err := pr.Step(st, ph); err != nil {
			return nil, err
		}
	}
	if ph.Best() < ms.MsSynced {
		return nil, nil
	}
	c := ph.Cell()
	cell := &Cell{BSIC: c.BSIC}
	if off, ok := ph.Synced(); ok {
		cell.FN = pr.FN().Add(off - 1) // the last frame the receiver ran
	}
	if ph.Best() >= ms.MsCamped {
		cell.PLMNKnown = true
		cell.MCC, cell.MNC, cell.LAC, cell.CI = c.LAI.MCC, c.LAI.MNC, c.LAI.LAC, c.CI
	}
	if baDone(ph) {
		cell.BAKnown = true
		cell.Neighbours = c.BA.ARFCNs()
	}
	return cell, nil
}

// baDone reports whether the phone has read the cell's whole BA list.
func baDone(ph *ms.Phone) bool {
	c := ph.Cell()
	return c.BAComplete()
}
