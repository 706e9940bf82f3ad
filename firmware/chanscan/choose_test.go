package chanscan

import (
	"errors"
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
