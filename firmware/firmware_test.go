package firmware

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/storage/storagetest"
)

func files(m map[string]string) func(string) ([]byte, error) {
	return func(p string) ([]byte, error) {
		if s, ok := m[p]; ok {
			return []byte(s), nil
		}
		return nil, fs.ErrNotExist
	}
}

func TestParseCmdline(t *testing.T) {
	for _, tc := range []struct {
		in    string
		want  Cmdline
		warns int
	}{
		{"console=ttyAMA0 gsmbox.board=qemu-arm64", Cmdline{Board: "qemu-arm64"}, 0},
		{"gsmbox.poweroff=usb,90s gsmbox.shell=1", Cmdline{Shell: true, PowerOffOnUSB: true, PowerOffAfter: 90 * time.Second}, 0},
		{"gsmbox.poweroff=soon gsmbox.colour=red", Cmdline{}, 2},
		{"gsmbox.watchdog=10s gsmbox.test.unhealthy=1", Cmdline{WatchdogTimeout: 10 * time.Second, TestUnhealthy: true}, 0},
		{"gsmbox.watchdog=0", Cmdline{}, 1},
		{"gsmbox.simphones=3", Cmdline{SimPhones: 3}, 0},
		{"gsmbox.simphones=-1 gsmbox.simphones=lots gsmbox.simphones=1001", Cmdline{}, 3},
		{"gsmbox.simphones=4 gsmbox.simsms=2", Cmdline{SimPhones: 4, SimSMS: 2}, 0},
		{"gsmbox.simsms=-1 gsmbox.simsms=x gsmbox.simsms=10001", Cmdline{}, 3},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, warns := ParseCmdline(tc.in)
			if got != tc.want || len(warns) != tc.warns {
				t.Errorf("ParseCmdline(%q) = %+v, %v; want %+v, %d warnings", tc.in, got, warns, tc.want, tc.warns)
			}
		})
	}
}

func TestBoardName(t *testing.T) {
	if n, err := BoardName(files(map[string]string{"/etc/gsmbox/board": "rpi4\n"}), Cmdline{Board: "qemu-arm64"}); n != "rpi4" || err != nil {
		t.Errorf("BoardName(initramfs rpi4) = %q, %v, want rpi4", n, err)
	}
	if n, err := BoardName(files(nil), Cmdline{Board: "qemu-arm64"}); n != "qemu-arm64" || err != nil {
		t.Errorf("BoardName(cmdline) = %q, %v, want qemu-arm64", n, err)
	}
	if _, err := BoardName(files(nil), Cmdline{}); !errors.Is(err, ErrNoBoard) {
		t.Errorf("BoardName(nothing) = %v, want ErrNoBoard", err)
	}
}

func TestCheckModel(t *testing.T) {
	rpi4, _ := boards.Lookup("rpi4")
	qemu, _ := boards.Lookup("qemu-arm64")
	for _, tc := range []struct {
		name  string
		board *boards.Descriptor
		model map[string]string
		ok    bool
	}{
		{"qemu virt", qemu, map[string]string{ModelPath: "linux,dummy-virt\x00"}, true},
		{"rpi4 rev 1.5", rpi4, map[string]string{ModelPath: "Raspberry Pi 4 Model B Rev 1.5\x00"}, true},
		{"rpi4 image on a Pi 3", rpi4, map[string]string{ModelPath: "Raspberry Pi 3 Model B Plus Rev 1.3\x00"}, false},
		{"rpi4 image in qemu", rpi4, map[string]string{ModelPath: "linux,dummy-virt\x00"}, false},
		{"no device tree", rpi4, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CheckModel(files(tc.model), tc.board)
			if (err == nil) != tc.ok {
				t.Errorf("CheckModel = %v, want ok %v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrModelMismatch) {
				t.Errorf("CheckModel = %v, want ErrModelMismatch", err)
			}
		})
	}
}

func TestConfigs(t *testing.T) {
	board, _ := boards.Lookup("qemu-arm64")
	log := slog.New(slog.DiscardHandler)
	boot := t.TempDir()
	os.WriteFile(filepath.Join(boot, ConfigFile), []byte("[cell]\narfcn = 64\n"), 0o644)
	st := storagetest.New()

	c := LoadConfigs(st, boot, board, log)
	if c.Current().Cell.ARFCN != 64 || c.Source() != "boot partition gsmbox.toml" {
		t.Fatalf("LoadConfigs = ARFCN %d from %s, want 64 from the boot partition", c.Current().Cell.ARFCN, c.Source())
	}
	var restarted []string
	c.SetRestart(func(s string) error { restarted = append(restarted, s); return nil })
	raw := []byte("[cell]\narfcn = 70\nlac = 7\n")
	cfg, err := config.Parse(raw, ConfigFile, board)
	if err != nil {
		t.Fatal(err)
	}
	ch := config.Diff(c.Current(), cfg)
	if err := c.Apply(raw, cfg, ch); err != nil {
		t.Fatalf("Apply = %v", err)
	}
	if len(restarted) != 1 || restarted[0] != "cell" {
		t.Errorf("restarted %v, want [cell] once for %d changes", restarted, len(ch))
	}
	if b, _ := st.ReadFile(ConfigFile); string(b) != string(raw) {
		t.Errorf("persisted %q, want the new file", b)
	}
	if b, _ := st.ReadFile(PrevConfigFile); string(b) != "[cell]\narfcn = 64\n" {
		t.Errorf("last good = %q, want the previous file", b)
	}
	// Next boot: the data partition wins.
	if c2 := LoadConfigs(st, boot, board, log); c2.Current().Cell.ARFCN != 70 {
		t.Errorf("after reboot ARFCN = %d, want 70", c2.Current().Cell.ARFCN)
	}
	// A failing store changes nothing.
	st.SetFail(errors.New("card removed"))
	raw3 := []byte("[cell]\narfcn = 80\n")
	cfg3, _ := config.Parse(raw3, ConfigFile, board)
	if err := c.Apply(raw3, cfg3, config.Diff(c.Current(), cfg3)); err == nil {
		t.Error("Apply with failing storage = nil, want error")
	}
	if c.Current().Cell.ARFCN != 70 {
		t.Errorf("after failed Apply ARFCN = %d, want 70", c.Current().Cell.ARFCN)
	}
	// A corrupt data-partition file falls back to the last good one.
	st.SetFail(nil)
	st.WriteFile(ConfigFile, []byte("[cell\n"))
	if c4 := LoadConfigs(st, boot, board, log); c4.Current().Cell.ARFCN != 64 {
		t.Errorf("with corrupt gsmbox.toml ARFCN = %d, want the last good 64", c4.Current().Cell.ARFCN)
	}
	// Nothing anywhere: the default.
	if c5 := LoadConfigs(storagetest.New(), t.TempDir(), board, log); c5.Source() != "built-in default" {
		t.Errorf("empty LoadConfigs source = %q", c5.Source())
	}
}

func TestFATDirty(t *testing.T) {
	bs := make([]byte, 512)
	bs[510], bs[511] = 0x55, 0xAA
	if fatDirty(bs) {
		t.Error("fatDirty(clean FAT32) = true")
	}
	bs[0x41] = 1
	if !fatDirty(bs) {
		t.Error("fatDirty(FAT32 state 1) = false")
	}
	bs[22] = 8 // FAT16: FATSz16 set, state byte at 0x25
	if fatDirty(bs) {
		t.Error("fatDirty(clean FAT16) = true")
	}
	bs[0x25] = 1
	if !fatDirty(bs) {
		t.Error("fatDirty(FAT16 state 1) = false")
	}
	if fatDirty(make([]byte, 100)) {
		t.Error("fatDirty(short) = true")
	}
}

// TestExt4Superblock reads the magic and the needs_recovery flag.
func TestExt4Superblock(t *testing.T) {
	b := make([]byte, 2048)
	if ok, _ := ext4Superblock(b); ok {
		t.Error("zeros read as ext4")
	}
	b[1024+0x38], b[1024+0x39] = 0x53, 0xEF
	if ok, rec := ext4Superblock(b); !ok || rec {
		t.Errorf("clean ext4: ext=%v recovery=%v, want true false", ok, rec)
	}
	b[1024+0x60] = 0x4 | 0x40 // RECOVER | EXTENTS
	if ok, rec := ext4Superblock(b); !ok || !rec {
		t.Errorf("ext4 needing recovery: ext=%v recovery=%v, want true true", ok, rec)
	}
	if ok, _ := ext4Superblock(b[:1500]); ok {
		t.Error("short read as ext4")
	}
}
