package transcode

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/codec/fr"
	"github.com/gsmbox/gsmbox/gsm/codec/g711"
	"github.com/gsmbox/gsmbox/gsm/codec/rtp"
)

func tone(n int, hz, amp float64) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(amp * math.Sin(2*math.Pi*hz*float64(i)/8000))
	}
	return s
}

// run feeds in as payloads of inSize bytes and collects every output.
func run(t *testing.T, tc *Transcoder, in []byte, inSize int) []byte {
	t.Helper()
	var out []byte
	dst := make([]byte, tc.OutputSize())
	for o := 0; o < len(in); o += inSize {
		if err := tc.Push(in[o : o+inSize]); err != nil {
			t.Fatal(err)
		}
		for {
			n, err := tc.Pull(dst)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
			out = append(out, dst[:n]...)
		}
	}
	return out
}

// TestG711ToGSM: 30 ms A-law packets become the GSM frames the encoder
// makes of the same linear stream.
func TestG711ToGSM(t *testing.T) {
	pcm := tone(160*12, 700, 9000)
	alaw := make([]byte, len(pcm))
	g711.EncodeALaw(alaw, pcm)
	lin := make([]int16, len(alaw))
	g711.DecodeALaw(lin, alaw)
	var want []byte
	var enc fr.Encoder
	for o := 0; o < len(lin); o += 160 {
		var f [fr.FrameSize]byte
		enc.Encode(&f, (*[160]int16)(lin[o:]))
		want = append(want, f[:]...)
	}
	tc, err := New(rtp.PTPCMA, rtp.PTGSM, 320) // 40 ms GSM packets
	if err != nil {
		t.Fatal(err)
	}
	got := run(t, tc, alaw, 240)
	if !bytes.Equal(got, want) {
		t.Errorf("PCMA(30 ms) -> GSM(40 ms) = %d bytes, differs from direct encoding (%d bytes)", len(got), len(want))
	}
}

// TestGSMToG711: GSM frames become the µ-law of the decoder output, in
// 10 ms packets.
func TestGSMToG711(t *testing.T) {
	pcm := tone(160*10, 300, 12000)
	var enc fr.Encoder
	dec := fr.NewDecoder()
	var gsm []byte
	var want []byte
	for o := 0; o < len(pcm); o += 160 {
		var f [fr.FrameSize]byte
		enc.Encode(&f, (*[160]int16)(pcm[o:]))
		gsm = append(gsm, f[:]...)
		var out [160]int16
		if err := dec.Decode(&out, &f); err != nil {
			t.Fatal(err)
		}
		u := make([]byte, 160)
		g711.EncodeULaw(u, out[:])
		want = append(want, u...)
	}
	tc, err := New(rtp.PTGSM, rtp.PTPCMU, 80)
	if err != nil {
		t.Fatal(err)
	}
	if got := run(t, tc, gsm, 66); !bytes.Equal(got, want) {
		t.Errorf("GSM(40 ms) -> PCMU(10 ms) differs from decode+encode")
	}
}

// TestLevel: a tone keeps its level through PCMA -> GSM -> PCMU.
func TestLevel(t *testing.T) {
	pcm := tone(8000, 1000, 10000)
	alaw := make([]byte, len(pcm))
	g711.EncodeALaw(alaw, pcm)
	a, _ := New(rtp.PTPCMA, rtp.PTGSM, 160)
	b, _ := New(rtp.PTGSM, rtp.PTPCMU, 160)
	ulaw := run(t, b, run(t, a, alaw, 160), 33)
	out := make([]int16, len(ulaw))
	g711.DecodeULaw(out, ulaw)
	var pin, pout float64
	for i := 4000; i < len(out); i++ {
		pin += float64(pcm[i]) * float64(pcm[i])
		pout += float64(out[i]) * float64(out[i])
	}
	if db := 10 * math.Log10(pout/pin); math.Abs(db) > 3 {
		t.Errorf("level through PCMA->GSM->PCMU = %.1f dB, want within 3 dB", db)
	}
}

func TestLost(t *testing.T) {
	a, _ := New(rtp.PTPCMA, rtp.PTPCMA, 160)
	if err := a.Lost(160); err != nil {
		t.Fatal(err)
	}
	dst := make([]byte, 160)
	if n, err := a.Pull(dst); n != 160 || err != nil || !bytes.Equal(dst, bytes.Repeat([]byte{0xD5}, 160)) {
		t.Errorf("Pull after Lost(160) on PCMA = %d, %v, % x..., want 160 octets of A-law silence", n, err, dst[:4])
	}
	g, _ := New(rtp.PTGSM, rtp.PTPCMA, 160)
	// A bad signature counts as lost; 30 lost frames mute the output.
	bad := make([]byte, 33)
	for i := 0; i < 30; i++ {
		if err := g.Push(bad); err != nil {
			t.Fatal(err)
		}
		if _, err := g.Pull(dst); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.Lost(160); err != nil {
		t.Fatal(err)
	}
	g.Pull(dst)
	pcm := make([]int16, 160)
	g711.DecodeALaw(pcm, dst)
	for _, v := range pcm {
		if v > 64 || v < -64 {
			t.Fatalf("GSM output after 31 lost frames has sample %d, want muted", v)
		}
	}
}

func TestErrors(t *testing.T) {
	if _, err := New(9, rtp.PTGSM, 160); !errors.Is(err, ErrFormat) {
		t.Errorf("New(9, GSM) = %v, want ErrFormat", err)
	}
	if _, err := New(rtp.PTPCMA, rtp.PTGSM, 100); !errors.Is(err, ErrPtime) {
		t.Errorf("New(PCMA, GSM, 100) = %v, want ErrPtime", err)
	}
	if _, err := New(rtp.PTPCMA, rtp.PTPCMU, 2000); !errors.Is(err, ErrPtime) {
		t.Errorf("New(PCMA, PCMU, 2000) = %v, want ErrPtime", err)
	}
	tc, _ := New(rtp.PTGSM, rtp.PTPCMA, 160)
	if err := tc.Push(make([]byte, 32)); !errors.Is(err, ErrPayload) {
		t.Errorf("Push(32 bytes of GSM) = %v, want ErrPayload", err)
	}
	if _, err := tc.Pull(make([]byte, 10)); !errors.Is(err, ErrShort) {
		t.Errorf("Pull(10 bytes) = %v, want ErrShort", err)
	}
	var err error
	for i := 0; i < 100 && err == nil; i++ {
		err = tc.Lost(160)
	}
	if !errors.Is(err, ErrOverflow) || tc.Buffered() != bufSamples {
		t.Errorf("Lost() without Pull = %v with %d buffered, want ErrOverflow at %d", err, tc.Buffered(), bufSamples)
	}
}

func TestZeroAllocs(t *testing.T) {
	a, _ := New(rtp.PTPCMA, rtp.PTGSM, 160)
	b, _ := New(rtp.PTGSM, rtp.PTPCMU, 160)
	alaw := make([]byte, 160)
	g711.EncodeALaw(alaw, tone(160, 500, 5000))
	gsm := make([]byte, 33)
	ulaw := make([]byte, 160)
	if n := testing.AllocsPerRun(50, func() {
		_ = a.Push(alaw)
		_, _ = a.Pull(gsm)
		_ = b.Push(gsm)
		_, _ = b.Pull(ulaw)
	}); n != 0 {
		t.Errorf("allocs per 20 ms both ways = %v, want 0", n)
	}
}

// FuzzPush feeds arbitrary payloads to GSM and G.711 transcoders.
func FuzzPush(f *testing.F) {
	f.Add(bytes.Repeat([]byte{0xD5}, 66), uint8(0))
	f.Add(append([]byte{0xD0}, make([]byte, 32)...), uint8(1))
	f.Fuzz(func(t *testing.T, b []byte, which uint8) {
		in := []uint8{rtp.PTGSM, rtp.PTPCMA, rtp.PTPCMU}[which%3]
		tc, err := New(in, rtp.PTGSM, 160)
		if err != nil {
			t.Fatal(err)
		}
		err = tc.Push(b)
		if in == rtp.PTGSM && len(b)%33 != 0 {
			if !errors.Is(err, ErrPayload) {
				t.Fatalf("Push(%d bytes of GSM) = %v, want ErrPayload", len(b), err)
			}
			return
		}
		if err != nil && !errors.Is(err, ErrOverflow) {
			t.Fatalf("Push(%d bytes) = %v", len(b), err)
		}
		dst := make([]byte, 33)
		for {
			n, err := tc.Pull(dst)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
			if dst[0]>>4 != 0xD {
				t.Fatalf("Pull produced frame % x without signature", dst)
			}
		}
	})
}

// BenchmarkPCMAToGSM: one 20 ms packet per op.
func BenchmarkPCMAToGSM(b *testing.B) {
	tc, _ := New(rtp.PTPCMA, rtp.PTGSM, 160)
	alaw := make([]byte, 160)
	g711.EncodeALaw(alaw, tone(160, 500, 5000))
	gsm := make([]byte, 33)
	b.ReportAllocs()
	for b.Loop() {
		_ = tc.Push(alaw)
		_, _ = tc.Pull(gsm)
	}
}

// BenchmarkGSMToPCMA: one 20 ms packet per op.
func BenchmarkGSMToPCMA(b *testing.B) {
	tc, _ := New(rtp.PTGSM, rtp.PTPCMA, 160)
	var enc fr.Encoder
	var f [33]byte
	enc.Encode(&f, (*[160]int16)(tone(160, 500, 5000)))
	alaw := make([]byte, 160)
	b.ReportAllocs()
	for b.Loop() {
		_ = tc.Push(f[:])
		_, _ = tc.Pull(alaw)
	}
}
