// Package storage is the persistent data partition: subscribers, queued
// SMS, the applied configuration and logs live there as small files.
//
// The data partition is ext4 by default (tools/mkimage makes it
// reproducibly; its journal survives power cuts), or FAT32 with
// mkimage -data-fs fat32 (docs/appliance.md). Either way every write here
// is made crash-safe by the classic sequence: write a temporary file in
// the same directory, fsync it, rename it over the target, fsync the
// directory. A power cut leaves either the old file or the new one, never
// a torn one; at worst a stray *.tmp file, which Dir ignores and removes.
//
// Place in the dependency order: platform (firmware/); stdlib only. Fakes
// are in storage/storagetest.
package storage
