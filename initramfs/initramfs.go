package initramfs

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"

	"github.com/u-root/u-root/pkg/cpio"
)

// DefaultCommands are the u-root core commands in /bin, for a debug shell
// on the console. Keep tools.go in step.
var DefaultCommands = []string{
	"github.com/u-root/u-root/cmds/core/cat",
	"github.com/u-root/u-root/cmds/core/dmesg",
	"github.com/u-root/u-root/cmds/core/gosh",
	"github.com/u-root/u-root/cmds/core/ls",
	"github.com/u-root/u-root/cmds/core/mkdir",
	"github.com/u-root/u-root/cmds/core/mount",
	"github.com/u-root/u-root/cmds/core/ps",
	"github.com/u-root/u-root/cmds/core/rm",
	"github.com/u-root/u-root/cmds/core/sync",
	"github.com/u-root/u-root/cmds/core/umount",
}

// GsmboxPackage is the import path of the binary that becomes /init.
const GsmboxPackage = "github.com/gsmbox/gsmbox/cmd/gsmbox"

// File is an extra file placed in the archive.
type File struct {
	Path string
	Data []byte
	Mode uint64 // permission bits; 0 means 0644
}

// Options select what Build compiles and adds.
type Options struct {
	// GOARCH and GOARM are the target (GOOS is always linux).
	GOARCH, GOARM string
	// Board is written to /etc/gsmbox/board.
	Board string
	// Commands are u-root command import paths; nil means DefaultCommands.
	Commands []string
	// Files are extra files.
	Files []File
	// ModuleDir is the gsmbox module root, where `go build` runs.
	ModuleDir string
	// Stderr receives the go tool's output; nil discards it.
	Stderr io.Writer
	// Version is stamped into gsmbox as main.version.
	Version string
}

// Build compiles gsmbox and the u-root commands for the target and returns
// the newc cpio archive.
func Build(ctx context.Context, o Options) ([]byte, error) {
	cmds := o.Commands
	if cmds == nil {
		cmds = DefaultCommands
	}
	tmp, err := os.MkdirTemp("", "gsmbox-initramfs-")
	if err != nil {
		return nil, fmt.Errorf("initramfs: %w", err)
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		return nil, fmt.Errorf("initramfs: %w", err)
	}
	gsmbox := filepath.Join(tmp, "gsmbox")
	ldflags := "-s -w -buildid="
	if o.Version != "" {
		ldflags += " -X main.version=" + o.Version
	}
	if err := goBuild(ctx, o, ldflags, gsmbox, GsmboxPackage); err != nil {
		return nil, err
	}
	if len(cmds) > 0 {
		// goshsmall: gosh reads plain lines, which suits a serial console
		// (its full-screen editor queries the terminal and waits for
		// answers a UART never sends).
		if err := goBuild(ctx, o, "-s -w -buildid=", bin+string(filepath.Separator), append([]string{"-tags=goshsmall"}, cmds...)...); err != nil {
			return nil, err
		}
	}
	binaries := map[string][]byte{}
	for _, c := range cmds {
		name := path.Base(c)
		b, err := os.ReadFile(filepath.Join(bin, name))
		if err != nil {
			return nil, fmt.Errorf("initramfs: %w", err)
		}
		binaries[name] = b
	}
	g, err := os.ReadFile(gsmbox)
	if err != nil {
		return nil, fmt.Errorf("initramfs: %w", err)
	}
	return Archive(g, binaries, o.Board, o.Files)
}

func goBuild(ctx context.Context, o Options, ldflags, out string, pkgs ...string) error {
	// pkgs may start with build flags (-tags=…).
	args := append([]string{"build", "-trimpath", "-ldflags=" + ldflags, "-o", out}, pkgs...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = o.ModuleDir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+o.GOARCH, "CGO_ENABLED=0", "GOFLAGS=-buildvcs=false")
	if o.GOARM != "" {
		cmd.Env = append(cmd.Env, "GOARM="+o.GOARM)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if o.Stderr != nil {
		cmd.Stderr = io.MultiWriter(&stderr, o.Stderr)
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%w: go %v: %v\n%s", ErrBuild, args, err, stderr.Bytes())
	}
	return nil
}

// Archive lays out the archive from already-built binaries: gsmbox is
// /init and /bin/gsmbox, each binaries entry is /bin/<name>, and gosh is
// also /bin/sh. It is pure and reproducible.
func Archive(gsmbox []byte, binaries map[string][]byte, board string, files []File) ([]byte, error) {
	var recs []cpio.Record
	for _, d := range []string{"bin", "boot", "dev", "etc", "etc/gsmbox", "mnt", "perm", "proc", "sys", "tmp", "usb"} {
		recs = append(recs, cpio.Directory(d, 0o755))
	}
	recs = append(recs,
		cpio.CharDev("dev/console", 0o600, 5, 1),
		cpio.CharDev("dev/null", 0o666, 1, 3),
		cpio.StaticRecord(gsmbox, cpio.Info{Name: "init", Mode: cpio.S_IFREG | 0o755}),
		cpio.Symlink("bin/gsmbox", "/init"),
		cpio.StaticFile("etc/gsmbox/board", board+"\n", 0o644),
	)
	names := make([]string, 0, len(binaries))
	for n := range binaries {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		recs = append(recs, cpio.StaticRecord(binaries[n], cpio.Info{Name: "bin/" + n, Mode: cpio.S_IFREG | 0o755}))
	}
	if _, ok := binaries["gosh"]; ok {
		recs = append(recs, cpio.Symlink("bin/sh", "gosh"))
	}
	for _, f := range files {
		mode := f.Mode
		if mode == 0 {
			mode = 0o644
		}
		recs = append(recs, cpio.StaticRecord(f.Data, cpio.Info{Name: f.Path, Mode: cpio.S_IFREG | mode}))
	}
	sort.SliceStable(recs, func(i, j int) bool { return cpio.Normalize(recs[i].Name) < cpio.Normalize(recs[j].Name) })
	for i := range recs {
		recs[i] = cpio.MakeReproducible(recs[i])
		recs[i].Ino = uint64(i + 1)
	}
	var buf bytes.Buffer
	w := cpio.NewDedupWriter(cpio.Newc.Writer(&buf))
	// Sorted order puts every directory before its contents, which the
	// kernel's unpacker needs.
	if err := cpio.WriteRecords(w, recs); err != nil {
		return nil, fmt.Errorf("initramfs: %w", err)
	}
	if err := cpio.WriteTrailer(w); err != nil {
		return nil, fmt.Errorf("initramfs: %w", err)
	}
	return buf.Bytes(), nil
}
