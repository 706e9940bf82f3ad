// Package storage is the persistent data partition: subscribers, queued
// SMS, the applied configuration and logs live there as small files.
//
// The data partition is FAT32. The gokrazy kernel would also mount ext4,
// whose journal survives power cuts better, but an ext4 file system cannot
// be made without mke2fs (our images are built in pure Go, with no root and
// no external mkfs; see docs/appliance.md). FAT has no journal, so every
// write here is made crash-safe by the classic sequence: write a temporary
// file in the same directory, fsync it, rename it over the target, fsync the
// directory. A power cut leaves either the old file or the new one, never a
// torn one; at worst a stray *.tmp file, which Dir ignores and removes.
//
// Place in the dependency order: platform (firmware/); stdlib only. Fakes
// are in storage/storagetest.
package storage
