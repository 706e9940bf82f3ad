package usb

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/gsmbox/gsmbox/firmware/clock"
	"golang.org/x/sys/unix"
)

// Service watches for sticks and runs the Applier on each. It is a
// supervisor.Service.
type Service struct {
	Detector *Detector
	Applier  *Applier
	Clock    clock.Clock
	// Poll is the fallback rescan interval (uevents make it faster).
	Poll time.Duration
	// Uevents enables the netlink listener.
	Uevents bool
	// Handled, when set, is called after each stick (the test power-off
	// hook uses it).
	Handled func(Result)
	Log     *slog.Logger
	// DeviceWait is how long to wait for the /dev node to appear.
	DeviceWait time.Duration
}

// Name implements supervisor.Service.
func (s *Service) Name() string { return "usb" }

// Serve implements supervisor.Service.
func (s *Service) Serve(ctx context.Context) error {
	events := make(chan Uevent, 1)
	var wg sync.WaitGroup
	defer wg.Wait()
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if s.Uevents {
		errc := make(chan error, 1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			errc <- ListenUevents(lctx, events)
		}()
		select {
		case err := <-errc:
			if err != nil {
				s.Log.Warn("no uevents; polling for USB sticks", "err", err, "every", s.Poll)
			}
		case <-time.After(50 * time.Millisecond): // listening
		}
	}
	via := "boot"
	for {
		sticks, err := s.Detector.Scan()
		if err != nil {
			s.Log.Warn("usb scan failed", "err", err)
		}
		for _, st := range sticks {
			s.Log.Info("usb stick found", "disk", st.Disk, "device", st.Device, "via", via)
			if !s.waitDevice(ctx, st.Device) {
				s.Log.Warn("usb device node did not appear", "device", st.Device)
				continue
			}
			res := s.Applier.Handle(ctx, st.Device)
			if s.Handled != nil {
				s.Handled(res)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-events:
			via = "uevent"
			// Let the kernel finish probing partitions.
			select {
			case <-ctx.Done():
				return nil
			case <-s.Clock.After(500 * time.Millisecond):
			}
		case <-s.Clock.After(s.Poll):
			via = "poll"
		}
	}
}

func (s *Service) waitDevice(ctx context.Context, dev string) bool {
	if s.DeviceWait == 0 {
		return true
	}
	for deadline := s.Clock.Now().Add(s.DeviceWait); ; {
		if _, err := os.Stat(dev); err == nil {
			return true
		}
		if !s.Clock.Now().Before(deadline) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-s.Clock.After(100 * time.Millisecond):
		}
	}
}

// FAT mounts sticks with the kernel's vfat driver, or exfat (most sticks
// over 32 GB) where the kernel has it (the Raspberry Pi kernel does).
type FAT struct{}

// Mount implements Mounter.
func (FAT) Mount(dev, dir string) error {
	const flags = unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC
	err := unix.Mount(dev, dir, "vfat", flags, "")
	if err == nil {
		return nil
	}
	if exErr := unix.Mount(dev, dir, "exfat", flags, ""); exErr == nil {
		return nil
	}
	return err
}

// Unmount implements Mounter: sync, then unmount.
func (FAT) Unmount(dir string) error {
	unix.Sync()
	return unix.Unmount(dir, 0)
}
