package rr

import (
	"os"
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

// tempPath returns a capture file name in the test's temporary directory.
func tempPath(t *testing.T) string { return filepath.Join(t.TempDir(), "rr.pcap") }

// newCaptureWriter creates path and returns a function appending one
// GSMTAP packet with a given header.
func newCaptureWriter(t *testing.T, path string) func(h *gsmtap.Header, payload []byte) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	w, err := gsmtap.NewPcapWriter(f)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	return func(h *gsmtap.Header, payload []byte) {
		if err := w.WritePacket(time.Unix(1700000000, int64(n)*1e6), h, payload); err != nil {
			t.Fatal(err)
		}
		n++
	}
}

// packet is one packet as tshark dissects it.
type packet = testtool.Packet

// dissect runs tshark once on path and returns the packets. It fails the
// test if tshark marks any packet malformed or raises an expert info of
// severity warning or error.
func dissect(t *testing.T, path string) []packet {
	t.Helper()
	pkts := testtool.Dissect(t, path)
	for i, p := range pkts {
		for _, pr := range p.Problems() {
			t.Errorf("tshark, packet %d: %s\n%s", i+1, pr, p.Text)
		}
	}
	return pkts
}

// fieldLines renders the fields of each packet as "v1|v2|...".
func fieldLines(pkts []packet, names ...string) []string {
	out := make([]string, len(pkts))
	for i, p := range pkts {
		vs := make([]string, len(names))
		for j, n := range names {
			vs[j] = p.Get(n)
		}
		out[i] = strings.Join(vs, "|")
	}
	return out
}

func TestDissectFlagsMalformed(t *testing.T) {
	testtool.Short(t)
	s, err := BuildSystemInformation(siConfigs[0])
	if err != nil {
		t.Fatal(err)
	}
	path := writeCapture(t, tdma.GSM900, 1, []capture{{gsmtap.ChanBCCH, s.SI3[:12]}})
	pkts := testtool.Dissect(t, path)
	if len(pkts) != 1 || len(pkts[0].Problems()) == 0 {
		t.Error("problems(truncated SI3) = none, want a malformed report")
	}
}
