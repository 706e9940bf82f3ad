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
//   - run.go: Run, which wires storage, logs, LEDs, the watchdog, the cell,
//     the USB workflow and the status file into a supervisor, and on
//     shutdown stops them in order, syncs, unmounts and powers off or
//     reboots.
//   - power.go: reboot and power-off (unix.Reboot).
//
// Place in the dependency order: platform, the top of firmware/; imports
// the firmware sub-packages, boards and firmware/config. The cell itself is
// injected by cmd/gsmbox (Options.NewCell), so this package does not import
// the radio or GSM stacks.
package firmware
