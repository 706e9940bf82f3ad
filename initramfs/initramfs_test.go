package initramfs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/u-root/u-root/pkg/cpio"
)

func TestArchive(t *testing.T) {
	bins := map[string][]byte{"ls": []byte("LS"), "gosh": []byte("SH")}
	a, err := Archive([]byte("GSMBOX"), bins, "qemu-arm64", []File{{Path: "etc/gsmbox/extra", Data: []byte("x")}})
	if err != nil {
		t.Fatalf("Archive = %v", err)
	}
	b, _ := Archive([]byte("GSMBOX"), bins, "qemu-arm64", []File{{Path: "etc/gsmbox/extra", Data: []byte("x")}})
	if sha256.Sum256(a) != sha256.Sum256(b) {
		t.Errorf("Archive is not reproducible")
	}
	recs, err := cpio.ReadAllRecords(cpio.Newc.Reader(bytes.NewReader(a)))
	if err != nil {
		t.Fatalf("ReadAllRecords = %v", err)
	}
	got := map[string]cpio.Record{}
	var order []string
	for _, r := range recs {
		got[r.Name] = r
		order = append(order, r.Name)
		if r.MTime != 0 || r.UID != 0 {
			t.Errorf("record %s: mtime %d uid %d, want 0", r.Name, r.MTime, r.UID)
		}
	}
	for _, tc := range []struct {
		name string
		mode uint64
		data string
	}{
		{"init", cpio.S_IFREG, "GSMBOX"},
		{"bin/ls", cpio.S_IFREG, "LS"},
		{"bin/sh", cpio.S_IFLNK, "gosh"},
		{"bin/gsmbox", cpio.S_IFLNK, "/init"},
		{"dev/console", cpio.S_IFCHR, ""},
		{"etc/gsmbox/board", cpio.S_IFREG, "qemu-arm64\n"},
		{"proc", cpio.S_IFDIR, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, ok := got[tc.name]
			if !ok {
				t.Fatalf("archive lacks %s; has %v", tc.name, order)
			}
			if r.Mode&cpio.S_IFMT != tc.mode {
				t.Errorf("mode(%s) = %o, want type %o", tc.name, r.Mode, tc.mode)
			}
			if tc.mode == cpio.S_IFREG || tc.mode == cpio.S_IFLNK {
				buf := make([]byte, r.FileSize)
				r.ReadAt(buf, 0)
				if string(buf) != tc.data {
					t.Errorf("content(%s) = %q, want %q", tc.name, buf, tc.data)
				}
			}
		})
	}
	if c := got["dev/console"]; c.Rmajor != 5 || c.Rminor != 1 {
		t.Errorf("dev/console = %d:%d, want 5:1", c.Rmajor, c.Rminor)
	}
	// An independent reader: GNU cpio lists the archive.
	if p, err := exec.LookPath("cpio"); err == nil {
		cmd := exec.Command(p, "-t")
		cmd.Stdin = bytes.NewReader(a)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "etc/gsmbox/board") {
			t.Errorf("cpio -t = %v\n%s", err, out)
		}
	}
}

// TestBuild compiles the real archive for arm64 (cached builds make this
// quick after the first run).
func TestBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles binaries")
	}
	dir, _ := filepath.Abs("..")
	a, err := Build(context.Background(), Options{GOARCH: "arm64", Board: "qemu-arm64", ModuleDir: dir, Commands: []string{"github.com/u-root/u-root/cmds/core/ls"}})
	if err != nil {
		t.Fatalf("Build = %v", err)
	}
	recs, err := cpio.ReadAllRecords(cpio.Newc.Reader(bytes.NewReader(a)))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Name == "init" {
			buf := make([]byte, 20)
			r.ReadAt(buf, 0)
			// ELF, 64-bit, little endian; e_machine 0xB7 is AArch64.
			if string(buf[:4]) != "\x7fELF" || buf[18] != 0xB7 {
				t.Errorf("init header = %x, want an AArch64 ELF", buf)
			}
			return
		}
	}
	t.Errorf("archive has no init")
}

// TestToolsListsCommands keeps tools.go (which pins the commands' modules
// against go mod tidy) in step with DefaultCommands.
func TestToolsListsCommands(t *testing.T) {
	b, err := os.ReadFile("tools.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range DefaultCommands {
		if !strings.Contains(string(b), `_ "`+c+`"`) {
			t.Errorf("tools.go does not import %s", c)
		}
	}
}
