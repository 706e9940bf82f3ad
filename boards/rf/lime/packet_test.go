package lime

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFT601Golden: counter LE in 0..3, endpoint in 4, command in 5,
// parameter LE in 8..11, the rest zero.
func TestFT601Golden(t *testing.T) {
	for _, tt := range []struct {
		c    FT601Cmd
		want string
	}{
		{FT601Cmd{Counter: 1, EP: 0x82, Cmd: FT601FlushPipe}, "01000000820300000000000000000000" + "00000000"},
		{FT601Cmd{Counter: 0x01020304, EP: 0x83, Cmd: FT601SetStreamPipe, Param: 16384}, "04030201830200000040000000000000" + "00000000"},
	} {
		var b [FT601CmdSize]byte
		if err := tt.c.MarshalTo(b[:]); err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(b[:]); got != tt.want {
			t.Errorf("%v = %s, want %s", tt.c, got, tt.want)
		}
		var back FT601Cmd
		if err := back.Unmarshal(b[:]); err != nil || back != tt.c {
			t.Errorf("Unmarshal(%s) = %+v, %v, want %+v", tt.want, back, err, tt.c)
		}
	}
	if err := (FT601Cmd{}).MarshalTo(make([]byte, 19)); !errors.Is(err, ErrShort) {
		t.Errorf("MarshalTo(19 bytes) = %v, want ErrShort", err)
	}
}

// TestCtrlGolden checks the 64-byte LMS64C layouts.
func TestCtrlGolden(t *testing.T) {
	var p Ctrl
	if err := p.PutRegs(CmdLMSWrite, []Reg{{0x0020, 0xFFFD}, {0x011C, 0xAD43}}); err != nil {
		t.Fatal(err)
	}
	var b [CtrlSize]byte
	if err := p.MarshalTo(b[:]); err != nil {
		t.Fatal(err)
	}
	want := "21000200" + "00000000" + "8020fffd" + "811cad43" + string(bytes.Repeat([]byte("0"), 2*48))
	if got := hex.EncodeToString(b[:]); got != want {
		t.Errorf("LMS7002_WR = %s\nwant           %s", got, want)
	}
	if err := p.PutAddrs(CmdFPGARead, []uint16{0x0001, 0x000A}); err != nil {
		t.Fatal(err)
	}
	_ = p.MarshalTo(b[:])
	want = "56000200" + "00000000" + "0001000a" + string(bytes.Repeat([]byte("0"), 2*52))
	if got := hex.EncodeToString(b[:]); got != want {
		t.Errorf("BRDSPI_RD = %s\nwant          %s", got, want)
	}
	regs := make([]Reg, 15)
	if err := p.PutRegs(CmdFPGAWrite, regs); !errors.Is(err, ErrConfig) {
		t.Errorf("PutRegs(15) = %v, want ErrConfig (14 a packet)", err)
	}
	if err := p.PutRegs(CmdFPGAWrite, regs[:14]); err != nil {
		t.Errorf("PutRegs(14) = %v", err)
	}
	// GET_INFO reply.
	rep := Ctrl{Cmd: CmdGetInfo, Status: StatusCompleted}
	PutInfo(&rep, Info{Firmware: 6, Device: 17, Protocol: 1, Hardware: 2, Expansion: 0, Serial: 0x0102030405060708})
	_ = rep.MarshalTo(b[:])
	want = "00010000" + "00000000" + "0611010200" + "0000000000" + "0807060504030201"
	if got := hex.EncodeToString(b[:26]); got != want {
		t.Errorf("GET_INFO reply = %s, want %s", got, want)
	}
	var back Ctrl
	if err := back.Unmarshal(b[:]); err != nil || DecodeInfo(&back).Serial != 0x0102030405060708 || DecodeInfo(&back).Device != 17 {
		t.Errorf("DecodeInfo = %+v, %v", DecodeInfo(&back), err)
	}
}

// TestStreamHeaderGolden: flags byte, LE payload size, 5 reserved bytes,
// LE 64-bit counter.
func TestStreamHeaderGolden(t *testing.T) {
	pkt := make([]byte, PacketSize)
	src := []complex64{complex(1, -1), complex(0.5, 0), complex(-2, 0.25)}
	n, err := EncodeTX(pkt, src, 0x0000000102030405, true, Format16)
	if err != nil || n != 3 {
		t.Fatalf("EncodeTX = %d, %v", n, err)
	}
	want := "10" + "0c00" + "0000000000" + "0504030201000000" +
		"ff0701f8" + "00040000" + "01f80002"
	if got := hex.EncodeToString(pkt[:28]); got != want {
		t.Errorf("TX packet = %s\nwant        %s", got, want)
	}
	if !bytes.Equal(pkt[28:], make([]byte, PacketSize-28)) {
		t.Error("TX packet tail not zero")
	}
	// RX: late flag and a FIFO fill of 5/8.
	pkt[0] = FlagTXDropped | 5
	dst := make([]complex64, 4)
	h, got, err := DecodeRX(dst, pkt, Format16)
	if err != nil || !h.TXDropped() || h.FIFOFill() != 5 || h.IgnoreTimestamp() || h.Counter != 0x0102030405 || got != 3 {
		t.Errorf("DecodeRX = %+v, %d, %v", h, got, err)
	}
	binaryPut16(pkt[1:], PayloadSize+1)
	if _, _, err := DecodeRX(dst, pkt, Format16); !errors.Is(err, ErrPacket) {
		t.Errorf("DecodeRX(payload 4081) = %v, want ErrPacket", err)
	}
}

func binaryPut16(b []byte, v uint16) { b[0], b[1] = byte(v), byte(v>>8) }

// TestPacked12Golden: I = 0x123, Q = 0xABC → 23 C1 AB; I = −1, Q = 1 →
// FF 1F 00.
func TestPacked12Golden(t *testing.T) {
	i1, q1 := float32(0x123)/FullScale, float32(int32(0xABC)-4096)/FullScale
	src := []complex64{complex(i1, q1), complex(-1.0/FullScale, 1.0/FullScale)}
	b := make([]byte, 6)
	if n, nb := EncodeSamples(b, src, Format12); n != 2 || nb != 6 {
		t.Fatalf("EncodeSamples = %d, %d", n, nb)
	}
	if got, want := hex.EncodeToString(b), "23c1abff1f00"; got != want {
		t.Errorf("12-bit = %s, want %s", got, want)
	}
	dst := make([]complex64, 2)
	DecodeSamples(dst, b, Format12)
	for k := range src {
		if math.Abs(float64(real(dst[k]-src[k]))) > 1e-6 || math.Abs(float64(imag(dst[k]-src[k]))) > 1e-6 {
			t.Errorf("sample %d = %v, want %v", k, dst[k], src[k])
		}
	}
	if Format12.SamplesPerPacket() != 1360 || Format16.SamplesPerPacket() != 1020 {
		t.Errorf("samples per packet = %d, %d", Format12.SamplesPerPacket(), Format16.SamplesPerPacket())
	}
}

func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, f := range []Format{Format16, Format12} {
		src := make([]complex64, f.SamplesPerPacket()+7)
		for i := range src {
			src[i] = complex(float32(r.Float64()*2-1), float32(r.Float64()*2-1))
		}
		pkt := make([]byte, PacketSize)
		n, err := EncodeTX(pkt, src, 77, false, f)
		if err != nil || n != f.SamplesPerPacket() {
			t.Fatalf("%v: EncodeTX = %d, %v", f, n, err)
		}
		dst := make([]complex64, n)
		h, m, err := DecodeRX(dst, pkt, f)
		if err != nil || m != n || h.Counter != 77 || int(h.Payload) != n*f.BytesPerSample() {
			t.Fatalf("%v: DecodeRX = %+v %d %v", f, h, m, err)
		}
		for i := range dst {
			if d := dst[i] - src[i]; math.Abs(float64(real(d))) > 0.6/FullScale || math.Abs(float64(imag(d))) > 0.6/FullScale {
				t.Fatalf("%v: sample %d = %v, want %v", f, i, dst[i], src[i])
			}
		}
	}
}

func BenchmarkEncodeTX(b *testing.B) {
	for _, f := range []Format{Format16, Format12} {
		b.Run(f.String(), func(b *testing.B) {
			src := make([]complex64, f.SamplesPerPacket())
			for i := range src {
				src[i] = complex(float32(i%100)/100, -float32(i%77)/77)
			}
			pkt := make([]byte, PacketSize)
			b.ReportAllocs()
			b.SetBytes(PacketSize)
			for i := 0; b.Loop(); i++ {
				if _, err := EncodeTX(pkt, src, uint64(i), false, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecodeRX(b *testing.B) {
	for _, f := range []Format{Format16, Format12} {
		b.Run(f.String(), func(b *testing.B) {
			src := make([]complex64, f.SamplesPerPacket())
			pkt := make([]byte, PacketSize)
			_, _ = EncodeTX(pkt, src, 1, false, f)
			dst := make([]complex64, f.SamplesPerPacket())
			b.ReportAllocs()
			b.SetBytes(PacketSize)
			for b.Loop() {
				if _, _, err := DecodeRX(dst, pkt, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func FuzzDecodeRX(f *testing.F) {
	pkt := make([]byte, PacketSize)
	_, _ = EncodeTX(pkt, []complex64{1, 1i}, 5, false, Format16)
	f.Add(pkt, true)
	f.Add(make([]byte, 16), false)
	f.Fuzz(func(t *testing.T, b []byte, twelve bool) {
		fm := Format16
		if twelve {
			fm = Format12
		}
		dst := make([]complex64, fm.SamplesPerPacket())
		h, _, err := DecodeRX(dst, b, fm)
		if err != nil {
			return
		}
		var back [PacketHeader]byte
		if err := h.MarshalTo(back[:]); err != nil {
			t.Fatalf("decoded header %+v does not re-encode: %v", h, err)
		}
		if !bytes.Equal(back[:3], b[:3]) || !bytes.Equal(back[8:], b[8:16]) {
			t.Fatalf("header re-encodes to %x, was %x", back, b[:16])
		}
	})
}

func FuzzCtrl(f *testing.F) {
	var p Ctrl
	_ = p.PutRegs(CmdLMSWrite, []Reg{{1, 2}})
	b := make([]byte, CtrlSize)
	_ = p.MarshalTo(b)
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		var p Ctrl
		if err := p.Unmarshal(b); err != nil {
			return
		}
		_, _ = p.Regs(nil)
		_, _ = p.Addrs(nil)
		_ = p.String()
		out := make([]byte, CtrlSize)
		if err := p.MarshalTo(out); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out[:4], b[:4]) || !bytes.Equal(out[8:], b[8:CtrlSize]) {
			t.Fatalf("re-encode %x != %x", out, b[:CtrlSize])
		}
	})
}
