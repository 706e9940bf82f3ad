package simphones_test

import (
	"context"
	"flag"
	"log/slog"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/firmware/node/simphones"
	"github.com/gsmbox/gsmbox/gsm/gsmtap"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

var phonesPcap = flag.String("phones.pcap", "", "write TestPhonesLUInTshark's capture to this file")

// phonePcap writes every GSMTAP datagram the cell sends into a pcap file
// as UDP to port 4729, stamped with the air time of the frame.
type phonePcap struct {
	w   *gsmtap.PcapWriter
	n   *node.Node
	err error
}

func (p *phonePcap) Write(b []byte) (int, error) {
	ts := time.Unix(1700000000, 0).Add(time.Duration(p.n.Frames()) * node.FrameDuration)
	src := netip.MustParseAddrPort("127.0.0.1:40000")
	dst := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), gsmtap.Port)
	if err := p.w.WriteUDP(ts, src, dst, b); err != nil && p.err == nil {
		p.err = err
	}
	return len(b), nil
}

// TestPhonesLUInTshark: three phones register over the simulated air and
// the cell mirrors every block, both directions, as GSMTAP; Wireshark's
// dissectors (tshark, which we did not write) find each phone's Location
// Updating Request with its IMSI, a Location Updating Accept and TMSI
// Reallocation Complete for each, the phones' measurement reports, and
// no malformed packet.
func TestPhonesLUInTshark(t *testing.T) {
	tshark := testtool.Need(t, "tshark")
	cfg := config.Default()
	cfg.Subscribers.DB = filepath.Join(t.TempDir(), "subscribers.db")
	pcapPath := filepath.Join(t.TempDir(), "lu.pcap")
	if *phonesPcap != "" {
		pcapPath = *phonesPcap
	}
	f, err := os.Create(pcapPath)
	if err != nil {
		t.Fatal(err)
	}
	pw, err := gsmtap.NewPcapWriter(f)
	if err != nil {
		t.Fatal(err)
	}
	pt := &phonePcap{w: pw}
	log := slog.New(slog.DiscardHandler)
	cfg.Sim.Seed = 5
	air, err := node.NewSimAir(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer air.Close()
	const n = 3
	var ps *simphones.Phones
	nd, err := node.New(node.Config{Config: cfg, Log: log, Tap: gsmtap.NewSender(pt, log), Frames: 3000, VirtualTime: true,
		OnFrame: func(k int64) error {
			if k%26 == 0 && ps.Done() {
				return node.ErrStop
			}
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer nd.Close()
	pt.n = nd
	if ps, err = air.StartPhones(context.Background(), node.PhoneOptions{N: n, Seed: 11, Log: log}); err != nil {
		t.Fatal(err)
	}
	if err := nd.Serve(context.Background(), air.Carrier); err != nil {
		t.Fatal(err)
	}
	air.BTS.Close()
	ps.Stop()
	if err := f.Close(); err != nil || pt.err != nil {
		t.Fatal(err, pt.err)
	}
	rows := ps.Rows()
	for i := range rows {
		if s, err := nd.Registry().Get(rows[i].IMSI); err == nil && s.MSISDN != "" {
			rows[i].MSISDN = s.MSISDN
		}
	}
	for _, row := range rows {
		if row.Result != "registered" || row.TMSI == "-" || row.MSISDN == "-" {
			t.Errorf("phone %d: %s, TMSI %s, MSISDN %s; want registered with both (open policy)", row.Phone, row.Result, row.TMSI, row.MSISDN)
		}
	}
	run := func(args ...string) string {
		cmd := exec.Command(tshark, append([]string{"-r", pcapPath}, args...)...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("tshark %v: %v\n%s", args, err, stderr.String())
		}
		return string(out)
	}
	if bad := run("-Y", `_ws.malformed || _ws.expert.severity >= "error"`); strings.TrimSpace(bad) != "" {
		t.Errorf("tshark finds malformed packets:\n%s", bad)
	}
	info := run("-T", "fields", "-e", "gsmtap.uplink", "-e", "_ws.col.Info", "-e", "e212.imsi")
	for _, row := range rows {
		if !strings.Contains(info, row.IMSI) {
			t.Errorf("IMSI %s of phone %d not in the capture", row.IMSI, row.Phone)
		}
	}
	for _, want := range []struct {
		msg string
		n   int
	}{
		{"Location Updating Request", n},
		{"Location Updating Accept", n},
		{"TMSI Reallocation Complete", n},
		{"Measurement Report", n},
		{"Channel Release", n},
	} {
		if got := strings.Count(info, want.msg); got < want.n {
			t.Errorf("%d %q in the capture, want ≥ %d", got, want.msg, want.n)
		}
	}
	if t.Failed() {
		t.Logf("tshark:\n%s", info)
	}
}
