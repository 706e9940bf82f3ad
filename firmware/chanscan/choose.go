package chanscan

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// ErrNoChannel means every allowed channel is occupied: the cell must not
// go on air.
var ErrNoChannel = errors.New("chanscan: no free channel in the allowed range")

// ChooseOptions configure Choose. Zero fields take defaults.
type ChooseOptions struct {
	// Allowed limits the choice (the licensed channels); empty means
	// the whole band. The choice is always a channel of the band.
	Allowed []tdma.ARFCN
	// GuardChannels is how many channels either side of an occupied one
	// are avoided (default 2: 400 kHz, beyond the second adjacent
	// channel's −41 dB of TS 45.005 §6.3). When no channel is left the
	// guard narrows, one channel at a time, down to 0; an occupied
	// channel itself is never chosen.
	GuardChannels int
	// BusyMarginDB: a channel this far above the band's noise floor (the
	// median of the scan) counts as occupied, by a cell or an interferer
	// (default 10 dB).
	BusyMarginDB float64
	// Avoid are channels that count as occupied besides (this cell's
	// configured neighbours).
	Avoid []tdma.ARFCN
	// KeepBA: do not avoid the channels in the decoded cells' BA lists
	// (by default they count as occupied: another operator's cell may
	// stand there, out of this box's hearing but not of its phones').
	KeepBA bool
}

// Choice is the channel Choose picked and why.
type Choice struct {
	ARFCN tdma.ARFCN `json:"arfcn"`
	// DBFS is the chosen channel's measured power.
	DBFS float64 `json:"dbfs"`
	// Guard is the guard width that was kept (GuardChannels unless it
	// had to narrow).
	Guard int `json:"guard_channels"`
	// Scanned, Occupied and Candidates count the channels scanned, found
	// occupied, and left to choose from.
	Scanned    int `json:"scanned"`
	Occupied   int `json:"occupied"`
	Candidates int `json:"candidates"`
	// OccupiedARFCNs are the occupied channels: decoded cells, power
	// above the floor, and ChooseOptions.Avoid.
	OccupiedARFCNs []tdma.ARFCN `json:"occupied_arfcns"`
	// FloorDBFS is the band's noise floor (the median).
	FloorDBFS float64 `json:"floor_dbfs"`
	// Cells are the GSM cells the scan decoded.
	Cells []Channel `json:"cells"`
	// Neighbours are the channels in those cells' BA lists (SI2,
	// SI2bis), in the band: the carriers of their neighbour cells.
	// NeighboursAvoided says the choice kept its guard from them too;
	// false when no channel was left clear of them, and the choice fell
	// back to avoiding only what the scan heard.
	Neighbours        []tdma.ARFCN `json:"neighbours"`
	NeighboursAvoided bool         `json:"neighbours_avoided"`
	// Reason is one line for people.
	Reason string `json:"reason"`
}

// Summary is one line for status and the log.
func (c Choice) Summary() string {
	return fmt.Sprintf("ARFCN %d: %s", c.ARFCN, c.Reason)
}

// Choose picks the cleanest channel for a new cell from a scan of band:
// never one outside the band or the allowed list, never an occupied one
// (a decoded GSM cell, or power BusyMarginDB above the floor), and
// preferably GuardChannels away from every occupied channel and from
// every channel in the decoded cells' BA lists (their neighbours, which
// the box may not hear but the phones near them do). When no channel is
// clear of the neighbours with a guard, it keeps that guard from what it
// heard and chooses as if the neighbours were not there
// (NeighboursAvoided false; the Reason says so): a quiet channel that a
// distant cell uses costs less than one next to a strong cell heard
// here. Only then does the guard narrow. Among the
// candidates it takes the least interference: the channel's own power
// plus its neighbours' weighted by the receiver's adjacent-channel
// rejection (TS 45.005 §6.3: 18 dB at 200 kHz, 50 dB at 400 kHz, 58 dB at
// 600 kHz); ties go to the channel furthest from any occupied one, then
// the lowest ARFCN.
func Choose(band tdma.Band, scan []Channel, o ChooseOptions) (Choice, error) {
	if o.GuardChannels == 0 {
		o.GuardChannels = 2
	}
	if o.BusyMarginDB == 0 {
		o.BusyMarginDB = 10
	}
	if o.GuardChannels < 0 || o.BusyMarginDB < 0 {
		return Choice{}, fmt.Errorf("%w: %+v", ErrConfig, o)
	}
	// Channels by frequency position (E-GSM's 975..1023 lie below 0).
	pos := func(n tdma.ARFCN) (int, bool) {
		hz, ok := band.DownlinkHz(n)
		return int(math.Round(float64(hz) / 200e3)), ok
	}
	power := map[int]float64{} // linear, by position
	byPos := map[int]Channel{}
	for _, c := range scan {
		p, ok := pos(c.ARFCN)
		if !ok {
			continue
		}
		power[p] = math.Pow(10, c.DBFS/10)
		byPos[p] = c
	}
	ch := Choice{Scanned: len(scan), FloorDBFS: median(scan)}
	occupied := map[int]bool{}
	for p, c := range byPos {
		if c.Cell != nil || c.DBFS >= ch.FloorDBFS+o.BusyMarginDB {
			occupied[p] = true
		}
		if c.Cell != nil {
			ch.Cells = append(ch.Cells, c)
		}
	}
	for _, n := range o.Avoid {
		if p, ok := pos(n); ok {
			occupied[p] = true
		}
	}
	ch.Occupied = len(occupied)
	for _, n := range band.Channels() {
		if p, ok := pos(n); ok && occupied[p] {
			ch.OccupiedARFCNs = append(ch.OccupiedARFCNs, n)
		}
	}
	sort.Slice(ch.Cells, func(i, j int) bool { return ch.Cells[i].ARFCN < ch.Cells[j].ARFCN })
	// The decoded cells' neighbours (TS 44.018 §10.5.2.22: the BCCH
	// carriers their phones measure), in the band.
	withBA := map[int]bool{}
	for p := range occupied {
		withBA[p] = true
	}
	nb := map[tdma.ARFCN]bool{}
	for _, c := range ch.Cells {
		for _, n := range c.Cell.Neighbours {
			if p, ok := pos(n); ok && !nb[n] {
				nb[n] = true
				ch.Neighbours = append(ch.Neighbours, n)
				withBA[p] = true
			}
		}
	}
	sort.Slice(ch.Neighbours, func(i, j int) bool { return ch.Neighbours[i] < ch.Neighbours[j] })
	allowed := o.Allowed
	if len(allowed) == 0 {
		allowed = band.Channels()
	}
	rej := []float64{1, math.Pow(10, -1.8), math.Pow(10, -5), math.Pow(10, -5.8)}
	tiers := []map[int]bool{withBA, occupied}
	if o.KeepBA || len(ch.Neighbours) == 0 {
		tiers = tiers[1:]
	}
	for guard := o.GuardChannels; guard >= 0; guard-- {
		for ti, avoid := range tiers {
			distance := func(p int) int {
				d := math.MaxInt
				for q := range avoid {
					d = min(d, abs(p-q))
				}
				return d
			}
			type cand struct {
				n    tdma.ARFCN
				cost float64
				dist int
			}
			var cs []cand
			for _, n := range allowed {
				p, ok := pos(n)
				if !ok {
					continue // not in the band: never
				}
				if _, scanned := byPos[p]; !scanned {
					continue // not measured: unknown, not clean
				}
				d := distance(p)
				if d <= guard {
					continue
				}
				cost := 0.0
				for k, r := range rej {
					cost += r * power[p+k]
					if k > 0 {
						cost += r * power[p-k]
					}
				}
				cs = append(cs, cand{n, cost, d})
			}
			if len(cs) == 0 {
				continue
			}
			sort.SliceStable(cs, func(i, j int) bool {
				a, b := cs[i], cs[j]
				if math.Abs(a.cost-b.cost) > 1e-3*math.Max(a.cost, b.cost) {
					return a.cost < b.cost
				}
				if a.dist != b.dist {
					return a.dist > b.dist
				}
				return a.n < b.n
			})
			best := cs[0]
			p, _ := pos(best.n)
			ch.ARFCN, ch.DBFS, ch.Guard, ch.Candidates = best.n, byPos[p].DBFS, guard, len(cs)
			ch.NeighboursAvoided = len(ch.Neighbours) > 0 && len(tiers) == 2 && ti == 0
			ch.Reason = fmt.Sprintf("%.1f dBFS (floor %.1f), %d of %d scanned channels occupied (%d GSM cells), %d guard channels, %d candidates",
				ch.DBFS, ch.FloorDBFS, ch.Occupied, ch.Scanned, len(ch.Cells), guard, len(cs))
			switch {
			case ch.NeighboursAvoided:
				ch.Reason += fmt.Sprintf(", clear of the cells' %d neighbour channels", len(ch.Neighbours))
			case len(ch.Neighbours) > 0 && !o.KeepBA:
				ch.Reason += fmt.Sprintf(", NOT clear of the cells' %d neighbour channels (none left)", len(ch.Neighbours))
			}
			return ch, nil
		}
	}
	return ch, fmt.Errorf("%w: %d channels allowed, %d occupied", ErrNoChannel, len(allowed), ch.Occupied)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
