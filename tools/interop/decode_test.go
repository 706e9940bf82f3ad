package interop

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

// TestDecodeMatchesGrGSM records the downlink with `gsmbox sim --iq-out`,
// decodes the same IQ file with `gsmbox decode` (our receiver) and with
// gr-gsm's grgsm_decode, and checks that ours finds the System
// Information gr-gsm's checks ask for (SI1–SI4 with the configured MCC,
// MNC, LAC and CI, through tshark on our GSMTAP) and decodes at least as
// many BCCH and CCCH blocks as gr-gsm does, on a clean and a noisy cell.
func TestDecodeMatchesGrGSM(t *testing.T) {
	testtool.Short(t)
	testtool.Need(t, "grgsm_decode")
	testtool.Need(t, "tshark")
	bin := gsmboxBinary(t)

	seed := interopSeed(t)
	r := rand.New(rand.NewPCG(seed, 0x6465636f))
	noisy := randomCell(r)
	cases := []cellCase{
		{name: "default", cfg: config.Default(), duration: "6s"},
		{name: fmt.Sprintf("snr9dB-%s-%d", noisy.Cell.Band, noisy.Cell.ARFCN), cfg: noisy, duration: "6s", snrDB: 9},
		// Below gr-gsm's sensitivity (about 7.7 dB), above ours.
		{name: "default-snr5dB", cfg: config.Default(), duration: "6s", snrDB: 5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := tc.cfg
			if tc.snrDB != 0 {
				cfg.Sim.SNRdB = tc.snrDB
			}
			toml, err := cfg.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			cfgPath := filepath.Join(dir, "gsmbox.toml")
			if err := os.WriteFile(cfgPath, toml, 0o644); err != nil {
				t.Fatal(err)
			}
			iq := filepath.Join(dir, "downlink.cfile")
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			out, err := exec.CommandContext(ctx, bin, "sim", "--config", cfgPath, "--iq-out", iq, "--duration", tc.duration).CombinedOutput()
			if err != nil {
				t.Fatalf("gsmbox sim: %v\n%s", err, out)
			}
			rate := parseRate(t, out)

			ours := filepath.Join(dir, "gsmbox.pcap")
			mode, ccch := "BCCH_SDCCH4", "combined"
			if !cfg.Cell.CombinedCCCH {
				mode, ccch = "BCCH", "non-combined"
			}
			// Both decoders are told the CCCH layout (grgsm_decode -m,
			// gsmbox decode --ccch), so both decode the CCCH blocks
			// before SI3 too.
			dec := exec.CommandContext(ctx, bin, "decode", "--quiet", "--pcap", ours, "--rate", strconv.FormatFloat(rate, 'f', 3, 64),
				"--arfcn", strconv.Itoa(cfg.Cell.ARFCN), "--ccch", ccch, iq)
			summary, err := dec.CombinedOutput()
			if err != nil {
				t.Fatalf("gsmbox decode: %v\n%s", err, summary)
			}
			t.Logf("gsmbox decode:\n%s", summary)

			theirs, _ := grgsmDecode(t, ctx, dir, iq, rate, cfg.Cell.ARFCN, mode)

			checkSystemInformation(t, ours, cfg)
			checkNothingMalformed(t, ours)
			a, b := countBlocks(t, ours), countBlocks(t, theirs)
			t.Logf("blocks decoded: gsmbox BCCH %d CCCH %d; gr-gsm BCCH %d CCCH %d", a[1], a[2], b[1], b[2])
			for ch, name := range map[int]string{1: "BCCH", 2: "CCCH"} {
				// One block of slack for where each starts in the file.
				if a[ch]+1 < b[ch] || a[ch] == 0 {
					t.Errorf("%s blocks: gsmbox decode %d, gr-gsm %d; want at least as many", name, a[ch], b[ch])
				}
			}
		})
	}
}

// countBlocks counts a GSMTAP capture's Um blocks by channel type.
func countBlocks(t *testing.T, pcap string) map[int]int {
	n := map[int]int{}
	for _, r := range tsharkFields(t, pcap, "gsmtap", "gsmtap.chan_type") {
		n[parseInt(r["gsmtap.chan_type"])]++
	}
	return n
}
