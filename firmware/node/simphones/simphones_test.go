package simphones_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/firmware/node/simphones"
	"github.com/gsmbox/gsmbox/gsm/ms"
)

// airPhones runs the built-in cell and n phones on the simulated air in
// virtual time until every phone has a result, stop says so (checked
// every 26 frames) or frames run out.
func airPhones(t *testing.T, cfg *config.Config, n int, seed uint64, frames int64, stop func(ps *simphones.Phones) bool) (*simphones.Phones, *node.Node, *bytes.Buffer) {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	cfg.Subscribers.DB = filepath.Join(t.TempDir(), "subscribers.db")
	air, err := node.NewSimAir(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { air.Close() })
	var ps *simphones.Phones
	nd, err := node.New(node.Config{Config: cfg, Log: log, Frames: frames, VirtualTime: true, OnFrame: func(k int64) error {
		if k%26 == 0 && (ps.Done() || stop(ps)) {
			return node.ErrStop
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nd.Close() })
	if ps, err = air.StartPhones(context.Background(), node.PhoneOptions{N: n, Seed: seed, Log: log}); err != nil {
		t.Fatal(err)
	}
	if err := nd.Serve(context.Background(), air.Carrier); err != nil {
		t.Fatal(err)
	}
	air.BTS.Close()
	ps.Stop()
	var out bytes.Buffer
	fmt.Fprintln(&out, "PHONE IMSI TMSI RESULT STATE")
	for _, r := range ps.Rows() {
		fmt.Fprintf(&out, "%d %s %s %s %s\n", r.Phone, r.IMSI, r.TMSI, r.Result, r.State)
	}
	for _, sp := range ps.Phones() {
		if sp.Err() != nil {
			t.Errorf("phone %d: %v", sp.Index(), sp.Err())
		}
	}
	return ps, nd, &out
}

// TestPhonesOnAir: two phones at seeded distances, with path loss,
// frequency offset and noise, find the cell's FCCH and SCH through
// dsp/trx's PhoneRadio, decode the BSIC and read SI3's LAI, send access
// bursts that the cell's receiver decodes with a time of arrival equal
// to the round trip, get an SDCCH by Immediate Assignment with that
// timing advance, and show up on it (the cell sees good uplink SDCCH /
// SACCH blocks: LAPDm SABM and measurement reports).
func TestPhonesOnAir(t *testing.T) {
	cfg := config.Default()
	cfg.Sim.SNRdB = 25
	ps, n, out := airPhones(t, cfg, 2, 7, 1200, func(ps *simphones.Phones) bool {
		for _, sp := range ps.Phones() {
			if sp.Best() < ms.MsAssigned || sp.Stats().SI5+sp.Stats().SI6 == 0 {
				return false
			}
		}
		return true
	})
	for _, sp := range ps.Phones() {
		p := sp.MS()
		c := p.Cell()
		if c.BSIC != cfg.BSIC() {
			t.Errorf("phone %d: BSIC %v, want %v", sp.Index(), c.BSIC, cfg.BSIC())
		}
		if c.LAI.MCC != "001" || c.LAI.MNC != "01" || int(c.LAI.LAC) != cfg.Cell.LAC {
			t.Errorf("phone %d: LAI %v, want 001-01-%d", sp.Index(), c.LAI, cfg.Cell.LAC)
		}
		if p.Best() < ms.MsAssigned {
			t.Errorf("phone %d: reached %v, want an SDCCH assigned (stats %+v)", sp.Index(), p.Best(), p.Stats())
			continue
		}
		// TS 45.010 §5.2: the timing advance is the round trip in symbols.
		want := 2 * sp.Placement().DelaySymbols
		if ta := float64(p.TA()); math.Abs(ta-want) > 1.01 {
			t.Errorf("phone %d: TA %v, want %.1f ± 1 (one-way delay %.1f symbols)", sp.Index(), ta, want, sp.Placement().DelaySymbols)
		}
		if st := p.Stats(); st.SI5+st.SI6 == 0 {
			t.Errorf("phone %d: no SI5/SI6 on the SACCH", sp.Index())
		}
	}
	st := n.Snapshot().Cell
	if st.Dedicated.Activated < 2 {
		t.Errorf("cell activated %d channels, want 2 (the phones' uplink SDCCH/SACCH decoded)", st.Dedicated.Activated)
	}
	if !strings.Contains(out.String(), "IMSI") {
		t.Errorf("no table in the output:\n%s", out)
	}
	t.Logf("%s", out)
}

// TestPhonesCollide: nine phones power on together and camp on the same
// SI3 block; each sends its first channel request in a RACH slot drawn
// from the first max(T, 8) = 8 (TS 44.018 §3.3.1.1.2), so at least two
// collide on the air. The cell decodes at most one of them (capture), and
// the losers get no matching Immediate Assignment and retry, until every
// phone has an SDCCH (two SDCCH/8 timeslots, 16 channels).
func TestPhonesCollide(t *testing.T) {
	cfg := config.Default()
	cfg.Cell.CombinedCCCH = false
	cfg.Cell.SDCCH8Timeslots = []int{1, 2}
	cfg.Cell.TCHFTimeslots = []int{3, 4, 5, 6, 7}
	cfg.Cell.RACHTxInteger = 3
	cfg.Cell.RACHMaxRetrans = 4
	const nPhones = 9
	ps, n, out := airPhones(t, cfg, nPhones, 3, 1300, func(ps *simphones.Phones) bool {
		for _, sp := range ps.Phones() {
			if sp.Stats().ImmAss == 0 {
				return false
			}
		}
		return true
	})
	assigned, retried := 0, 0
	for _, sp := range ps.Phones() {
		st := sp.MS().Stats()
		if st.ImmAss > 0 {
			assigned++
		}
		if st.ChannelRequests > 1 {
			retried++
		}
	}
	if assigned != nPhones {
		t.Errorf("%d of %d phones got a channel", assigned, nPhones)
	}
	if retried == 0 {
		t.Errorf("no phone sent a second channel request; %d phones on 8 slots must collide", nPhones)
	}
	if got := n.Snapshot().Cell.AccessBursts; got >= uint64(sumRequests(ps)) {
		t.Errorf("cell decoded %d access bursts of %d sent: none collided", got, sumRequests(ps))
	}
	b, err := json.Marshal(ps.Rows())
	if err != nil {
		t.Fatal(err)
	}
	var rows []simphones.Row
	if err := json.Unmarshal(b, &rows); err != nil || len(rows) != nPhones {
		t.Errorf("rows as JSON: %v, %d phones, want %d", err, len(rows), nPhones)
	}
	t.Logf("%d phones retried; cell %+v\n%s", retried, n.Snapshot().Cell.Dedicated, out)
}

func sumRequests(ps *simphones.Phones) uint64 {
	var n uint64
	for _, sp := range ps.Phones() {
		n += sp.MS().Stats().ChannelRequests
	}
	return n
}

// TestIMEI: the check digit is the Luhn digit of TS 23.003 Annex B, as
// in the standard's example IMEI 49015420323751(8).
func TestIMEI(t *testing.T) {
	luhnOK := func(s string) bool {
		sum := 0
		for i := len(s) - 1; i >= 0; i-- {
			v := int(s[i] - '0')
			if (len(s)-1-i)%2 == 1 {
				if v *= 2; v > 9 {
					v -= 9
				}
			}
			sum += v
		}
		return sum%10 == 0
	}
	if !luhnOK("490154203237518") {
		t.Fatal("luhn check wrong on the example IMEI")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 100 {
		if s := simphones.IMEI(rng); len(s) != 15 || !luhnOK(s) {
			t.Errorf("imei() = %q, want 15 digits with a valid check digit", s)
		}
	}
}
