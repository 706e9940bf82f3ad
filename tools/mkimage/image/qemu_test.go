package image

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/tools/fatfs"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

// The image tier (DESIGN.md tier 5): build the qemu-arm64 image, boot it as
// a disk through U-Boot in qemu-system-aarch64, and watch the console.

func moduleDir(t *testing.T) string {
	t.Helper()
	d, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func needQEMU(t *testing.T) {
	t.Helper()
	testtool.Short(t)
	testtool.Need(t, "qemu-system-aarch64")
	if _, err := os.Stat(UBootQEMU); err != nil {
		msg := UBootQEMU + " not found; install it with: apt-get install u-boot-qemu"
		if testtool.Required() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

func buildQEMUImage(t *testing.T, out, cmdline string) *Result {
	t.Helper()
	d, err := boards.Lookup("qemu-arm64")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Build(context.Background(), d, Options{ModuleDir: moduleDir(t), Output: out, ExtraCmdline: cmdline, Version: "v0-imagetest"})
	if err != nil {
		t.Fatalf("Build = %v", err)
	}
	return res
}

// TestImageReproducible builds the image twice: same bytes.
func TestImageReproducible(t *testing.T) {
	testtool.Short(t)
	dir := t.TempDir()
	a := buildQEMUImage(t, filepath.Join(dir, "a.img"), "")
	b := buildQEMUImage(t, filepath.Join(dir, "b.img"), "")
	if a.SHA256 != b.SHA256 {
		t.Errorf("two builds: sha256 %s and %s, want equal", a.SHA256, b.SHA256)
	}
	t.Logf("qemu-arm64 image: %d bytes (%d MiB), boot files %d bytes, sha256 %s", a.Size, a.Size>>20, a.BootUsed, a.SHA256)
	// The boot partition holds what U-Boot and the kernel need.
	img, _ := os.ReadFile(a.Path)
	fs, err := fatfs.OpenPartition(bytes.NewReader(img), int64(len(img)), 1)
	if err != nil {
		t.Fatalf("OpenPartition(1) = %v", err)
	}
	for _, f := range []string{"vmlinuz", "initramfs.cpio", "boot.scr", "gsmbox.toml"} {
		if _, err := fs.ReadFile(f); err != nil {
			t.Errorf("boot partition: %s: %v", f, err)
		}
	}
	// The data partition is ext4 (the default) and holds its README.
	if readme := readPart(t, a.Path, 2, "README.txt"); !strings.Contains(readme, "gsmbox persistent data") {
		t.Errorf("data partition README.txt = %q", readme)
	}
}

// console is a running guest's serial console, line by line, with the
// wall time each line arrived.
type console struct {
	end time.Duration // when QEMU exited
	// powerCut kills QEMU at once: no shutdown, no sync.
	powerCut func()
	cut      bool
	mu       sync.Mutex
	lines    []line
	cond     chan struct{}
}

type line struct {
	at   time.Duration
	text string
}

func (c *console) add(at time.Duration, s string) {
	c.mu.Lock()
	c.lines = append(c.lines, line{at, s})
	c.mu.Unlock()
	select {
	case c.cond <- struct{}{}:
	default:
	}
}

// waitFor waits up to d for a line matching re.
func (c *console) waitFor(re *regexp.Regexp, d time.Duration) (line, bool) {
	deadline := time.After(d)
	for {
		if l, ok := c.find(re); ok {
			return l, true
		}
		select {
		case <-deadline:
			return line{}, false
		case <-c.cond:
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// find returns the first line matching re.
func (c *console) find(re *regexp.Regexp) (line, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, l := range c.lines {
		if re.MatchString(l.text) {
			return l, true
		}
	}
	return line{}, false
}

func (c *console) text() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	for _, l := range c.lines {
		fmt.Fprintf(&b, "%7.2fs %s\n", l.at.Seconds(), l.text)
	}
	return b.String()
}

// boot runs QEMU until the guest powers off (or timeout) and returns its
// console.
func boot(t *testing.T, o QEMUOptions, timeout time.Duration) *console {
	t.Helper()
	return bootDuring(t, o, timeout, nil)
}

// bootDuring is boot, with during run on its own goroutine while the guest
// runs (to hot-plug devices); boot waits for it.
func bootDuring(t *testing.T, o QEMUOptions, timeout time.Duration, during func(c *console)) *console {
	t.Helper()
	return bootTyping(t, o, timeout, nil, during)
}

// bootTyping is bootDuring with the guest's serial input from stdin.
func bootTyping(t *testing.T, o QEMUOptions, timeout time.Duration, stdin io.Reader, during func(c *console)) *console {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "qemu-system-aarch64", QEMUArgs(o)...)
	cmd.Stdin = stdin
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("qemu: %v", err)
	}
	c := &console{cond: make(chan struct{}, 1)}
	c.powerCut = func() {
		c.mu.Lock()
		c.cut = true
		c.mu.Unlock()
		cmd.Process.Kill()
	}
	var wg sync.WaitGroup
	if during != nil {
		wg.Add(1)
		go func() { defer wg.Done(); during(c) }()
	}
	defer wg.Wait()
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		c.add(time.Since(start), strings.TrimRight(sc.Text(), "\r"))
	}
	err = cmd.Wait()
	c.end = time.Since(start)
	// GSMBOX_QEMU_LOGS=DIR keeps each boot's console for a person to read.
	if d := os.Getenv("GSMBOX_QEMU_LOGS"); d != "" {
		os.MkdirAll(d, 0o755)
		p := filepath.Join(d, fmt.Sprintf("%s-%d.log", strings.ReplaceAll(t.Name(), "/", "_"), time.Now().UnixNano()))
		os.WriteFile(p, []byte(c.text()), 0o644)
		t.Logf("console saved to %s", p)
	}
	if ctx.Err() != nil {
		t.Fatalf("guest did not power off within %v; console:\n%s", timeout, tail(c.text(), 60))
	}
	if err != nil && !c.cut {
		t.Fatalf("qemu: %v; console:\n%s", err, tail(c.text(), 60))
	}
	return c
}

func tail(s string, n int) string {
	l := strings.Split(s, "\n")
	if len(l) > n {
		l = l[len(l)-n:]
	}
	return strings.Join(l, "\n")
}

func mustFind(t *testing.T, c *console, what string) line {
	t.Helper()
	l, ok := c.find(regexp.MustCompile(what))
	if !ok {
		t.Fatalf("console has no line matching %q; console:\n%s", what, tail(c.text(), 80))
	}
	return l
}

func makeStick(t *testing.T, path string, files map[string]string) {
	t.Helper()
	var ff []fatfs.File
	for n, c := range files {
		ff = append(ff, fatfs.File{Path: n, Data: []byte(c)})
	}
	const size = 40 << 20
	lba := fatfs.PartitionLBAs(size)
	fsimg, err := fatfs.Build(fatfs.Options{Size: size, Label: "STICK", VolumeID: 0x57C4, HiddenSectors: lba[0]}, ff)
	if err != nil {
		t.Fatal(err)
	}
	disk, err := fatfs.DiskImage(0x57C4, fatfs.Partition{Type: 0x0C, Data: fsimg})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, disk, 0o644); err != nil {
		t.Fatal(err)
	}
}

func readPart(t *testing.T, path string, part int, name string) string {
	t.Helper()
	img, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if b, ok := readExt4Part(t, img, part, name); ok {
		return b
	}
	fs, err := fatfs.OpenPartition(bytes.NewReader(img), int64(len(img)), part)
	if err != nil {
		t.Fatalf("%s partition %d: %v", path, part, err)
	}
	b, err := fs.ReadFile(name)
	if err != nil {
		t.Fatalf("%s partition %d: %s: %v", path, part, name, err)
	}
	return string(b)
}

// readExt4Part reads name from partition part of img when that is ext4
// (the default data partition), with debugfs (e2fsprogs); ok is false
// for a partition that is not ext4.
func readExt4Part(t *testing.T, img []byte, part int, name string) (string, bool) {
	t.Helper()
	e := img[446+16*(part-1):]
	start := int64(binary.LittleEndian.Uint32(e[8:])) * 512
	size := int64(binary.LittleEndian.Uint32(e[12:])) * 512
	if start+size > int64(len(img)) || size < 2048 || binary.LittleEndian.Uint16(img[start+1080:]) != 0xEF53 {
		return "", false
	}
	if _, err := exec.LookPath("debugfs"); err != nil {
		t.Skip("debugfs not found (apt-get install e2fsprogs): the data partition is ext4")
	}
	p := filepath.Join(t.TempDir(), "part.ext4")
	if err := os.WriteFile(p, img[start:start+size], 0o644); err != nil {
		t.Fatal(err)
	}
	// Replay the journal, as the kernel does at mount.
	exec.Command("e2fsck", "-E", "journal_only", "-y", p).Run()
	var out, errb bytes.Buffer
	cmd := exec.Command("debugfs", "-R", "cat /"+name, p)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil || strings.Contains(errb.String(), "File not found") {
		t.Fatalf("partition %d (ext4): %s: %v %s", part, name, err, errb.String())
	}
	return out.String(), true
}

// listExt4Part lists every file under the root of partition part of img
// when that is ext4, with debugfs; ok is false for a partition that is
// not ext4.
func listExt4Part(t *testing.T, img []byte, part int) (names []string, ok bool) {
	t.Helper()
	e := img[446+16*(part-1):]
	start := int64(binary.LittleEndian.Uint32(e[8:])) * 512
	size := int64(binary.LittleEndian.Uint32(e[12:])) * 512
	if start+size > int64(len(img)) || size < 2048 || binary.LittleEndian.Uint16(img[start+1080:]) != 0xEF53 {
		return nil, false
	}
	if _, err := exec.LookPath("debugfs"); err != nil {
		t.Skip("debugfs not found (apt-get install e2fsprogs): the data partition is ext4")
	}
	p := filepath.Join(t.TempDir(), "part.ext4")
	if err := os.WriteFile(p, img[start:start+size], 0o644); err != nil {
		t.Fatal(err)
	}
	exec.Command("e2fsck", "-E", "journal_only", "-y", p).Run()
	var walk func(dir string, depth int)
	walk = func(dir string, depth int) {
		out, err := exec.Command("debugfs", "-R", "ls -p /"+dir, p).Output()
		if err != nil {
			t.Fatalf("debugfs ls /%s: %v", dir, err)
		}
		// Each line: /inode/mode/uid/gid/name/size/ (mode in octal).
		for _, l := range strings.Split(string(out), "\n") {
			f := strings.Split(l, "/")
			if len(f) < 7 || f[5] == "." || f[5] == ".." || f[5] == "" {
				continue
			}
			name := f[5]
			if dir != "" {
				name = dir + "/" + f[5]
			}
			if strings.HasPrefix(f[2], "04") && depth < 8 {
				walk(name, depth+1)
				continue
			}
			names = append(names, name)
		}
	}
	walk("", 0)
	return names, true
}

// TestQEMUBootUSB boots the image twice, as the same disk:
//
//  1. with a stick holding a new gsmbox.toml (ARFCN 62 → 70): the cell goes
//     on air, the change is applied, the cell restarts on ARFCN 70, the
//     report lands on the stick, and the new config is on the data
//     partition;
//  2. with a stick holding a broken gsmbox.toml: the cell comes up on ARFCN
//     70 (the data partition survived the reboot), the report names every
//     error with its line, and the config in force does not change.
//
// The image carries gsmbox.poweroff=usb,150s (test only): the supervisor
// powers off once the stick is handled.
func TestQEMUBootUSB(t *testing.T) {
	needQEMU(t)
	dir := t.TempDir()
	disk := filepath.Join(dir, "qemu-arm64.img")
	res := buildQEMUImage(t, disk, "gsmbox.poweroff=usb,150s")
	t.Logf("image: %d MiB, sha256 %s", res.Size>>20, res.SHA256)

	good := filepath.Join(dir, "good.img")
	makeStick(t, good, map[string]string{
		"gsmbox.toml":     "# from the stick\n[cell]\narfcn = 70\n",
		"subscribers.csv": "imsi,msisdn,algorithm,ki\n001010000000001,1001,comp128v1,000102030405060708090a0b0c0d0e0f\n001010000000002,1002,comp128v3,0f0e0d0c0b0a09080706050403020100\n",
	})
	c := boot(t, QEMUOptions{Image: disk, USB: good}, 240*time.Second)
	kernel := mustFind(t, c, `Booting Linux on physical CPU`)
	onAir := mustFind(t, c, `on air.*ARFCN 62\b`)
	mustFind(t, c, `services started`)
	mustFind(t, c, `USB stick /dev/sd[a-z]1: gsmbox.toml APPLIED 1 change.*subscribers.csv imported: 2 added.*safe to remove`)
	mustFind(t, c, `on air.*ARFCN 70\b`)
	mustFind(t, c, `reboot: Power down`)
	t.Logf("boot 1: kernel start %.2fs, on air %.2fs after kernel start (wall, TCG emulation)", kernel.at.Seconds(), (onAir.at - kernel.at).Seconds())

	rep := readPart(t, good, 1, "gsmbox-report.txt")
	for _, want := range []string{"APPLIED", "cell.arfcn: 62 -> 70 (restarts cell)", "version: v0-imagetest", "board:   qemu-arm64", "transmitter: enabled", "subscribers.csv: imported: 2 added, 0 updated"} {
		if !strings.Contains(rep, want) {
			t.Errorf("report on the good stick lacks %q:\n%s", want, rep)
		}
	}
	if cfg := readPart(t, disk, 2, "gsmbox.toml"); !strings.Contains(cfg, "arfcn = 70") {
		t.Errorf("data partition gsmbox.toml = %q, want the stick's", cfg)
	}
	if log := readPart(t, disk, 2, "gsmbox.log"); !strings.Contains(log, "on air") {
		t.Errorf("persisted log lacks the on-air line:\n%s", tail(log, 20))
	}

	bad := filepath.Join(dir, "bad.img")
	makeStick(t, bad, map[string]string{"gsmbox.toml": "[cell]\narfcn = 99999\ncolour = \"blue\"\n"})
	c = boot(t, QEMUOptions{Image: disk, USB: bad}, 240*time.Second)
	mustFind(t, c, `configuration loaded.*data partition gsmbox.toml.*arfcn=70`)
	if l, ok := c.find(regexp.MustCompile(`not cleanly unmounted`)); ok {
		t.Errorf("after a clean power-off: %s", l.text)
	}
	mustFind(t, c, `on air.*ARFCN 70\b`)
	mustFind(t, c, `USB stick /dev/sd[a-z]1: gsmbox.toml REJECTED with 2 error.*safe to remove`)
	if l, ok := c.find(regexp.MustCompile(`on air.*ARFCN (62|99999)\b`)); ok {
		t.Errorf("a broken file changed the cell: %s", l.text)
	}
	rep = readPart(t, bad, 1, "gsmbox-report.txt")
	for _, want := range []string{"REJECTED", "line 2", "cell.arfcn", "line 3", "colour", "ARFCN 70"} {
		if !strings.Contains(rep, want) {
			t.Errorf("report on the bad stick lacks %q:\n%s", want, rep)
		}
	}
	if cfg := readPart(t, disk, 2, "gsmbox.toml"); !strings.Contains(cfg, "arfcn = 70") {
		t.Errorf("after a bad stick data partition gsmbox.toml = %q, want unchanged", cfg)
	}
	if prev := readPart(t, disk, 2, "gsmbox.prev.log"); !strings.Contains(prev, "APPLIED") && !strings.Contains(prev, "usb stick handled") {
		t.Errorf("previous boot's log not kept:\n%s", tail(prev, 10))
	}
}

// TestQEMUWatchdog proves the hardware watchdog (QEMU's i6300esb) is fed
// only while the health checks pass: with a 5 s timeout, a healthy box runs
// for 25 s and powers off cleanly; with a check that always fails
// (gsmbox.test.unhealthy=1, test only), the hardware resets the box before
// its 60 s power-off timer (QEMU's -no-reboot turns the reset into an exit).
func TestQEMUWatchdog(t *testing.T) {
	needQEMU(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		name    string
		cmdline string
		reset   bool
	}{
		{"healthy", "gsmbox.watchdog=5s gsmbox.poweroff=25s", false},
		{"unhealthy", "gsmbox.watchdog=5s gsmbox.test.unhealthy=1 gsmbox.poweroff=60s", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			disk := filepath.Join(dir, tc.name+".img")
			buildQEMUImage(t, disk, tc.cmdline)
			c := boot(t, QEMUOptions{Image: disk}, 150*time.Second)
			armed := mustFind(t, c, `hardware watchdog armed.*timeout=5s`)
			_, poweredOff := c.find(regexp.MustCompile(`gsmbox: powering off`))
			if !tc.reset {
				mustFind(t, c, `test power-off timer expired`)
				if !poweredOff {
					t.Errorf("healthy box did not power off cleanly; console:\n%s", tail(c.text(), 40))
				}
				return
			}
			failed := mustFind(t, c, `health check failed; not feeding the watchdog.*gsmbox.test.unhealthy`)
			if poweredOff {
				t.Errorf("unhealthy box powered off by its timer: the watchdog did not reset it; console:\n%s", tail(c.text(), 40))
			}
			t.Logf("watchdog armed at %.1fs, checks failing from %.1fs, reset (QEMU exit) at %.1fs", armed.at.Seconds(), failed.at.Seconds(), c.end.Seconds())
			// The reset is the watchdog's: not a panic, not at once.
			if l, ok := c.find(regexp.MustCompile(`Kernel panic|Attempted to kill init`)); ok {
				t.Errorf("guest died otherwise: %s", l.text)
			}
			if d := c.end - failed.at; d < 3*time.Second {
				t.Errorf("QEMU exited %v after the checks failed, sooner than the 5 s watchdog could fire; console:\n%s", d, tail(c.text(), 40))
			}
		})
	}
}

// qmp sends QEMU machine-protocol commands over a Unix socket.
func qmp(path string, cmds ...string) error {
	var conn net.Conn
	var err error
	for i := 0; i < 100; i++ {
		if conn, err = net.Dial("unix", path); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	r := bufio.NewReader(conn)
	if _, err := r.ReadString('\n'); err != nil { // greeting
		return err
	}
	for _, c := range append([]string{`{"execute":"qmp_capabilities"}`}, cmds...) {
		if _, err := conn.Write([]byte(c + "\n")); err != nil {
			return err
		}
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				return err
			}
			if strings.Contains(l, `"error"`) {
				return fmt.Errorf("qmp %s: %s", c, l)
			}
			if strings.Contains(l, `"return"`) {
				break
			}
		}
	}
	return nil
}

// TestQEMUHotplugUSB plugs a stick into the running box (QMP device_add on
// the xHCI controller): the kernel's uevent wakes the USB service, which
// applies the file and writes the report.
func TestQEMUHotplugUSB(t *testing.T) {
	needQEMU(t)
	dir := t.TempDir()
	disk := filepath.Join(dir, "qemu-arm64.img")
	// Polling for sticks every 2 s races the uevent on a slow emulated
	// machine; with it at 60 s only the uevent can notice the stick in
	// time.
	buildQEMUImage(t, disk, "gsmbox.poweroff=usb,150s gsmbox.usbpoll=60s")
	stick := filepath.Join(dir, "stick.img")
	makeStick(t, stick, map[string]string{"GSMBOX.TOML": "[network]\nname = \"Village\"\n[cell]\nlac = 42\n"})
	sock := filepath.Join(dir, "qmp.sock")
	var plugErr error
	var plugged time.Duration
	c := bootDuring(t, QEMUOptions{Image: disk, USBController: true, QMP: sock}, 240*time.Second, func(c *console) {
		if _, ok := c.waitFor(regexp.MustCompile(`on air`), 120*time.Second); !ok {
			plugErr = fmt.Errorf("cell never on air")
			return
		}
		time.Sleep(2 * time.Second) // the box is idle, not at boot
		plugErr = qmp(sock,
			`{"execute":"blockdev-add","arguments":{"node-name":"stick","driver":"raw","file":{"driver":"file","filename":"`+stick+`"}}}`,
			`{"execute":"device_add","arguments":{"driver":"usb-storage","drive":"stick","bus":"xhci.0","id":"stickdev"}}`)
		c.mu.Lock()
		plugged = c.lines[len(c.lines)-1].at
		c.mu.Unlock()
	})
	if plugErr != nil {
		t.Fatalf("hot-plug: %v; console:\n%s", plugErr, tail(c.text(), 40))
	}
	found := mustFind(t, c, `usb stick found.*via=(uevent|poll)`)
	done := mustFind(t, c, `gsmbox.toml APPLIED 2 change.*safe to remove`)
	if !strings.Contains(found.text, "via=uevent") {
		t.Errorf("stick noticed by polling, not by its uevent: %s", found.text)
	}
	t.Logf("stick plugged at %.1fs, noticed at %.1fs, safe to remove at %.1fs", plugged.Seconds(), found.at.Seconds(), done.at.Seconds())
	rep := readPart(t, stick, 1, "gsmbox-report.txt")
	for _, want := range []string{"APPLIED", `network.name: "gsmbox test network" -> "Village"`, "cell.lac: 1 -> 42"} {
		if !strings.Contains(rep, want) {
			t.Errorf("report lacks %q:\n%s", want, rep)
		}
	}
}

// TestQEMUShell uses the debug shell on the serial console
// (gsmbox.shell=1): `gsmbox status` prints the supervisor's status, and
// `gsmbox poweroff` shuts the box down in order.
func TestQEMUShell(t *testing.T) {
	needQEMU(t)
	dir := t.TempDir()
	disk := filepath.Join(dir, "qemu-arm64.img")
	buildQEMUImage(t, disk, "gsmbox.shell=1 gsmbox.poweroff=120s")
	pr, pw := io.Pipe()
	defer pw.Close()
	var typeErr error
	c := bootTyping(t, QEMUOptions{Image: disk}, 240*time.Second, pr, func(c *console) {
		defer pw.Close()
		if _, ok := c.waitFor(regexp.MustCompile(`led pattern.*on-air`), 120*time.Second); !ok {
			typeErr = fmt.Errorf("never on air")
			return
		}
		// Type slowly: the emulated UART has a small FIFO.
		typeLine := func(s string) {
			for _, ch := range s + "\r" {
				pw.Write([]byte(string(ch)))
				time.Sleep(20 * time.Millisecond)
			}
		}
		time.Sleep(time.Second)
		typeLine("gsmbox status")
		// gsmbox status asks the running box's console API over its
		// local socket (the status file is the fallback).
		if _, ok := c.waitFor(regexp.MustCompile(`cell:\s+ON AIR`), 30*time.Second); !ok {
			typeErr = fmt.Errorf("gsmbox status printed nothing")
			return
		}
		typeLine("gsmbox poweroff")
	})
	if typeErr != nil {
		t.Fatalf("%v; console:\n%s", typeErr, tail(c.text(), 40))
	}
	mustFind(t, c, `network:.*GSM900 ARFCN 62\b`)
	mustFind(t, c, `shutdown requested.*signal=`)
	mustFind(t, c, `gsmbox: powering off`)
	if _, ok := c.find(regexp.MustCompile(`test power-off timer expired`)); ok {
		t.Error("the box powered off by its test timer, not by gsmbox poweroff")
	}
}

// TestQEMUPowerCut pulls the plug (SIGKILL to QEMU) a second after a stick
// was applied, with no shutdown and no unmount: the data partition must
// still read back with the new configuration (it was written with
// temp+fsync+rename+fsync-dir), and the next boot must come up with it.
func TestQEMUPowerCut(t *testing.T) {
	needQEMU(t)
	dir := t.TempDir()
	disk := filepath.Join(dir, "qemu-arm64.img")
	buildQEMUImage(t, disk, "gsmbox.poweroff=20s")
	stick := filepath.Join(dir, "stick.img")
	makeStick(t, stick, map[string]string{"gsmbox.toml": "[cell]\narfcn = 75\n"})
	var cutErr error
	c := bootDuring(t, QEMUOptions{Image: disk, USB: stick}, 240*time.Second, func(c *console) {
		if _, ok := c.waitFor(regexp.MustCompile(`safe to remove`), 120*time.Second); !ok {
			cutErr = fmt.Errorf("stick never handled")
			return
		}
		time.Sleep(time.Second)
		c.powerCut()
	})
	if cutErr != nil {
		t.Fatalf("%v; console:\n%s", cutErr, tail(c.text(), 40))
	}
	if _, ok := c.find(regexp.MustCompile(`powering off`)); ok {
		t.Fatal("the guest shut down cleanly; the test wanted a power cut")
	}
	if cfg := readPart(t, disk, 2, "gsmbox.toml"); !strings.Contains(cfg, "arfcn = 75") {
		t.Errorf("after the power cut data partition gsmbox.toml = %q, want the applied one", cfg)
	}
	c = boot(t, QEMUOptions{Image: disk}, 240*time.Second)
	mustFind(t, c, `data partition was not cleanly unmounted`)
	mustFind(t, c, `configuration loaded.*data partition gsmbox.toml.*arfcn=75`)
	mustFind(t, c, `on air.*ARFCN 75\b`)
}

// TestQEMUSimPhones boots the image with gsmbox.simphones=3: the board's
// own cell loop (the appliance's "cell" service on the sim front end)
// runs three virtual phones on its simulated air, provisioned with keys,
// and each registers, authenticated and ciphered. This proves the
// appliance's loop receives, not only transmits.
func TestQEMUSimPhones(t *testing.T) {
	needQEMU(t)
	dir := t.TempDir()
	disk := filepath.Join(dir, "qemu-arm64.img")
	buildQEMUImage(t, disk, "gsmbox.simphones=3 gsmbox.poweroff=200s")
	re := regexp.MustCompile(`virtual phone registered"? phone=(\d+) .*authenticated=true cipher=A5/[13]`)
	registered := func(c *console) map[string]line {
		c.mu.Lock()
		defer c.mu.Unlock()
		got := map[string]line{}
		for _, l := range c.lines {
			if m := re.FindStringSubmatch(l.text); m != nil {
				got[m[1]] = l
			}
		}
		return got
	}
	c := bootDuring(t, QEMUOptions{Image: disk}, 240*time.Second, func(c *console) {
		for deadline := time.Now().Add(210 * time.Second); time.Now().Before(deadline); {
			if len(registered(c)) == 3 {
				c.powerCut() // proven; no need to wait for the power-off timer
				return
			}
			c.waitFor(regexp.MustCompile(`gsmbox: powering off`), time.Second)
		}
	})
	onAir := mustFind(t, c, `on air: ARFCN 62`)
	mustFind(t, c, `virtual phones on the simulated air.*phones=3`)
	got := registered(c)
	if len(got) != 3 {
		t.Fatalf("%d of 3 virtual phones registered authenticated and ciphered; console:\n%s", len(got), tail(c.text(), 80))
	}
	for p, l := range got {
		t.Logf("phone %s registered %.1fs after the cell went on air: %s", p, (l.at - onAir.at).Seconds(), l.text)
	}
}
