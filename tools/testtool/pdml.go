package testtool

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// Field is one field of a packet as tshark dissects it (its PDML output).
type Field struct {
	Name     string // the display filter name, e.g. "gsm_a.dtap.msg_mm_type"
	Show     string // the value
	ShowName string // the label line Wireshark shows
}

// Packet is one dissected packet: every field in document order, and the
// text of all their labels, one per line.
type Packet struct {
	Fields []Field
	Text   string
}

// Values returns the values of every occurrence of field name.
func (p Packet) Values(name string) []string {
	var vs []string
	for _, f := range p.Fields {
		if f.Name == name {
			vs = append(vs, f.Show)
		}
	}
	return vs
}

// Get returns the values of field name joined by ',' (as tshark -T fields
// does with -E occurrence=a), "" when absent.
func (p Packet) Get(name string) string { return strings.Join(p.Values(name), ",") }

// Problems lists the malformed markers and the expert infos of warning or
// error severity in p.
func (p Packet) Problems() []string {
	const warning = 0x00600000 // PI_WARN; PI_ERROR is 0x00800000
	var out []string
	for _, f := range p.Fields {
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

type pdmlField struct {
	Name     string      `xml:"name,attr"`
	Show     string      `xml:"show,attr"`
	ShowName string      `xml:"showname,attr"`
	Fields   []pdmlField `xml:"field"`
	Protos   []pdmlField `xml:"proto"`
}

// ParsePDML reads tshark's -T pdml output.
func ParsePDML(b []byte) ([]Packet, error) {
	var doc struct {
		Packets []struct {
			Protos []pdmlField `xml:"proto"`
		} `xml:"packet"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("tshark PDML: %w", err)
	}
	pkts := make([]Packet, len(doc.Packets))
	for i, p := range doc.Packets {
		var text strings.Builder
		var walk func([]pdmlField)
		walk = func(fs []pdmlField) {
			for _, f := range fs {
				pkts[i].Fields = append(pkts[i].Fields, Field{Name: f.Name, Show: f.Show, ShowName: f.ShowName})
				if f.ShowName != "" {
					text.WriteString(f.ShowName)
				} else {
					text.WriteString(f.Show)
				}
				text.WriteByte('\n')
				walk(f.Fields)
				walk(f.Protos)
			}
		}
		walk(p.Protos)
		pkts[i].Text = text.String()
	}
	return pkts, nil
}

// Dissect runs tshark on the capture at path (with extra arguments such
// as "-d", "udp.port==N,gsmtap" or "-Y", FILTER) and returns its packets.
// A missing tshark skips or fails the test as Need does; a tshark error
// fails it. Callers judge Problems themselves.
func Dissect(t testing.TB, path string, args ...string) []Packet {
	t.Helper()
	bin := Need(t, "tshark")
	cmd := exec.Command(bin, append([]string{"-r", path, "-T", "pdml"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, stderr.String())
	}
	pkts, err := ParsePDML(out)
	if err != nil {
		t.Fatal(err)
	}
	return pkts
}
