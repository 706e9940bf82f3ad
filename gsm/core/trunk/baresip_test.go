package trunk

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

	"github.com/gsmbox/gsmbox/gsm/codec/fr"
	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/core"
	"github.com/gsmbox/gsmbox/gsm/rsl"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

// baresip is the far-end phone: account alice on the kamailio provider,
// auto-answering, speaking a tone from a WAV file (aufile) and recording
// what it hears (sndfile), driven over ctrl_tcp.
type baresip struct {
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
func writeTone(t testing.TB, path string, hz float64, seconds int) {
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

func startBaresip(t testing.TB, kport int, toneHz float64, answer string) *baresip {
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
	writeTone(t, filepath.Join(dir, "in.wav"), toneHz, 60)
	sport, cport := freePort(t), freePort(t)
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
	b := &baresip{t: t, dir: dir, log: &testtool.Buffer{}, ev: make(chan map[string]any, 64)}
	b.cmd = exec.Command(bin, "-f", conf)
	b.cmd.Env = append(os.Environ(), "HOME="+dir)
	b.cmd.Stdout, b.cmd.Stderr = b.log, b.log
	b.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.stop)
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
func (b *baresip) read() {
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

func (b *baresip) command(cmd, params string) {
	j, _ := json.Marshal(map[string]string{"command": cmd, "params": params, "token": cmd})
	fmt.Fprintf(b.ctrl, "%d:%s,", len(j), j)
}

// wait returns the next event of type typ.
func (b *baresip) wait(typ string, within time.Duration) map[string]any {
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

func (b *baresip) stop() {
	if b.cmd == nil || b.cmd.Process == nil {
		return
	}
	if b.ctrl != nil {
		b.command("quit", "")
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
func (b *baresip) heard() []int16 {
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

// cell plays the cell's side of a SpeechPort: every 20 ms an FR frame of
// a sine at hz goes up, and the frames coming down are decoded.
type cell struct {
	mu   sync.Mutex
	pcm  []int16
	stop chan struct{}
	done chan struct{}
}

func runCell(port *rsl.SpeechPort, hz float64) *cell {
	c := &cell{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		enc, dec := fr.NewEncoder(), fr.NewDecoder()
		var in, out [fr.FrameSamples]int16
		var gsm [fr.FrameSize]byte
		var f rsl.SpeechFrame
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		n := 0
		for {
			select {
			case <-c.stop:
				return
			case <-tick.C:
			}
			for i := range in {
				in[i] = int16(8000 * math.Sin(2*math.Pi*hz*float64(n)/8000))
				n++
			}
			enc.Encode(&gsm, &in)
			var up rsl.SpeechFrame
			coding.FRFromRTP(&up.Bits, gsm[:])
			port.Up.Put(&up)
			for port.Down.Get(&f) {
				coding.FRToRTP(&gsm, &f.Bits)
				if dec.Decode(&out, &gsm) == nil {
					c.mu.Lock()
					c.pcm = append(c.pcm, out[:]...)
					c.mu.Unlock()
				}
			}
		}
	}()
	return c
}

func (c *cell) end() []int16 {
	close(c.stop)
	<-c.done
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pcm
}

// toneShare is the share of a signal's energy at hz (Goertzel over 20 ms
// blocks, summed), from 0 to 1: a tone through a codec keeps most of it,
// a wrong tone, silence or noise almost none.
func toneShare(pcm []int16, hz float64) float64 {
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

// baresip calls a DID: the trunk brings the call in for the DID's MSISDN;
// the switch (this test) rings and answers it; speech flows both ways
// (a 440 Hz tone from baresip, 1 kHz from the phone's side, each found in
// what the other side decoded); DTMF both ways; baresip's BYE ends it and
// the media's ports are freed.
func TestBaresipCallsDID(t *testing.T) {
	testtool.Short(t)
	kport := freePort(t)
	startKamailio(t, kport)
	tm := &testMedia{}
	ev := newEvents()
	tr, g := startTrunk(t, kport, trunkPass, ev, tm, nil)
	waitState(t, tr, "registered", 5*time.Second)
	b := startBaresip(t, kport, 440, "auto")
	b.command("dial", fmt.Sprintf("sip:5551000@127.0.0.1:%d", kport))
	in := ev.next(t, core.TrunkIncoming, 5*time.Second)
	if in.To != "1001" || in.From != "4930200" || in.Port == nil || in.Trunk != "prov" {
		t.Fatalf("incoming %+v", in)
	}
	g.Ringing(in.Call)
	b.wait("CALL_RINGING", 5*time.Second)
	c := runCell(in.Port, 1000)
	g.Answer(in.Call)
	b.wait("CALL_ESTABLISHED", 5*time.Second)
	time.Sleep(2 * time.Second)
	b.command("sndcode", "5")
	g.DTMF(in.Call, '7', true)
	time.Sleep(200 * time.Millisecond)
	g.DTMF(in.Call, '7', false)
	if m := b.wait("CALL_DTMF_START", 3*time.Second); m["param"] != "7" {
		t.Errorf("baresip's DTMF event %v, want 7", m)
	}
	time.Sleep(500 * time.Millisecond)
	if s := tr.Status(); s.DTMFIn != 1 || s.DTMFOut != 1 {
		t.Errorf("DTMF in %d, out %d; want 1, 1", s.DTMFIn, s.DTMFOut)
	}
	b.command("hangup", "")
	end := ev.next(t, core.TrunkEnded, 5*time.Second)
	if end.Call != in.Call || end.Cause != 16 {
		t.Errorf("end %+v, want #16", end)
	}
	down := c.end()
	b.stop()
	checkTone(t, "the phone heard", down, 440, 1000)
	checkTone(t, "baresip heard", b.heard(), 1000, 440)
	noLeak(t, g, tm)
}

func checkTone(t *testing.T, what string, pcm []int16, want, other float64) {
	t.Helper()
	if len(pcm) < 8000 {
		t.Errorf("%s only %d samples", what, len(pcm))
		return
	}
	s, o := toneShare(pcm, want), toneShare(pcm, other)
	t.Logf("%s: %d samples, %.2f of the energy at %g Hz, %.3f at %g Hz", what, len(pcm), s, want, o, other)
	if s < 0.5 || o > 0.1 {
		t.Errorf("%s: %.2f of the energy at %g Hz (want ≥ 0.5), %.3f at %g Hz (want ≤ 0.1)", what, s, want, o, other)
	}
}

func noLeak(t *testing.T, g *Group, tm *testMedia) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for (g.Calls() != 0 || tm.Open() != 0) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if g.Calls() != 0 || tm.Open() != 0 {
		t.Errorf("left: %d calls, %d media sessions (RTP ports)", g.Calls(), tm.Open())
	}
}
