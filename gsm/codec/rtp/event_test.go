package rtp

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/tools/testtool"
)

func TestTelephoneEvent(t *testing.T) {
	tests := []struct {
		wire string
		ev   TelephoneEvent
	}{
		// RFC 4733 §2.3 layout, hand-assembled.
		{"0b0a0320", TelephoneEvent{Event: 11, Volume: 10, Duration: 800}},
		{"058a0640", TelephoneEvent{Event: 5, End: true, Volume: 10, Duration: 1600}},
		{"0fbfffff", TelephoneEvent{Event: 15, End: true, Volume: 63, Duration: 65535}},
	}
	for _, tt := range tests {
		t.Run(tt.wire, func(t *testing.T) {
			var b [4]byte
			if n, err := tt.ev.MarshalTo(b[:]); n != 4 || err != nil || fmt.Sprintf("%x", b) != tt.wire {
				t.Errorf("MarshalTo(%+v) = %x, %v, want %s", tt.ev, b, err, tt.wire)
			}
			var got TelephoneEvent
			if err := got.Unmarshal(unhex(tt.wire)); err != nil || got != tt.ev {
				t.Errorf("Unmarshal(%s) = %+v, %v, want %+v", tt.wire, got, err, tt.ev)
			}
		})
	}
	var ev TelephoneEvent
	if err := ev.Unmarshal(unhex("058a06")); !errors.Is(err, ErrShort) {
		t.Errorf("Unmarshal(3 bytes) = %v, want ErrShort", err)
	}
	if err := ev.Unmarshal(unhex("05ca0640")); err != nil || ev.Volume != 10 || !ev.End {
		t.Errorf("Unmarshal(R bit set) = %+v, %v, want R ignored", ev, err)
	}
	bad := TelephoneEvent{Volume: 64}
	if _, err := bad.MarshalTo(make([]byte, 4)); !errors.Is(err, ErrPayload) {
		t.Errorf("MarshalTo(volume 64) = %v, want ErrPayload", err)
	}
}

func TestDTMFEvent(t *testing.T) {
	for i, d := range []byte("0123456789*#ABCD") {
		e, ok := DTMFEvent(d)
		if !ok || int(e) != i {
			t.Errorf("DTMFEvent(%q) = %d, %v, want %d, true", d, e, ok, i)
		}
		ev := TelephoneEvent{Event: e}
		if got, ok := ev.Digit(); !ok || got != d {
			t.Errorf("Digit(%d) = %q, %v, want %q", e, got, ok, d)
		}
	}
	if e, ok := DTMFEvent('c'); !ok || e != 14 {
		t.Errorf("DTMFEvent('c') = %d, %v, want 14, true", e, ok)
	}
	if _, ok := DTMFEvent('x'); ok {
		t.Errorf("DTMFEvent('x') ok, want not a digit")
	}
	ev := TelephoneEvent{Event: 16}
	if _, ok := ev.Digit(); ok {
		t.Errorf("Digit(16) ok, want not a digit")
	}
}

// dtmfPackets sends digit in the shape RFC 4733 §2.5.1 describes: a
// marked first packet, updates every 20 ms, and three end packets, all
// with the event's start timestamp; voice packets around it.
func dtmfPackets(t *testing.T, digit byte) [][]byte {
	t.Helper()
	pz, _ := NewPacketizer(PTPCMA, 0xd7f, 100, 8000)
	var out [][]byte
	voice := make([]byte, 160)
	send := func(n int, err error, b []byte) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b[:n])
	}
	b := make([]byte, 200)
	n, err := pz.Packetize(b, voice)
	send(n, err, b)
	_, ts := pz.Next()
	code, _ := DTMFEvent(digit)
	for i := 1; i <= 5; i++ {
		b := make([]byte, 200)
		ev := TelephoneEvent{Event: code, Volume: 10, Duration: uint16(160 * i), End: i == 5}
		n, err := pz.PacketizeEvent(b, 101, ts, i == 1, &ev)
		send(n, err, b)
		if i == 5 {
			for r := 0; r < 2; r++ {
				b := make([]byte, 200)
				n, err := pz.PacketizeEvent(b, 101, ts, false, &ev)
				send(n, err, b)
			}
		}
	}
	pz.Skip(800)
	b = make([]byte, 200)
	n, err = pz.Packetize(b, voice)
	send(n, err, b)
	return out
}

// TestTsharkTelephoneEvent has Wireshark's RTPEvent dissector read the
// events we send.
func TestTsharkTelephoneEvent(t *testing.T) {
	testtool.Need(t, "tshark")
	pkts := dtmfPackets(t, '#')
	pcap := filepath.Join(t.TempDir(), "dtmf.pcap")
	testtool.WriteUDPPcap(t, pcap, pkts)
	out := tshark(t, "-r", pcap, "-d", "udp.port==40000,rtp", "-o", "rtpevent.event_payload_type_value:101",
		"-T", "fields", "-E", "separator=,", "-e", "rtp.seq", "-e", "rtp.marker", "-e", "rtp.timestamp",
		"-e", "rtpevent.event_id", "-e", "rtpevent.end_of_event", "-e", "rtpevent.volume", "-e", "rtpevent.duration")
	got := strings.Split(strings.TrimSpace(out), "\n")
	want := []string{
		"100,1,8000,,,,", // the first voice packet starts a talkspurt
		"101,1,8160,11,0,10,160",
		"102,0,8160,11,0,10,320",
		"103,0,8160,11,0,10,480",
		"104,0,8160,11,0,10,640",
		"105,0,8160,11,1,10,800",
		"106,0,8160,11,1,10,800",
		"107,0,8160,11,1,10,800",
		"108,1,8960,,,,",
	}
	if len(got) != len(want) {
		t.Fatalf("tshark dissected %d packets, want %d:\n%s", len(got), len(want), out)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("tshark(packet %d) = %s, want %s", i, got[i], want[i])
		}
	}
}
