package main

import (
	"bytes"
	"context"
	"errors"
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

// TestDecodeCCCHFlag: on the default cell (a non-combined CCCH), `gsmbox
// decode` left to read CCCH_CONF from SI3 skips the CCCH blocks a
// combined CCCH would not have until SI3 comes; told --ccch non-combined
// it decodes them from the first multiframe. A bad --ccch is a usage
// error.
func TestDecodeCCCHFlag(t *testing.T) {
	iq := filepath.Join(t.TempDir(), "dl.cfile")
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"gsmbox", "sim", "--iq-out", iq, "--duration", "2s"}, &out, &errb); err != nil {
		t.Fatalf("gsmbox sim: %v\n%s", err, errb.String())
	}
	ccch := func(args ...string) int {
		t.Helper()
		out.Reset()
		errb.Reset()
		if err := run(context.Background(), append(append([]string{"gsmbox", "decode", "--quiet"}, args...), iq), &out, &errb); err != nil {
			t.Fatalf("gsmbox decode %v: %v\n%s", args, err, errb.String())
		}
		m := regexp.MustCompile(`CCCH blocks: (\d+) decoded, (\d+) lost`).FindStringSubmatch(out.String())
		if m == nil || m[2] != "0" {
			t.Fatalf("gsmbox decode %v: CCCH summary %q, want every block decoded:\n%s", args, m, out.String())
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	auto, told := ccch(), ccch("--ccch", "non-combined")
	// 2 s is eight 51-multiframes of 9 CCCH blocks.
	if told < 8*9-9 || told <= auto {
		t.Errorf("CCCH blocks decoded: %d with --ccch non-combined, %d from SI3; want about 72, and more than from SI3", told, auto)
	}
	err := run(context.Background(), []string{"gsmbox", "decode", "--ccch", "both", iq}, &out, &errb)
	if !errors.Is(err, errUsage) {
		t.Errorf("gsmbox decode --ccch both: %v, want a usage error", err)
	}
}
