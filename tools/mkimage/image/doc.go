// Package image builds a board's flashable disk image in pure Go: an MBR
// with a FAT32 boot partition (kernel, device trees, GPU firmware, the
// u-root initramfs with gsmbox as /init, a default gsmbox.toml, and the
// boot loader's files: a U-Boot boot.scr for qemu-arm64, config.txt and
// cmdline.txt for the Raspberry Pi) and a FAT32 persistent data partition.
//
// It needs no root, no loop devices and no mkfs. Kernel and firmware blobs
// come from Go modules pinned in go.mod/go.sum (fetched with `go mod
// download`) and are checked against the board descriptor's sha256. Two
// builds of the same commit give the same bytes.
//
// It also knows how to boot the qemu-arm64 image as a disk through U-Boot
// (QEMUCommand), for `./build.sh run` and the image tests.
//
// Place in the dependency order: assembly (tools); imports boards,
// firmware/config, initramfs and tools/fatfs.
package image
