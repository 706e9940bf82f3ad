package gsmtap

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/tdma"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

func TestEncode(t *testing.T) {
	tests := []struct {
		name string
		h    Header
		want []byte
	}{
		{"bcch", Header{Type: TypeUm, TN: 0, ARFCN: 871, FN: 0x123456, SubType: uint8(ChanBCCH), SignalDBm: -60, SNRdB: 20},
			[]byte{2, 4, 1, 0, 0x03, 0x67, 0xc4, 0x14, 0, 0x12, 0x34, 0x56, 1, 0, 0, 0}},
		{"uplink pcs sacch", Header{Type: TypeUm, TN: 3, ARFCN: 600, PCS: true, Uplink: true, FN: 1, SubType: uint8(ChanSDCCH8 | ChanACCH), SubSlot: 5, Antenna: 1},
			[]byte{2, 4, 1, 3, 0xc2, 0x58, 0, 0, 0, 0, 0, 1, 0x88, 1, 5, 0}},
		{"burst", Header{Type: TypeUmBurst, ARFCN: 1023, FN: tdma.HyperFrame - 1, SubType: uint8(BurstAccess)},
			[]byte{2, 4, 3, 0, 0x03, 0xff, 0, 0, 0x00, 0x29, 0x6f, 0xff, 8, 0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b [HeaderLen]byte
			n, err := tt.h.Encode(b[:])
			if err != nil || n != HeaderLen {
				t.Fatalf("Encode() = %d, %v, want %d, nil", n, err, HeaderLen)
			}
			if !bytes.Equal(b[:], tt.want) {
				t.Errorf("Encode() = % x, want % x", b, tt.want)
			}
			h, rest, err := Decode(append(b[:], 0xaa))
			if err != nil {
				t.Fatal(err)
			}
			if h != tt.h || !bytes.Equal(rest, []byte{0xaa}) {
				t.Errorf("Decode() = %+v, % x, want %+v, aa", h, rest, tt.h)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"short", []byte{2, 4, 1}, ErrShort},
		{"version", []byte{1, 4, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, ErrVersion},
		{"hdrlen", []byte{2, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, ErrHeaderLen},
		{"hdrlen beyond", []byte{2, 5, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, ErrShort},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := Decode(tt.b); !errors.Is(err, tt.want) {
				t.Errorf("Decode(% x) error = %v, want %v", tt.b, err, tt.want)
			}
		})
	}
	var h Header
	if _, err := h.Encode(make([]byte, 15)); !errors.Is(err, ErrShort) {
		t.Errorf("Encode(15 bytes) error = %v, want %v", err, ErrShort)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte{2, 4, 1, 0, 0x03, 0x67, 0xc4, 0x14, 0, 0x12, 0x34, 0x56, 1, 0, 0, 0, 0x55})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, p, err := Decode(b)
		if err != nil {
			return
		}
		var out [HeaderLen]byte
		h.Encode(out[:])
		// Re-encoding gives the canonical header: the same bytes except the
		// reserved octet, the header length and ARFCN bits above the flags.
		want := append([]byte(nil), b[:HeaderLen]...)
		want[1], want[15] = 4, 0
		if !bytes.Equal(out[:], want) {
			t.Errorf("Encode(Decode(% x)) = % x, want % x", b[:HeaderLen], out, want)
		}
		if len(p) != len(b)-int(b[1])*4 {
			t.Errorf("Decode payload len = %d, want %d", len(p), len(b)-int(b[1])*4)
		}
	})
}

type failWriter struct{ n int }

func (w *failWriter) Write(b []byte) (int, error) {
	w.n++
	if w.n%2 == 0 {
		return 0, errors.New("boom")
	}
	return len(b), nil
}

func TestSenderDropsAndCounts(t *testing.T) {
	w := &failWriter{}
	s := NewSender(w, slog.New(slog.DiscardHandler))
	h := Um(ChanCCCH, 10, 0, 51, 0)
	for i := range 5 {
		want := i%2 == 0 // every second write fails
		if got := s.Send(&h, make([]byte, 23)); got != want {
			t.Errorf("Send() #%d = %v, want %v", i, got, want)
		}
	}
	if s.Send(&h, make([]byte, MaxPayload+1)) {
		t.Error("Send(oversized) = true, want false")
	}
	if s.Sent() != 3 || s.Dropped() != 3 {
		t.Errorf("Sent, Dropped = %d, %d, want 3, 3", s.Sent(), s.Dropped())
	}
}

func TestSenderUDP(t *testing.T) {
	l, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Skip("no loopback UDP:", err)
	}
	defer l.Close()
	s, err := Dial(l.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h := Um(ChanAGCH, 20, 0, 1234, 0)
	payload := []byte{0x2d, 0x06, 0x3f}
	if !s.Send(&h, payload) {
		t.Fatal("Send() = false")
	}
	l.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 2000)
	n, _, err := l.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	got, p, err := Decode(buf[:n])
	if err != nil || got != h || !bytes.Equal(p, payload) {
		t.Errorf("received %+v % x %v, want %+v % x", got, p, err, h, payload)
	}
}

// With nobody listening on the GSMTAP port, every packet is still sent
// (the host answers each with an ICMP port-unreachable, which must not
// fail the next send), and once a listener appears every packet sent
// after it reaches it.
func TestSenderWithoutListener(t *testing.T) {
	l, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Skip("no loopback UDP:", err)
	}
	addr := l.LocalAddr().String()
	l.Close() // nobody listens on addr now
	s, err := Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h := Um(ChanCCCH, 30, 0, 0, 0)
	const n = 20
	for i := range n {
		h.FN = tdma.FN(i)
		if !s.Send(&h, []byte{byte(i)}) {
			t.Errorf("Send() #%d with no listener = false, want true", i)
		}
		time.Sleep(2 * time.Millisecond) // let the ICMP error come back
	}
	if s.Sent() != n || s.Dropped() != 0 {
		t.Errorf("with no listener: Sent, Dropped = %d, %d, want %d, 0", s.Sent(), s.Dropped(), n)
	}

	l, err = net.ListenPacket("udp", addr)
	if err != nil {
		t.Skip("port taken meanwhile:", err)
	}
	defer l.Close()
	got := make(chan tdma.FN, 2*n)
	go func() {
		buf := make([]byte, 2000)
		for {
			l.SetReadDeadline(time.Now().Add(5 * time.Second))
			m, _, err := l.ReadFrom(buf)
			if err != nil {
				close(got)
				return
			}
			if hh, _, err := Decode(buf[:m]); err == nil {
				got <- hh.FN
			}
		}
	}()
	for i := n; i < 2*n; i++ {
		h.FN = tdma.FN(i)
		if !s.Send(&h, []byte{byte(i)}) {
			t.Errorf("Send() #%d with a listener = false, want true", i)
		}
	}
	for want := tdma.FN(n); want < 2*n; want++ {
		fn, ok := <-got
		if !ok {
			t.Fatalf("listener received FN %d..%d, then nothing; want every packet up to %d", n, want-1, 2*n-1)
		}
		if fn != want {
			t.Fatalf("listener received FN %d, want %d", fn, want)
		}
	}
	if s.Sent() != 2*n || s.Dropped() != 0 {
		t.Errorf("Sent, Dropped = %d, %d, want %d, 0", s.Sent(), s.Dropped(), 2*n)
	}
}

func TestSendNoAlloc(t *testing.T) {
	s := NewSender(&bytes.Buffer{}, nil)
	h := Um(ChanBCCH, 1, 0, 0, 0)
	p := make([]byte, 23)
	a := testing.AllocsPerRun(100, func() { s.Send(&h, p) })
	if a != 0 {
		t.Errorf("Send allocs = %v, want 0", a)
	}
	// The UDP path too (Dial's unconnected socket).
	u, err := Dial("127.0.0.1:9") // discard; nobody need listen
	if err != nil {
		t.Skip("no loopback UDP:", err)
	}
	defer u.Close()
	if a := testing.AllocsPerRun(100, func() { u.Send(&h, p) }); a != 0 {
		t.Errorf("UDP Send allocs = %v, want 0", a)
	}
}

// writePcap writes a capture with three packets and returns its path.
func writePcap(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "t.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := NewPcapWriter(f)
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Unix(1700000000, 5000)
	// Empty paging (Paging Request Type 1, no identities), 23 octets.
	paging := []byte{0x15, 0x06, 0x21, 0x00, 0x01, 0xf0, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b}
	hs := []Header{
		Um(ChanPCH, 871, 0, 6, 0),
		{Type: TypeUm, ARFCN: 600, PCS: true, FN: 100, SubType: uint8(ChanCCCH)},
		{Type: TypeUmBurst, ARFCN: 3, Uplink: true, FN: 42, TN: 2, SubType: uint8(BurstAccess)},
	}
	for i := range hs {
		pl := paging
		if hs[i].Type == TypeUmBurst {
			pl = make([]byte, 148)
		}
		if err := p.WritePacket(ts, &hs[i], pl); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

func TestPcapTshark(t *testing.T) {
	tshark := testtool.Need(t, "tshark")
	path := writePcap(t)
	out, err := exec.Command(tshark, "-r", path, "-T", "fields", "-E", "separator=,",
		"-e", "gsmtap.arfcn", "-e", "gsmtap.uplink", "-e", "gsmtap.pcs_band", "-e", "gsmtap.frame_nr",
		"-e", "gsmtap.ts", "-e", "gsmtap.chan_type", "-e", "gsmtap.burst_type", "-e", "gsm_a.dtap.msg_rr_type").Output()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, out)
	}
	want := []string{
		"871,0,0,6,0,5,,0x21",
		"600,0,1,100,0,2,,0x21",
		"3,1,0,42,2,,8,",
	}
	got := strings.Split(strings.TrimSpace(string(out)), "\n")
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("tshark fields = %q, want %q", got, want)
	}
	bad, err := exec.Command(tshark, "-r", path, "-Y", `_ws.malformed || _ws.expert.severity >= "warning"`).Output()
	if err != nil || len(bytes.TrimSpace(bad)) != 0 {
		t.Errorf("tshark found malformed packets: %v\n%s", err, bad)
	}
}

func BenchmarkEncode(b *testing.B) {
	h := Um(ChanBCCH, 1, 0, 0, 0)
	var buf [HeaderLen]byte
	b.ReportAllocs()
	for b.Loop() {
		h.Encode(buf[:])
	}
}

func BenchmarkPcapWrite(b *testing.B) {
	p, _ := NewPcapWriter(discard{})
	h := Um(ChanBCCH, 1, 0, 0, 0)
	pl := make([]byte, 23)
	ts := time.Unix(0, 0)
	b.ReportAllocs()
	for b.Loop() {
		p.WritePacket(ts, &h, pl)
	}
}

type discard struct{}

func (discard) Write(b []byte) (int, error) { return len(b), nil }

func TestPcapRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewPcapWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	hs := []Header{Um(ChanBCCH, 1, 0, 2, 0), {Type: TypeUmBurst, ARFCN: 600, PCS: true, Uplink: true, FN: 99, TN: 7, SubType: uint8(BurstNormal), SignalDBm: -70, SNRdB: 12}}
	pls := [][]byte{bytes.Repeat([]byte{0x2b}, 23), make([]byte, 148)}
	t0 := time.Unix(1700000000, 123456000)
	for i := range hs {
		if err := w.WritePacket(t0.Add(time.Duration(i)*time.Millisecond), &hs[i], pls[i]); err != nil {
			t.Fatal(err)
		}
	}
	r, err := NewPcapReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for i := range hs {
		ts, h, p, err := r.Next()
		if err != nil || h != hs[i] || !bytes.Equal(p, pls[i]) || !ts.Equal(t0.Add(time.Duration(i)*time.Millisecond)) {
			t.Errorf("Next() #%d = %v, %+v, % x, %v, want %+v", i, ts, h, p, err, hs[i])
		}
	}
	if _, _, _, err := r.Next(); err != io.EOF {
		t.Errorf("Next() at end = %v, want io.EOF", err)
	}
}

func FuzzPcapReader(f *testing.F) {
	var buf bytes.Buffer
	w, _ := NewPcapWriter(&buf)
	h := Um(ChanPCH, 5, 0, 6, 0)
	w.WritePacket(time.Unix(0, 0), &h, []byte{0x15, 0x06, 0x21, 0x00, 0x01, 0xf0})
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := NewPcapReader(bytes.NewReader(b))
		if err != nil {
			return
		}
		for range 100 {
			_, h, p, err := r.Next()
			if err != nil {
				return
			}
			// A packet read back writes and reads again unchanged.
			var out bytes.Buffer
			w, _ := NewPcapWriter(&out)
			if w.WritePacket(time.Unix(0, 0), &h, p) != nil {
				continue
			}
			r2, err := NewPcapReader(&out)
			if err != nil {
				t.Fatal(err)
			}
			if _, h2, p2, err := r2.Next(); err != nil || h2 != h || !bytes.Equal(p2, p) {
				t.Errorf("re-read %+v % x = %+v % x %v", h, p, h2, p2, err)
			}
		}
	})
}

// TestConstantsMatchTshark compares our type, channel and burst numbers
// with the value names tshark's GSMTAP dissector has for them.
func TestConstantsMatchTshark(t *testing.T) {
	tshark := testtool.Need(t, "tshark")
	out, err := exec.Command(tshark, "-G", "values").Output()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]map[int]string{}
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Split(l, "\t")
		if len(f) != 4 || f[0] != "V" || !strings.HasPrefix(f[1], "gsmtap.") {
			continue
		}
		var v int
		fmt.Sscan(f[2], &v)
		if names[f[1]] == nil {
			names[f[1]] = map[int]string{}
		}
		names[f[1]][v] = f[3]
	}
	tests := []struct {
		field string
		v     int
		want  string
	}{
		{"gsmtap.type", int(TypeUm), "GSM Um (MS<->BTS)"},
		{"gsmtap.type", int(TypeAbis), "GSM Abis (BTS<->BSC)"},
		{"gsmtap.type", int(TypeUmBurst), "GSM Um burst (MS<->BTS)"},
		{"gsmtap.type", int(TypeSIM), "SIM"},
		{"gsmtap.type", int(TypeTetraI1), "TETRA V+D"},
		{"gsmtap.type", int(TypeGMR1Um), "GMR-1 air interface (MES-MS<->GTS)"},
		{"gsmtap.type", int(TypeUMTSRRC), "UMTS RRC"},
		{"gsmtap.type", int(TypeLTERRC), "LTE RRC"},
		{"gsmtap.type", int(TypeOsmocoreLog), "libosmocore logging"},
		{"gsmtap.type", int(TypeE1T1), "E1/T1"},
		{"gsmtap.chan_type", int(ChanBCCH), "BCCH"},
		{"gsmtap.chan_type", int(ChanCCCH), "CCCH"},
		{"gsmtap.chan_type", int(ChanRACH), "RACH"},
		{"gsmtap.chan_type", int(ChanAGCH), "AGCH"},
		{"gsmtap.chan_type", int(ChanPCH), "PCH"},
		{"gsmtap.chan_type", int(ChanSDCCH), "SDCCH"},
		{"gsmtap.chan_type", int(ChanSDCCH4), "SDCCH/4"},
		{"gsmtap.chan_type", int(ChanSDCCH8), "SDCCH/8"},
		{"gsmtap.chan_type", int(ChanTCHF), "FACCH/F"},
		{"gsmtap.chan_type", int(ChanTCHH), "FACCH/H"},
		{"gsmtap.chan_type", int(ChanPDCH), "PDTCH"},
		{"gsmtap.chan_type", int(ChanVoiceF), "TCH/F"},
		{"gsmtap.chan_type", int(ChanVoiceH), "TCH/H"},
		{"gsmtap.chan_type", int(ChanSDCCH4 | ChanACCH), "SACCH/4"},
		{"gsmtap.chan_type", int(ChanSDCCH8 | ChanACCH), "SACCH/8"},
		{"gsmtap.chan_type", int(ChanTCHF | ChanACCH), "SACCH/F"},
		{"gsmtap.burst_type", int(BurstFCCH), "FCCH"},
		{"gsmtap.burst_type", int(BurstSCH), "SCH"},
		{"gsmtap.burst_type", int(BurstNormal), "NORMAL"},
		{"gsmtap.burst_type", int(BurstDummy), "DUMMY"},
		{"gsmtap.burst_type", int(BurstAccess), "RACH"},
		{"gsmtap.burst_type", int(BurstNone), ""},
	}
	for _, tt := range tests {
		if got := names[tt.field][tt.v]; got != tt.want && !(tt.want == "" && got == "") {
			t.Errorf("tshark %s value %d = %q, want %q", tt.field, tt.v, got, tt.want)
		}
	}
}

// Mirroring does not depend on a listener: with nobody on the port, the
// ICMP port unreachable that comes back must not cost the next packet
// (a connected UDP socket would fail every other write with
// ECONNREFUSED).
func TestSenderNoListener(t *testing.T) {
	l, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Skip("no loopback UDP:", err)
	}
	addr := l.LocalAddr().String()
	l.Close() // nobody listens there now
	s, err := Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h := Um(ChanBCCH, 20, 0, 1, 0)
	for range 20 {
		s.Send(&h, []byte{1, 2, 3})
		time.Sleep(time.Millisecond) // let the ICMP error arrive
	}
	if s.Sent() != 20 || s.Dropped() != 0 {
		t.Errorf("Sent, Dropped = %d, %d, want 20, 0", s.Sent(), s.Dropped())
	}
}

func TestSendUDPNoAlloc(t *testing.T) {
	l, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Skip("no loopback UDP:", err)
	}
	defer l.Close()
	s, err := Dial(l.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	h := Um(ChanBCCH, 1, 0, 0, 0)
	p := make([]byte, 23)
	if n := testing.AllocsPerRun(100, func() { s.Send(&h, p) }); n != 0 {
		t.Errorf("Send over UDP allocates %v times", n)
	}
}
