package coding

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// These tests hand our encoded bursts to gr-gsm's own channel decoders
// (an independent receiver) through testdata/grgsm_bursts.py and check that
// it decodes what we sent.

// runGrGSM runs the harness in mode on the given bursts and returns the
// "msg"/"voice" lines it printed.
func runGrGSM(t *testing.T, mode string, bursts []string) []string {
	t.Helper()
	py := python(t)
	cmd := exec.Command(py, "testdata/grgsm_bursts.py", mode)
	cmd.Stdin = strings.NewReader(strings.Join(bursts, "\n") + "\n")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 3 {
			skipOrFail(t, "gr-gsm: "+strings.TrimSpace(lastLine(stderr.String())))
		}
		t.Fatalf("grgsm_bursts.py %s: %v\n%s", mode, err, stderr.String())
	}
	var out []string
	for _, l := range strings.Split(stdout.String(), "\n") {
		if strings.HasPrefix(l, "msg ") || strings.HasPrefix(l, "voice ") {
			out = append(out, l)
		}
	}
	return out
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func burstLine(fn int, payload *[116]byte, tsc uint8) string {
	var b tdma.Burst
	tdma.Normal(&b, payload, tsc)
	return fmt.Sprintf("%d 0 %s", fn, bitString(b[:]))
}

func TestXCCHByGrGSM(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	var lines, want []string
	fn := 2
	for i := range 12 {
		var msg [23]byte
		for j := range msg {
			msg[j] = byte(rng.Uint32())
		}
		if i == 0 {
			// A System Information Type 3 as a real cell sends it.
			copy(msg[:], []byte{0x49, 0x06, 0x1b, 0x00, 0x01, 0x00, 0xf1, 0x10, 0x00, 0x01, 0x49, 0x03, 0x05, 0x1e, 0x45, 0x00, 0x3b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b})
		}
		var b [4][116]byte
		EncodeXCCH(&b, &msg)
		for k := range b {
			lines = append(lines, burstLine(fn+k, &b[k], 3))
		}
		want = append(want, fmt.Sprintf("msg %d %s", fn, hex.EncodeToString(msg[:])))
		fn += 51 // the BCCH block of the next multiframe
	}
	got := runGrGSM(t, "xcch", lines)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("gr-gsm decoded our xCCH bursts as\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestTCHFByGrGSM(t *testing.T) {
	rng := rand.New(rand.NewPCG(71, 72))
	var enc TCHFEncoder
	var lines, want []string
	fn := 0
	emit := func(b *[4][116]byte) {
		for k := range b {
			if fn%13 == 12 { // SACCH or idle frame of the 26-multiframe
				fn++
			}
			lines = append(lines, burstLine(fn, &b[k], 5))
			fn++
		}
	}
	for i := range 16 {
		var b [4][116]byte
		if i%4 == 2 {
			var msg [23]byte
			for j := range msg {
				msg[j] = byte(rng.Uint32())
			}
			enc.EncodeFACCH(&b, &msg)
			want = append(want, "msg "+hex.EncodeToString(msg[:]))
		} else {
			var f [33]byte
			for j := range f {
				f[j] = byte(rng.Uint32())
			}
			f[0] = 0xD0 | f[0]&15
			var d [260]byte
			if err := FRFromRTP(&d, f[:]); err != nil {
				t.Fatal(err)
			}
			enc.EncodeSpeech(&b, &d)
			want = append(want, "voice "+hex.EncodeToString(f[:]))
		}
		emit(&b)
	}
	// Flush the second half of the last block.
	var b [4][116]byte
	enc.EncodeSpeech(&b, &[260]byte{})
	emit(&b)

	// gr-gsm emits FACCH and voice on separate ports; compare each stream
	// in order, dropping the frame numbers.
	var gotMsg, gotVoice, wantMsg, wantVoice []string
	for _, l := range runGrGSM(t, "tchf", lines) {
		f := strings.Fields(l)
		if len(f) != 3 {
			t.Fatalf("bad harness line %q", l)
		}
		if f[0] == "msg" {
			gotMsg = append(gotMsg, f[2])
		} else {
			gotVoice = append(gotVoice, f[2])
		}
	}
	for _, w := range want {
		f := strings.Fields(w)
		if f[0] == "msg" {
			wantMsg = append(wantMsg, f[1])
		} else {
			wantVoice = append(wantVoice, f[1])
		}
	}
	if strings.Join(gotMsg, " ") != strings.Join(wantMsg, " ") {
		t.Errorf("gr-gsm decoded FACCH/F\n%s\nwant\n%s", strings.Join(gotMsg, "\n"), strings.Join(wantMsg, "\n"))
	}
	if strings.Join(gotVoice, " ") != strings.Join(wantVoice, " ") {
		t.Errorf("gr-gsm decoded TCH/FS\n%s\nwant\n%s", strings.Join(gotVoice, "\n"), strings.Join(wantVoice, "\n"))
	}
}

// gr-gsm's TCH/F decoder in EFR mode recovers the EFR frames (and the
// FACCH/F frames stolen between them) from a TCHFEncoder stream coded with
// EncodeEFR. gr-gsm emits AMR 12.2 storage frames, which the harness
// reorders into EFR RTP frames with libosmocodec's AMR 12.2 order table;
// gr-gsm's channel bit ordering has its own origin, not libosmocoding, so
// this cross-checks efrRTPToClass and the CRC (gr-gsm drops bad frames).
func TestTCHEFRByGrGSM(t *testing.T) {
	rng := rand.New(rand.NewPCG(73, 74))
	var enc TCHFEncoder
	var lines, wantMsg, wantVoice []string
	fn := 0
	emit := func(b *[4][116]byte) {
		for k := range b {
			if fn%13 == 12 {
				fn++
			}
			lines = append(lines, burstLine(fn, &b[k], 5))
			fn++
		}
	}
	for i := range 24 {
		var b [4][116]byte
		if i%5 == 3 {
			var msg [23]byte
			for j := range msg {
				msg[j] = byte(rng.Uint32())
			}
			enc.EncodeFACCH(&b, &msg)
			wantMsg = append(wantMsg, hex.EncodeToString(msg[:]))
		} else {
			f := randomEFR(rng)
			if err := enc.EncodeEFR(&b, &f); err != nil {
				t.Fatal(err)
			}
			wantVoice = append(wantVoice, hex.EncodeToString(f[:]))
		}
		emit(&b)
	}
	var b [4][116]byte
	enc.EncodeSpeech(&b, &[260]byte{})
	emit(&b)

	var gotMsg, gotVoice []string
	for _, l := range runGrGSM(t, "tchefr", lines) {
		f := strings.Fields(l)
		if len(f) != 3 {
			t.Fatalf("bad harness line %q", l)
		}
		if f[0] == "msg" {
			gotMsg = append(gotMsg, f[2])
		} else {
			gotVoice = append(gotVoice, f[2])
		}
	}
	if strings.Join(gotMsg, " ") != strings.Join(wantMsg, " ") {
		t.Errorf("gr-gsm decoded FACCH/F\n%s\nwant\n%s", strings.Join(gotMsg, "\n"), strings.Join(wantMsg, "\n"))
	}
	if strings.Join(gotVoice, " ") != strings.Join(wantVoice, " ") {
		t.Errorf("gr-gsm decoded TCH/EFS\n%s\nwant\n%s", strings.Join(gotVoice, "\n"), strings.Join(wantVoice, "\n"))
	}
}
