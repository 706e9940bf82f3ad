package usb

import (
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Detector finds USB mass-storage sticks in sysfs (/sys/block). A stick is
// an sd* disk; its file system is on its first partition, or on the whole
// disk when it has none ("superfloppy"). Each stick is reported once until
// it is removed.
type Detector struct {
	// Sys is the sysfs root (os.DirFS("/sys") on the box, fstest.MapFS in
	// tests).
	Sys  fs.FS
	seen map[string]bool
}

// Stick is a newly seen stick.
type Stick struct {
	Disk   string // sda
	Device string // /dev/sda1 or /dev/sda
}

// Scan returns sticks that appeared since the last scan, and forgets the
// ones that were removed so that re-inserting one handles it again.
func (d *Detector) Scan() ([]Stick, error) {
	if d.seen == nil {
		d.seen = map[string]bool{}
	}
	ents, err := fs.ReadDir(d.Sys, "block")
	if err != nil {
		return nil, err
	}
	present := map[string]bool{}
	var out []Stick
	for _, e := range ents {
		disk := e.Name()
		if !strings.HasPrefix(disk, "sd") {
			continue
		}
		present[disk] = true
		if d.seen[disk] {
			continue
		}
		// An empty card reader slot has size 0.
		if b, err := fs.ReadFile(d.Sys, path.Join("block", disk, "size")); err == nil && strings.TrimSpace(string(b)) == "0" {
			continue
		}
		d.seen[disk] = true
		dev := "/dev/" + disk
		if parts := partitions(d.Sys, disk); len(parts) > 0 {
			dev = "/dev/" + parts[0]
		}
		out = append(out, Stick{Disk: disk, Device: dev})
	}
	for disk := range d.seen {
		if !present[disk] {
			delete(d.seen, disk)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Disk < out[j].Disk })
	return out, nil
}

// Present reports whether the disk is still attached.
func (d *Detector) Present(disk string) bool {
	_, err := fs.Stat(d.Sys, path.Join("block", disk))
	return err == nil
}

func partitions(sys fs.FS, disk string) []string {
	ents, err := fs.ReadDir(sys, path.Join("block", disk))
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), disk) {
			if _, err := fs.Stat(sys, path.Join("block", disk, e.Name(), "partition")); err == nil {
				out = append(out, e.Name())
			}
		}
	}
	sort.Strings(out)
	return out
}
