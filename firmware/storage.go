package firmware

import (
	"fmt"
	"os"
	"time"

	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/logbuf"
	"github.com/gsmbox/gsmbox/firmware/storage"
	"golang.org/x/sys/unix"
)

// disk is what the storage concern set up: where durable data lives and
// the configuration in force.
type disk struct {
	store   storage.Dir
	bootDir string
	// persistent is false when the data partition did not mount and a
	// volatile directory stands in.
	persistent bool
	// unclean is true when the data partition was not cleanly unmounted
	// (a power cut or a crash).
	unclean bool
	configs *Configs
}

// mountStorage is the second concern: the boot and data partitions (PID 1
// on a board), or a directory standing in for them, and the configuration
// loaded from them. A partition that does not come up costs persistence,
// never the boot.
func (a *appliance) mountStorage() {
	d := &a.disk
	log, board := a.log, a.board
	bootDir, permDir := BootDir, PermDir
	if board.BootDevice != "" && a.pid1 {
		if err := a.waitDevice(board.BootDevice, 10*time.Second); err != nil {
			log.Error("boot partition", "err", err)
		} else if err := MountFAT(board.BootDevice, BootDir, true); err != nil {
			log.Error("boot partition not mounted", "err", err)
		}
	}
	if board.DataDevice != "" && a.pid1 {
		if err := a.waitDevice(board.DataDevice, 10*time.Second); err != nil {
			log.Error("data partition", "err", err)
		} else {
			// The data partition is FAT32 by default, or ext4 in an image
			// built with mkimage --data-fs ext4 (docs/appliance.md).
			isExt, recovery, _ := Ext4Superblock(board.DataDevice)
			if dirty, _ := FATDirty(board.DataDevice); (isExt && recovery) || (!isExt && dirty) {
				d.unclean = true
				log.Warn("data partition was not cleanly unmounted (power cut or crash); files written with fsync are intact", "device", board.DataDevice)
			}
			mountData := func() error { return MountFAT(board.DataDevice, PermDir, false) }
			if isExt {
				mountData = func() error { return MountExt4(board.DataDevice, PermDir) }
			}
			if err := mountData(); err != nil {
				log.Error("data partition not mounted", "err", err)
			} else {
				d.persistent = true
				fs := "vfat"
				if isExt {
					fs = "ext4"
				}
				log.Info("data partition mounted", "device", board.DataDevice, "fs", fs)
			}
		}
	}

	if !d.persistent {
		permDir = "/tmp/gsmbox-perm"
		if !a.pid1 {
			permDir = os.TempDir() + "/gsmbox-perm"
			if a.opts.DataDir != "" {
				permDir = a.opts.DataDir
			}
		}
		os.MkdirAll(permDir, 0o755)
		log.Warn("no persistent storage; using a volatile directory", "dir", permDir)
	}
	d.store = storage.Dir{Path: permDir}
	d.store.Clean()
	if !a.pid1 {
		bootDir = permDir
	}
	d.bootDir = bootDir
	d.configs = LoadConfigs(d.store, bootDir, board, log)
	a.level.Set(d.configs.Current().LogLevel())
	d.configs.OnApply = func(c *config.Config) { a.level.Set(c.LogLevel()) }
}

// waitDevice waits up to d for a block device node to appear.
func (a *appliance) waitDevice(dev string, d time.Duration) error {
	deadline := a.clock.Now().Add(d)
	for {
		if _, err := os.Stat(dev); err == nil {
			return nil
		}
		if a.clock.Now().After(deadline) {
			return fmt.Errorf("%s did not appear within %v", dev, d)
		}
		<-a.clock.After(50 * time.Millisecond)
	}
}

// closeStorage makes the data durable: the log is persisted, the file
// systems synced, and (as PID 1) the partitions unmounted. A data
// partition that will not unmount is remounted read-only.
func (a *appliance) closeStorage() {
	(&logbuf.Persister{Ring: a.ring, Store: a.disk.store}).Flush()
	unix.Sync()
	if !a.pid1 {
		return
	}
	if a.disk.persistent {
		if err := unix.Unmount(PermDir, 0); err != nil {
			a.log.Error("unmount data partition", "err", err)
			unix.Mount("", PermDir, "", unix.MS_REMOUNT|unix.MS_RDONLY, "")
		}
	}
	unix.Unmount(BootDir, 0)
	unix.Sync()
}
