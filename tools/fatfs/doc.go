// Package fatfs writes and reads FAT file systems and MBR disk images in pure
// Go, so that the image builder (tools/mkimage) needs no root, no loop
// devices and no mkfs, and tests can read back what a guest wrote.
//
// The writer makes FAT32 (Microsoft "FAT: General Overview of On-Disk
// Format" v1.03, the BPB, FSInfo and long-file-name directory entries) and
// is reproducible: fixed timestamps, entries in sorted order, a volume ID
// chosen by the caller, nothing random. The reader understands FAT12, FAT16
// and FAT32 with long file names, enough to list and read files.
//
// Place in the dependency order: a leaf used by tools/mkimage, by the
// firmware's tests and by the QEMU interop tests; it imports only the
// standard library.
package fatfs
