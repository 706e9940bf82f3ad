package l1

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// mfString renders one 51-multiframe of a table as the spec's tables write
// it, one token per frame: F, S, B, C0..C8, D0..D7 (SDCCH), A0..A7 (SACCH),
// R (RACH), - (idle).
func mfString(c Combination, tn tdma.TN, mf int, up bool) string {
	var sb strings.Builder
	for i := 0; i < 51; i++ {
		fn := tdma.FN(mf*51 + i)
		s := c.Downlink(tn, fn)
		if up {
			s = c.Uplink(tn, fn)
		}
		if i > 0 {
			sb.WriteByte(' ')
		}
		switch s.Chan.Kind {
		case ChanFCCH:
			sb.WriteString("F")
		case ChanSCH:
			sb.WriteString("S")
		case ChanBCCH:
			sb.WriteString("B")
		case ChanCCCH:
			fmt.Fprintf(&sb, "C%d", s.Chan.Sub)
		case ChanSDCCH4, ChanSDCCH8:
			fmt.Fprintf(&sb, "D%d", s.Chan.Sub)
		case ChanSACCHC4, ChanSACCHC8:
			fmt.Fprintf(&sb, "A%d", s.Chan.Sub)
		case ChanRACH:
			sb.WriteString("R")
		case ChanIdle:
			sb.WriteString("-")
		default:
			sb.WriteString("?")
		}
	}
	return sb.String()
}

func rep(tok string, n int) string {
	return strings.TrimSpace(strings.Repeat(tok+" ", n))
}

// The expected strings are the columns of 3GPP TS 45.002 clause 7 Table 3,
// transcribed frame by frame (FN mod 51 = 0..50), for an even and an odd
// 51-multiframe (the SACCH entries written "A0 (A2)" in the spec).
func TestMultiframe51(t *testing.T) {
	j := func(parts ...string) string { return strings.Join(parts, " ") }
	b4 := func(tok string) string { return rep(tok, 4) }
	ivDown := j("F S", b4("B"), b4("C0"), "F S", b4("C1"), b4("C2"), "F S", b4("C3"), b4("C4"),
		"F S", b4("C5"), b4("C6"), "F S", b4("C7"), b4("C8"), "-")
	vDown := func(a, b string) string {
		return j("F S", b4("B"), b4("C0"), "F S", b4("C1"), b4("C2"), "F S", b4("D0"), b4("D1"),
			"F S", b4("D2"), b4("D3"), "F S", b4(a), b4(b), "-")
	}
	vUp := func(a, b string) string {
		return j(b4("D3"), "R R", b4(a), b4(b), rep("R", 23), b4("D0"), b4("D1"), "R R", b4("D2"))
	}
	viiDown := func(a0, a1, a2, a3 string) string {
		return j(b4("D0"), b4("D1"), b4("D2"), b4("D3"), b4("D4"), b4("D5"), b4("D6"), b4("D7"),
			b4(a0), b4(a1), b4(a2), b4(a3), "- - -")
	}
	viiUp := func(a5, a6, a7, a0 string) string {
		return j(b4(a5), b4(a6), b4(a7), "- - -", b4("D0"), b4("D1"), b4("D2"), b4("D3"), b4("D4"),
			b4("D5"), b4("D6"), b4("D7"), b4(a0))
	}
	tests := []struct {
		name string
		c    Combination
		up   bool
		mf   int
		want string
	}{
		{"IV down", CombIV, false, 0, ivDown},
		{"IV down odd", CombIV, false, 1, ivDown},
		{"IV up", CombIV, true, 0, rep("R", 51)},
		{"V down even", CombV, false, 0, vDown("A0", "A1")},
		{"V down odd", CombV, false, 1, vDown("A2", "A3")},
		{"V up even", CombV, true, 0, vUp("A2", "A3")},
		{"V up odd", CombV, true, 1, vUp("A0", "A1")},
		{"VII down even", CombVII, false, 0, viiDown("A0", "A1", "A2", "A3")},
		{"VII down odd", CombVII, false, 1, viiDown("A4", "A5", "A6", "A7")},
		{"VII up even", CombVII, true, 0, viiUp("A5", "A6", "A7", "A0")},
		{"VII up odd", CombVII, true, 1, viiUp("A1", "A2", "A3", "A4")},
		// The pattern repeats every 102 frames, also across the hyperframe.
		{"V down last mf", CombV, false, tdma.HyperFrame/51 - 1, vDown("A2", "A3")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mfString(tt.c, 0, tt.mf, tt.up); got != tt.want {
				t.Errorf("%v mf %d up=%v =\n%s\nwant\n%s", tt.c, tt.mf, tt.up, got, tt.want)
			}
		})
	}
}

// Burst indices and block starts: every block is four consecutive frames
// with burst 0..3 and Back pointing at its first frame.
func TestBlockGeometry(t *testing.T) {
	for _, c := range []Combination{CombIV, CombV, CombVII} {
		for _, up := range []bool{false, true} {
			for fn := tdma.FN(0); fn < 102; fn++ {
				s := c.lookup(0, fn, up)
				switch s.Chan.Kind {
				case ChanFCCH, ChanSCH, ChanIdle, ChanRACH:
					if s.Burst != 0 || s.Back != 0 {
						t.Errorf("%v up=%v FN %d %v has burst %d back %d", c, up, fn, s.Chan, s.Burst, s.Back)
					}
					continue
				}
				st := s.BlockStart(fn)
				for b := 0; b < 4; b++ {
					o := c.lookup(0, st.Add(b), up)
					if o.Chan != s.Chan || int(o.Burst) != b {
						t.Errorf("%v up=%v FN %d: block at %d burst %d is %v/%d", c, up, fn, st, b, o.Chan, o.Burst)
					}
				}
			}
		}
	}
}

// The RACH positions of combination V: 27 of the 51 uplink frames, TS 45.002
// clause 7 Table 3 (and §6.5.1: the MS may use the frames 4, 5, 14..36, 45,
// 46 of TN0).
func TestRACHPositions(t *testing.T) {
	var got []int
	for fn := 0; fn < 51; fn++ {
		if CombV.Uplink(0, tdma.FN(fn)).Chan.Kind == ChanRACH {
			got = append(got, fn)
		}
	}
	want := []int{4, 5}
	for i := 14; i <= 36; i++ {
		want = append(want, i)
	}
	want = append(want, 45, 46)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("CombV RACH frames = %v, want %v", got, want)
	}
	for fn := 0; fn < 102; fn++ {
		if k := CombIV.Uplink(0, tdma.FN(fn)).Chan.Kind; k != ChanRACH {
			t.Errorf("CombIV.Uplink(0, %d) = %v, want RACH", fn, k)
		}
	}
}

// The uplink SDCCH/SACCH blocks come 15 frames after the downlink ones with
// the same sub-channel (TS 45.002 clause 7 Table 3), over the 102-frame
// SACCH cycle.
func TestUplinkOffset15(t *testing.T) {
	for _, c := range []Combination{CombV, CombVII} {
		for fn := tdma.FN(0); fn < 102; fn++ {
			d := c.Downlink(0, fn)
			switch d.Chan.Kind {
			case ChanSDCCH4, ChanSACCHC4, ChanSDCCH8, ChanSACCHC8:
			default:
				continue
			}
			u := c.Uplink(0, fn.Add(15))
			if u.Chan != d.Chan || u.Burst != d.Burst {
				t.Errorf("%v: downlink FN %d %v/%d, uplink FN %d %v/%d", c, fn, d.Chan, d.Burst, fn+15, u.Chan, u.Burst)
			}
		}
	}
}

// Combination I: TCH/F and SACCH/TF per TS 45.002 clause 7 Table 1, with the
// SACCH block positions of TS 45.008 §8.4.1 Table 1 (FN mod 104 of bursts
// B0..B3 of each timeslot's SACCH message block).
func TestTCHF(t *testing.T) {
	want := [8][4]int{
		{12, 38, 64, 90}, {25, 51, 77, 103}, {38, 64, 90, 12}, {51, 77, 103, 25},
		{64, 90, 12, 38}, {77, 103, 25, 51}, {90, 12, 38, 64}, {103, 25, 51, 77},
	}
	for tn := tdma.TN(0); tn < 8; tn++ {
		var sacch [4]int
		seen := 0
		idle, tch := 0, 0
		for fn := 0; fn < 104; fn++ {
			for _, up := range []bool{false, true} {
				s := CombI.lookup(tn, tdma.FN(fn), up)
				if up {
					if d := CombI.Downlink(tn, tdma.FN(fn)); d != s {
						t.Errorf("TN%d FN %d: uplink %+v, downlink %+v", tn, fn, s, d)
					}
					continue
				}
				switch s.Chan.Kind {
				case ChanSACCHTF:
					sacch[s.Burst] = fn
					seen++
					if st := s.BlockStart(tdma.FN(fn + 104)); int(st)%104 != want[tn][0] {
						t.Errorf("TN%d FN %d: block start %d, want %d", tn, fn, int(st)%104, want[tn][0])
					}
				case ChanIdle:
					idle++
				case ChanTCHF:
					tch++
				}
			}
		}
		if seen != 4 || sacch != want[tn] || idle != 4 || tch != 96 {
			t.Errorf("TN%d: SACCH/TF at %v (%d), idle %d, TCH %d; want %v, 4 idle, 96 TCH", tn, sacch, seen, idle, tch, want[tn])
		}
	}
}

// Across a whole hyperframe every TN0 position of combinations IV and V is
// defined, and FCCH and SCH fall exactly on FN mod 51 = 0,10,20,30,40 and
// 1,11,21,31,41; the idle frame is 50.
func TestHyperframeTN0(t *testing.T) {
	for _, c := range []Combination{CombIV, CombV} {
		var fcch, sch, idle int
		for fn := tdma.FN(0); fn < tdma.HyperFrame; fn++ {
			s := c.Downlink(0, fn)
			t3 := fn.T3()
			isF := t3%10 == 0 && t3 != 50
			isS := t3%10 == 1 && t3 != 51
			switch {
			case s.Chan.Kind == ChanFCCH:
				fcch++
				if !isF {
					t.Fatalf("%v FN %d: FCCH at T3 %d", c, fn, t3)
				}
			case s.Chan.Kind == ChanSCH:
				sch++
				if !isS {
					t.Fatalf("%v FN %d: SCH at T3 %d", c, fn, t3)
				}
			case s.Chan.Kind == ChanIdle:
				idle++
				if t3 != 50 {
					t.Fatalf("%v FN %d: idle at T3 %d", c, fn, t3)
				}
			default:
				if isF || isS || t3 == 50 {
					t.Fatalf("%v FN %d: %v at T3 %d", c, fn, s.Chan, t3)
				}
			}
		}
		mfs := tdma.HyperFrame / 51
		if fcch != 5*mfs || sch != 5*mfs || idle != mfs {
			t.Errorf("%v: %d FCCH, %d SCH, %d idle, want %d, %d, %d", c, fcch, sch, idle, 5*mfs, 5*mfs, mfs)
		}
	}
}

func TestTC(t *testing.T) {
	for _, tt := range []struct {
		fn   tdma.FN
		want uint8
	}{{0, 0}, {50, 0}, {51, 1}, {7*51 + 2, 7}, {8 * 51, 0}, {tdma.HyperFrame - 1, 7}} {
		if got := TC(tt.fn); got != tt.want {
			t.Errorf("TC(%d) = %d, want %d", tt.fn, got, tt.want)
		}
	}
}

func TestParseCombination(t *testing.T) {
	for in, want := range map[string]Combination{"off": CombOff, "I": CombI, "4": CombIV, "V": CombV, "VII": CombVII, "7": CombVII} {
		if got, err := ParseCombination(in); err != nil || got != want {
			t.Errorf("ParseCombination(%q) = %v, %v, want %v", in, got, err, want)
		}
	}
	if _, err := ParseCombination("VI"); err == nil {
		t.Error("ParseCombination(VI) succeeded")
	}
}
