package image

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestBuildExt4 formats a data partition with go-diskfs: the ext4 magic is
// where the firmware looks for it, and e2fsck -fn (when installed) finds
// nothing to fix.
func TestBuildExt4(t *testing.T) {
	b, err := buildExt4(32<<20, DataLabel, 7, []byte("hello\n"))
	if err != nil {
		t.Fatalf("buildExt4 = %v", err)
	}
	if len(b) != 32<<20 {
		t.Fatalf("%d bytes, want %d", len(b), 32<<20)
	}
	if b[1024+0x38] != 0x53 || b[1024+0x39] != 0xEF {
		t.Fatalf("no ext4 magic at 1080: % x", b[1024+0x38:1024+0x3a])
	}
	// Byte-reproducible: go-diskfs stamps the time in seconds, so a
	// second build a second later would differ without normaliseExt4.
	time.Sleep(1100 * time.Millisecond)
	again, err := buildExt4(32<<20, DataLabel, 7, []byte("hello\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, again) {
		n := 0
		for i := range b {
			if b[i] != again[i] {
				n++
			}
		}
		t.Errorf("two builds differ in %d bytes", n)
	}
	if _, err := exec.LookPath("e2fsck"); err != nil {
		t.Skip("e2fsck not found (apt-get install e2fsprogs); magic checked only")
	}
	p := filepath.Join(t.TempDir(), "data.ext4")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("e2fsck", "-fn", p).CombinedOutput()
	if err != nil {
		t.Fatalf("e2fsck -fn: %v\n%s", err, out)
	}
	out, err = exec.Command("debugfs", "-R", "cat README.txt", p).Output()
	if err == nil && string(out) != "hello\n" {
		t.Errorf("README.txt = %q, want %q", out, "hello\n")
	}
}

// TestFsckClass sorts fsck outputs seen in the power-cut campaign.
func TestFsckClass(t *testing.T) {
	for _, c := range []struct{ out, want string }{
		{"There are differences between boot sector and its backup.\nThis is mostly harmless. Differences: (offset:original/backup)\n  65:01/00\n  Not automatically fixing this.\nDirty bit is set. Fs was not properly unmounted and some data may be corrupt.\n Automatically removing dirty bit.\nFree cluster summary wrong (64144 vs. really 64256)\n  Auto-correcting.\n\nLeaving filesystem unchanged.\n/tmp/x.data: 9 files, 224/64480 clusters", "clean"},
		{"Reclaimed 112 unused clusters (57344 bytes).\nDirty bit is set. Fs was not properly unmounted and some data may be corrupt.\n Automatically removing dirty bit.\nLeaving filesystem unchanged.\n/tmp/x.data: 9 files, 224/64480 clusters", "leak"},
		{"  Contains a free cluster (339). Assuming EOF.\n/.gsmbox-probe\n  File size is 21 bytes, cluster chain length is 0 bytes.\n  Truncating file to 0 bytes.\nReclaimed 297 unused clusters (152064 bytes).\nLeaving filesystem unchanged.", "damage"},
		{"e2fsck 1.47.0 (5-Feb-2023)\nPass 1: Checking inodes, blocks, and sizes\nPass 5: Checking group summary information\nFree blocks count wrong (26862, counted=26758).\nFix? no\n\nFree inodes count wrong (4085, counted=4079).\nFix? no\n\nGSMBOX-DATA: 11/4096 files (9.1% non-contiguous), 5906/32768 blocks", "clean"},
		{"Warning: Filesystem is FAT32 according to fat_length and fat32_length fields,\n  but has only 64480 clusters, less than the required minimum of 65525.\n  This may lead to problems on some systems.\nfsck.fat 4.2 (2021-01-31)\nDirty bit is set. Fs was not properly unmounted and some data may be corrupt.\n Automatically removing dirty bit.", "clean"},
		{"Pass 2: Checking directory structure\nEntry 'subscribers.db' in / (2) has deleted/unused inode 14.  Clear? no", "damage"},
	} {
		if got := fsckClass(c.out); got != c.want {
			t.Errorf("fsckClass(%.60q…) = %s, want %s", c.out, got, c.want)
		}
	}
}
