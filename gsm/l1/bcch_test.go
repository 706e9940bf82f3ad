package l1

import (
	"fmt"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// siMsg makes a recognisable message: octet 0 holds the type, octet 1 the
// SI2quater instance.
func siMsg(t SIType, inst int) *[23]byte {
	var m [23]byte
	m[0], m[1] = byte(t)+1, byte(inst)
	return &m
}

func install(t *testing.T, b *BCCH, types ...SIType) {
	t.Helper()
	for _, ty := range types {
		if err := b.Set(ty, siMsg(ty, 0)); err != nil {
			t.Fatal(err)
		}
	}
}

// sched renders what goes out over n TC cycles, "TCx:SIy" per multiframe.
func sched(b *BCCH, ext bool, cycles int) []string {
	var out []string
	for mf := 0; mf < 8*cycles; mf++ {
		fn := tdma.FN(mf * 51)
		get := b.Norm
		if ext {
			get = b.Ext
		}
		ty, msg, ok := get(fn)
		switch {
		case !ok:
			out = append(out, "-")
		case ty == SI2quater:
			out = append(out, fmt.Sprintf("%v.%d", ty, msg[1]))
		default:
			out = append(out, ty.String())
		}
		if ok && msg[0] != byte(ty)+1 {
			out[len(out)-1] += "!wrong-content"
		}
	}
	return out
}

// The position table of 3GPP TS 45.002 §6.3.1.3.
func TestBCCHSchedule(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*testing.T, *BCCH)
		ext   bool
		want  string // TC 0..7 over the cycles
	}{
		{"basic", func(t *testing.T, b *BCCH) { install(t, b, SI1, SI2, SI3, SI4) }, false,
			"[SI1 SI2 SI3 SI4 SI3 SI3 SI3 SI4]"},
		{"no SI1", func(t *testing.T, b *BCCH) { install(t, b, SI2, SI3, SI4) }, false,
			"[SI3 SI2 SI3 SI4 SI3 SI3 SI3 SI4]"},
		{"only SI2ter", func(t *testing.T, b *BCCH) { install(t, b, SI1, SI2, SI2ter, SI3, SI4) }, false,
			"[SI1 SI2 SI3 SI4 SI3 SI2ter SI3 SI4]"},
		{"2bis and 2ter", func(t *testing.T, b *BCCH) { install(t, b, SI1, SI2, SI2bis, SI2ter, SI3, SI4) }, false,
			"[SI1 SI2 SI3 SI4 SI2ter SI2bis SI3 SI4]"},
		{"only 2quater, 2 instances", func(t *testing.T, b *BCCH) {
			install(t, b, SI1, SI2, SI3, SI4)
			b.SetSI2quater(0, siMsg(SI2quater, 0))
			b.SetSI2quater(3, siMsg(SI2quater, 3))
		}, false,
			"[SI1 SI2 SI3 SI4 SI3 SI2quater.0 SI3 SI4 SI1 SI2 SI3 SI4 SI3 SI2quater.3 SI3 SI4 SI1 SI2 SI3 SI4 SI3 SI2quater.0 SI3 SI4]"},
		{"TC4 rotation", func(t *testing.T, b *BCCH) {
			install(t, b, SI1, SI2, SI2bis, SI2ter, SI3, SI4, SI9, SI13)
			b.SetSI2quater(0, siMsg(SI2quater, 0))
			b.SetSI2quater(1, siMsg(SI2quater, 1))
		}, false,
			"[SI1 SI2 SI3 SI4 SI2ter SI2bis SI3 SI4 SI1 SI2 SI3 SI4 SI2quater.0 SI2bis SI3 SI4 " +
				"SI1 SI2 SI3 SI4 SI9 SI2bis SI3 SI4 SI1 SI2 SI3 SI4 SI13 SI2bis SI3 SI4 " +
				"SI1 SI2 SI3 SI4 SI2ter SI2bis SI3 SI4 SI1 SI2 SI3 SI4 SI2quater.1 SI2bis SI3 SI4]"},
		{"ext placement, norm side", func(t *testing.T, b *BCCH) {
			install(t, b, SI1, SI2, SI3, SI4, SI7, SI8, SI13, SI16, SI17)
			b.SetSI2quater(0, siMsg(SI2quater, 0))
			b.SI13Ext, b.SI2quaterExt = true, true
		}, false,
			"[SI1 SI2 SI3 SI4 SI3 SI3 SI3 SI4]"},
		{"ext placement, ext side", func(t *testing.T, b *BCCH) {
			install(t, b, SI1, SI2, SI3, SI4, SI7, SI8, SI13, SI16, SI17)
			b.SetSI2quater(0, siMsg(SI2quater, 0))
			b.SI13Ext, b.SI2quaterExt = true, true
		}, true,
			"[SI13 - SI17 SI8 - SI2quater.0 SI16 SI7]"},
		{"ext without ext messages", func(t *testing.T, b *BCCH) { install(t, b, SI1, SI2, SI3, SI4, SI13) }, true,
			"[- - - - - - - -]"},
		{"empty", func(t *testing.T, b *BCCH) {}, false, "[- - - - - - - -]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b BCCH
			tt.setup(t, &b)
			cycles := 1
			if len(tt.want) > 80 {
				cycles = 3
				if len(tt.want) > 200 {
					cycles = 6
				}
			}
			if got := fmt.Sprint(sched(&b, tt.ext, cycles)); got != tt.want {
				t.Errorf("schedule =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// "At least once within any of 4 consecutive occurrences of TC = 4": with
// all four TC 4 candidates installed, every window of 4 TC 4 blocks holds
// each of them.
func TestBCCHTC4Window(t *testing.T) {
	var b BCCH
	install(t, &b, SI1, SI2, SI2bis, SI2ter, SI2quater, SI3, SI4, SI9, SI13)
	var seq []SIType
	for k := 0; k < 40; k++ {
		ty, _, _ := b.Norm(tdma.FN((k*8 + 4) * 51))
		seq = append(seq, ty)
	}
	for i := 0; i+4 <= len(seq); i++ {
		for _, want := range []SIType{SI2ter, SI2quater, SI9, SI13} {
			found := false
			for _, ty := range seq[i : i+4] {
				found = found || ty == want
			}
			if !found {
				t.Fatalf("TC4 occurrences %d..%d = %v lack %v", i, i+3, seq[i:i+4], want)
			}
		}
	}
}

func TestBCCHSetErrors(t *testing.T) {
	var b BCCH
	if err := b.Set(numSI, siMsg(0, 0)); err == nil {
		t.Error("Set(numSI) succeeded")
	}
	if err := b.SetSI2quater(16, siMsg(0, 0)); err == nil {
		t.Error("SetSI2quater(16) succeeded")
	}
	install(t, &b, SI3)
	b.Clear(SI3)
	if b.Has(SI3) {
		t.Error("Has(SI3) after Clear")
	}
}
