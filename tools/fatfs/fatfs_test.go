package fatfs

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/tools/testtool"
)

var testFiles = []File{
	{Path: "vmlinuz", Data: bytes.Repeat([]byte("kernel"), 3000)},
	{Path: "gsmbox.toml", Data: []byte("[cell]\narfcn = 871\n")},
	{Path: "CONFIG.TXT", Data: []byte("arm_64bit=1\n")},
	{Path: "overlays/some-long-overlay-name.dtbo", Data: []byte{1, 2, 3}},
	{Path: "overlays/other.dtbo", Data: []byte{}},
	{Path: "initramfs.cpio", Data: bytes.Repeat([]byte{0xA5}, 4097)},
	{Path: "initramfs.cpio.old", Data: []byte("x")},
}

func build(t *testing.T) []byte {
	t.Helper()
	img, err := Build(Options{Size: 40 << 20, Label: "GSMBOX", VolumeID: 0x12345678}, testFiles)
	if err != nil {
		t.Fatalf("Build = %v", err)
	}
	return img
}

func TestRoundTrip(t *testing.T) {
	img := build(t)
	fs, err := Open(bytes.NewReader(img), int64(len(img)))
	if err != nil {
		t.Fatalf("Open = %v", err)
	}
	if fs.Label != "GSMBOX" {
		t.Errorf("Label = %q, want GSMBOX", fs.Label)
	}
	for _, f := range testFiles {
		t.Run(f.Path, func(t *testing.T) {
			got, err := fs.ReadFile(f.Path)
			if err != nil {
				t.Fatalf("ReadFile(%q) = %v", f.Path, err)
			}
			if !bytes.Equal(got, f.Data) {
				t.Errorf("ReadFile(%q) = %d bytes, want %d", f.Path, len(got), len(f.Data))
			}
		})
	}
	if _, err := fs.ReadFile("nope.txt"); !errors.Is(err, ErrNotFound) {
		t.Errorf("ReadFile(nope.txt) = %v, want ErrNotFound", err)
	}
	ents, err := fs.ReadDir("overlays")
	if err != nil || len(ents) != 2 {
		t.Errorf("ReadDir(overlays) = %v, %v, want 2 entries", ents, err)
	}
}

func TestReproducible(t *testing.T) {
	a, b := sha256.Sum256(build(t)), sha256.Sum256(build(t))
	if a != b {
		t.Errorf("two builds differ: %x vs %x", a, b)
	}
}

func TestTooSmall(t *testing.T) {
	_, err := Build(Options{Size: 2 << 20}, []File{{Path: "big", Data: make([]byte, 3<<20)}})
	if !errors.Is(err, ErrTooSmall) {
		t.Errorf("Build(3 MiB file in 2 MiB) = %v, want ErrTooSmall", err)
	}
}

func TestDiskImage(t *testing.T) {
	fsimg := build(t)
	disk, err := DiskImage(0xCAFE, Partition{Type: 0x0C, Bootable: true, Data: fsimg}, Partition{Type: 0x0C, Data: make([]byte, 1<<20)})
	if err != nil {
		t.Fatalf("DiskImage = %v", err)
	}
	fs, err := OpenPartition(bytes.NewReader(disk), int64(len(disk)), 1)
	if err != nil {
		t.Fatalf("OpenPartition = %v", err)
	}
	if got, err := fs.ReadFile("gsmbox.toml"); err != nil || string(got) != string(testFiles[1].Data) {
		t.Errorf("ReadFile(gsmbox.toml) = %q, %v", got, err)
	}
	off, _, err := PartitionOffset(bytes.NewReader(disk), int64(len(disk)), 2)
	if want := int64(FirstLBA)*512 + int64(len(fsimg)); err != nil || off != want {
		t.Errorf("PartitionOffset(2) = %d, %v, want %d", off, err, want)
	}
}

// TestExternalTools checks our images against programs we did not write:
// fsck.vfat (dosfstools) must find no error and mtools must read every
// file; and we must read an image made by mkfs.vfat and mcopy.
func TestExternalTools(t *testing.T) {
	fsck := testtool.Need(t, "fsck.vfat")
	mcopy := testtool.Need(t, "mcopy")
	mkfs := testtool.Need(t, "mkfs.vfat")
	dir := t.TempDir()
	p := filepath.Join(dir, "fs.img")
	if err := os.WriteFile(p, build(t), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(fsck, "-n", "-v", p).CombinedOutput(); err != nil {
		t.Fatalf("fsck.vfat -n: %v\n%s", err, out)
	}
	for _, f := range testFiles {
		out, err := exec.Command(mcopy, "-n", "-i", p, "::"+f.Path, "-").Output()
		if err != nil || !bytes.Equal(out, f.Data) {
			t.Errorf("mcopy %s = %d bytes, %v, want %d bytes", f.Path, len(out), err, len(f.Data))
		}
	}

	for _, fat := range []string{"12", "16", "32"} {
		t.Run("mkfs.vfat -F "+fat, func(t *testing.T) {
			q := filepath.Join(dir, "ext"+fat+".img")
			size := map[string]string{"12": "4096", "16": "32768", "32": "65536"}[fat]
			if out, err := exec.Command(mkfs, "-F", fat, "-C", "-n", "STICK", q, size).CombinedOutput(); err != nil {
				t.Fatalf("mkfs.vfat: %v\n%s", err, out)
			}
			src := filepath.Join(dir, "A-long-name-report.txt")
			want := []byte(strings.Repeat("report line\n", 500))
			if err := os.WriteFile(src, want, 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(mcopy, "-i", q, src, "::A-long-name-report.txt").CombinedOutput(); err != nil {
				t.Fatalf("mcopy: %v\n%s", err, out)
			}
			img, err := os.ReadFile(q)
			if err != nil {
				t.Fatal(err)
			}
			fs, err := Open(bytes.NewReader(img), int64(len(img)))
			if err != nil {
				t.Fatalf("Open = %v", err)
			}
			got, err := fs.ReadFile("a-long-name-report.TXT")
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("ReadFile = %d bytes, %v, want %d bytes", len(got), err, len(want))
			}
		})
	}
}

func FuzzOpen(f *testing.F) {
	img, _ := Build(Options{Size: 1 << 20, Label: "F", VolumeID: 1}, []File{{Path: "a/b.txt", Data: []byte("hi")}, {Path: "long file name.toml", Data: []byte("x")}})
	f.Add(img[:64<<10])
	f.Fuzz(func(t *testing.T, b []byte) {
		fs, err := Open(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		ents, _ := fs.ReadDir("/")
		for _, e := range ents {
			if e.IsDir {
				fs.ReadDir(e.Name)
			} else {
				fs.ReadFile(e.Name)
			}
		}
		PartitionOffset(bytes.NewReader(b), int64(len(b)), 1)
	})
}
