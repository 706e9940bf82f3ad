package l1

import (
	"errors"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Paging groups worked by hand from the formulas of 3GPP TS 45.002 §6.5.2
// and §6.5.3.
func TestPagingGroups(t *testing.T) {
	tests := []struct {
		name      string
		comb      Combination
		res, pa   int
		imsi      string
		n, pg     int
		mf, block int
	}{
		// N = (3-1)×2 = 4; 123 mod 4 = 3; mf 3 div 2 = 1; block 1 + 3 mod 2 = 2.
		{"V res1 pa2", CombV, 1, 2, "001010000000123", 4, 3, 1, 2},
		// N = (9-2)×5 = 35; 999 mod 35 = 19; mf 19 div 7 = 2; block 2 + 19 mod 7 = 7.
		{"IV res2 pa5", CombIV, 2, 5, "262019999999999", 35, 19, 2, 7},
		// N = 9×9 = 81; 890 mod 81 = 80; mf 8, block 8.
		{"IV res0 pa9", CombIV, 0, 9, "262011234567890", 81, 80, 8, 8},
		// N = 3×2 = 6; 0 → group 0, mf 0, block 0.
		{"V res0 pa2", CombV, 0, 2, "001010000000000", 6, 0, 0, 0},
		// N = (3-2)×4 = 4; 6-digit IMSI 101 mod 4 = 1; mf 1, block 2.
		{"V res2 pa4", CombV, 2, 4, "901101", 4, 1, 1, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewCCCH(tt.comb, tt.res, tt.pa)
			if err != nil {
				t.Fatal(err)
			}
			if c.N() != tt.n {
				t.Errorf("N() = %d, want %d", c.N(), tt.n)
			}
			cg, pg, err := c.Groups(tt.imsi)
			if err != nil || cg != 0 || pg != tt.pg {
				t.Errorf("Groups(%s) = %d, %d, %v, want 0, %d, nil", tt.imsi, cg, pg, err, tt.pg)
			}
			mf, block := c.PagingBlock(pg)
			if mf != tt.mf || block != tt.block {
				t.Errorf("PagingBlock(%d) = %d, %d, want %d, %d", pg, mf, block, tt.mf, tt.block)
			}
			// The inverse: scanning every CCCH block of a few hundred
			// multiframes finds the group exactly in its blocks.
			for m := 0; m < 200; m++ {
				fn := tdma.FN(m * 51)
				for b := 0; b < c.Blocks; b++ {
					g, ok := c.PagingGroupAt(fn, b)
					mine := m%tt.pa == tt.mf && b == tt.block
					if (ok && g == pg) != mine {
						t.Fatalf("PagingGroupAt(%d, %d) = %d, %v; group %d's block is mf %d block %d", fn, b, g, ok, pg, tt.mf, tt.block)
					}
					if ok != (b >= tt.res) {
						t.Fatalf("PagingGroupAt(%d, %d) ok = %v with BS_AG_BLKS_RES %d", fn, b, ok, tt.res)
					}
				}
			}
			next, ok := c.NextPagingFN(pg, 0)
			want := tdma.FN(tt.mf*51 + ccchFirstFrame[tt.block])
			if !ok || next != want {
				t.Errorf("NextPagingFN(%d, 0) = %d, %v, want %d", pg, next, ok, want)
			}
			after, _ := c.NextPagingFN(pg, want.Add(1))
			if after != want.Add(51*tt.pa) {
				t.Errorf("NextPagingFN(%d, %d) = %d, want %d", pg, want+1, after, want.Add(51*tt.pa))
			}
		})
	}
}

func TestCCCHErrors(t *testing.T) {
	tests := []struct {
		c       Combination
		res, pa int
	}{{CombV, 3, 2}, {CombIV, 8, 2}, {CombIV, -1, 2}, {CombV, 0, 1}, {CombV, 0, 10}, {CombVII, 0, 2}}
	for _, tt := range tests {
		if _, err := NewCCCH(tt.c, tt.res, tt.pa); !errors.Is(err, ErrConfig) {
			t.Errorf("NewCCCH(%v, %d, %d) error = %v, want ErrConfig", tt.c, tt.res, tt.pa, err)
		}
	}
	c, _ := NewCCCH(CombV, 0, 2)
	for _, imsi := range []string{"", "12345", "1234567890123456", "00101abc000123"} {
		if _, _, err := c.Groups(imsi); !errors.Is(err, ErrIMSI) {
			t.Errorf("Groups(%q) error = %v, want ErrIMSI", imsi, err)
		}
	}
	if _, ok := c.NextPagingFN(6, 0); ok {
		t.Error("NextPagingFN(6) with N=6 succeeded")
	}
}
