// Package initramfs lays out the appliance's initial RAM file system: the
// gsmbox binary as /init (so the kernel starts the supervisor as PID 1), a
// handful of u-root core commands for a debug shell on the serial console
// (/bin/sh is u-root's gosh), the device nodes the kernel needs before
// devtmpfs is mounted (/dev/console, /dev/null), the board name in
// /etc/gsmbox/board, and empty mount points.
//
// The archive is newc cpio written with u-root's pkg/cpio, every record made
// reproducible (mtime, uid, gid zero; sorted order), and the binaries are
// built with -trimpath and an empty build ID, so the same commit gives the
// same bytes.
//
// Place in the dependency order: assembly; used by tools/mkimage. It imports
// u-root's cpio package only.
package initramfs
