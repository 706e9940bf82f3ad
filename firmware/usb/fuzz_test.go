package usb

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// FuzzFileDiscovery: whatever names a stick's root holds, finding
// gsmbox.toml and subscribers.csv never panics, finds only a regular file
// whose name matches without regard to case, and never reads more than
// the limit.
func FuzzFileDiscovery(f *testing.F) {
	f.Add("GSMBOX.TOML\nsubscribers.csv\nREADME", []byte("[cell]\narfcn = 70\n"))
	f.Add("gsmbox.toml.bak\ngsmbox.tom\nGsMbOx.ToMl", []byte("x"))
	f.Add("gsmbox.toml/\nSUBSCRIBERS.CSV", bytes.Repeat([]byte("y"), 300))
	f.Add("ǥsmbox.toml\ngsmbox.toml\x00", []byte{})
	f.Fuzz(func(t *testing.T, names string, content []byte) {
		dir := t.TempDir()
		made := map[string]bool{}
		for i, n := range strings.Split(names, "\n") {
			if i == 16 {
				break
			}
			dirOnly := strings.HasSuffix(n, "/")
			n = strings.TrimSuffix(n, "/")
			if n == "" || n == "." || n == ".." || len(n) > 100 || strings.ContainsAny(n, "/\x00") {
				continue
			}
			p := filepath.Join(dir, n)
			var err error
			if dirOnly {
				err = os.Mkdir(p, 0o755)
			} else {
				err = os.WriteFile(p, content, 0o644)
			}
			if err == nil && !dirOnly {
				made[n] = true
			}
		}
		for _, want := range []string{ConfigFile, SubscribersFile} {
			const limit = 256
			b, err := readFileFold(dir, want, limit)
			if err != nil {
				continue
			}
			if len(b) > limit {
				t.Fatalf("readFileFold(%s) read %d bytes, limit %d", want, len(b), limit)
			}
			ok := false
			for n := range made {
				if strings.EqualFold(n, want) && bytes.Equal(b, content) {
					ok = true
				}
			}
			if !ok {
				t.Fatalf("readFileFold(%s) found %q in %v", want, b, made)
			}
		}
	})
}

// FuzzDetector: a sysfs holding anything never panics the stick detector,
// and every stick it reports is an sd* disk with a /dev path.
func FuzzDetector(f *testing.F) {
	f.Add("block/sda/size=65536\nblock/sda/sda1/partition=1\nblock/vda/size=1")
	f.Add("block/sdb/size=0\nblock/sdc/sdc2/partition=2\nblock/sdc/sdc1/partition=x")
	f.Fuzz(func(t *testing.T, spec string) {
		sys := fstest.MapFS{}
		for _, l := range strings.Split(spec, "\n") {
			k, v, _ := strings.Cut(l, "=")
			if k == "" || strings.HasPrefix(k, "/") || strings.HasSuffix(k, "/") || strings.Contains(k, "//") {
				continue
			}
			sys[k] = &fstest.MapFile{Data: []byte(v)}
		}
		d := &Detector{Sys: sys}
		for range 2 {
			sticks, _ := d.Scan()
			for _, s := range sticks {
				if !strings.HasPrefix(s.Disk, "sd") || !strings.HasPrefix(s.Device, "/dev/") {
					t.Fatalf("Scan() = %+v", s)
				}
			}
		}
	})
}
