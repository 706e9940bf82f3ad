// Command mkimage builds a board's flashable image and boots the QEMU one;
// ./build.sh is a thin wrapper around it.
//
//	mkimage                         list the boards
//	mkimage BOARD [-data-fs ext4]   write out/BOARD.img, print its sha256 and sizes
//	                                (-data-fs: the data partition's file system, fat32 by default)
//	mkimage run qemu-arm64 [--usb STICK.img]
//	                                boot out/qemu-arm64.img as a disk through U-Boot
//	mkimage stick [-o out/stick.img] FILE...
//	                                a FAT32 USB-stick image holding FILEs
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/tools/fatfs"
	"github.com/gsmbox/gsmbox/tools/mkimage/image"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "list" {
		fmt.Fprintln(stdout, "usage: ./build.sh BOARD | ./build.sh run qemu-arm64 [--usb STICK.img] | ./build.sh stick [-o STICK.img] FILE...\n\nboards:")
		for _, n := range boards.Names() {
			d, _ := boards.Lookup(n)
			img := ""
			if d.Image.BootMiB == 0 {
				img = " (no image)"
			}
			fmt.Fprintf(stdout, "  %-12s %s%s\n", n, d.Description, img)
		}
		return nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	if args[0] == "run" {
		return runQEMU(ctx, wd, args[1:], stdout, stderr)
	}
	if args[0] == "stick" {
		return makeStick(wd, args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("mkimage", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "output image path (default out/BOARD.img)")
	cmdline := fs.String("cmdline", "", "extra kernel command line (e.g. gsmbox.poweroff=usb,90s for tests)")
	cfgPath := fs.String("config", "", "gsmbox.toml to put on the boot partition instead of the default")
	dataFS := fs.String("data-fs", image.DataExt4, "data partition file system: ext4 (journalled: survives power cuts) or fat32 (docs/appliance.md)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	d, err := boards.Lookup(args[0])
	if err != nil {
		return err
	}
	o := image.Options{ModuleDir: wd, OutDir: filepath.Join(wd, "out"), Output: *out, ExtraCmdline: *cmdline, Log: stderr, DataFS: *dataFS}
	if *cfgPath != "" {
		if o.Config, err = os.ReadFile(*cfgPath); err != nil {
			return err
		}
	}
	res, err := image.Build(ctx, d, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "boot partition (%d MiB):\n", d.Image.BootMiB)
	for _, f := range res.Files {
		fmt.Fprintf(stdout, "  %-22s %10d bytes\n", f.Name, f.Size)
	}
	fmt.Fprintf(stdout, "  %-22s %10d bytes\n", "(total)", res.BootUsed)
	fmt.Fprintf(stdout, "data partition: %d MiB\n", d.Image.DataMiB)
	rel, _ := filepath.Rel(wd, res.Path)
	fmt.Fprintf(stdout, "%s  %d bytes (%d MiB)\nsha256 %s\n", rel, res.Size, res.Size>>20, res.SHA256)
	return nil
}

func runQEMU(ctx context.Context, wd string, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: run qemu-arm64 [--usb STICK.img] [--usbredir HOST:PORT]")
	}
	d, err := boards.Lookup(args[0])
	if err != nil {
		return err
	}
	if d.Boot != "uboot-virt" {
		return fmt.Errorf("board %s does not run in QEMU", d.Name)
	}
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	usb := fs.String("usb", "", "raw disk image to attach as a USB stick")
	redir := fs.String("usbredir", "", "HOST:PORT of a usbredir server whose device to attach (QEMU's usb-redir; see docs/rf-bringup.md)")
	img := fs.String("image", filepath.Join(wd, "out", d.Name+".img"), "disk image to boot")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if _, err := os.Stat(*img); err != nil {
		return fmt.Errorf("%v (build it first: ./build.sh %s)", err, d.Name)
	}
	fmt.Fprintln(stderr, "mkimage: booting", *img, "through U-Boot; Ctrl-A x quits QEMU")
	cmd := exec.CommandContext(ctx, "qemu-system-aarch64", image.QEMUArgs(image.QEMUOptions{Image: *img, USB: *usb, USBRedir: *redir})...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderr
	return cmd.Run()
}

// makeStick writes a USB-stick image (MBR, one FAT32 partition) holding the
// given files in its root, for `./build.sh run qemu-arm64 --usb`.
func makeStick(wd string, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("stick", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", filepath.Join(wd, "out", "stick.img"), "output image")
	sizeMiB := fs.Int("size", 40, "stick size in MiB")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("usage: stick [-o STICK.img] [-size MiB] FILE... (e.g. gsmbox.toml)")
	}
	var files []fatfs.File
	for _, p := range fs.Args() {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files = append(files, fatfs.File{Path: filepath.Base(p), Data: b})
	}
	size := int64(*sizeMiB) << 20
	lba := fatfs.PartitionLBAs(size)
	part, err := fatfs.Build(fatfs.Options{Size: size, Label: "GSMBOX-USB", VolumeID: 0x75B, HiddenSectors: lba[0]}, files)
	if err != nil {
		return err
	}
	disk, err := fatfs.DiskImage(0x75B, fatfs.Partition{Type: 0x0C, Data: part})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(*out, disk, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d MiB stick with %d file(s); after a boot, read the report with\n  mcopy -i %s@@1M ::gsmbox-report.txt -\n", *out, *sizeMiB, len(files), *out)
	return nil
}
