package image

import (
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

func TestFetchBlob(t *testing.T) {
	p := filepath.Join(t.TempDir(), "blob")
	os.WriteFile(p, []byte("hello\n"), 0o644)
	const sum = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03" // sha256sum of "hello\n"
	if b, err := FetchBlob(context.Background(), ".", boards.Blob{Source: "file:" + p, SHA256: sum}); err != nil || string(b) != "hello\n" {
		t.Errorf("FetchBlob(good) = %q, %v", b, err)
	}
	if _, err := FetchBlob(context.Background(), ".", boards.Blob{Source: "file:" + p, SHA256: strings.Repeat("0", 64)}); !errors.Is(err, ErrChecksum) {
		t.Errorf("FetchBlob(wrong sha256) = %v, want ErrChecksum", err)
	}
	if _, err := FetchBlob(context.Background(), ".", boards.Blob{Source: "nonsense"}); !errors.Is(err, ErrBlob) {
		t.Errorf("FetchBlob(bad source) = %v, want ErrBlob", err)
	}
}

// TestBootScript checks the legacy image header field by field (U-Boot's
// include/image.h), and, when u-boot-tools is installed, that dumpimage
// accepts it.
func TestBootScript(t *testing.T) {
	d, _ := boards.Lookup("qemu-arm64")
	script := UBootScript(d, Cmdline(d, "gsmbox.shell=1"))
	for _, want := range []string{"load ${devtype} ${devnum}:${distro_bootpart} 0x40400000 vmlinuz", "booti 0x40400000 0x48000000:${filesize} ${fdtcontroladdr}", `setenv bootargs "console=ttyAMA0 panic=10 oops=panic gsmbox.board=qemu-arm64 gsmbox.shell=1"`} {
		if !strings.Contains(script, want) {
			t.Errorf("UBootScript lacks %q:\n%s", want, script)
		}
	}
	img := BootScript(script)
	be := binary.BigEndian
	h := append([]byte(nil), img[:64]...)
	payload := img[64:]
	if m := be.Uint32(h[0:]); m != 0x27051956 {
		t.Errorf("magic = %#x", m)
	}
	hcrc := be.Uint32(h[4:])
	be.PutUint32(h[4:], 0)
	if got := crc32.ChecksumIEEE(h); got != hcrc {
		t.Errorf("header CRC = %#x, computed %#x", hcrc, got)
	}
	if n := be.Uint32(h[12:]); int(n) != len(payload) {
		t.Errorf("size = %d, payload %d", n, len(payload))
	}
	if got := crc32.ChecksumIEEE(payload); got != be.Uint32(h[24:]) {
		t.Errorf("data CRC = %#x, computed %#x", be.Uint32(h[24:]), got)
	}
	if h[28] != 5 || h[29] != 22 || h[30] != 6 || h[31] != 0 {
		t.Errorf("os/arch/type/comp = %d/%d/%d/%d, want 5/22/6/0", h[28], h[29], h[30], h[31])
	}
	if l := be.Uint32(payload[0:]); int(l) != len(script) || be.Uint32(payload[4:]) != 0 || string(payload[8:]) != script {
		t.Errorf("payload = length %d, terminator %d; want %d, 0, then the script", l, be.Uint32(payload[4:]), len(script))
	}
}

// TestBootScriptDumpimage has U-Boot's own dumpimage (u-boot-tools) read
// the script image: it checks both CRCs and prints the type.
func TestBootScriptDumpimage(t *testing.T) {
	p := testtool.Need(t, "dumpimage")
	d, _ := boards.Lookup("qemu-arm64")
	f := filepath.Join(t.TempDir(), "boot.scr")
	os.WriteFile(f, BootScript(UBootScript(d, Cmdline(d, ""))), 0o644)
	out, err := exec.Command(p, "-l", f).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Script") || !strings.Contains(string(out), "AArch64") {
		t.Errorf("dumpimage -l = %v\n%s", err, out)
	}
	t.Logf("dumpimage -l:\n%s", out)
}
