package gsmtap

import (
	"bytes"
	"errors"
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

func TestSendNoAlloc(t *testing.T) {
	s := NewSender(&bytes.Buffer{}, nil)
	h := Um(ChanBCCH, 1, 0, 0, 0)
	p := make([]byte, 23)
	a := testing.AllocsPerRun(100, func() { s.Send(&h, p) })
	if a != 0 {
		t.Errorf("Send allocs = %v, want 0", a)
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
