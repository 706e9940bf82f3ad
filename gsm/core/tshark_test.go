package core

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/tools/testtool"
	"github.com/gsmbox/gsmbox/tools/testtool/capture"
)

// The answers to what the network does not serve are what Wireshark's
// DTAP dissector expects: RELEASE COMPLETE with the cause (TS 24.008
// §9.3.19, §10.5.4.11) and CP-ERROR with the CP-Cause (TS 24.011
// §7.2.3, §8.1.4.2), nothing malformed.
func TestTsharkUnserved(t *testing.T) {
	testtool.Need(t, "tshark")
	var buf [16]byte
	type msg struct {
		sapi  uint8
		b     []byte
		field string
		value string
	}
	var msgs []msg
	n := unservedCC(buf[:], []byte{0x03, 0x45, 0x04})
	msgs = append(msgs, msg{0, append([]byte(nil), buf[:n]...), "gsm_a.dtap.cause", "0x4f"})
	n = unservedCC(buf[:], []byte{0x13, 0x25, 0x02, 0xe0, 0x90})
	msgs = append(msgs, msg{0, append([]byte(nil), buf[:n]...), "gsm_a.dtap.cause", "0x51"})
	n = unservedSMS(buf[:], []byte{0x09, 0x01, 0x00})
	msgs = append(msgs, msg{3, append([]byte(nil), buf[:n]...), "gsm_a.dtap.cp_cause", "97"})
	path := filepath.Join(t.TempDir(), "unserved.pcap")
	var frames []capture.DCCHMessage
	for _, m := range msgs {
		frames = append(frames, capture.DCCHMessage{SAPI: m.sapi, L3: m.b})
	}
	_, n = capture.WriteDCCH(t, path, frames)
	pk := capture.DissectClean(t, path, n)
	if n != len(msgs) {
		t.Fatalf("%d packets for %d messages", n, len(msgs))
	}
	for i, p := range pk {
		got := p.Values(msgs[i].field)
		ok := false
		for _, g := range got {
			ok = ok || strings.HasPrefix(g, msgs[i].value)
		}
		if !ok {
			t.Errorf("packet %d: tshark %s = %q, want %q:\n%s", i+1, msgs[i].field, got, msgs[i].value, p.Text)
		}
	}
}
