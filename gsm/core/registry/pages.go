package registry

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
)

// This file reads a bbolt file the safe way: through ReadAt, with a bounds
// check before every field, never through the memory map. bbolt itself
// trusts the mapped pages: a page id past the end of a truncated file is a
// SIGBUS (a fatal signal, not a panic), a wrong page type an "assertion
// failed" panic, a bad element offset an index out of range; and its Check
// runs in a goroutine of its own, where no recover can reach. So Open walks
// the whole file here first, under the file lock, and hands it to bbolt only
// when every page the committed tree can reach is in the file and well
// formed. The same walk salvages records from a damaged file (Repair).
//
// The layout (go.etcd.io/bbolt v1.4, internal/common; little-endian on the
// boards and hosts gsmbox runs on):
//
//	page header (16): id u64 | flags u16 | count u16 | overflow u32
//	meta (after the header): magic u32 | version u32 | pageSize u32 |
//	  flags u32 | root bucket {root u64, sequence u64} | freelist u64 |
//	  pgid (high-water mark) u64 | txid u64 | checksum u64 (FNV-64a of the
//	  56 octets before it)
//	branch element (16): pos u32 | ksize u32 | pgid u64
//	leaf element (16):   flags u32 | pos u32 | ksize u32 | vsize u32
//	  (pos counts from the element's own first octet)
//	bucket value: {root u64, sequence u64}, then, when root is 0, an inline
//	  leaf page
//	freelist page: count ids u64 (count 0xFFFF: the first u64 is the count)

const (
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	pageHeaderSize = 16
	elemSize       = 16
	bucketHdrSize  = 16
	metaChecksumAt = 56

	flagBranch   = 0x01
	flagLeaf     = 0x02
	flagMeta     = 0x04
	flagFreelist = 0x10
	leafBucket   = 0x01

	noFreelist = ^uint64(0)
	// maxTreeDepth bounds the recursion on a hostile file. A bbolt tree of
	// 4 KiB pages holding every IMSI there is is far shallower.
	maxTreeDepth = 64
	// maxBucketDepth bounds nested buckets (the registry uses one level).
	maxBucketDepth = 8
)

// boltMeta is one decoded, checksum-verified meta page.
type boltMeta struct {
	page                     int // 0 or 1
	pageSize                 uint32
	root, freelist, hw, txid uint64
}

// fileProblem is one defect found in a file. It wraps ErrCorrupt.
type fileProblem struct{ msg string }

func (e *fileProblem) Error() string { return e.msg }
func (e *fileProblem) Unwrap() error { return ErrCorrupt }

func problemf(format string, a ...any) error { return &fileProblem{msg: fmt.Sprintf(format, a...)} }

// parseMeta decodes the meta page at off, or says why it is unusable.
func parseMeta(r io.ReaderAt, size, off int64, page int) (boltMeta, error) {
	var b [pageHeaderSize + 64]byte
	if off+int64(len(b)) > size {
		return boltMeta{}, problemf("meta page %d: beyond the end of the file (%d bytes)", page, size)
	}
	if _, err := r.ReadAt(b[:], off); err != nil {
		return boltMeta{}, fmt.Errorf("meta page %d: %w", page, err)
	}
	le := binary.LittleEndian
	m := b[pageHeaderSize:]
	if flags := le.Uint16(b[8:]); flags != flagMeta {
		return boltMeta{}, problemf("meta page %d: page type %#x, not a meta page", page, flags)
	}
	if le.Uint32(m[0:]) != boltMagic {
		return boltMeta{}, problemf("meta page %d: no bbolt magic number (not a bbolt file)", page)
	}
	if v := le.Uint32(m[4:]); v != boltVersion {
		return boltMeta{}, problemf("meta page %d: bbolt format version %d, want %d", page, v, boltVersion)
	}
	h := fnv.New64a()
	h.Write(m[:metaChecksumAt])
	if h.Sum64() != le.Uint64(m[metaChecksumAt:]) {
		return boltMeta{}, problemf("meta page %d: checksum mismatch (a torn or overwritten commit record)", page)
	}
	bm := boltMeta{page: page, pageSize: le.Uint32(m[8:]), root: le.Uint64(m[16:]),
		freelist: le.Uint64(m[32:]), hw: le.Uint64(m[40:]), txid: le.Uint64(m[48:])}
	if ps := bm.pageSize; ps < 512 || ps > 1<<16 || ps&(ps-1) != 0 {
		return boltMeta{}, problemf("meta page %d: page size %d", page, ps)
	}
	return bm, nil
}

// readMetas finds the meta pages the way bbolt does: the page size from
// meta page 0, or, when that is damaged, meta page 1 at each page size
// bbolt may have used. It returns the meta bbolt will use (the valid one
// with the higher transaction id).
func readMetas(r io.ReaderAt, size int64) (boltMeta, error) {
	if size == 0 {
		return boltMeta{}, problemf("the file is empty (0 bytes)")
	}
	m0, err0 := parseMeta(r, size, 0, 0)
	var m1 boltMeta
	err1 := errors.New("not found")
	if err0 == nil {
		m1, err1 = parseMeta(r, size, int64(m0.pageSize), 1)
	} else {
		for _, ps := range []int64{4096, 512, 1024, 2048, 8192, 16384, 32768, 65536} {
			if m1, err1 = parseMeta(r, size, ps, 1); err1 == nil && int64(m1.pageSize) == ps {
				break
			}
			if err1 == nil {
				err1 = problemf("meta page 1: page size %d at offset %d", m1.pageSize, ps)
			}
		}
	}
	switch {
	case err0 != nil && err1 != nil:
		return boltMeta{}, fmt.Errorf("%w (and meta page 1 unusable too: %v)", err0, err1)
	case err0 != nil:
		return m1, nil
	case err1 != nil:
		return m0, nil
	case m1.pageSize != m0.pageSize:
		return boltMeta{}, problemf("meta pages disagree on the page size (%d, %d)", m0.pageSize, m1.pageSize)
	case m1.txid > m0.txid:
		return m1, nil
	}
	return m0, nil
}

// fileWalk is one walk of the tree a meta page commits.
type fileWalk struct {
	r    io.ReaderAt
	size int64
	ps   int64
	m    boltMeta
	used []uint8 // per page below the high-water mark: 1 reached, 2 free
	// kv, if set, is called for every key/value of every bucket (path is
	// the bucket names from the root); its error stops the walk.
	kv func(path []string, k, v []byte) error
	// salvage makes the walk skip damaged subtrees (collecting the
	// problems) instead of stopping at the first.
	salvage  bool
	problems []error
}

// walkFile checks everything meta m commits: every page the tree, the
// nested buckets and the freelist reach is inside the file and below the
// high-water mark, is of the type its parent says, is reached once, and
// holds elements that fit in it, with keys in order; and every page below
// the high-water mark is either reached or free. It returns the first
// defect (wrapping ErrCorrupt).
func (w *fileWalk) walk() error {
	ps := int64(w.m.pageSize)
	w.ps = ps
	if w.salvage && w.m.hw > uint64(w.size/ps) {
		w.problems = append(w.problems, problemf("the file is %d bytes, but its last committed page ends at byte %d (truncated?)", w.size, w.m.hw*uint64(ps)))
		w.m.hw = uint64(w.size / ps)
	}
	if w.m.hw < 2 || w.m.hw > uint64(w.size/ps) {
		return problemf("the file is %d bytes, but its last committed page ends at byte %d (truncated?)", w.size, w.m.hw*uint64(ps))
	}
	w.used = make([]uint8, w.m.hw)
	w.used[0], w.used[1] = 1, 1
	if w.m.freelist != noFreelist {
		if err := w.walkFreelist(); err != nil {
			if err = w.fail(err); err != nil {
				return err
			}
		}
	}
	if err := w.walkTree(w.m.root, nil, nil, nil, 0, 0); err != nil {
		return err
	}
	if w.salvage {
		return nil
	}
	for id, u := range w.used {
		if u == 0 && !w.salvage {
			return problemf("page %d: neither reachable nor free (a lost page)", id)
		}
	}
	return nil
}

func (w *fileWalk) fail(err error) error {
	if w.salvage {
		w.problems = append(w.problems, err)
		return nil
	}
	return err
}

// readPage reads page id with its overflow pages, checking that they lie
// below the high-water mark and inside the file, and marks them reached.
func (w *fileWalk) readPage(id uint64, want uint16) ([]byte, error) {
	if id < 2 || id >= w.m.hw {
		return nil, problemf("page %d: outside the committed pages [2, %d)", id, w.m.hw)
	}
	var h [pageHeaderSize]byte
	if _, err := w.r.ReadAt(h[:], int64(id)*w.ps); err != nil {
		return nil, fmt.Errorf("page %d: %w", id, err)
	}
	le := binary.LittleEndian
	if got := le.Uint64(h[0:]); got != id {
		return nil, problemf("page %d: header says page %d", id, got)
	}
	if f := le.Uint16(h[8:]); f != want {
		return nil, problemf("page %d: page type %#x, want %#x", id, f, want)
	}
	ov := uint64(le.Uint32(h[12:]))
	if id+ov >= w.m.hw {
		return nil, problemf("page %d: %d overflow pages run past the committed pages (%d)", id, ov, w.m.hw)
	}
	for i := id; i <= id+ov; i++ {
		if w.used[i] != 0 {
			return nil, problemf("page %d: reached twice, or both free and in use", i)
		}
		w.used[i] = 1
	}
	b := make([]byte, int64(ov+1)*w.ps)
	if _, err := w.r.ReadAt(b, int64(id)*w.ps); err != nil {
		return nil, fmt.Errorf("page %d: %w", id, err)
	}
	return b, nil
}

func (w *fileWalk) walkFreelist() error {
	b, err := w.readPage(w.m.freelist, flagFreelist)
	if err != nil {
		return fmt.Errorf("freelist: %w", err)
	}
	le := binary.LittleEndian
	n, off := uint64(le.Uint16(b[10:])), uint64(pageHeaderSize)
	if n == 0xFFFF {
		if len(b) < pageHeaderSize+8 {
			return problemf("freelist page %d: short", w.m.freelist)
		}
		n, off = le.Uint64(b[pageHeaderSize:]), off+8
	}
	if n > (uint64(len(b))-off)/8 {
		return problemf("freelist page %d: %d ids do not fit", w.m.freelist, n)
	}
	// Free pages are marked after the tree walk would have met them; a
	// free page the tree reaches is found by readPage (used != 0).
	for i := range n {
		id := le.Uint64(b[off+8*i:])
		if id < 2 || id >= w.m.hw {
			return problemf("freelist: page %d outside the committed pages [2, %d)", id, w.m.hw)
		}
		if w.used[id] != 0 {
			return problemf("freelist: page %d listed twice, or free and in use", id)
		}
		w.used[id] = 2
	}
	return nil
}

// walkTree checks the B+tree rooted at page id, whose keys must lie in
// [lo, hi) (nil: unbounded), and walks the buckets it holds.
func (w *fileWalk) walkTree(id uint64, path []string, lo, hi []byte, depth, bdepth int) error {
	if depth > maxTreeDepth {
		return w.fail(problemf("page %d: tree deeper than %d", id, maxTreeDepth))
	}
	var h [pageHeaderSize]byte
	if id >= 2 && id < w.m.hw {
		if _, err := w.r.ReadAt(h[:], int64(id)*w.ps); err != nil {
			return w.fail(fmt.Errorf("page %d: %w", id, err))
		}
	}
	flags := binary.LittleEndian.Uint16(h[8:])
	if flags != flagBranch {
		flags = flagLeaf
	}
	b, err := w.readPage(id, flags)
	if err != nil {
		return w.fail(err)
	}
	if flags == flagLeaf {
		return w.walkLeaf(b, id, path, lo, hi, bdepth)
	}
	le := binary.LittleEndian
	n := int(le.Uint16(b[10:]))
	if n == 0 {
		return w.fail(problemf("page %d: empty branch page", id))
	}
	if pageHeaderSize+n*elemSize > len(b) {
		return w.fail(problemf("page %d: %d elements do not fit", id, n))
	}
	keys := make([][]byte, n)
	kids := make([]uint64, n)
	for i := range n {
		e := pageHeaderSize + i*elemSize
		pos, ks := uint64(le.Uint32(b[e:])), uint64(le.Uint32(b[e+4:]))
		if uint64(e)+pos+ks > uint64(len(b)) {
			return w.fail(problemf("page %d: element %d points outside the page", id, i))
		}
		keys[i] = b[uint64(e)+pos : uint64(e)+pos+ks]
		kids[i] = le.Uint64(b[e+8:])
		if i > 0 && bytes.Compare(keys[i-1], keys[i]) >= 0 {
			return w.fail(problemf("page %d: keys out of order", id))
		}
	}
	for i := range n {
		klo, khi := keys[i], hi
		if i == 0 {
			klo = lo
		}
		if i+1 < n {
			khi = keys[i+1]
		}
		if err := w.walkTree(kids[i], path, klo, khi, depth+1, bdepth); err != nil {
			return err
		}
	}
	return nil
}

// walkLeaf checks a leaf page (b: a whole page, or an inline bucket's page).
func (w *fileWalk) walkLeaf(b []byte, id uint64, path []string, lo, hi []byte, bdepth int) error {
	le := binary.LittleEndian
	if len(b) < pageHeaderSize {
		return w.fail(problemf("page %d: shorter than a page header", id))
	}
	n := int(le.Uint16(b[10:]))
	if pageHeaderSize+n*elemSize > len(b) {
		return w.fail(problemf("page %d: %d elements do not fit", id, n))
	}
	var prev []byte
	for i := range n {
		e := uint64(pageHeaderSize + i*elemSize)
		fl, pos := le.Uint32(b[e:]), uint64(le.Uint32(b[e+4:]))
		ks, vs := uint64(le.Uint32(b[e+8:])), uint64(le.Uint32(b[e+12:]))
		if e+pos+ks+vs > uint64(len(b)) {
			if err := w.fail(problemf("page %d: element %d points outside the page", id, i)); err != nil {
				return err
			}
			continue
		}
		k := b[e+pos : e+pos+ks]
		v := b[e+pos+ks : e+pos+ks+vs]
		if (i > 0 && bytes.Compare(prev, k) >= 0) || (lo != nil && bytes.Compare(k, lo) < 0) || (hi != nil && bytes.Compare(k, hi) >= 0) {
			if err := w.fail(problemf("page %d: key %d out of order", id, i)); err != nil {
				return err
			}
			continue
		}
		prev = k
		if fl&leafBucket == 0 {
			if fl != 0 {
				if err := w.fail(problemf("page %d: element %d has flags %#x", id, i, fl)); err != nil {
					return err
				}
				continue
			}
			if w.kv != nil {
				if err := w.kv(path, k, v); err != nil {
					return err
				}
			}
			continue
		}
		if err := w.walkBucket(id, append(path[:len(path):len(path)], string(k)), v, bdepth+1); err != nil {
			return err
		}
	}
	return nil
}

// walkBucket checks a nested bucket's value: a root page, or an inline page.
func (w *fileWalk) walkBucket(id uint64, path []string, v []byte, bdepth int) error {
	if bdepth > maxBucketDepth {
		return w.fail(problemf("page %d: buckets nested deeper than %d", id, maxBucketDepth))
	}
	if len(v) < bucketHdrSize {
		return w.fail(problemf("page %d: bucket %q: value of %d octets", id, path[len(path)-1], len(v)))
	}
	root := binary.LittleEndian.Uint64(v)
	if root != 0 {
		return w.walkTree(root, path, nil, nil, 0, bdepth)
	}
	inline := v[bucketHdrSize:]
	if len(inline) < pageHeaderSize || binary.LittleEndian.Uint16(inline[8:]) != flagLeaf {
		return w.fail(problemf("page %d: bucket %q: inline page is not a leaf", id, path[len(path)-1]))
	}
	return w.walkLeaf(inline, id, path, nil, nil, bdepth)
}

// checkFile walks the whole file behind r (size octets) and returns the
// meta in use, or the first defect (wrapping ErrCorrupt). kv, if not nil,
// sees every key/value.
func checkFile(r io.ReaderAt, size int64, kv func(path []string, k, v []byte) error) (boltMeta, error) {
	m, err := readMetas(r, size)
	if err != nil {
		return boltMeta{}, err
	}
	w := &fileWalk{r: r, size: size, m: m, kv: kv}
	return m, w.walk()
}

// metaHeaders checks the page headers of both meta pages. bbolt uses the
// valid meta page of the two and never reads the other's header, except in
// its Check, which asserts both (a panic in its own goroutine). A damaged
// one is rewritten by the next commit.
func metaHeaders(r io.ReaderAt, ps int64) error {
	for i := range int64(2) {
		var h [pageHeaderSize]byte
		if _, err := r.ReadAt(h[:], i*ps); err != nil {
			return fmt.Errorf("%w: meta page %d: %v", ErrCorrupt, i, err)
		}
		if id, fl := binary.LittleEndian.Uint64(h[:]), binary.LittleEndian.Uint16(h[8:]); id != uint64(i) || fl != flagMeta {
			return problemf("meta page %d: damaged page header (bbolt uses the other meta page; the next change rewrites this one)", i)
		}
	}
	return nil
}
