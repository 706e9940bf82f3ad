package bts

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/rsl"
	"github.com/gsmbox/gsmbox/gsm/tdma"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

// gr-gsm (an independent decoder) decodes the TCH/F bursts the cell sends
// while it relays a call: the speech frames it recovers from TN2's
// downlink, in TCH/FS and in TCH/EFS, are the ones that came up TN3,
// bit for bit and in order. The harness is gsm/coding's
// testdata/grgsm_bursts.py (gr-gsm's tch_f_chans_demapper and
// tch_f_decoder, TCH_FS or TCH_EFR mode).
func TestRelayedSpeechByGrGSM(t *testing.T) {
	testtool.Need(t, "grgsm_decode")
	py := testtool.Need(t, "python3")
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		py = "/usr/bin/python3" // the system one, with gr-gsm's modules
	}
	script, err := filepath.Abs("../coding/testdata/grgsm_bursts.py")
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"tchf", "tchefr"} {
		t.Run(mode, func(t *testing.T) {
			cfg := testConfig()
			up := rsl.NewQueue[rsl.Up](1024)
			cfg.Up, cfg.ID, cfg.TCHF = up, 1, []tdma.TN{2, 3}
			cell, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			a, b := l1.Chan{Kind: l1.ChanTCHF, TN: 2}, l1.Chan{Kind: l1.ChanTCHF, TN: 3}
			fn := tdma.FN(26 * 40)
			ra := activateTCH(t, cell, up, a, fn)
			rb := activateTCH(t, cell, up, b, fn)
			cell.Down().Put(rsl.Down{Kind: rsl.TrafficConnect, Cell: 1, Chan: a, Ref: ra, Peer: b, PeerRef: rb})
			r := rand.New(rand.NewPCG(9, 10))
			var want []string
			var lines []string
			var out [tdma.Slots]tdma.TxBurst
			for range 26 * 12 {
				s := cell.L1Config().Slots[3].Downlink(3, fn)
				if s.Chan.Kind == l1.ChanTCHF && s.Burst == 0 {
					// One speech frame up TN3 per 20 ms block.
					u := l1.UplinkTraffic{Chan: b, FN: fn, Good: true}
					if mode == "tchf" {
						var rtp [coding.FRFrameSize]byte
						for i := range rtp {
							rtp[i] = byte(r.UintN(256))
						}
						rtp[0] = 0xd0 | rtp[0]&15
						coding.FRFromRTP(&u.Speech, rtp[:])
						want = append(want, hex.EncodeToString(rtp[:]))
					} else {
						var rtp [coding.EFRFrameSize]byte
						for i := range rtp {
							rtp[i] = byte(r.UintN(256))
						}
						rtp[0] = 0xc0 | rtp[0]&15
						if err := coding.EFRFromRTP(&u.Speech, rtp[:]); err != nil {
							t.Fatal(err)
						}
						want = append(want, hex.EncodeToString(rtp[:]))
					}
					cell.UplinkTraffic(&u)
				}
				cell.Frame(fn, &out)
				if fn%13 != 12 && out[2].Kind == tdma.KindNormal {
					var bits strings.Builder
					for _, v := range out[2].Bits {
						bits.WriteByte('0' + v)
					}
					lines = append(lines, fmt.Sprintf("%d 0 %s", fn, bits.String()))
				}
				fn++
			}
			cmd := exec.Command(py, script, mode)
			cmd.Stdin = strings.NewReader(strings.Join(lines, "\n") + "\n")
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 3 && !testtool.Required() {
					t.Skip("gr-gsm: " + stderr.String())
				}
				t.Fatalf("grgsm_bursts.py: %v\n%s", err, stderr.String())
			}
			var got []string
			for _, l := range strings.Split(stdout.String(), "\n") {
				if f := strings.Fields(l); len(f) == 3 && f[0] == "voice" {
					got = append(got, f[2])
				}
			}
			// What gr-gsm gives must be ours, in order, with none skipped
			// after the first (the first frames wait in the relay queue
			// and the interleaver).
			j := 0
			for j < len(want) && len(got) > 0 && want[j] != got[0] {
				j++
			}
			ok := len(got) >= 40 && j+len(got) <= len(want)
			for k := 0; ok && k < len(got); k++ {
				ok = want[j+k] == got[k]
			}
			if !ok {
				t.Errorf("gr-gsm speech frames (%d):\n%s\nwant a run of ours (%d):\n%s", len(got), strings.Join(got, "\n"), len(want), strings.Join(want, "\n"))
			}
			t.Logf("gr-gsm recovered %d of %d relayed frames in %s", len(got), len(want), mode)
		})
	}
}
