package image

import (
	"fmt"
	"os"

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

// buildExt4 returns a size-byte ext4 file system labelled label holding
// the README. go-diskfs stamps the current time into the superblock and
// inodes, so an ext4 image is not byte-reproducible (the FAT32 default
// is).
func buildExt4(size int64, label string, id uint32, readme []byte) ([]byte, error) {
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
