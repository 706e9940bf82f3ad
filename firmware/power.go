package firmware

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Power ends the system.
type Power interface {
	// PowerOff and Reboot do not return on success.
	PowerOff() error
	Reboot() error
}

// SysPower uses the reboot(2) system call, after sync(2).
type SysPower struct{}

// PowerOff implements Power.
func (SysPower) PowerOff() error {
	unix.Sync()
	if err := unix.Reboot(unix.LINUX_REBOOT_CMD_POWER_OFF); err != nil {
		return fmt.Errorf("firmware: power off: %w", err)
	}
	return nil
}

// Reboot implements Power.
func (SysPower) Reboot() error {
	unix.Sync()
	if err := unix.Reboot(unix.LINUX_REBOOT_CMD_RESTART); err != nil {
		return fmt.Errorf("firmware: reboot: %w", err)
	}
	return nil
}
