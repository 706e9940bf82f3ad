package rr

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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

// PDML, tshark's XML dissection output: one run gives every field of every
// packet, the expert infos and the malformed markers.
type pdmlField struct {
	Name     string      `xml:"name,attr"`
	Show     string      `xml:"show,attr"`
	ShowName string      `xml:"showname,attr"`
	Fields   []pdmlField `xml:"field"`
	Protos   []pdmlField `xml:"proto"`
}

type pdmlPacket struct {
	Protos []pdmlField `xml:"proto"`
}

// packet is one dissected packet: its fields in document order and the
// text of all their labels.
type packet struct {
	fields []pdmlField
	text   string
}

func flatten(fs []pdmlField, out *[]pdmlField, text *strings.Builder) {
	for _, f := range fs {
		*out = append(*out, f)
		if f.ShowName != "" {
			text.WriteString(f.ShowName)
		} else {
			text.WriteString(f.Show)
		}
		text.WriteByte('\n')
		flatten(f.Fields, out, text)
		flatten(f.Protos, out, text)
	}
}

// dissect runs tshark once on path and returns the packets. It fails the
// test if tshark marks any packet malformed or raises an expert info of
// severity warning or error.
func dissect(t *testing.T, path string) []packet {
	t.Helper()
	bin := testtool.Need(t, "tshark")
	cmd := exec.Command(bin, "-r", path, "-T", "pdml")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, stderr.String())
	}
	var doc struct {
		Packets []pdmlPacket `xml:"packet"`
	}
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("tshark PDML: %v", err)
	}
	pkts := make([]packet, len(doc.Packets))
	for i, p := range doc.Packets {
		var b strings.Builder
		flatten(p.Protos, &pkts[i].fields, &b)
		pkts[i].text = b.String()
	}
	for i, p := range pkts {
		for _, pr := range problems(p) {
			t.Errorf("tshark, packet %d: %s\n%s", i+1, pr, p.text)
		}
	}
	return pkts
}

// problems lists the malformed markers and expert infos of warning or
// error severity of p.
func problems(p packet) []string {
	const warning = 0x00600000 // PI_WARN; PI_ERROR is 0x00800000
	var out []string
	for _, f := range p.fields {
		switch f.Name {
		case "_ws.malformed":
			out = append(out, "malformed: "+f.ShowName)
		case "_ws.expert.severity":
			if v, err := strconv.ParseInt(f.Show, 0, 64); err == nil && v >= warning {
				out = append(out, "expert: "+f.ShowName)
			}
		}
	}
	return out
}

// get returns the values of field name in p, joined by ',' as tshark -T
// fields does with -E occurrence=a.
func (p packet) get(name string) string {
	var vs []string
	for _, f := range p.fields {
		if f.Name == name {
			vs = append(vs, f.Show)
		}
	}
	return strings.Join(vs, ",")
}

// fieldLines renders the fields of each packet as "v1|v2|...".
func fieldLines(pkts []packet, names ...string) []string {
	out := make([]string, len(pkts))
	for i, p := range pkts {
		vs := make([]string, len(names))
		for j, n := range names {
			vs[j] = p.get(n)
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
	bin := testtool.Need(t, "tshark")
	out, err := exec.Command(bin, "-r", path, "-T", "pdml").Output()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Packets []pdmlPacket `xml:"packet"`
	}
	if err := xml.Unmarshal(out, &doc); err != nil || len(doc.Packets) != 1 {
		t.Fatalf("PDML: %v, %d packets", err, len(doc.Packets))
	}
	var p packet
	var b strings.Builder
	flatten(doc.Packets[0].Protos, &p.fields, &b)
	if len(problems(p)) == 0 {
		t.Error("problems(truncated SI3) = none, want a malformed report")
	}
}
