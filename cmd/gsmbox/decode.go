package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/gsmbox/gsmbox/dsp/decode"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/dsp/trx"
	"github.com/gsmbox/gsmbox/firmware/node/simphones"
	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/gsmtap"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/phy"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

func init() {
	register(command{
		name:    "decode",
		summary: "decode the BCCH carrier in a recorded IQ file with our own receiver",
		run:     runDecode,
	})
}

const decodeUsage = `Usage: gsmbox decode [flags] IQFILE

Runs gsmbox's own downlink receiver on a recorded IQ file (complex float32,
little-endian: what gsmbox sim --iq-out writes and gr-gsm's grgsm_decode -c
reads): FCCH search, SCH synchronisation (BSIC and frame number), then the
BCCH and CCCH blocks of timeslot 0, printed one line each with the frame
number, channel, message and octets, the decoder's bit errors, and the four
bursts' RSSI, C/I and time of arrival. A summary follows. With --gsmtap or
--pcap the blocks also go out as GSMTAP, as grgsm_decode sends them.

The CCCH layout of timeslot 0 comes from SI3's CCCH_CONF; until SI3 is
read only the blocks combined and non-combined CCCHs share are decoded.
--ccch gives it up front, as grgsm_decode's -m BCCH_SDCCH4 or -m BCCH.

Flags:
`

func runDecode(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("decode", decodeUsage, stderr)
	rate := fs.Float64("rate", radio.SampleRate4, "the file's sample rate in samples per second")
	arfcn := fs.Uint("arfcn", 0, "ARFCN to put in the GSMTAP headers")
	gsmtapAddr := fs.String("gsmtap", "", "send every decoded block as GSMTAP to HOST:PORT (e.g. 127.0.0.1:4729)")
	pcapPath := fs.String("pcap", "", "write every decoded block as GSMTAP in UDP to this pcap file")
	frames := fs.Int("frames", 0, "stop after this many TDMA frames (0: the whole file)")
	quiet := fs.Bool("quiet", false, "print only the summary")
	ccch := fs.String("ccch", "auto", "timeslot 0's CCCH: auto (from SI3's CCCH_CONF), combined (with SDCCH/4) or non-combined")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()

	d := &decodeL1{out: stdout, quiet: *quiet, arfcn: tdma.ARFCN(*arfcn), si: map[string]int{}}
	switch *ccch {
	case "auto":
	case "combined":
		d.comb, d.combKnown = l1.CombV, true
	case "non-combined":
		d.comb, d.combKnown = l1.CombIV, true
	default:
		return fmt.Errorf("%w: --ccch %q: want auto, combined or non-combined", errUsage, *ccch)
	}
	if *gsmtapAddr != "" {
		s, err := gsmtap.Dial(*gsmtapAddr)
		if err != nil {
			return err
		}
		defer s.Close()
		d.tap = s
	}
	if *pcapPath != "" {
		pf, err := os.Create(*pcapPath)
		if err != nil {
			return err
		}
		defer pf.Close()
		if d.pcap, err = gsmtap.NewPcapWriter(pf); err != nil {
			return err
		}
	}
	st, err := decode.Run(ctx, f, decode.Config{Rate: *rate, RSSIOffset: simphones.FullScaleDBm, MaxFrames: *frames}, d)
	d.summary(st)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// decodeL1 is the layer above the phone radio for `gsmbox decode`: it
// asks for the FCCH, then the SCH (TS 45.002 §3.3.2.2.1), then the BCCH
// and CCCH bursts of timeslot 0 (clause 7 table 5, the combination from
// SI3's CCCH_CONF once read; until then the blocks IV and V share), and
// decodes and prints their blocks
// (TS 45.003 §4.1).
type decodeL1 struct {
	out   io.Writer
	quiet bool
	arfcn tdma.ARFCN
	tap   *gsmtap.Sender
	pcap  *gsmtap.PcapWriter

	synced     bool
	schPending bool
	schAt      tdma.FN // radio frame of the expected SCH
	off        int     // cell FN = radio FN + off
	bsic       tdma.BSIC
	comb       l1.Combination
	combKnown  bool
	schBad     int // in a row, while synced

	// The block being gathered.
	start tdma.FN
	got   uint8
	soft  [4][116]int8
	meas  [4]tdma.RxBurst

	// Counts.
	fcch, sch, schFail int
	ok, bad            map[l1.ChanKind]int
	si                 map[string]int
	cellLine           []string
	rssi, ci           float64
	nMeas              int
}

var _ trx.PhoneL1 = (*decodeL1)(nil)

func (d *decodeL1) Listen(fn tdma.FN, plan *phy.Plan) {
	*plan = phy.Plan{}
	if !d.synced {
		switch {
		case d.schPending && fn == d.schAt:
			plan.Slots[0] = phy.RxSCH
		default:
			d.schPending = false
			plan.Slots[0] = phy.RxFCCH
		}
		return
	}
	f := fn.Add(d.off)
	if t3 := f.T3(); t3%10 == 1 && t3 < 50 {
		plan.Slots[0] = phy.RxSCH // keep checking the timing
		return
	}
	s := d.comb.Downlink(0, f)
	if s.Chan.Kind == l1.ChanBCCH || s.Chan.Kind == l1.ChanCCCH {
		plan.Slots[0], plan.TSC[0] = phy.RxNormal, d.bsic.BCC
	}
}

func (d *decodeL1) Frame(tdma.FN, *[tdma.Slots]tdma.TxBurst) bool { return false }
func (d *decodeL1) TA() uint8                                     { return 0 }

func (d *decodeL1) Receive(b *tdma.RxBurst) {
	switch {
	case b.Kind == tdma.KindFCCH:
		d.fcch++
		if !d.synced {
			d.schPending, d.schAt = true, b.FN.Add(1)
		}
	case b.Kind == tdma.KindSCH || (b.Kind == tdma.KindNone && (!d.synced || d.isSCH(b.FN))):
		d.onSCH(b)
	case d.synced:
		d.onNormal(b)
	}
}

func (d *decodeL1) isSCH(fn tdma.FN) bool {
	t3 := fn.Add(d.off).T3()
	return t3%10 == 1 && t3 < 50
}

// onSCH decodes a synchronisation burst: BSIC, T1, T2, T3'.
func (d *decodeL1) onSCH(b *tdma.RxBurst) {
	var s78 [tdma.SCHDataBits]int8
	tdma.SCHData(&s78, (*[tdma.BurstBits]int8)(&b.Soft))
	var info [25]byte
	_, ok := coding.DecodeSCH(&info, &s78)
	var f tdma.FN
	var bsic tdma.BSIC
	if ok && b.Kind == tdma.KindSCH {
		var t1, t2, t3p int
		bsic, t1, t2, t3p = coding.UnpackSCHInfo(&info)
		f = tdma.FromT(t1, t2, 10*t3p+1)
		ok = t3p <= 4 && t2 <= 25 && f.T2() == t2
	} else {
		ok = false
	}
	if !ok {
		d.schFail++
		if d.synced {
			if d.schBad++; d.schBad >= 5 {
				d.synced = false
				d.line("lost synchronisation after 5 bad SCH")
			}
		}
		return
	}
	d.sch++
	d.schBad = 0
	off := f.Sub(b.FN)
	if !d.synced || off != d.off || bsic != d.bsic {
		d.synced, d.off, d.bsic = true, off, bsic
		if !d.combKnown {
			// Until SI3 tells: the BCCH and the first three CCCH blocks
			// are where they are in both IV and V.
			d.comb = l1.CombV
		}
		d.got = 0
		d.line(fmt.Sprintf("FN %7d  SCH   %s  RSSI %.1f dBm  C/I %.1f dB  offset %+.0f Hz", uint32(f), bsic, b.RSSI, b.CI, b.FreqOffset))
	}
}

// onNormal gathers the four bursts of a block and decodes it.
func (d *decodeL1) onNormal(b *tdma.RxBurst) {
	f := b.FN.Add(d.off)
	s := d.comb.Downlink(0, f)
	if s.Chan.Kind != l1.ChanBCCH && s.Chan.Kind != l1.ChanCCCH {
		return
	}
	start := s.BlockStart(f)
	if s.Burst == 0 || start != d.start {
		d.start, d.got = start, 0
	}
	if s.Burst > 3 {
		return
	}
	tdma.NormalData(&d.soft[s.Burst], (*[148]int8)(&b.Soft))
	d.meas[s.Burst] = *b
	d.got |= 1 << s.Burst
	if s.Burst != 3 {
		return
	}
	if d.got != 0xf {
		d.count(s.Chan.Kind, false)
		d.got = 0
		return
	}
	d.got = 0
	var msg [23]byte
	q, ok := coding.DecodeXCCH(&msg, &d.soft)
	d.count(s.Chan.Kind, ok)
	for _, m := range d.meas {
		if m.Kind == tdma.KindNormal {
			d.rssi += float64(m.RSSI)
			d.ci += float64(m.CI)
			d.nMeas++
		}
	}
	if !ok {
		d.line(fmt.Sprintf("FN %7d  %-5s block lost  %s", uint32(start), s.Chan.Kind, d.quality()))
		return
	}
	name := d.message(s.Chan.Kind, &msg)
	d.line(fmt.Sprintf("FN %7d  %-5s %-20s % x  bit errors %d/%d  %s", uint32(start), s.Chan.Kind, name, msg, q.BitErrors, q.Bits, d.quality()))
	d.mirror(s.Chan, start, &msg)
}

func (d *decodeL1) count(k l1.ChanKind, ok bool) {
	if d.ok == nil {
		d.ok, d.bad = map[l1.ChanKind]int{}, map[l1.ChanKind]int{}
	}
	if ok {
		d.ok[k]++
	} else {
		d.bad[k]++
	}
}

// quality is the four bursts' measurements.
func (d *decodeL1) quality() string {
	var b strings.Builder
	b.WriteString("RSSI")
	for _, m := range d.meas {
		fmt.Fprintf(&b, " %.0f", m.RSSI)
	}
	b.WriteString(" C/I")
	for _, m := range d.meas {
		fmt.Fprintf(&b, " %.1f", m.CI)
	}
	b.WriteString(" ToA")
	for _, m := range d.meas {
		fmt.Fprintf(&b, " %.2f", m.ToA)
	}
	return b.String()
}

// message names an RR message on the BCCH/CCCH and notes what a field
// technician checks: the cell's identity, its CCCH layout.
func (d *decodeL1) message(k l1.ChanKind, msg *[23]byte) string {
	t, err := rr.MessageType(msg[:])
	if err != nil {
		return "not RR"
	}
	name := rrNames[t]
	if name == "" {
		name = fmt.Sprintf("RR type %#02x", uint8(t))
	}
	if k == l1.ChanBCCH {
		d.si[name]++
	}
	switch t {
	case rr.MsgSI3:
		var m rr.SI3
		if err := m.Unmarshal(msg[:]); err == nil {
			d.cell(fmt.Sprintf("SI3: CI %d, LAI %s, CCCH_CONF %d, BS_AG_BLKS_RES %d, BS_PA_MFRMS %d", m.CI, m.LAI, m.Control.CCCHConf, m.Control.BSAGBlksRes, m.Control.BSPAMfrms))
			if !d.combKnown {
				d.comb, d.combKnown = l1.CombIV, true
				if m.Control.CCCHConf == rr.CCCH1Combined {
					d.comb = l1.CombV
				}
			}
		}
	case rr.MsgSI4:
		var m rr.SI4
		if err := m.Unmarshal(msg[:]); err == nil {
			d.cell(fmt.Sprintf("SI4: LAI %s", m.LAI))
		}
	}
	return name
}

func (d *decodeL1) cell(s string) {
	for _, c := range d.cellLine {
		if c == s {
			return
		}
	}
	d.cellLine = append(d.cellLine, s)
}

var rrNames = map[rr.MsgType]string{
	rr.MsgSI1: "SI1", rr.MsgSI2: "SI2", rr.MsgSI3: "SI3", rr.MsgSI4: "SI4",
	rr.MsgSI2ter: "SI2ter", rr.MsgSI2quater: "SI2quater",
	rr.MsgPagingRequest1: "Paging Request 1", rr.MsgPagingRequest2: "Paging Request 2", rr.MsgPagingRequest3: "Paging Request 3",
	rr.MsgImmAss: "Immediate Assignment", rr.MsgImmAssReject: "Imm. Assignment Reject",
}

// mirror sends the block as GSMTAP, as grgsm_decode does.
func (d *decodeL1) mirror(ch l1.Chan, fn tdma.FN, msg *[23]byte) {
	if d.tap == nil && d.pcap == nil {
		return
	}
	c, sub := ch.GSMTAP()
	h := gsmtap.Um(c, d.arfcn, 0, fn, sub)
	m := d.meas[0]
	h.SignalDBm = int8(max(-128, min(127, math.Round(float64(m.RSSI)))))
	h.SNRdB = int8(max(-128, min(127, math.Round(float64(m.CI)))))
	if d.tap != nil {
		d.tap.Send(&h, msg[:])
	}
	if d.pcap != nil {
		d.pcap.WritePacket(time.Now(), &h, msg[:])
	}
}

func (d *decodeL1) line(s string) {
	if !d.quiet {
		fmt.Fprintln(d.out, s)
	}
}

func (d *decodeL1) summary(st decode.Stats) {
	w := d.out
	fmt.Fprintf(w, "\n%d frames (%.1f s of air); FCCH found %d times, SCH decoded %d, failed %d\n",
		st.Frames, float64(st.Frames)*60e-3/13, d.fcch, d.sch, d.schFail)
	if d.synced || d.sch > 0 {
		fmt.Fprintf(w, "cell: %s\n", d.bsic)
	}
	for _, k := range []l1.ChanKind{l1.ChanBCCH, l1.ChanCCCH} {
		fmt.Fprintf(w, "%s blocks: %d decoded, %d lost\n", k, d.ok[k], d.bad[k])
	}
	if len(d.si) > 0 {
		var names []string
		for n := range d.si {
			names = append(names, n)
		}
		sort.Strings(names)
		var b strings.Builder
		for _, n := range names {
			fmt.Fprintf(&b, " %s×%d", n, d.si[n])
		}
		fmt.Fprintf(w, "BCCH messages:%s\n", b.String())
	}
	for _, c := range d.cellLine {
		fmt.Fprintln(w, c)
	}
	if d.nMeas > 0 {
		fmt.Fprintf(w, "mean RSSI %.1f dBm, mean C/I %.1f dB over %d bursts\n", d.rssi/float64(d.nMeas), d.ci/float64(d.nMeas), d.nMeas)
	}
}
