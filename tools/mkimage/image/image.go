package image

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/initramfs"
	"github.com/gsmbox/gsmbox/tools/fatfs"
)

// Options tune a build.
type Options struct {
	// ModuleDir is the gsmbox module root.
	ModuleDir string
	// OutDir is where BOARD.img is written ("out").
	OutDir string
	// Output overrides the image path.
	Output string
	// ExtraCmdline is appended to the kernel command line (the image tests
	// use gsmbox.poweroff=…).
	ExtraCmdline string
	// Config replaces the default gsmbox.toml on the boot partition.
	Config []byte
	// Log receives progress lines; nil discards them.
	Log io.Writer
	// Version is stamped into gsmbox; empty means `git describe` of
	// ModuleDir.
	Version string
	// DataFS is the data partition's file system: DataExt4 (the default,
	// also for "") or DataFAT32. See docs/appliance.md, "ext4 instead?".
	DataFS string
}

// Version returns `git describe --always --dirty` for dir, or "unknown".
func Version(ctx context.Context, dir string) string {
	cmd := exec.CommandContext(ctx, "git", "describe", "--always", "--dirty")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

// Result describes a built image.
type Result struct {
	Path     string
	SHA256   string
	Size     int64
	Files    []FileInfo // boot partition content
	BootUsed int64      // bytes of files on the boot partition
}

// FileInfo is one file on the boot partition.
type FileInfo struct {
	Name string
	Size int
}

// Boot partition labels, which the supervisor may also look for.
const (
	BootLabel = "GSMBOX-BOOT"
	DataLabel = "GSMBOX-DATA"
)

// Cmdline returns the kernel command line for board d.
func Cmdline(d *boards.Descriptor, extra string) string {
	parts := []string{"console=" + d.Console}
	if d.Cmdline != "" {
		parts = append(parts, d.Cmdline)
	}
	parts = append(parts, "gsmbox.board="+d.Name)
	if extra != "" {
		parts = append(parts, extra)
	}
	return strings.Join(parts, " ")
}

// Build writes the image for board d and returns what it made.
func Build(ctx context.Context, d *boards.Descriptor, o Options) (*Result, error) {
	if d.Image.BootMiB == 0 || d.GOARCH == "" {
		return nil, fmt.Errorf("%w: %s", ErrBoard, d.Name)
	}
	logf := func(format string, a ...any) {
		if o.Log != nil {
			fmt.Fprintf(o.Log, format+"\n", a...)
		}
	}
	var files []fatfs.File
	blobs := append([]boards.Blob{d.Kernel}, d.DeviceTrees...)
	blobs = append(blobs, d.Firmware...)
	for _, b := range blobs {
		data, err := FetchBlob(ctx, o.ModuleDir, b)
		if err != nil {
			return nil, err
		}
		logf("mkimage: %-22s %10d bytes  sha256 %s (verified)", b.Name, len(data), b.SHA256[:16])
		files = append(files, fatfs.File{Path: b.Name, Data: data})
	}
	logf("mkimage: building initramfs for linux/%s", d.GOARCH)
	version := o.Version
	if version == "" {
		version = Version(ctx, o.ModuleDir)
	}
	logf("mkimage: gsmbox version %s", version)
	ird, err := initramfs.Build(ctx, initramfs.Options{GOARCH: d.GOARCH, GOARM: d.GOARM, Board: d.Name, ModuleDir: o.ModuleDir, Stderr: o.Log, Version: version})
	if err != nil {
		return nil, err
	}
	files = append(files, fatfs.File{Path: "initramfs.cpio", Data: ird})
	cfg := o.Config
	if cfg == nil {
		if cfg, err = config.Default().Marshal(); err != nil {
			return nil, fmt.Errorf("image: default config: %w", err)
		}
		cfg = append([]byte("# gsmbox default configuration. Put your own gsmbox.toml on a USB stick\n# to change it; see docs/appliance.md.\n"), cfg...)
	}
	files = append(files, fatfs.File{Path: "gsmbox.toml", Data: cfg})
	cmdline := Cmdline(d, o.ExtraCmdline)
	switch d.Boot {
	case "uboot-virt":
		files = append(files, fatfs.File{Path: "boot.scr", Data: BootScript(UBootScript(d, cmdline))})
	case "rpi":
		files = append(files,
			fatfs.File{Path: "config.txt", Data: []byte(d.ConfigTxt)},
			fatfs.File{Path: "cmdline.txt", Data: []byte(cmdline + "\n")},
		)
	default:
		return nil, fmt.Errorf("%w: unknown boot flow %q", ErrBoard, d.Boot)
	}

	res := &Result{}
	for _, f := range files {
		res.Files = append(res.Files, FileInfo{Name: f.Path, Size: len(f.Data)})
		res.BootUsed += int64(len(f.Data))
	}
	sig := crc32.ChecksumIEEE([]byte("gsmbox:" + d.Name))
	bootSize := int64(d.Image.BootMiB) << 20
	dataSize := int64(d.Image.DataMiB) << 20
	lbas := fatfs.PartitionLBAs(bootSize, dataSize)
	boot, err := fatfs.Build(fatfs.Options{Size: bootSize, Label: BootLabel, VolumeID: sig, HiddenSectors: lbas[0]}, files)
	if err != nil {
		return nil, fmt.Errorf("image: boot partition: %w", err)
	}
	readme := []byte("gsmbox persistent data: configuration, subscribers, queued SMS, logs.\n")
	var data []byte
	dataType := byte(0x0C) // FAT32 LBA
	switch o.DataFS {
	case DataFAT32:
		data, err = fatfs.Build(fatfs.Options{Size: dataSize, Label: DataLabel, VolumeID: sig + 1, HiddenSectors: lbas[1]}, []fatfs.File{
			{Path: "README.txt", Data: readme},
		})
	case "", DataExt4:
		dataType = 0x83 // Linux
		data, err = buildExt4(dataSize, DataLabel, sig+1, readme)
	default:
		return nil, fmt.Errorf("%w: data file system %q (want %s or %s)", ErrBoard, o.DataFS, DataFAT32, DataExt4)
	}
	if err != nil {
		return nil, fmt.Errorf("image: data partition: %w", err)
	}
	disk, err := fatfs.DiskImage(sig,
		fatfs.Partition{Type: 0x0C, Bootable: true, Data: boot},
		fatfs.Partition{Type: dataType, Data: data})
	if err != nil {
		return nil, fmt.Errorf("image: %w", err)
	}
	out := o.Output
	if out == "" {
		out = filepath.Join(o.OutDir, d.Name+".img")
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return nil, fmt.Errorf("image: %w", err)
	}
	if err := os.WriteFile(out, disk, 0o644); err != nil {
		return nil, fmt.Errorf("image: %w", err)
	}
	sum := sha256.Sum256(disk)
	res.Path, res.SHA256, res.Size = out, hex.EncodeToString(sum[:]), int64(len(disk))
	return res, nil
}

// FetchBlob returns the bytes of b, checked against its sha256. Sources are
// "module@version:path" (through the Go module proxy, pinned by go.sum) or
// "file:/abs/path".
func FetchBlob(ctx context.Context, moduleDir string, b boards.Blob) ([]byte, error) {
	var p string
	switch {
	case strings.HasPrefix(b.Source, "file:"):
		p = strings.TrimPrefix(b.Source, "file:")
	default:
		mod, file, ok := strings.Cut(b.Source, ":")
		if !ok || !strings.Contains(mod, "@") {
			return nil, fmt.Errorf("%w: source %q is not module@version:path", ErrBlob, b.Source)
		}
		cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", mod)
		cmd.Dir = moduleDir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("%w: go mod download %s: %v\n%s%s", ErrBlob, mod, err, out, stderr.Bytes())
		}
		var info struct{ Dir, Error string }
		if err := json.Unmarshal(out, &info); err != nil || info.Dir == "" {
			return nil, fmt.Errorf("%w: go mod download %s: %s", ErrBlob, mod, out)
		}
		p = filepath.Join(info.Dir, filepath.FromSlash(file))
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBlob, err)
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != b.SHA256 {
		return nil, fmt.Errorf("%w: %s is %s, descriptor says %s", ErrChecksum, b.Source, got, b.SHA256)
	}
	return data, nil
}

// Load addresses on the QEMU virt machine (RAM from 0x40000000). The
// gokrazy kernel Image is about 60 MB, more than U-Boot's default gap
// between kernel_addr_r and ramdisk_addr_r, so the script picks its own.
const (
	kernelAddr = 0x40400000
	initrdAddr = 0x48000000
)

// UBootScript is the boot.scr source for the uboot-virt flow. U-Boot's
// distro boot sets devtype, devnum and distro_bootpart for the partition
// it found the script on; QEMU's device tree is at fdtcontroladdr.
func UBootScript(d *boards.Descriptor, cmdline string) string {
	return fmt.Sprintf(`echo gsmbox: booting %[1]s from ${devtype} ${devnum}:${distro_bootpart}
load ${devtype} ${devnum}:${distro_bootpart} 0x%[2]x %[3]s
load ${devtype} ${devnum}:${distro_bootpart} 0x%[4]x initramfs.cpio
setenv bootargs "%[5]s"
booti 0x%[2]x 0x%[4]x:${filesize} ${fdtcontroladdr}
`, d.Name, kernelAddr, d.Kernel.Name, initrdAddr, cmdline)
}

// BootScript wraps script text as a U-Boot legacy script image (what
// `mkimage -A arm64 -T script -C none` makes): a 64-byte big-endian header
// with CRC32s, then a zero-terminated table of lengths, then the text.
func BootScript(script string) []byte {
	payload := make([]byte, 8, 8+len(script))
	binary.BigEndian.PutUint32(payload[0:], uint32(len(script)))
	payload = append(payload, script...)
	h := make([]byte, 64)
	be := binary.BigEndian
	be.PutUint32(h[0:], 0x27051956) // IH_MAGIC
	be.PutUint32(h[12:], uint32(len(payload)))
	be.PutUint32(h[24:], crc32.ChecksumIEEE(payload))
	h[28] = 5  // IH_OS_LINUX
	h[29] = 22 // IH_ARCH_ARM64
	h[30] = 6  // IH_TYPE_SCRIPT
	h[31] = 0  // IH_COMP_NONE
	copy(h[32:], "gsmbox boot script")
	be.PutUint32(h[4:], crc32.ChecksumIEEE(h))
	return append(h, payload...)
}
