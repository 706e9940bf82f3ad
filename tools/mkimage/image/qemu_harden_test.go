package image

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/tools/fatfs"
)

// makeStickSize is makeStick with the stick's size.
func makeStickSize(t *testing.T, path string, size int64, files map[string][]byte) {
	t.Helper()
	var ff []fatfs.File
	for n, c := range files {
		ff = append(ff, fatfs.File{Path: n, Data: c})
	}
	lba := fatfs.PartitionLBAs(size)
	fsimg, err := fatfs.Build(fatfs.Options{Size: size, Label: "STICK", VolumeID: 0x57C5, HiddenSectors: lba[0]}, ff)
	if err != nil {
		t.Fatal(err)
	}
	disk, err := fatfs.DiskImage(0x57C5, fatfs.Partition{Type: 0x0C, Data: fsimg})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, disk, 0o644); err != nil {
		t.Fatal(err)
	}
}

// readTree returns every file of a FAT file system under dir, by path.
func readTree(t *testing.T, fs *fatfs.FS, dir string, into map[string][]byte) {
	t.Helper()
	es, err := fs.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Name == "." || e.Name == ".." {
			continue
		}
		p := e.Name
		if dir != "" {
			p = dir + "/" + e.Name
		}
		if e.IsDir {
			readTree(t, fs, p, into)
			continue
		}
		b, err := fs.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		into[p] = b
	}
}

// seedData rewrites the image's data partition (as a board's /perm) with
// its files plus add.
func seedData(t *testing.T, disk string, add map[string][]byte) {
	t.Helper()
	img, err := os.ReadFile(disk)
	if err != nil {
		t.Fatal(err)
	}
	if seedExt4(t, disk, img, add) {
		return
	}
	off, length, err := fatfs.PartitionOffset(bytes.NewReader(img), int64(len(img)), 2)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := fatfs.Open(bytes.NewReader(img[off:off+length]), length)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	readTree(t, fs, "", files)
	for p, b := range add {
		files[p] = b
	}
	var ff []fatfs.File
	for p, b := range files {
		ff = append(ff, fatfs.File{Path: p, Data: b})
	}
	d, err := boards.Lookup("qemu-arm64")
	if err != nil {
		t.Fatal(err)
	}
	sig := crc32.ChecksumIEEE([]byte("gsmbox:" + d.Name))
	data, err := fatfs.Build(fatfs.Options{Size: length, Label: DataLabel, VolumeID: sig + 1, HiddenSectors: uint32(off / 512)}, ff)
	if err != nil {
		t.Fatal(err)
	}
	copy(img[off:off+length], data)
	if err := os.WriteFile(disk, img, 0o644); err != nil {
		t.Fatal(err)
	}
}

// seedExt4 writes add onto the data partition of img when it is ext4
// (the default), with debugfs, and saves the image to disk; false when
// the partition is not ext4.
func seedExt4(t *testing.T, disk string, img []byte, add map[string][]byte) bool {
	t.Helper()
	e := img[446+16:]
	start := int64(binary.LittleEndian.Uint32(e[8:])) * 512
	size := int64(binary.LittleEndian.Uint32(e[12:])) * 512
	if start+size > int64(len(img)) || size < 2048 || binary.LittleEndian.Uint16(img[start+1080:]) != 0xEF53 {
		return false
	}
	if _, err := exec.LookPath("debugfs"); err != nil {
		t.Skip("debugfs not found (apt-get install e2fsprogs): the data partition is ext4")
	}
	dir := t.TempDir()
	part := filepath.Join(dir, "part.ext4")
	if err := os.WriteFile(part, img[start:start+size], 0o644); err != nil {
		t.Fatal(err)
	}
	var cmds strings.Builder
	dirs := map[string]bool{}
	i := 0
	for name, b := range add {
		for d := filepath.Dir(name); d != "." && !dirs[d]; d = filepath.Dir(d) {
			dirs[d] = true
		}
		src := filepath.Join(dir, fmt.Sprintf("f%d", i))
		i++
		if err := os.WriteFile(src, b, 0o644); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&cmds, "rm /%s\nwrite %s /%s\n", name, src, name)
	}
	var mk []string
	for d := range dirs {
		mk = append(mk, d)
	}
	slices.Sort(mk) // parents sort before their children
	var head strings.Builder
	for _, d := range mk {
		fmt.Fprintf(&head, "mkdir /%s\n", d)
	}
	script := filepath.Join(dir, "cmds")
	if err := os.WriteFile(script, []byte(head.String()+cmds.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("debugfs", "-w", "-f", script, part).CombinedOutput(); err != nil {
		t.Fatalf("debugfs: %v\n%s", err, out)
	}
	if out, err := exec.Command("e2fsck", "-f", "-n", part).CombinedOutput(); err != nil {
		t.Fatalf("e2fsck after seeding: %v\n%s", err, out)
	}
	b, err := os.ReadFile(part)
	if err != nil {
		t.Fatal(err)
	}
	copy(img[start:start+size], b)
	if err := os.WriteFile(disk, img, 0o644); err != nil {
		t.Fatal(err)
	}
	return true
}

// damagedRegistry returns a registry file with two subscribers truncated
// as a power cut on FAT leaves it, and its good backup, by file name.
func damagedRegistry(t *testing.T) map[string][]byte {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "subscribers.db")
	db, err := registry.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := registry.New(registry.Config{Store: db})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := registry.ReadCSV(strings.NewReader("imsi,msisdn,algorithm,ki\n262420000000001,1001,comp128v1,000102030405060708090a0b0c0d0e0f\n262420000000002,1002,comp128v3,0f0e0d0c0b0a09080706050403020100\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Import(rows, registry.ImportAdd); err != nil { // saves a backup
		t.Fatal(err)
	}
	db.Close()
	out := map[string][]byte{}
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == "subscribers.db" {
			b = b[:min(10000, len(b)/2)] // head -c 10000, the repro
		}
		out[e.Name()] = b
	}
	if len(out) < 2 {
		t.Fatalf("registry left %v, want the file and a backup", es)
	}
	return out
}

// TestQEMUHardening boots the image twice (issue 11's proof):
//
//  1. with a truncated /perm/gsmbox/subscribers.db (and its good backup)
//     and a running config of PLMN 262-42, LAC 1234: the box quarantines
//     the file, restores the backup, says so, and comes on air; a stick
//     holding only "[cell] arfcn = 70" is applied as that one change (the
//     PLMN and LAC stay);
//  2. with a stick holding a 50 MB gsmbox.toml: rejected with one clear
//     error, unread; the cell stays on air on ARFCN 70.
func TestQEMUHardening(t *testing.T) {
	needQEMU(t)
	dir := t.TempDir()
	disk := filepath.Join(dir, "qemu-arm64.img")
	buildQEMUImage(t, disk, "gsmbox.poweroff=usb,150s")
	seed := map[string][]byte{"gsmbox.toml": []byte("[network]\nmcc = \"262\"\nmnc = \"42\"\n[cell]\nlac = 1234\n")}
	for n, b := range damagedRegistry(t) {
		seed["gsmbox/"+n] = b
	}
	seedData(t, disk, seed)

	stick := filepath.Join(dir, "one-key.img")
	makeStickSize(t, stick, 40<<20, map[string][]byte{"gsmbox.toml": []byte("[cell]\narfcn = 70\n")})
	c := boot(t, QEMUOptions{Image: disk, USB: stick}, 300*time.Second)
	rec := mustFind(t, c, `subscriber registry was damaged and has been recovered.*restored backup.*with 2 subscribers`)
	t.Logf("recovery: %s", rec.text)
	mustFind(t, c, `on air.*ARFCN 62\b.*PLMN 262-42.*LAC 1234`)
	mustFind(t, c, `USB stick /dev/sd[a-z]1: gsmbox.toml APPLIED 1 change`)
	mustFind(t, c, `on air.*ARFCN 70\b.*PLMN 262-42.*LAC 1234`)
	if l, ok := c.find(regexp.MustCompile(`\bpanic:|Kernel panic|fatal error:|SIGBUS`)); ok {
		t.Errorf("boot 1: %s", l.text)
	}
	rep := readPart(t, stick, 1, "gsmbox-report.txt")
	if !strings.Contains(rep, "cell.arfcn: 62 -> 70") || strings.Contains(rep, "network.mcc") || strings.Contains(rep, "cell.lac") {
		t.Errorf("one-key stick's report, want only the ARFCN change:\n%s", rep)
	}
	if cfg := readPart(t, disk, 2, "gsmbox.toml"); !strings.Contains(cfg, "262") || !strings.Contains(cfg, "70") {
		t.Errorf("data partition gsmbox.toml = %q, want PLMN 262 kept and ARFCN 70", cfg)
	}
	img, _ := os.ReadFile(disk)
	names, ok := listExt4Part(t, img, 2)
	if !ok {
		fs, err := fatfs.OpenPartition(bytes.NewReader(img), int64(len(img)), 2)
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		readTree(t, fs, "", files)
		for p := range files {
			names = append(names, p)
		}
	}
	quarantined := false
	for _, p := range names {
		quarantined = quarantined || strings.Contains(p, "subscribers.db.damaged-")
	}
	if !quarantined {
		t.Errorf("no quarantined registry file on the data partition: %v", names)
	}

	big := filepath.Join(dir, "big.img")
	var b bytes.Buffer
	for i := 0; b.Len() < 50<<20; i++ {
		fmt.Fprintf(&b, "unknown_key_%d = %d\n", i, i)
	}
	makeStickSize(t, big, 80<<20, map[string][]byte{"gsmbox.toml": b.Bytes()})
	c = boot(t, QEMUOptions{Image: disk, USB: big}, 300*time.Second)
	mustFind(t, c, `on air.*ARFCN 70\b.*PLMN 262-42`)
	mustFind(t, c, `USB stick /dev/sd[a-z]1: gsmbox.toml REJECTED with 1 error`)
	if l, ok := c.find(regexp.MustCompile(`on air.*ARFCN 62\b|\bpanic:|Kernel panic|fatal error:|[Oo]ut of memory`)); ok {
		t.Errorf("boot 2: %s", l.text)
	}
	rep = readPart(t, big, 1, "gsmbox-report.txt")
	if len(rep) > 64<<10 || !strings.Contains(rep, "REJECTED") {
		t.Errorf("50 MB stick's report (%d bytes), want a short REJECTED one:\n%s", len(rep), tail(rep, 20))
	}
	if cfg := readPart(t, disk, 2, "gsmbox.toml"); !strings.Contains(cfg, "262") || !strings.Contains(cfg, "70") {
		t.Errorf("after the 50 MB stick the data partition gsmbox.toml = %q, want unchanged", cfg)
	}
}
