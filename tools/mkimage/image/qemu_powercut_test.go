package image

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/boards"
)

// The power-cut campaign (docs/appliance.md, "ext4 instead?"): boot the
// qemu-arm64 image while the box writes its registry (virtual phones
// registering, a stick's subscribers.csv imported) and its config (the
// stick's gsmbox.toml applied, a different ARFCN every boot), pull the
// plug (SIGKILL to QEMU) at a seeded random instant, check the data
// partition offline with fsck, and boot the same disk again. That boot
// is both the verdict on the cut before it and the writes for the next
// cut, so N cuts take N+1 boots.
//
// By default each design gets 3 cuts (the CI variant). The campaign:
//
//	GSMBOX_POWERCUT_CUTS=50       cuts per design
//	GSMBOX_POWERCUT_FS=ext4       only this design (fat32 or ext4)
//	GSMBOX_POWERCUT_SEED=1        the seed of the cut instants
//	GSMBOX_POWERCUT_OUT=FILE      append one JSON line per cut
//	GSMBOX_POWERCUT_WINDOW=10s    cut within this long after "on air"

// cutResult is what one cut left behind.
type cutResult struct {
	Design    string  `json:"design"`
	Cut       int     `json:"cut"`
	CutAfter  float64 `json:"cut_after_on_air_s"` // seconds after "on air" (negative: before it)
	WritesHit string  `json:"writes_seen"`        // what the console showed before the cut
	FsckRC    int     `json:"fsck_rc"`
	FsckClass string  `json:"fsck_class"` // fsckClass
	FsckOut   string  `json:"fsck_out"`
	// The next boot's verdict.
	Booted      bool   `json:"booted"`
	OnAir       bool   `json:"on_air"`
	Mounted     bool   `json:"data_mounted"`
	Unclean     bool   `json:"unclean_seen"`
	Registry    string `json:"registry"` // intact, recovered, lost
	Config      string `json:"config"`   // intact, last-good, lost
	ConfigFrom  string `json:"config_from"`
	ConfigARFCN int    `json:"config_arfcn"`
	// Repaired is fsck's repair run on the image after a boot that did
	// not come on air (a technician's fsck), so that the next cuts
	// measure something: without it every later boot fails alike.
	Repaired string `json:"repaired,omitempty"`
}

func TestQEMUPowerCutCampaign(t *testing.T) {
	needQEMU(t)
	cuts := 3
	if v := os.Getenv("GSMBOX_POWERCUT_CUTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("GSMBOX_POWERCUT_CUTS=%q", v)
		}
		cuts = n
	}
	seed := uint64(1)
	if v := os.Getenv("GSMBOX_POWERCUT_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("GSMBOX_POWERCUT_SEED=%q", v)
		}
		seed = n
	}
	window := 10 * time.Second
	if v := os.Getenv("GSMBOX_POWERCUT_WINDOW"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("GSMBOX_POWERCUT_WINDOW=%q", v)
		}
		window = d
	}
	designs := []string{DataFAT32, DataExt4}
	if v := os.Getenv("GSMBOX_POWERCUT_FS"); v != "" {
		designs = []string{v}
	}
	for _, design := range designs {
		t.Run(design, func(t *testing.T) {
			runCampaign(t, design, cuts, seed, window)
		})
	}
}

func runCampaign(t *testing.T, design string, cuts int, seed uint64, window time.Duration) {
	for _, tool := range []string{"fsck.vfat", "e2fsck"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found; apt-get install dosfstools e2fsprogs", tool)
		}
	}
	dir := t.TempDir()
	disk := filepath.Join(dir, "qemu-arm64.img")
	d, err := boards.Lookup("qemu-arm64")
	if err != nil {
		t.Fatal(err)
	}
	// 6 virtual phones register on the simulated air: each registration
	// writes the registry (more phones queue for the SDCCHs, and under
	// TCG register too late to be cut).
	if _, err := Build(context.Background(), d, Options{ModuleDir: moduleDir(t), Output: disk,
		ExtraCmdline: "gsmbox.simphones=6", Version: "v0-powercut", DataFS: design}); err != nil {
		t.Fatalf("Build = %v", err)
	}
	rng := rand.New(rand.NewPCG(seed, uint64(len(design))))
	var out *os.File
	if p := os.Getenv("GSMBOX_POWERCUT_OUT"); p != "" {
		if out, err = os.OpenFile(p, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err != nil {
			t.Fatal(err)
		}
		defer out.Close()
	}
	var results []cutResult
	var prev *cutResult
	// applied are the ARFCNs a config may hold after a cut: the one in
	// force, and the stick's unless the console had confirmed it ("safe
	// to remove" comes after fsync and rename), when only the new one
	// is intact. Until a config was written to the data partition, the
	// boot partition's is the intact one.
	applied := []int{62}
	wroteData := false
	for boot := 0; boot <= cuts; boot++ {
		arfcn := 70 + boot%2*5 // 70, 75, 70, …: every stick is a change
		stick := filepath.Join(dir, "stick.img")
		var csv strings.Builder
		csv.WriteString("imsi,msisdn,algorithm,ki\n")
		for i := 0; i < 50; i++ {
			fmt.Fprintf(&csv, "0010199%08d,%d,comp128v1,000102030405060708090a0b0c0d0e%02x\n", boot*100+i, 50000+boot*100+i, i)
		}
		makeStick(t, stick, map[string]string{
			"gsmbox.toml":     fmt.Sprintf("# power-cut campaign boot %d\n[cell]\narfcn = %d\n", boot, arfcn),
			"subscribers.csv": csv.String(),
		})
		last := boot == cuts
		cutAt := time.Duration(rng.Int64N(int64(window)))
		var cutAfter float64
		c := bootDuring(t, QEMUOptions{Image: disk, USB: stick}, 300*time.Second, func(c *console) {
			_, ok := c.waitFor(regexp.MustCompile(`on air`), 60*time.Second)
			if !ok {
				c.powerCut() // never came on air: recorded below
				return
			}
			if last {
				// The verdict boot only: let the registry open and settle.
				time.Sleep(2 * time.Second)
				c.powerCut()
				return
			}
			time.Sleep(cutAt) // waitFor polls: it returned within 50 ms of the line
			cutAfter = cutAt.Seconds()
			c.powerCut()
		})
		if prev != nil {
			verdict(c, prev, applied, wroteData)
			if prev.Config == "intact" {
				applied = []int{prev.ConfigARFCN}
			}
			wroteData = wroteData || strings.HasPrefix(prev.ConfigFrom, "data partition")
			if !prev.OnAir {
				t.Logf("cut %d: console:\n%s", prev.Cut, tail(c.text(), 60))
				prev.Repaired = repairData(t, disk, design)
			}
			results = append(results, *prev)
			t.Logf("cut %d: %+v", prev.Cut, *prev)
			if out != nil {
				b, _ := json.Marshal(prev)
				out.Write(append(b, '\n'))
			}
		}
		if last {
			break
		}
		if strings.Contains(writesSeen(c), "stick-applied") {
			applied = []int{arfcn}
		} else {
			applied = append(applied, arfcn)
		}
		r := &cutResult{Design: design, Cut: boot + 1, CutAfter: cutAfter, WritesHit: writesSeen(c)}
		r.FsckRC, r.FsckOut = fsckData(t, disk, design)
		r.FsckClass = fsckClass(r.FsckOut)
		prev = r
	}
	summarise(t, design, results)
}

// writesSeen names the writes the console showed before the cut.
func writesSeen(c *console) string {
	var w []string
	if _, ok := c.find(regexp.MustCompile(`virtual phone registered`)); ok {
		w = append(w, "registrations")
	}
	if _, ok := c.find(regexp.MustCompile(`USB stick`)); ok {
		w = append(w, "stick")
	}
	// "safe to remove" follows a stick that could not be read too: only
	// an APPLIED one wrote the config.
	if _, ok := c.find(regexp.MustCompile(`gsmbox\.toml APPLIED.*safe to remove`)); ok {
		w = append(w, "stick-applied")
	}
	return strings.Join(w, ",")
}

var (
	reConfigLoaded = regexp.MustCompile(`configuration loaded.*from="?([^"=]+?)"? arfcn=(\d+)`)
	reDefault      = regexp.MustCompile(`no configuration file; using the built-in default`)
)

// verdict reads the boot after a cut.
func verdict(c *console, r *cutResult, applied []int, wroteData bool) {
	_, r.Booted = c.find(regexp.MustCompile(`services started`))
	_, r.OnAir = c.find(regexp.MustCompile(`on air`))
	_, r.Mounted = c.find(regexp.MustCompile(`data partition mounted`))
	_, r.Unclean = c.find(regexp.MustCompile(`data partition was not cleanly unmounted`))
	r.Registry = "intact"
	if l, ok := c.find(regexp.MustCompile(`subscriber registry was damaged`)); ok {
		r.Registry = "recovered"
		if strings.Contains(l.text, "no good backup existed") {
			r.Registry = "lost"
		}
	} else if !r.OnAir {
		r.Registry = "unknown"
	}
	r.Config = "lost"
	if l, ok := c.find(reConfigLoaded); ok {
		m := reConfigLoaded.FindStringSubmatch(l.text)
		r.ConfigFrom = m[1]
		r.ConfigARFCN, _ = strconv.Atoi(m[2])
		switch {
		case strings.HasSuffix(m[1], "gsmbox.prev.toml"):
			r.Config = "last-good"
		case strings.HasPrefix(m[1], "data partition") || !wroteData:
			for _, a := range applied {
				if a == r.ConfigARFCN {
					r.Config = "intact"
				}
			}
		}
	} else if _, ok := c.find(reDefault); ok {
		r.ConfigFrom = "built-in default"
	}
}

// fsckData extracts the data partition (MBR entry 2, by its LBA offsets,
// as dd would) and runs the read-only checker of its file system.
func fsckData(t *testing.T, disk, design string) (int, string) {
	t.Helper()
	img, err := os.ReadFile(disk)
	if err != nil {
		t.Fatal(err)
	}
	e := img[446+16:]
	start := int64(binary.LittleEndian.Uint32(e[8:])) * 512
	size := int64(binary.LittleEndian.Uint32(e[12:])) * 512
	part := disk + ".data"
	if err := os.WriteFile(part, img[start:start+size], 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(part)
	var cmd *exec.Cmd
	var b bytes.Buffer
	if design == DataExt4 {
		// Replay the journal first, on the copy, as the kernel does at
		// mount: e2fsck -fn alone checks the state before the journal's
		// committed transactions, which no reader ever sees.
		replay := exec.Command("e2fsck", "-E", "journal_only", "-y", part)
		replay.Stdout, replay.Stderr = &b, &b
		replay.Run()
		b.Reset()
		cmd = exec.Command("e2fsck", "-fn", part)
	} else {
		cmd = exec.Command("fsck.vfat", "-n", part)
	}
	cmd.Stdout, cmd.Stderr = &b, &b
	err = cmd.Run()
	rc := 0
	if ee, ok := err.(*exec.ExitError); ok {
		rc = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return rc, tail(strings.TrimSpace(b.String()), 16)
}

// Findings a power cut leaves on a healthy file system: FAT's dirty bit
// (and its copy in the boot sector backup) and free-cluster count, ext4's
// superblock free counts (the kernel keeps the true ones in the group
// descriptors). Clusters or inodes allocated but reachable from no file
// are leaked space, not damage.
var (
	fsckBenign = regexp.MustCompile(`(?i)^(warning: filesystem is fat32 according to|\s*but has only \d+ clusters, less than|\s*this may lead to problems|fsck\.fat |there are differences between boot sector and its backup|this is mostly harmless|\s*65:01/00|\s*not automatically fixing|dirty bit is set|\s*automatically removing dirty bit|free cluster summary wrong|\s*auto-correcting|leaving filesystem unchanged|free (blocks|inodes) count wrong|fix\? no|padding at end of inode bitmap|e2fsck |pass \d|warning: skipping journal recovery|[^:]*: \d+(/\d+)? files|[^:]*: clean|[^:]*: recovering journal|[^:]*: \*+ warning|\s*$)`)
	fsckLeak   = regexp.MustCompile(`(?i)^(reclaimed \d+ unused clusters|clearing orphaned inode|unattached (zero-length )?inode|block bitmap differences|inode bitmap differences|free blocks count wrong for group|free inodes count wrong for group|directories count wrong for group|\s*[-+(]?\d)`)
)

// fsckClass sorts fsck's findings: "clean" (none but the benign ones),
// "leak" (unreachable clusters or inodes: space, no file harmed),
// "damage" (a file or directory is wrong: a truncated chain, a bad entry).
func fsckClass(out string) string {
	class := "clean"
	for _, l := range strings.Split(out, "\n") {
		switch {
		case fsckBenign.MatchString(l):
		case fsckLeak.MatchString(l):
			class = "leak"
		default:
			return "damage"
		}
	}
	return class
}

// repairData runs the file system's repair (fsck.vfat -a, e2fsck -fy) on
// the data partition inside the image and returns its last lines.
func repairData(t *testing.T, disk, design string) string {
	t.Helper()
	img, err := os.ReadFile(disk)
	if err != nil {
		t.Fatal(err)
	}
	e := img[446+16:]
	start := int64(binary.LittleEndian.Uint32(e[8:])) * 512
	size := int64(binary.LittleEndian.Uint32(e[12:])) * 512
	part := disk + ".repair"
	if err := os.WriteFile(part, img[start:start+size], 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(part)
	var cmd *exec.Cmd
	if design == DataExt4 {
		cmd = exec.Command("e2fsck", "-fy", part)
	} else {
		cmd = exec.Command("fsck.vfat", "-a", part)
	}
	out, _ := cmd.CombinedOutput()
	fixed, err := os.ReadFile(part)
	if err != nil {
		t.Fatal(err)
	}
	copy(img[start:], fixed)
	if err := os.WriteFile(disk, img, 0o644); err != nil {
		t.Fatal(err)
	}
	return tail(strings.TrimSpace(string(out)), 8)
}

func summarise(t *testing.T, design string, rs []cutResult) {
	count := func(f func(r cutResult) bool) int {
		n := 0
		for _, r := range rs {
			if f(r) {
				n++
			}
		}
		return n
	}
	// The row of the table in docs/appliance.md ("Power-cut campaign").
	t.Logf("| %s | %d | %d | %d | %d | %d / %d / %d | %d / %d / %d | %d / %d / %d |",
		design, len(rs),
		count(func(r cutResult) bool { return r.Booted }),
		count(func(r cutResult) bool { return r.OnAir }),
		count(func(r cutResult) bool { return r.Mounted }),
		count(func(r cutResult) bool { return r.Registry == "intact" }),
		count(func(r cutResult) bool { return r.Registry == "recovered" }),
		count(func(r cutResult) bool { return r.Registry == "lost" }),
		count(func(r cutResult) bool { return r.Config == "intact" }),
		count(func(r cutResult) bool { return r.Config == "last-good" }),
		count(func(r cutResult) bool { return r.Config == "lost" }),
		count(func(r cutResult) bool { return r.FsckClass == "clean" }),
		count(func(r cutResult) bool { return r.FsckClass == "leak" }),
		count(func(r cutResult) bool { return r.FsckClass == "damage" }))
	// On every design the supervisor must come up and the registry must
	// never be lost. Coming on air with the config intact is what ext4
	// delivers; FAT32 does not always (a cut can leave a broken cluster
	// chain, the kernel then forces the partition read-only, and the
	// cell cannot open the registry: docs/appliance.md, "Power-cut
	// campaign"), so on FAT32 that is logged, not failed.
	for _, r := range rs {
		if !r.Booted {
			t.Errorf("cut %d: the supervisor did not start: %+v", r.Cut, r)
		}
		if r.Registry == "lost" {
			t.Errorf("cut %d: the registry was lost: %+v", r.Cut, r)
		}
		if !r.OnAir || r.Config == "lost" {
			if design == DataExt4 {
				t.Errorf("cut %d: not on air or config lost: %+v", r.Cut, r)
			} else {
				t.Logf("cut %d: known FAT32 weakness: on air %v, config %s, fsck %s", r.Cut, r.OnAir, r.Config, r.FsckClass)
			}
		}
	}
}
