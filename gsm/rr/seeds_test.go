package rr

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var writeSeeds = flag.Bool("fuzzseeds", false, "write the fuzz seed corpora under testdata/fuzz")

// seedCorpus lists the committed seeds of each fuzz target.
func seedCorpus(t *testing.T) map[string][][]byte {
	var si [][]byte
	var sacch [][]byte
	for _, c := range siConfigs {
		s, err := BuildSystemInformation(c)
		if err != nil {
			t.Fatal(err)
		}
		si = append(si, s.SI1[:], s.SI2[:], s.SI3[:], s.SI4[:])
		sacch = append(sacch, s.SI5[:], s.SI6[:])
	}
	var dcch [][]byte
	for _, m := range dcchMessages() {
		dcch = append(dcch, m.want)
	}
	var fl [][]byte
	for _, b := range si[:8] {
		if b[2] == byte(MsgSI1) || b[2] == byte(MsgSI2) {
			fl = append(fl, b[3:19])
		}
	}
	return map[string][][]byte{
		"FuzzFreqList":                  fl,
		"FuzzSI1":                       si,
		"FuzzSI2":                       append(si, osmoSIBytes(t, "si2bis")),
		"FuzzSI3":                       si,
		"FuzzSI4":                       si,
		"FuzzSACCHSI":                   sacch,
		"FuzzPagingRequest1":            {pad(0x15, 0x06, 0x21, 0x00, 0x01, 0xf0), pad(0x4d, 0x06, 0x21, 0x90, 0x08, 0x09, 0x10, 0x10, 0x10, 0x32, 0x54, 0x76, 0x98, 0x17, 0x05, 0xf4, 0xde, 0xad, 0xbe, 0xef)},
		"FuzzImmediateAssignment":       {pad(0x2d, 0x06, 0x3f, 0x00, 0x30, 0xe3, 0xff, 0x0b, 0x19, 0x49, 0x3f, 0x00), pad(0x39, 0x06, 0x3f, 0x00, 0x69, 0xa3, 0x67, 0x8a, 0x19, 0x49, 0x03, 0x00, 0x7c, 0x1d, 0x70)},
		"FuzzImmediateAssignmentReject": {pad(0x4d, 0x06, 0x3a, 0x00, 0x12, 0x06, 0x36, 10, 0xe4, 0x05, 0xf2, 20, 0x12, 0x06, 0x36, 10, 0x12, 0x06, 0x36, 10, 0x0b)},
		"FuzzPagingRequest23":           {pad(0x55, 0x06, 0x22, 0x60, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe, 0x17, 0x08, 0x09, 0x10, 0x10, 0x89, 0x67, 0x45, 0x23, 0x01, 0xeb), pad(0x4d, 0x06, 0x24, 0x91, 0, 0, 0, 10, 0, 0, 0, 20, 0, 0, 0, 30, 0, 0, 0, 40, 0xeb)},
		"FuzzDCCH":                      append(dcch, []byte{0x06, 0x0d, 0x41, 0x62, 0x01, 0x00, 0xc1}, []byte{0x06, 0x12, 0x61}, []byte{0x69, 0xa3, 0x67}),
	}
}

// TestWriteFuzzSeeds regenerates testdata/fuzz/<target>/seed-* with
// -fuzzseeds.
func TestWriteFuzzSeeds(t *testing.T) {
	if !*writeSeeds {
		t.Skip("run with -fuzzseeds to regenerate the seed corpora")
	}
	for target, seeds := range seedCorpus(t) {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, s := range seeds {
			name := fmt.Sprintf("seed-%x", sha256.Sum256(s))[:21]
			body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s)
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func osmoSIBytes(t *testing.T, name string) []byte { return osmoBlock(t, name)[:] }
