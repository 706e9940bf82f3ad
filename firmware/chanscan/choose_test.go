package chanscan

import (
	"errors"
	"fmt"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

func flat(band tdma.Band, dbfs float64) []Channel {
	var out []Channel
	for _, n := range band.Channels() {
		out = append(out, Channel{ARFCN: n, DBFS: dbfs})
	}
	return out
}

func set(s []Channel, n tdma.ARFCN, dbfs float64, cell *Cell) {
	for i := range s {
		if s[i].ARFCN == n {
			s[i].DBFS, s[i].Cell = dbfs, cell
		}
	}
}

func TestChoose(t *testing.T) {
	scan := flat(tdma.GSM900, -100)
	set(scan, 20, -30, &Cell{BSIC: tdma.BSIC{NCC: 1, BCC: 2}})
	set(scan, 30, -40, nil) // an interferer
	set(scan, 25, -97, nil) // a little noise
	allowed := []tdma.ARFCN{18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}
	for _, tc := range []struct {
		name    string
		o       ChooseOptions
		want    []tdma.ARFCN // acceptable
		guard   int
		wantErr error
	}{
		{"guard 2", ChooseOptions{Allowed: allowed}, []tdma.ARFCN{23, 24, 26, 27}, 2, nil},
		{"neighbour avoided", ChooseOptions{Allowed: allowed, Avoid: []tdma.ARFCN{24}}, []tdma.ARFCN{27}, 2, nil},
		{"narrowed guard", ChooseOptions{Allowed: []tdma.ARFCN{20, 21, 22, 30}}, []tdma.ARFCN{22}, 1, nil},
		{"all occupied", ChooseOptions{Allowed: []tdma.ARFCN{20, 30}}, nil, 0, ErrNoChannel},
		{"outside the band ignored", ChooseOptions{Allowed: []tdma.ARFCN{600, 26}}, []tdma.ARFCN{26}, 2, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Choose(tdma.GSM900, scan, tc.o)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Choose() = %+v, %v, want %v", c, err, tc.wantErr)
			}
			if err != nil {
				return
			}
			t.Logf("%s", c.Summary())
			ok := tc.want == nil
			for _, w := range tc.want {
				ok = ok || c.ARFCN == w
			}
			if !ok || c.Guard != tc.guard || c.ARFCN == 20 || c.ARFCN == 30 || len(c.Cells) != 1 {
				t.Errorf("Choose() = ARFCN %d guard %d, want one of %v with guard %d", c.ARFCN, c.Guard, tc.want, tc.guard)
			}
			in := false
			for _, a := range tc.o.Allowed {
				in = in || a == c.ARFCN
			}
			if !in {
				t.Errorf("ARFCN %d is outside the allowed %v", c.ARFCN, tc.o.Allowed)
			}
		})
	}
}

// The decoded cells' BA lists count as occupied: the choice keeps its
// guard from their neighbours' carriers too, and falls back to what it
// heard (saying so) only when nothing is clear of them.
func TestChooseAvoidsNeighbours(t *testing.T) {
	scan := flat(tdma.GSM900, -100)
	set(scan, 20, -30, &Cell{BSIC: tdma.BSIC{NCC: 1, BCC: 2}, BAKnown: true, Neighbours: []tdma.ARFCN{20, 26, 27, 600}})
	set(scan, 30, -40, nil)
	set(scan, 25, -97, nil)
	allowed := []tdma.ARFCN{18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32}
	for _, tc := range []struct {
		name    string
		o       ChooseOptions
		want    tdma.ARFCN
		guard   int
		avoided bool
	}{
		// Clear of 20 and 30 by 2, and of the neighbours 26, 27: only 23.
		{"clear of the neighbours", ChooseOptions{Allowed: allowed}, 23, 2, true},
		// Without the BA lists 23, 24, 26 and 27 qualify.
		{"BA lists ignored", ChooseOptions{Allowed: allowed, KeepBA: true}, 0, 2, false},
		// 26 and 27 only: neither is clear of the neighbours; the guard
		// from the heard cells is kept and a neighbour channel taken.
		{"nothing clear of the neighbours", ChooseOptions{Allowed: []tdma.ARFCN{26, 27}}, 26, 2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Choose(tdma.GSM900, scan, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s", c.Summary())
			if tc.want != 0 && c.ARFCN != tc.want || c.Guard != tc.guard || c.NeighboursAvoided != tc.avoided {
				t.Errorf("Choose() = ARFCN %d guard %d neighbours avoided %v, want %d, %d, %v", c.ARFCN, c.Guard, c.NeighboursAvoided, tc.want, tc.guard, tc.avoided)
			}
			if tc.want == 0 && (c.ARFCN < 23 || c.ARFCN > 27 || c.ARFCN == 25) {
				t.Errorf("Choose() = ARFCN %d, want one of 23, 24, 26, 27", c.ARFCN)
			}
			if got := fmt.Sprint(c.Neighbours); got != "[20 26 27]" {
				t.Errorf("Neighbours = %s, want [20 26 27] (600 is not in GSM900)", got)
			}
		})
	}
}
