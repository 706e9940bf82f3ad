package rtp

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/tools/testtool"
)

func tshark(t *testing.T, args ...string) string {
	t.Helper()
	prog := testtool.Need(t, "tshark")
	cmd := exec.Command(prog, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("tshark %v: %v: %s", args, err, errb.String())
	}
	return out.String()
}

// TestTsharkDissect has Wireshark's RTP dissector read packets we
// marshal (with CSRCs, extension and padding) and checks every field.
func TestTsharkDissect(t *testing.T) {
	testtool.Need(t, "tshark")
	r := rand.New(rand.NewPCG(1, 2))
	var dgrams [][]byte
	var want []string
	for i := 0; i < 40; i++ {
		p := Packet{Header: Header{
			Marker:         r.IntN(2) == 0,
			PayloadType:    []uint8{0, 3, 8}[r.IntN(3)],
			SequenceNumber: uint16(r.Uint32()),
			Timestamp:      r.Uint32(),
			SSRC:           r.Uint32(),
		}}
		for n := r.IntN(4); n > 0; n-- {
			p.CSRC = append(p.CSRC, r.Uint32())
		}
		if r.IntN(3) == 0 {
			p.Extension = true
			p.ExtensionProfile = uint16(r.Uint32())
			p.ExtensionPayload = make([]byte, 4*r.IntN(3))
		}
		p.Payload = make([]byte, 1+r.IntN(100))
		if r.IntN(3) == 0 {
			p.PaddingSize = uint8(1 + r.IntN(8))
		}
		b, err := p.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		dgrams = append(dgrams, b)
		csrc := make([]string, len(p.CSRC))
		for j, c := range p.CSRC {
			csrc[j] = fmt.Sprintf("0x%08x", c)
		}
		pad, prof := "", ""
		if p.PaddingSize > 0 {
			pad = fmt.Sprint(p.PaddingSize)
		}
		if p.Extension {
			prof = fmt.Sprintf("0x%04x", p.ExtensionProfile)
		}
		want = append(want, strings.Join([]string{"2", b2s(p.PaddingSize > 0), b2s(p.Extension),
			fmt.Sprint(len(p.CSRC)), b2s(p.Marker), fmt.Sprint(p.PayloadType), fmt.Sprint(p.SequenceNumber),
			fmt.Sprint(p.Timestamp), fmt.Sprintf("0x%08x", p.SSRC), strings.Join(csrc, ";"), prof, pad}, ","))
	}
	pcap := filepath.Join(t.TempDir(), "rtp.pcap")
	testtool.WriteUDPPcap(t, pcap, dgrams)
	out := tshark(t, "-r", pcap, "-d", "udp.port==40000,rtp", "-T", "fields", "-E", "separator=,", "-E", "aggregator=;",
		"-e", "rtp.version", "-e", "rtp.padding", "-e", "rtp.ext", "-e", "rtp.cc", "-e", "rtp.marker",
		"-e", "rtp.p_type", "-e", "rtp.seq", "-e", "rtp.timestamp", "-e", "rtp.ssrc", "-e", "rtp.csrc.item",
		"-e", "rtp.ext.profile", "-e", "rtp.padding.count")
	got := strings.Split(strings.TrimSpace(out), "\n")
	if len(got) != len(want) {
		t.Fatalf("tshark dissected %d packets, want %d:\n%s", len(got), len(want), out)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("tshark(packet %d) = %s, want %s", i, got[i], want[i])
		}
	}
	if bad := tshark(t, "-r", pcap, "-d", "udp.port==40000,rtp", "-Y", "_ws.malformed || _ws.expert.severity >= \"warning\""); bad != "" {
		t.Errorf("tshark finds malformed packets:\n%s", bad)
	}
}

func b2s(v bool) string {
	if v {
		return "1"
	}
	return "0"
}

// TestTsharkStreamAnalysis sends a Packetizer stream with losses,
// reordering and a duplicate through Wireshark's RTP stream analysis
// (tshark -z rtp,streams) and compares its packet and loss counts with
// the Depacketizer's statistics.
func TestTsharkStreamAnalysis(t *testing.T) {
	testtool.Need(t, "tshark")
	pz, err := NewPacketizer(PTGSM, 0x5eed, 65000, 123456)
	if err != nil {
		t.Fatal(err)
	}
	frame := make([]byte, 33)
	frame[0] = 0xd0
	var pkts [][]byte
	for i := 0; i < 1000; i++ {
		b := make([]byte, 100)
		n, err := pz.Packetize(b, frame)
		if err != nil {
			t.Fatal(err)
		}
		pkts = append(pkts, b[:n])
	}
	// Impair: drop every 50th, swap some neighbours.
	var sent [][]byte
	dropped := 0
	for i := 0; i < len(pkts); i++ {
		switch {
		case i%50 == 25:
			dropped++
			continue
		case i%97 == 10 && i+1 < len(pkts):
			sent = append(sent, pkts[i+1], pkts[i])
			i++
			continue
		}
		sent = append(sent, pkts[i])
	}
	d, _ := NewDepacketizer(PTGSM)
	for i, b := range sent {
		if _, _, err := d.Push(b, uint32(i)*160); err != nil {
			t.Fatal(err)
		}
	}
	st := d.Stats()
	if st.Lost != int64(dropped) {
		t.Errorf("Stats().Lost = %d, want %d", st.Lost, dropped)
	}
	pcap := filepath.Join(t.TempDir(), "stream.pcap")
	testtool.WriteUDPPcap(t, pcap, sent)
	out := tshark(t, "-q", "-r", pcap, "-d", "udp.port==40000,rtp", "-z", "rtp,streams")
	// Row: src port dst port SSRC payload pkts lost (pct) ...
	var pktsSeen, lost int
	found := false
	for _, line := range strings.Split(out, "\n") {
		if !strings.Contains(line, "0x00005EED") && !strings.Contains(strings.ToLower(line), "0x00005eed") {
			continue
		}
		f := strings.Fields(line)
		for j := range f {
			if strings.HasPrefix(strings.ToLower(f[j]), "0x00005eed") && j+3 < len(f) {
				// SSRC, payload name(s), packets, lost
				k := j + 1
				for ; k < len(f); k++ {
					if _, err := fmt.Sscan(f[k], &pktsSeen); err == nil {
						break
					}
				}
				fmt.Sscan(f[k+1], &lost)
				found = true
			}
		}
	}
	if !found {
		t.Fatalf("tshark -z rtp,streams: no stream 0x5eed in:\n%s", out)
	}
	if pktsSeen != len(sent) || lost != dropped {
		t.Errorf("tshark rtp,streams: %d packets, %d lost; want %d, %d\n%s", pktsSeen, lost, len(sent), dropped, out)
	}
	t.Logf("tshark rtp,streams:\n%s", out)
}
