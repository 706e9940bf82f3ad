package trunktest

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/tools/testtool"
)

// baresip is the far-end phone: account alice on the kamailio provider,
// auto-answering, speaking a tone from a WAV file (aufile) and recording
// what it hears (sndfile), driven over ctrl_tcp.
type Baresip struct {
	t      testing.TB
	dir    string
	cmd    *exec.Cmd
	ctrl   net.Conn
	log    *testtool.Buffer
	mu     sync.Mutex
	events []map[string]any
	ev     chan map[string]any
}

// writeTone writes a 16-bit mono 8 kHz WAV of a sine at hz.
func WriteTone(t testing.TB, path string, hz float64, seconds int) {
	n := 8000 * seconds
	b := make([]byte, 44+2*n)
	copy(b, "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+2*n))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1)
	binary.LittleEndian.PutUint16(b[22:], 1)
	binary.LittleEndian.PutUint32(b[24:], 8000)
	binary.LittleEndian.PutUint32(b[28:], 16000)
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(2*n))
	for i := range n {
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(int16(8000*math.Sin(2*math.Pi*hz*float64(i)/8000))))
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func StartBaresip(t testing.TB, kport int, toneHz float64, answer string) *Baresip {
	t.Helper()
	bin := testtool.Need(t, "baresip")
	mods := "/usr/lib/baresip/modules"
	if _, err := os.Stat(filepath.Join(mods, "aufile.so")); err != nil {
		t.Skip("baresip modules not found in " + mods)
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, ".baresip")
	os.MkdirAll(filepath.Join(dir, "snd"), 0o755)
	os.MkdirAll(conf, 0o755)
	WriteTone(t, filepath.Join(dir, "in.wav"), toneHz, 60)
	sport, cport := FreePort(t), FreePort(t)
	config := fmt.Sprintf(`poll_method epoll
sip_listen 127.0.0.1:%d
module_path %s
module g711.so
module gsm.so
module aufile.so
module aubridge.so
module sndfile.so
module_app account.so
module_app menu.so
module_app ctrl_tcp.so
ctrl_tcp_listen 127.0.0.1:%d
audio_player aubridge,sink
audio_alert aubridge,sink
audio_source aufile,%s
ausrc_srate 8000
auplay_srate 8000
ausrc_channels 1
auplay_channels 1
snd_path %s
rtp_ports 42000-42999
`, sport, mods, cport, filepath.Join(dir, "in.wav"), filepath.Join(dir, "snd"))
	os.WriteFile(filepath.Join(conf, "config"), []byte(config), 0o644)
	os.WriteFile(filepath.Join(conf, "accounts"), []byte(fmt.Sprintf(
		"<sip:4930200@127.0.0.1:%d>;auth_pass=alicepass;answermode=%s;audio_codecs=PCMA,PCMU\n", kport, answer)), 0o644)
	b := &Baresip{t: t, dir: dir, log: &testtool.Buffer{}, ev: make(chan map[string]any, 64)}
	b.cmd = exec.Command(bin, "-f", conf)
	b.cmd.Env = append(os.Environ(), "HOME="+dir)
	b.cmd.Stdout, b.cmd.Stderr = b.log, b.log
	b.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Stop)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", cport))
		if err == nil {
			b.ctrl = c
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("baresip's ctrl_tcp did not come up:\n%s", b.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	go b.read()
	for !strings.Contains(b.log.String(), "200 OK") {
		if time.Now().After(deadline) {
			t.Fatalf("baresip did not register:\n%s", b.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return b
}

// read parses ctrl_tcp's netstrings.
func (b *Baresip) read() {
	r := bufio.NewReader(b.ctrl)
	for {
		ls, err := r.ReadString(':')
		if err != nil {
			close(b.ev)
			return
		}
		n, err := strconv.Atoi(ls[:len(ls)-1])
		if err != nil || n > 1<<20 {
			close(b.ev)
			return
		}
		buf := make([]byte, n+1)
		if _, err := io_ReadFull(r, buf); err != nil {
			close(b.ev)
			return
		}
		var m map[string]any
		if json.Unmarshal(buf[:n], &m) == nil {
			b.mu.Lock()
			b.events = append(b.events, m)
			b.mu.Unlock()
			select {
			case b.ev <- m:
			default:
			}
		}
	}
}

func io_ReadFull(r *bufio.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		k, err := r.Read(buf[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func (b *Baresip) Command(cmd, params string) {
	j, _ := json.Marshal(map[string]string{"command": cmd, "params": params, "token": cmd})
	fmt.Fprintf(b.ctrl, "%d:%s,", len(j), j)
}

// wait returns the next event of type typ.
func (b *Baresip) Wait(typ string, within time.Duration) map[string]any {
	b.t.Helper()
	deadline := time.After(within)
	for {
		select {
		case m, ok := <-b.ev:
			if !ok {
				b.t.Fatalf("baresip gone waiting for %s:\n%s", typ, b.log.String())
			}
			if m["type"] == typ {
				return m
			}
		case <-deadline:
			b.mu.Lock()
			evs := fmt.Sprint(b.events)
			b.mu.Unlock()
			b.t.Fatalf("no baresip %s within %v; events %s\n%s", typ, within, evs, b.log.String())
		}
	}
}

func (b *Baresip) Stop() {
	if b.cmd == nil || b.cmd.Process == nil {
		return
	}
	if b.ctrl != nil {
		b.Command("quit", "")
	}
	done := make(chan struct{})
	go func() { b.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
	b.cmd = nil
}

// heard returns the audio baresip decoded (sndfile's -dec.wav), after
// stop.
func (b *Baresip) Heard() []int16 {
	b.t.Helper()
	files, _ := filepath.Glob(filepath.Join(b.dir, "snd", "*dec.wav"))
	if len(files) == 0 {
		all, _ := filepath.Glob(filepath.Join(b.dir, "snd", "*"))
		b.t.Fatalf("no recording of what baresip heard: %v", all)
	}
	data, err := os.ReadFile(files[0])
	if err != nil || len(data) < 44 {
		b.t.Fatal(err)
	}
	pcm := make([]int16, (len(data)-44)/2)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(data[44+2*i:]))
	}
	return pcm
}

// toneShare is the share of a signal's energy at hz (Goertzel over 20 ms
// blocks, summed), from 0 to 1: a tone through a codec keeps most of it,
// a wrong tone, silence or noise almost none.
func ToneShare(pcm []int16, hz float64) float64 {
	const blk = 160
	var at, total float64
	w := 2 * math.Cos(2*math.Pi*hz/8000)
	for i := 0; i+blk <= len(pcm); i += blk {
		var s1, s2, e float64
		for _, v := range pcm[i : i+blk] {
			x := float64(v)
			s1, s2 = x+w*s1-s2, s1
			e += x * x
		}
		p := s1*s1 + s2*s2 - w*s1*s2
		at += 2 * p / blk
		total += e
	}
	if total == 0 {
		return 0
	}
	return at / total
}

func CheckTone(t testing.TB, what string, pcm []int16, want, other float64) {
	t.Helper()
	if len(pcm) < 8000 {
		t.Errorf("%s only %d samples", what, len(pcm))
		return
	}
	s, o := ToneShare(pcm, want), ToneShare(pcm, other)
	t.Logf("%s: %d samples, %.2f of the energy at %g Hz, %.3f at %g Hz", what, len(pcm), s, want, o, other)
	if s < 0.5 || o > 0.1 {
		t.Errorf("%s: %.2f of the energy at %g Hz (want ≥ 0.5), %.3f at %g Hz (want ≤ 0.1)", what, s, want, o, other)
	}
}
