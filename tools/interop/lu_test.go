package interop

import (
	"context"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/tools/testtool"
)

// TestLocationUpdateInTshark runs virtual phones against the cell with
// `gsmbox sim --phones`, mirrors every block as GSMTAP, and has tshark
// dissect the capture: the whole location update (channel request and
// assignment, the LAPDm establishment with the Location Updating Request,
// the accept with a TMSI, its confirmation, MM Information and the channel
// release) is there, and nothing is malformed.
func TestLocationUpdateInTshark(t *testing.T) {
	testtool.Short(t)
	testtool.Need(t, "tshark")
	bin := gsmboxBinary(t)
	t.Run("open", func(t *testing.T) {
		checkLU(t, bin, nil, map[string]string{})
	})
	// Phones whose keys are in the registry are authenticated and
	// ciphered (A5/3 here): the procedure shows the challenge and the
	// Ciphering Mode Command and Complete.
	t.Run("provisioned", func(t *testing.T) {
		checkLU(t, bin, []string{"--provision"}, map[string]string{
			"mm 0x12": "Authentication Request",
			"mm 0x14": "Authentication Response",
			"rr 0x35": "Ciphering Mode Command",
			"rr 0x32": "Ciphering Mode Complete",
		})
	})
}

func checkLU(t *testing.T, bin string, extra []string, more map[string]string) {
	dir := t.TempDir()

	capt := startCapture(t, dir, "lu.pcap")

	const phones = 3
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	addr := capt.Addr()
	args := append([]string{"sim", "--phones", strconv.Itoa(phones), "--duration", "60s", "--live", "0", "--gsmtap", addr}, extra...)
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("gsmbox sim: %v\n%s", err, tail(out, 3000))
	}
	pcapPath, n := capt.Stop()
	if !strings.Contains(string(out), strconv.Itoa(phones)+" of "+strconv.Itoa(phones)+" phones registered") {
		t.Fatalf("not every phone registered:\n%s", tail(out, 3000))
	}
	t.Logf("%d GSMTAP packets captured", n)

	// Count the messages of the procedure, by tshark's own reading.
	count := map[string]int{}
	for _, r := range tsharkFields(t, pcapPath, "", "gsm_a.dtap.msg_rr_type", "gsm_a.dtap.msg_mm_type", "gsmtap.uplink") {
		if v := r["gsm_a.dtap.msg_rr_type"]; v != "" {
			count["rr "+first(v)]++
		}
		if v := r["gsm_a.dtap.msg_mm_type"]; v != "" {
			count["mm "+first(v)]++
		}
	}
	t.Logf("messages by type: %v", count)
	want := map[string]string{
		"rr 0x3f": "Immediate Assignment",
		"mm 0x08": "Location Updating Request",
		"mm 0x02": "Location Updating Accept",
		"mm 0x1b": "TMSI Reallocation Complete",
		"mm 0x32": "MM Information",
		"rr 0x0d": "Channel Release",
	}
	for k, v := range more {
		want[k] = v
	}
	for k, name := range want {
		if count[k] < phones {
			t.Errorf("%s (%s) seen %d times, want at least %d", name, k, count[k], phones)
		}
	}
	checkNothingMalformed(t, pcapPath)
}
