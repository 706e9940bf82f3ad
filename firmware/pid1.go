package firmware

import (
	"context"
	"errors"
	"io"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

type mountPoint struct {
	source, target, fstype string
	flags                  uintptr
	data                   string
}

// essentialMounts are what PID 1 mounts before anything else runs.
var essentialMounts = []mountPoint{
	{"proc", "/proc", "proc", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, ""},
	{"sysfs", "/sys", "sysfs", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, ""},
	{"devtmpfs", "/dev", "devtmpfs", unix.MS_NOSUID, "mode=0755"},
	{"devpts", "/dev/pts", "devpts", unix.MS_NOSUID | unix.MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620"},
	{"tmpfs", "/tmp", "tmpfs", unix.MS_NOSUID | unix.MS_NODEV, "mode=1777"},
	{"tmpfs", "/run", "tmpfs", unix.MS_NOSUID | unix.MS_NODEV, "mode=0755"},
}

// MountEssentials mounts /proc, /sys, /dev, /dev/pts, /tmp and /run and
// makes the few device nodes and links devtmpfs does not. Already-mounted
// targets are fine. It returns every failure joined.
func MountEssentials() error {
	var errs []error
	for _, m := range essentialMounts {
		if err := mount(m); err != nil {
			errs = append(errs, err)
		}
	}
	for _, l := range [][2]string{{"/proc/self/fd", "/dev/fd"}, {"/dev/pts/ptmx", "/dev/ptmx"}} {
		if _, err := os.Lstat(l[1]); err != nil {
			os.Symlink(l[0], l[1])
		}
	}
	if _, err := os.Stat("/dev/console"); err != nil {
		unix.Mknod("/dev/console", unix.S_IFCHR|0o600, int(unix.Mkdev(5, 1)))
	}
	return errors.Join(errs...)
}

func mount(m mountPoint) error {
	if err := os.MkdirAll(m.target, 0o755); err != nil {
		return &MountError{m.source, m.target, m.fstype, err}
	}
	err := unix.Mount(m.source, m.target, m.fstype, m.flags, m.data)
	if err != nil && !errors.Is(err, unix.EBUSY) {
		return &MountError{m.source, m.target, m.fstype, err}
	}
	return nil
}

// MountFAT mounts a FAT partition (the boot or data partition) on dir.
func MountFAT(dev, dir string, readOnly bool) error {
	flags := uintptr(unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC)
	if readOnly {
		flags |= unix.MS_RDONLY
	}
	// flush: write file data out on close rather than holding it in the
	// page cache, which narrows the window a power cut can hit.
	data := "flush"
	if readOnly {
		data = ""
	}
	return mount(mountPoint{dev, dir, "vfat", flags, data})
}

// Reap waits for orphaned children (PID 1's duty) until ctx ends. Run it
// on a goroutine the caller waits for.
func Reap(ctx context.Context) {
	ch := make(chan os.Signal, 8)
	signal.Notify(ch, syscall.SIGCHLD)
	defer signal.Stop(ch)
	for {
		for {
			var ws unix.WaitStatus
			pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-ch:
		}
	}
}

// FATDirty reports whether the FAT file system on dev was left mounted
// (a power cut or a crash): Linux sets bit 0 of the boot sector's state
// byte (offset 0x41 on FAT32, 0x25 on FAT12/16) while the volume is
// mounted and clears it on a clean unmount. Read it before mounting.
func FATDirty(dev string) (bool, error) {
	f, err := os.Open(dev)
	if err != nil {
		return false, err
	}
	defer f.Close()
	b := make([]byte, 512)
	if _, err := io.ReadFull(f, b); err != nil {
		return false, err
	}
	return fatDirty(b), nil
}

func fatDirty(bs []byte) bool {
	if len(bs) < 512 || bs[510] != 0x55 || bs[511] != 0xAA {
		return false
	}
	if bs[22] == 0 && bs[23] == 0 { // BPB_FATSz16 == 0: FAT32
		return bs[0x41]&1 != 0
	}
	return bs[0x25]&1 != 0
}

// Ext4Superblock reports whether dev holds an ext4 (or ext2/3) file
// system, and whether its journal needs recovery (the needs_recovery
// incompat feature, which the kernel sets while a journalled volume is
// mounted and clears on a clean unmount: set here means a power cut or a
// crash). The superblock is 1024 bytes at byte 1024; the magic 0xEF53 is
// at 0x38 in it, s_feature_incompat at 0x60 (bit 0x4, RECOVER).
func Ext4Superblock(dev string) (isExt bool, needsRecovery bool, err error) {
	f, err := os.Open(dev)
	if err != nil {
		return false, false, err
	}
	defer f.Close()
	b := make([]byte, 2048)
	if _, err := io.ReadFull(f, b); err != nil {
		return false, false, err
	}
	isExt, needsRecovery = ext4Superblock(b)
	return isExt, needsRecovery, nil
}

func ext4Superblock(b []byte) (isExt, needsRecovery bool) {
	if len(b) < 2048 {
		return false, false
	}
	sb := b[1024:]
	if sb[0x38] != 0x53 || sb[0x39] != 0xEF {
		return false, false
	}
	incompat := uint32(sb[0x60]) | uint32(sb[0x61])<<8 | uint32(sb[0x62])<<16 | uint32(sb[0x63])<<24
	return true, incompat&0x4 != 0
}

// MountExt4 mounts the ext4 data partition dev on dir. The kernel replays
// the journal at mount; no fsck runs at boot. data=ordered (the default)
// writes file data before the metadata that points at it, so a file
// renamed into place after fsync is whole or absent.
func MountExt4(dev, dir string) error {
	flags := uintptr(unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC)
	return mount(mountPoint{dev, dir, "ext4", flags, "data=ordered"})
}
