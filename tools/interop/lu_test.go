package interop

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/gsmtap"
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

	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	pcapPath := filepath.Join(dir, "lu.pcap")
	f, err := os.Create(pcapPath)
	if err != nil {
		t.Fatal(err)
	}
	pw, err := gsmtap.NewPcapWriter(f)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan int)
	go func() {
		n := 0
		buf := make([]byte, 2048)
		for {
			k, err := conn.Read(buf)
			if err != nil {
				done <- n
				return
			}
			h, payload, err := gsmtap.Decode(buf[:k])
			if err != nil {
				continue
			}
			pw.WritePacket(time.Unix(0, 0).Add(time.Duration(n)*time.Millisecond), &h, payload)
			n++
		}
	}()

	const phones = 3
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	addr := conn.LocalAddr().String()
	args := append([]string{"sim", "--phones", strconv.Itoa(phones), "--duration", "60s", "--live", "0", "--gsmtap", addr}, extra...)
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("gsmbox sim: %v\n%s", err, tail(out, 3000))
	}
	time.Sleep(200 * time.Millisecond)
	conn.Close()
	n := <-done
	f.Close()
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
