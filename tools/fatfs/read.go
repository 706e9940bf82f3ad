package fatfs

import (
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
)

// FS is a read-only view of a FAT12/16/32 file system.
type FS struct {
	r           io.ReaderAt
	size        int64
	bps         uint32
	spc         uint32
	fatStart    int64
	fatBits     int
	rootStart   int64 // FAT12/16 fixed root directory
	rootEntries uint32
	rootCluster uint32 // FAT32
	dataStart   int64
	nClusters   uint32
	Label       string
}

// DirEntry is one directory entry.
type DirEntry struct {
	Name    string
	IsDir   bool
	Size    uint32
	cluster uint32
}

// Open reads the boot sector of the FAT file system in r (size bytes).
// It never panics on malformed input; it returns ErrFormat.
func Open(r io.ReaderAt, size int64) (*FS, error) {
	bs := make([]byte, 512)
	if _, err := r.ReadAt(bs, 0); err != nil {
		return nil, fmt.Errorf("%w: boot sector: %v", ErrFormat, err)
	}
	if bs[510] != 0x55 || bs[511] != 0xAA {
		return nil, fmt.Errorf("%w: no boot signature", ErrFormat)
	}
	le := binary.LittleEndian
	f := &FS{r: r, size: size}
	f.bps = uint32(le.Uint16(bs[11:]))
	f.spc = uint32(bs[13])
	rsvd := uint32(le.Uint16(bs[14:]))
	nfat := uint32(bs[16])
	f.rootEntries = uint32(le.Uint16(bs[17:]))
	tot := uint32(le.Uint16(bs[19:]))
	if tot == 0 {
		tot = le.Uint32(bs[32:])
	}
	fatSz := uint32(le.Uint16(bs[22:]))
	if fatSz == 0 {
		fatSz = le.Uint32(bs[36:])
		f.rootCluster = le.Uint32(bs[44:])
		f.Label = strings.TrimRight(string(bs[71:82]), " ")
	} else {
		f.Label = strings.TrimRight(string(bs[43:54]), " ")
	}
	switch f.bps {
	case 512, 1024, 2048, 4096:
	default:
		return nil, fmt.Errorf("%w: %d bytes per sector", ErrFormat, f.bps)
	}
	if f.spc == 0 || f.spc&(f.spc-1) != 0 || rsvd == 0 || nfat == 0 || fatSz == 0 {
		return nil, fmt.Errorf("%w: bad BPB", ErrFormat)
	}
	rootSecs := (f.rootEntries*32 + f.bps - 1) / f.bps
	meta := uint64(rsvd) + uint64(nfat)*uint64(fatSz) + uint64(rootSecs)
	if meta >= uint64(tot) {
		return nil, fmt.Errorf("%w: metadata larger than volume", ErrFormat)
	}
	f.fatStart = int64(rsvd) * int64(f.bps)
	f.rootStart = (int64(rsvd) + int64(nfat)*int64(fatSz)) * int64(f.bps)
	f.dataStart = int64(meta) * int64(f.bps)
	f.nClusters = uint32((uint64(tot) - meta) / uint64(f.spc))
	switch {
	case le.Uint16(bs[22:]) == 0:
		f.fatBits = 32
	case f.nClusters < 4085:
		f.fatBits = 12
	default:
		f.fatBits = 16
	}
	if uint64(fatSz)*uint64(f.bps)*8 < uint64(f.nClusters+2)*uint64(f.fatBits) {
		return nil, fmt.Errorf("%w: FAT too small for %d clusters", ErrFormat, f.nClusters)
	}
	return f, nil
}

func (f *FS) clusterSize() int64 { return int64(f.spc) * int64(f.bps) }

func (f *FS) next(c uint32) (uint32, error) {
	var b [4]byte
	switch f.fatBits {
	case 32:
		if _, err := f.r.ReadAt(b[:4], f.fatStart+int64(c)*4); err != nil {
			return 0, fmt.Errorf("%w: FAT: %v", ErrFormat, err)
		}
		return binary.LittleEndian.Uint32(b[:]) & 0x0FFFFFFF, nil
	case 16:
		if _, err := f.r.ReadAt(b[:2], f.fatStart+int64(c)*2); err != nil {
			return 0, fmt.Errorf("%w: FAT: %v", ErrFormat, err)
		}
		v := uint32(binary.LittleEndian.Uint16(b[:]))
		if v >= 0xFFF8 {
			v = 0x0FFFFFFF
		}
		return v, nil
	default:
		off := f.fatStart + int64(c) + int64(c)/2
		if _, err := f.r.ReadAt(b[:2], off); err != nil {
			return 0, fmt.Errorf("%w: FAT: %v", ErrFormat, err)
		}
		v := uint32(binary.LittleEndian.Uint16(b[:]))
		if c&1 == 1 {
			v >>= 4
		} else {
			v &= 0xFFF
		}
		if v >= 0xFF8 {
			v = 0x0FFFFFFF
		}
		return v, nil
	}
}

// chain reads the cluster chain from c, at most limit bytes (<0: no limit
// other than the volume).
func (f *FS) chain(c uint32, limit int64) ([]byte, error) {
	var out []byte
	cs := f.clusterSize()
	for steps := uint32(0); c >= 2 && c < 0x0FFFFFF7; steps++ {
		if c-2 >= f.nClusters || steps > f.nClusters {
			return nil, fmt.Errorf("%w: bad cluster chain at %d", ErrFormat, c)
		}
		buf := make([]byte, cs)
		if _, err := f.r.ReadAt(buf, f.dataStart+int64(c-2)*cs); err != nil && err != io.EOF {
			return nil, fmt.Errorf("%w: cluster %d: %v", ErrFormat, c, err)
		}
		out = append(out, buf...)
		if limit >= 0 && int64(len(out)) >= limit {
			return out[:limit], nil
		}
		n, err := f.next(c)
		if err != nil {
			return nil, err
		}
		c = n
	}
	if limit >= 0 && int64(len(out)) < limit {
		return nil, fmt.Errorf("%w: chain shorter than file size", ErrFormat)
	}
	return out, nil
}

func (f *FS) rootDir() ([]byte, error) {
	if f.fatBits == 32 {
		return f.chain(f.rootCluster, -1)
	}
	b := make([]byte, f.rootEntries*32)
	if _, err := f.r.ReadAt(b, f.rootStart); err != nil {
		return nil, fmt.Errorf("%w: root directory: %v", ErrFormat, err)
	}
	return b, nil
}

func parseDir(b []byte) []DirEntry {
	var out []DirEntry
	var lfn []uint16
	lfnParts := map[int][]uint16{}
	lfnN := 0
	for i := 0; i+32 <= len(b); i += 32 {
		e := b[i : i+32]
		if e[0] == 0 {
			break
		}
		if e[0] == 0xE5 {
			lfnParts, lfnN = map[int][]uint16{}, 0
			continue
		}
		if e[11]&0x3F == 0x0F {
			seq := int(e[0] & 0x1F)
			if e[0]&0x40 != 0 {
				lfnParts, lfnN = map[int][]uint16{}, seq
			}
			var u []uint16
			for _, o := range []int{1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30} {
				u = append(u, binary.LittleEndian.Uint16(e[o:]))
			}
			lfnParts[seq] = u
			continue
		}
		if e[11]&0x08 != 0 {
			lfnParts, lfnN = map[int][]uint16{}, 0
			continue
		}
		lfn = lfn[:0]
		complete := lfnN > 0
		for s := 1; s <= lfnN; s++ {
			p, ok := lfnParts[s]
			if !ok {
				complete = false
				break
			}
			lfn = append(lfn, p...)
		}
		var name string
		if complete {
			for k, v := range lfn {
				if v == 0 {
					lfn = lfn[:k]
					break
				}
			}
			name = string(utf16.Decode(lfn))
		} else {
			base := strings.TrimRight(string(e[0:8]), " ")
			ext := strings.TrimRight(string(e[8:11]), " ")
			if e[12]&0x08 != 0 {
				base = strings.ToLower(base)
			}
			if e[12]&0x10 != 0 {
				ext = strings.ToLower(ext)
			}
			if base != "" && base[0] == 0x05 {
				base = "\xe5" + base[1:]
			}
			name = base
			if ext != "" {
				name += "." + ext
			}
		}
		lfnParts, lfnN = map[int][]uint16{}, 0
		if name == "." || name == ".." {
			continue
		}
		le := binary.LittleEndian
		out = append(out, DirEntry{
			Name:    name,
			IsDir:   e[11]&0x10 != 0,
			Size:    le.Uint32(e[28:]),
			cluster: uint32(le.Uint16(e[20:]))<<16 | uint32(le.Uint16(e[26:])),
		})
	}
	return out
}

func (f *FS) lookup(p string) (DirEntry, bool, error) {
	p = strings.Trim(p, "/")
	if p == "" {
		return DirEntry{IsDir: true}, true, nil
	}
	b, err := f.rootDir()
	if err != nil {
		return DirEntry{}, false, err
	}
	parts := strings.Split(p, "/")
	for i, part := range parts {
		var hit *DirEntry
		for _, e := range parseDir(b) {
			if strings.EqualFold(e.Name, part) {
				e := e
				hit = &e
				break
			}
		}
		if hit == nil {
			return DirEntry{}, false, nil
		}
		if i == len(parts)-1 {
			return *hit, false, nil
		}
		if !hit.IsDir {
			return DirEntry{}, false, nil
		}
		if b, err = f.chain(hit.cluster, -1); err != nil {
			return DirEntry{}, false, err
		}
	}
	return DirEntry{}, false, nil
}

// ReadDir lists the directory at p ("" or "/" is the root).
func (f *FS) ReadDir(p string) ([]DirEntry, error) {
	e, isRoot, err := f.lookup(p)
	if err != nil {
		return nil, err
	}
	if isRoot {
		b, err := f.rootDir()
		if err != nil {
			return nil, err
		}
		return parseDir(b), nil
	}
	if e.Name == "" || !e.IsDir {
		return nil, fmt.Errorf("%w: directory %q", ErrNotFound, p)
	}
	b, err := f.chain(e.cluster, -1)
	if err != nil {
		return nil, err
	}
	return parseDir(b), nil
}

// ReadFile returns the content of the file at p (case-insensitive, like
// FAT itself).
func (f *FS) ReadFile(p string) ([]byte, error) {
	e, _, err := f.lookup(p)
	if err != nil {
		return nil, err
	}
	if e.Name == "" || e.IsDir {
		return nil, fmt.Errorf("%w: %q", ErrNotFound, p)
	}
	if e.Size == 0 {
		return []byte{}, nil
	}
	if int64(e.Size) > f.size {
		return nil, fmt.Errorf("%w: %q claims %d bytes", ErrFormat, p, e.Size)
	}
	return f.chain(e.cluster, int64(e.Size))
}

// PartitionOffset returns the byte offset and size of MBR partition n
// (1-based) of the disk in r; for a disk without a partition table (a
// "superfloppy" FAT) and n == 1 it returns the whole disk.
func PartitionOffset(r io.ReaderAt, size int64, n int) (off, length int64, err error) {
	mbr := make([]byte, 512)
	if _, err := r.ReadAt(mbr, 0); err != nil {
		return 0, 0, fmt.Errorf("%w: MBR: %v", ErrFormat, err)
	}
	if mbr[510] != 0x55 || mbr[511] != 0xAA || n < 1 || n > 4 {
		return 0, 0, fmt.Errorf("%w: no MBR partition %d", ErrFormat, n)
	}
	// A FAT boot sector also ends in 55 AA; it starts with a jump.
	if (mbr[0] == 0xEB || mbr[0] == 0xE9) && string(mbr[82:87]) == "FAT32" || string(mbr[54:57]) == "FAT" {
		if n == 1 {
			return 0, size, nil
		}
		return 0, 0, fmt.Errorf("%w: superfloppy has no partition %d", ErrFormat, n)
	}
	e := mbr[446+16*(n-1):]
	lba := int64(binary.LittleEndian.Uint32(e[8:]))
	cnt := int64(binary.LittleEndian.Uint32(e[12:]))
	if e[4] == 0 || cnt == 0 || (lba+cnt)*512 > size {
		return 0, 0, fmt.Errorf("%w: partition %d empty or past the end", ErrFormat, n)
	}
	return lba * 512, cnt * 512, nil
}

// OpenPartition opens the FAT file system on MBR partition n of a disk.
func OpenPartition(r io.ReaderAt, size int64, n int) (*FS, error) {
	off, l, err := PartitionOffset(r, size, n)
	if err != nil {
		return nil, err
	}
	return Open(io.NewSectionReader(r, off, l), l)
}
