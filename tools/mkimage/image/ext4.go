package image

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"

	// go-diskfs is the one pure-Go writer of ext4 we have: the build runs
	// without root and without mke2fs (gokrazy's static mke2fs module is
	// not served here), and the image must be made on the build host, not
	// on the device. It only formats and seeds the empty partition; at run
	// time the Linux ext4 driver and its journal do every write.
	diskfs "github.com/diskfs/go-diskfs/backend/file"
	"github.com/diskfs/go-diskfs/filesystem/ext4"
	"github.com/google/uuid"
)

// Data partition file systems (Options.DataFS).
const (
	DataFAT32 = "fat32"
	DataExt4  = "ext4"
)

// ext4Epoch is the time every timestamp of a built ext4 partition
// carries (2026-01-01 00:00 UTC): the image is byte-reproducible.
const ext4Epoch = 1767225600

// uuidMu serialises builds around uuid.SetRand, a package global.
var uuidMu sync.Mutex

// buildExt4 returns a size-byte ext4 file system labelled label holding
// the README, byte-reproducible: go-diskfs draws its directory hash seed
// and journal UUID from google/uuid's random source, here a seeded
// stream, and stamps the current time into the superblock and inodes,
// which normaliseExt4 then sets to ext4Epoch.
func buildExt4(size int64, label string, id uint32, readme []byte) ([]byte, error) {
	uuidMu.Lock()
	uuid.SetRand(rand.NewChaCha8(sha256.Sum256(fmt.Appendf(nil, "gsmbox-data %d", id))))
	defer func() {
		uuid.SetRand(nil)
		uuidMu.Unlock()
	}()
	b, err := createExt4(size, label, id, readme)
	if err != nil {
		return nil, err
	}
	if err := normaliseExt4(b); err != nil {
		return nil, fmt.Errorf("ext4: %w", err)
	}
	return b, nil
}

func createExt4(size int64, label string, id uint32, readme []byte) ([]byte, error) {
	f, err := os.CreateTemp("", "gsmbox-data-*.ext4")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		return nil, err
	}
	var u uuid.UUID
	copy(u[:], fmt.Sprintf("gsmbox-data%05x", id&0xfffff))
	fs, err := ext4.Create(diskfs.New(f, false), size, 0, 512, &ext4.Params{UUID: &u, VolumeName: label})
	if err != nil {
		return nil, fmt.Errorf("ext4: %w", err)
	}
	w, err := fs.OpenFile("README.txt", os.O_CREATE|os.O_RDWR)
	if err != nil {
		return nil, fmt.Errorf("ext4: README.txt: %w", err)
	}
	if _, err := w.Write(readme); err != nil {
		return nil, fmt.Errorf("ext4: README.txt: %w", err)
	}
	w.Close()
	if err := fs.Close(); err != nil {
		return nil, fmt.Errorf("ext4: %w", err)
	}
	return os.ReadFile(f.Name())
}

// normaliseExt4 sets every timestamp of the ext4 file system in b (the
// superblock and its backups, and every inode) to ext4Epoch, and clears
// the checksum fields go-diskfs fills although the file system has no
// metadata_csum feature (nothing reads them). Layout: the kernel's
// Documentation/filesystems/ext4 (superblock, group descriptors, inode
// table).
func normaliseExt4(b []byte) error {
	const sbOff = 1024
	if len(b) < sbOff+1024 {
		return errors.New("too small for a superblock")
	}
	sb := b[sbOff : sbOff+1024]
	le := binary.LittleEndian
	if le.Uint16(sb[0x38:]) != 0xEF53 {
		return errors.New("no ext4 magic")
	}
	const (
		roCompatMetadataCsum = 0x400
		roCompatGDTCsum      = 0x10
		incompat64Bit        = 0x80
	)
	roCompat := le.Uint32(sb[0x64:])
	if roCompat&(roCompatMetadataCsum|roCompatGDTCsum) != 0 {
		return errors.New("checksummed metadata: cannot normalise")
	}
	blockSize := int64(1024) << le.Uint32(sb[0x18:])
	blocksPerGroup := int64(le.Uint32(sb[0x20:]))
	inodesPerGroup := int64(le.Uint32(sb[0x28:]))
	firstData := int64(le.Uint32(sb[0x14:]))
	inodeSize := int64(le.Uint16(sb[0x58:]))
	blocks := int64(le.Uint32(sb[0x04:]))
	descSize := int64(32)
	if le.Uint32(sb[0x60:])&incompat64Bit != 0 {
		blocks |= int64(le.Uint32(sb[0x150:])) << 32
		descSize = int64(le.Uint16(sb[0xFE:]))
	}
	if blockSize > 65536 || blocksPerGroup == 0 || inodesPerGroup == 0 || inodeSize < 128 || descSize < 32 {
		return errors.New("implausible superblock")
	}
	groups := (blocks - firstData + blocksPerGroup - 1) / blocksPerGroup
	stampSB := func(sb []byte) {
		for _, o := range []int{0x2C, 0x30, 0x40, 0x108} { // s_mtime, s_wtime, s_lastcheck, s_mkfs_time
			le.PutUint32(sb[o:], ext4Epoch)
		}
		for o := 0x274; o <= 0x277; o++ { // their high bytes
			sb[o] = 0
		}
		le.PutUint32(sb[0x3FC:], 0) // s_checksum: metadata_csum only
	}
	stampSB(sb)
	// Backup superblocks start each group that has one (sparse_super:
	// groups 0, 1 and powers of 3, 5 and 7); check the magic instead.
	for g := int64(1); g < groups; g++ {
		off := (firstData + g*blocksPerGroup) * blockSize
		if off+1024 <= int64(len(b)) && le.Uint16(b[off+0x38:]) == 0xEF53 {
			stampSB(b[off : off+1024])
		}
	}
	gdt := (firstData + 1) * blockSize
	for g := int64(0); g < groups; g++ {
		d := gdt + g*descSize
		if d+descSize > int64(len(b)) {
			return errors.New("group descriptors beyond the image")
		}
		table := int64(le.Uint32(b[d+0x08:]))
		if descSize >= 64 {
			table |= int64(le.Uint32(b[d+0x28:])) << 32
		}
		for i := int64(0); i < inodesPerGroup; i++ {
			o := table*blockSize + i*inodeSize
			if o+inodeSize > int64(len(b)) {
				return errors.New("inode table beyond the image")
			}
			in := b[o : o+inodeSize]
			for _, f := range []int{0x08, 0x0C, 0x10} { // atime, ctime, mtime
				if le.Uint32(in[f:]) != 0 {
					le.PutUint32(in[f:], ext4Epoch)
				}
			}
			le.PutUint16(in[0x7C:], 0) // l_i_checksum_lo
			if inodeSize > 128 {
				extra := int(le.Uint16(in[0x80:]))
				le.PutUint16(in[0x82:], 0)                        // i_checksum_hi
				for _, f := range []int{0x84, 0x88, 0x8C, 0x94} { // the *_extra fields
					if 0x80+extra >= f+4 {
						le.PutUint32(in[f:], 0)
					}
				}
				if 0x80+extra >= 0x94 && le.Uint32(in[0x90:]) != 0 {
					le.PutUint32(in[0x90:], ext4Epoch) // crtime
				}
			}
		}
	}
	return nil
}
