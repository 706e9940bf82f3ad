package fatfs

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
	"unicode/utf16"
)

const sectorSize = 512

// File is one file to place in a new file system. Path uses forward
// slashes; parent directories are created as needed.
type File struct {
	Path string
	Data []byte
}

// Options are the parameters of a new FAT32 file system.
type Options struct {
	// Size is the file system size in bytes (rounded down to sectors).
	Size int64
	// Label is the volume label, up to 11 characters.
	Label string
	// VolumeID is the serial number; pick a fixed one for reproducible
	// images.
	VolumeID uint32
	// HiddenSectors is the LBA of the partition on its disk (BPB_HiddSec).
	HiddenSectors uint32
}

// fixedDate and fixedTime are the FAT timestamps of every entry:
// 2000-01-01 00:00:00, so two builds are bit-identical.
const (
	fixedDate = (2000-1980)<<9 | 1<<5 | 1
	fixedTime = 0
)

type node struct {
	name     string
	dir      bool
	data     []byte
	children []*node
	cluster  uint32
	clusters uint32
	short    [11]byte
}

// Build returns a FAT32 file system image of opts.Size bytes holding files.
// 3GPP has nothing to say here; the layout follows Microsoft's FAT
// specification v1.03 §3 (BPB), §5 (FSInfo), §6 (directories) and §7 (long
// names).
func Build(opts Options, files []File) ([]byte, error) {
	totSec := uint32(opts.Size / sectorSize)
	if totSec < 2048 {
		return nil, fmt.Errorf("%w: %d bytes, need at least 1 MiB", ErrTooSmall, opts.Size)
	}
	spc := uint32(1)
	switch {
	case opts.Size > 8<<30:
		spc = 16
	case opts.Size > 260<<20:
		spc = 8
	}
	clusterSize := spc * sectorSize
	const rsvd = 32
	// FAT size: iterate to a fixed point.
	fatSz := uint32(1)
	for {
		clusters := (totSec - rsvd - 2*fatSz) / spc
		need := ((clusters+2)*4 + sectorSize - 1) / sectorSize
		if need <= fatSz {
			break
		}
		fatSz = need
	}
	dataStart := rsvd + 2*fatSz
	nClusters := (totSec - dataStart) / spc

	root := &node{dir: true}
	for _, f := range files {
		if err := root.add(strings.Trim(f.Path, "/"), f.Data); err != nil {
			return nil, err
		}
	}
	// Allocate clusters depth-first in sorted order.
	next := uint32(2)
	var alloc func(n *node, isRoot bool) error
	alloc = func(n *node, isRoot bool) error {
		sort.Slice(n.children, func(i, j int) bool { return n.children[i].name < n.children[j].name })
		if err := assignShortNames(n.children); err != nil {
			return err
		}
		var size uint32
		if n.dir {
			entries := 0
			if !isRoot {
				entries = 2
			}
			if isRoot && opts.Label != "" {
				entries++
			}
			for _, c := range n.children {
				entries += 1 + lfnCount(c)
			}
			size = uint32(entries * 32)
			if size == 0 {
				size = 1
			}
		} else {
			size = uint32(len(n.data))
		}
		if size > 0 {
			n.clusters = (size + clusterSize - 1) / clusterSize
			n.cluster = next
			next += n.clusters
			if next-2 > nClusters {
				return fmt.Errorf("%w: %d clusters available", ErrTooSmall, nClusters)
			}
		}
		for _, c := range n.children {
			if err := alloc(c, false); err != nil {
				return err
			}
		}
		return nil
	}
	if err := alloc(root, true); err != nil {
		return nil, err
	}

	img := make([]byte, int64(totSec)*sectorSize)
	// Boot sector.
	bs := img[:sectorSize]
	copy(bs, []byte{0xEB, 0x58, 0x90})
	copy(bs[3:11], "GSMBOX  ")
	le := binary.LittleEndian
	le.PutUint16(bs[11:], sectorSize)
	bs[13] = byte(spc)
	le.PutUint16(bs[14:], rsvd)
	bs[16] = 2
	bs[21] = 0xF8
	le.PutUint16(bs[24:], 32)
	le.PutUint16(bs[26:], 64)
	le.PutUint32(bs[28:], opts.HiddenSectors)
	le.PutUint32(bs[32:], totSec)
	le.PutUint32(bs[36:], fatSz)
	le.PutUint32(bs[44:], 2) // root cluster
	le.PutUint16(bs[48:], 1) // FSInfo
	le.PutUint16(bs[50:], 6) // backup boot sector
	bs[64] = 0x80
	bs[66] = 0x29
	le.PutUint32(bs[67:], opts.VolumeID)
	copy(bs[71:82], padName(opts.Label, 11))
	copy(bs[82:90], "FAT32   ")
	bs[510], bs[511] = 0x55, 0xAA
	// FSInfo.
	fsi := img[sectorSize : 2*sectorSize]
	le.PutUint32(fsi[0:], 0x41615252)
	le.PutUint32(fsi[484:], 0x61417272)
	le.PutUint32(fsi[488:], nClusters-(next-2))
	le.PutUint32(fsi[492:], next)
	le.PutUint32(fsi[508:], 0xAA550000)
	copy(img[6*sectorSize:8*sectorSize], img[0:2*sectorSize])

	fat := make([]uint32, fatSz*sectorSize/4)
	fat[0] = 0x0FFFFFF8
	fat[1] = 0x0FFFFFFF
	clusterOff := func(c uint32) int64 {
		return (int64(dataStart) + int64(c-2)*int64(spc)) * sectorSize
	}
	var write func(n, parent *node, isRoot bool)
	write = func(n, parent *node, isRoot bool) {
		for i := uint32(0); i < n.clusters; i++ {
			c := n.cluster + i
			if i+1 < n.clusters {
				fat[c] = c + 1
			} else {
				fat[c] = 0x0FFFFFFF
			}
		}
		if n.dir {
			var d []byte
			if !isRoot {
				d = append(d, dirEntry([11]byte{'.', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '}, 0x10, n.cluster, 0)...)
				pc := parent.cluster
				if parentIsRoot(parent) {
					pc = 0
				}
				d = append(d, dirEntry([11]byte{'.', '.', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '}, 0x10, pc, 0)...)
			} else if opts.Label != "" {
				var l [11]byte
				copy(l[:], padName(opts.Label, 11))
				d = append(d, dirEntry(l, 0x08, 0, 0)...)
			}
			for _, c := range n.children {
				d = append(d, lfnEntries(c)...)
				attr, size := byte(0x20), uint32(len(c.data))
				if c.dir {
					attr, size = 0x10, 0
				}
				d = append(d, dirEntry(c.short, attr, c.cluster, size)...)
			}
			copy(img[clusterOff(n.cluster):], d)
		} else if n.clusters > 0 {
			copy(img[clusterOff(n.cluster):], n.data)
		}
		for _, c := range n.children {
			write(c, n, false)
		}
	}
	root.name = "\x00root"
	write(root, nil, true)
	for i := 0; i < 2; i++ {
		off := (rsvd + uint32(i)*fatSz) * sectorSize
		for j, v := range fat {
			le.PutUint32(img[off+uint32(j)*4:], v)
		}
	}
	return img, nil
}

func parentIsRoot(n *node) bool { return n.name == "\x00root" }

func (n *node) add(p string, data []byte) error {
	if p == "" {
		return fmt.Errorf("%w: empty path", ErrName)
	}
	first, rest, more := strings.Cut(p, "/")
	if err := validName(first); err != nil {
		return err
	}
	var child *node
	for _, c := range n.children {
		if strings.EqualFold(c.name, first) {
			child = c
		}
	}
	if !more {
		if child != nil {
			return fmt.Errorf("%w: duplicate %q", ErrName, p)
		}
		n.children = append(n.children, &node{name: first, data: data})
		return nil
	}
	if child == nil {
		child = &node{name: first, dir: true}
		n.children = append(n.children, child)
	} else if !child.dir {
		return fmt.Errorf("%w: %q is a file", ErrName, first)
	}
	return child.add(rest, data)
}

func validName(s string) error {
	if s == "" || s == "." || s == ".." || len(s) > 255 || strings.ContainsAny(s, "\\:*?\"<>|\x00") {
		return fmt.Errorf("%w: %q", ErrName, s)
	}
	return nil
}

func padName(s string, n int) []byte {
	b := []byte(strings.ToUpper(s))
	if len(b) > n {
		b = b[:n]
	}
	for len(b) < n {
		b = append(b, ' ')
	}
	return b
}

func shortChar(r rune) (byte, bool) {
	switch {
	case r >= 'a' && r <= 'z':
		return byte(r - 'a' + 'A'), true
	case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return byte(r), true
	case strings.ContainsRune("$%'-_@~`!(){}^#&", r):
		return byte(r), true
	}
	return 0, false
}

// exactShort reports whether name is already a valid upper-case 8.3 name,
// which is stored without long-name entries.
func exactShort(name string) ([11]byte, bool) {
	var s [11]byte
	base, ext, hasDot := strings.Cut(name, ".")
	if len(base) == 0 || len(base) > 8 || len(ext) > 3 || strings.Contains(ext, ".") || hasDot && ext == "" {
		return s, false
	}
	copy(s[:], padName(base, 8))
	copy(s[8:], padName(ext, 3))
	for _, r := range base + ext {
		c, ok := shortChar(r)
		if !ok || c != byte(r) {
			return s, false
		}
	}
	return s, true
}

func assignShortNames(children []*node) error {
	used := map[[11]byte]bool{}
	for _, c := range children {
		if s, ok := exactShort(c.name); ok {
			c.short = s
			used[s] = true
		}
	}
	for _, c := range children {
		if _, ok := exactShort(c.name); ok {
			continue
		}
		base, ext := c.name, ""
		if i := strings.LastIndexByte(c.name, '.'); i > 0 {
			base, ext = c.name[:i], c.name[i+1:]
		}
		clean := func(s string, n int) []byte {
			var out []byte
			for _, r := range s {
				if ch, ok := shortChar(r); ok {
					out = append(out, ch)
				} else if r != '.' && r != ' ' {
					out = append(out, '_')
				}
				if len(out) == n {
					break
				}
			}
			return out
		}
		b, e := clean(base, 8), clean(ext, 3)
		if len(b) == 0 {
			b = []byte("_")
		}
		found := false
		for i := 1; i < 1000000 && !found; i++ {
			tail := fmt.Sprintf("~%d", i)
			bb := b
			if len(bb)+len(tail) > 8 {
				bb = bb[:8-len(tail)]
			}
			var s [11]byte
			copy(s[:8], padName(string(bb)+tail, 8))
			copy(s[8:], padName(string(e), 3))
			if !used[s] {
				used[s] = true
				c.short = s
				found = true
			}
		}
		if !found {
			return fmt.Errorf("%w: no short name for %q", ErrName, c.name)
		}
	}
	return nil
}

func lfnCount(n *node) int {
	if _, ok := exactShort(n.name); ok {
		return 0
	}
	u := utf16.Encode([]rune(n.name))
	return (len(u) + 12) / 13
}

func shortChecksum(s [11]byte) byte {
	var sum byte
	for _, c := range s {
		sum = (sum>>1 | sum<<7) + c
	}
	return sum
}

// lfnEntries returns the long-name entries that precede n's short entry,
// last fragment first (FAT spec §7).
func lfnEntries(n *node) []byte {
	cnt := lfnCount(n)
	if cnt == 0 {
		return nil
	}
	u := utf16.Encode([]rune(n.name))
	u = append(u, 0)
	for len(u) < cnt*13 {
		u = append(u, 0xFFFF)
	}
	sum := shortChecksum(n.short)
	out := make([]byte, 0, cnt*32)
	offs := []int{1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30}
	for i := cnt; i >= 1; i-- {
		e := make([]byte, 32)
		e[0] = byte(i)
		if i == cnt {
			e[0] |= 0x40
		}
		e[11] = 0x0F
		e[13] = sum
		for k, o := range offs {
			binary.LittleEndian.PutUint16(e[o:], u[(i-1)*13+k])
		}
		out = append(out, e...)
	}
	return out
}

func dirEntry(short [11]byte, attr byte, cluster, size uint32) []byte {
	e := make([]byte, 32)
	copy(e, short[:])
	e[11] = attr
	le := binary.LittleEndian
	le.PutUint16(e[14:], fixedTime)
	le.PutUint16(e[16:], fixedDate)
	le.PutUint16(e[18:], fixedDate)
	le.PutUint16(e[20:], uint16(cluster>>16))
	le.PutUint16(e[22:], fixedTime)
	le.PutUint16(e[24:], fixedDate)
	le.PutUint16(e[26:], uint16(cluster))
	le.PutUint32(e[28:], size)
	return e
}

// Partition is one primary MBR partition.
type Partition struct {
	// Type is the MBR type byte: 0x0C FAT32 (LBA), 0x83 Linux.
	Type     byte
	Bootable bool
	// Data is the partition content; its length is the partition size
	// (a whole number of sectors).
	Data []byte
}

// FirstLBA is where the first partition starts: 1 MiB, the usual alignment.
const FirstLBA = 2048

// PartitionLBAs returns the start sector of each partition of the given
// sizes, as DiskImage lays them out (1 MiB aligned).
func PartitionLBAs(sizes ...int64) []uint32 {
	out := make([]uint32, len(sizes))
	lba := uint32(FirstLBA)
	for i, s := range sizes {
		out[i] = lba
		sec := uint32((s + sectorSize - 1) / sectorSize)
		lba += (sec + 2047) / 2048 * 2048
	}
	return out
}

// DiskImage returns an MBR-partitioned disk holding parts (at most four),
// each starting on a 1 MiB boundary. sig is the disk signature.
func DiskImage(sig uint32, parts ...Partition) ([]byte, error) {
	if len(parts) > 4 {
		return nil, fmt.Errorf("%w: %d partitions, MBR holds 4", ErrTooSmall, len(parts))
	}
	sizes := make([]int64, len(parts))
	for i, p := range parts {
		if len(p.Data)%sectorSize != 0 {
			return nil, fmt.Errorf("%w: partition %d is %d bytes, not whole sectors", ErrFormat, i+1, len(p.Data))
		}
		sizes[i] = int64(len(p.Data))
	}
	lbas := PartitionLBAs(sizes...)
	end := int64(FirstLBA) * sectorSize
	if n := len(parts); n > 0 {
		end = int64(lbas[n-1])*sectorSize + sizes[n-1]
		end = (end + 1<<20 - 1) &^ (1<<20 - 1)
	}
	img := make([]byte, end)
	le := binary.LittleEndian
	le.PutUint32(img[440:], sig)
	for i, p := range parts {
		e := img[446+16*i : 446+16*(i+1)]
		if p.Bootable {
			e[0] = 0x80
		}
		// CHS fields: use the "beyond 8 GiB" marker; everyone reads LBA.
		copy(e[1:4], []byte{0xFE, 0xFF, 0xFF})
		e[4] = p.Type
		copy(e[5:8], []byte{0xFE, 0xFF, 0xFF})
		le.PutUint32(e[8:], lbas[i])
		le.PutUint32(e[12:], uint32(len(p.Data)/sectorSize))
		copy(img[int64(lbas[i])*sectorSize:], p.Data)
	}
	img[510], img[511] = 0x55, 0xAA
	return img, nil
}
