package config

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestLimits replays the campaign's hostile files: each gives one clear
// error (or a capped list), quickly and in little memory. The old parser
// took 205 s and 1.6 GB for the first, 465 MB for the header and 1 GB for
// the nested arrays.
func TestLimits(t *testing.T) {
	var unknown strings.Builder
	for i := 0; unknown.Len() < 50<<20; i++ {
		unknown.WriteString("unknown_key_")
		unknown.WriteString(strings.Repeat("x", i%7))
		unknown.WriteString(" = 1\n")
	}
	small := "[cell]\n" + strings.Repeat("colour = 1\nflavour = 2\n", 1)
	var many strings.Builder
	many.WriteString("[cell]\n")
	for i := 0; many.Len() < 200<<10; i++ {
		fmt.Fprintf(&many, "k%d = 1\n", i)
	}
	for _, tc := range []struct {
		name, in string
		want     string // in the error
		problems int    // how many listed (0: any)
	}{
		{"50 MB of unknown keys", unknown.String(), "the limit is 256 KiB", 1},
		{"200 KiB of unknown keys", many.String(), "more problems", MaxProblems + 1},
		{"40 KB table header of 20000 parts", "[" + strings.Repeat("a.", 20000) + "b]\n", "line 1: a key or table header with more than 8 dotted parts", 1},
		{"table header of 1000 parts", "[" + strings.Repeat("a.", 1000) + "b]\n", "line 1: a key or table header with more than 8 dotted parts", 1},
		{"dotted key", "\n" + strings.Repeat("a.", 20) + "b = 1\n", "line 2: a key or table header", 1},
		{"2 MB of nested arrays", "x = " + strings.Repeat("[", 2<<20) + "\n", "the limit is 256 KiB", 1},
		{"nested arrays", "[cell]\nneighbours = " + strings.Repeat("[", 100<<10) + "\n", "line 2: arrays or tables nested more than 16 deep", 1},
		{"nested inline tables", "x = " + strings.Repeat("{a=", 1000) + "\n", "nested more than 16 deep", 1},
		{"long line", "[cell]\nname = \"" + strings.Repeat("n", 5000) + "\"\n", "line 2: line is", 1},
		{"brackets in strings do not count", "[network]\nname = \"" + strings.Repeat("[", 60) + "\"\n", "", 0},
		{"dots in values do not count", "[gsmtap]\nremote = \"1.2.3.4.5.6.7.8.9.10:4729\"\n[sim]\nsnr_db = 1.5 # a.b.c.d.e.f.g.h.i.j\n", "", 0},
		{"two unknown keys", small, "flavour", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(tc.in)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, err := Parse(in, "gsmbox.toml", nil)
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			t.Logf("%v, %d KB allocated: %v", took, (after.TotalAlloc-before.TotalAlloc)>>10, err)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Parse = %v, want no error", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse = %v, want an error with %q", err, tc.want)
			}
			e := err.(*Error)
			if tc.problems > 0 && len(e.Problems) != tc.problems {
				t.Errorf("%d problems, want %d", len(e.Problems), tc.problems)
			}
			if n := len(err.Error()); n > 16<<10 {
				t.Errorf("error of %d bytes, want a bounded report", n)
			}
			if took > 2*time.Second {
				t.Errorf("took %v, want well under 2 s", took)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("allocated %d MB, want little", alloc>>20)
			}
		})
	}
}
