package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestDecodeSimIQ: `gsmbox decode` on the downlink `gsmbox sim --iq-out`
// recorded, at 4 sps and at 1 Msample/s, finds the cell and decodes every
// BCCH and CCCH block, with SI1–SI4 and the built-in network's identity
// (MCC 001, MNC 01, LAC 1, CI 1).
func TestDecodeSimIQ(t *testing.T) {
	for _, rate := range []string{"1083333.333", "1000000"} {
		t.Run(rate, func(t *testing.T) {
			iq := filepath.Join(t.TempDir(), "dl.cfile")
			var out, errb bytes.Buffer
			if err := run(context.Background(), []string{"gsmbox", "sim", "--iq-out", iq, "--rate", rate, "--duration", "3s"}, &out, &errb); err != nil {
				t.Fatalf("gsmbox sim: %v\n%s", err, errb.String())
			}
			out.Reset()
			errb.Reset()
			if err := run(context.Background(), []string{"gsmbox", "decode", "--rate", rate, iq}, &out, &errb); err != nil {
				t.Fatalf("gsmbox decode: %v\n%s", err, errb.String())
			}
			s := out.String()
			for _, want := range []string{"SCH   BSIC 7 (NCC 0, BCC 7)", "BCCH  SI1 ", "BCCH  SI2 ", "BCCH  SI3 ", "BCCH  SI4 ",
				"SI3: CI 1, LAI 001-01-1,", "SI4: LAI 001-01-1", "CCCH  Paging Request 1"} {
				if !strings.Contains(s, want) {
					t.Errorf("gsmbox decode output lacks %q", want)
				}
			}
			m := regexp.MustCompile(`BCCH blocks: (\d+) decoded, (\d+) lost`).FindStringSubmatch(s)
			if m == nil || m[2] != "0" {
				t.Errorf("BCCH summary %q, want every block decoded", m)
			} else if n, _ := strconv.Atoi(m[1]); n < 10 {
				t.Errorf("%d BCCH blocks in 3 s, want ≥ 10 (one every 51-multiframe)", n)
			}
			if t.Failed() {
				t.Logf("output:\n%s", s)
			}
		})
	}
}
