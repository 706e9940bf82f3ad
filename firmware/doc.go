// Package firmware is the appliance runtime: what gsmbox does as PID 1 on a
// board (gokrazy style, one file per concern).
//
//   - pid1.go: mount /proc, /sys, /dev (devtmpfs), /dev/pts, /tmp, /run;
//     make the device nodes; reap orphans.
//   - cmdline.go: the gsmbox.* kernel command-line flags.
//   - board.go: which board this is, and the /proc/device-tree/model check
//     that keeps the transmitter off on a mismatch.
//   - configs.go: the configuration in force, loaded from the data
//     partition (the last applied) or the boot partition (the shipped
//     default), replaced atomically by the USB workflow.
//   - run.go: Options (every dependency the runtime has: the cell, the
//     subscriber import, the console, the bus and pin opener, the power
//     switch, the clock) and Run, which runs the concerns below in turn.
//   - boot.go: the essential mounts and orphan reaper, the log, the
//     kernel command line and the board; the one pin opener shared by the
//     LEDs and the RF front end.
//   - storage.go: the boot and data partitions (or a directory standing
//     in), the configuration in force; at the end, the log persisted,
//     synced and unmounted.
//   - services.go: the supervisor and its services: LEDs, log persister,
//     network and wall clock (net.go, firmware/lan), RF front end (rf.go),
//     cell (cellslot.go), USB workflow, status file (status.go), watchdog,
//     debug shell (shell.go).
//   - shutdown.go: power-off and reboot requests; then the radio safe,
//     the data durable, and power off or reboot.
//   - power.go: reboot and power-off (unix.Reboot).
//
// Place in the dependency order: platform, the top of firmware/; imports
// the firmware sub-packages, boards and firmware/config. The cell itself is
// injected by cmd/gsmbox (Options.NewCell), so this package does not import
// the radio or GSM stacks.
package firmware
