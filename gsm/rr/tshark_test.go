package rr

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/gsmtap"
	"github.com/gsmbox/gsmbox/gsm/tdma"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

// capture is one GSMTAP packet for a tshark test.
type capture struct {
	ch      gsmtap.Channel
	payload []byte
}

// writeCapture writes packets to a pcap file through gsm/gsmtap and returns
// its path.
func writeCapture(t *testing.T, band tdma.Band, arfcn tdma.ARFCN, pk []capture) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rr.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := gsmtap.NewPcapWriter(f)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range pk {
		h := gsmtap.Um(p.ch, arfcn, 0, tdma.FN(51*i+2), 0).ForBand(band)
		if err := w.WritePacket(time.Unix(1700000000, int64(i)*1e6), &h, p.payload); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// tshark runs tshark with args on path and returns its standard output.
func tshark(t *testing.T, path string, args ...string) string {
	t.Helper()
	bin := testtool.Need(t, "tshark")
	cmd := exec.Command(bin, append([]string{"-r", path}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark %v: %v\n%s", args, err, stderr.String())
	}
	return string(out)
}

// tsharkFields returns one line per packet of the given fields, separated
// by '|' (multiple occurrences joined by ',').
func tsharkFields(t *testing.T, path string, fields ...string) []string {
	t.Helper()
	args := []string{"-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,"}
	for _, f := range fields {
		args = append(args, "-e", f)
	}
	return strings.Split(strings.TrimRight(tshark(t, path, args...), "\n"), "\n")
}

// assertClean fails if tshark flags any packet as malformed or with an
// expert warning or error.
func assertClean(t *testing.T, path string) {
	t.Helper()
	if out := tshark(t, path, "-Y", `_ws.malformed || _ws.expert.severity >= "warning"`); strings.TrimSpace(out) != "" {
		t.Errorf("tshark flags packets as malformed or with warnings:\n%s\nfull dissection:\n%s", out, tshark(t, path, "-V", "-Y", `_ws.malformed || _ws.expert.severity >= "warning"`))
	}
}
