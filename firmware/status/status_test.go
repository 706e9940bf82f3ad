package status

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/firmware/supervisor"
)

func TestRenderAndRead(t *testing.T) {
	s := Snapshot{Version: "v1", Board: "qemu-arm64", Model: "linux,dummy-virt", Transmitter: "enabled",
		Uptime: 12 * time.Second, ConfigSource: "/perm/gsmbox.toml", ARFCN: 70, Frames: 1234, Persistent: true, Health: "ok",
		Services: []supervisor.ServiceStatus{{Name: "cell", State: supervisor.Running}, {Name: "usb", State: supervisor.Backoff, Backoff: 2 * time.Second, LastError: "boom", Restarts: 1}},
		Trunks:   []string{"prov registered until 12:00:00, 0 calls now"}}
	p := filepath.Join(t.TempDir(), "run", "status.txt")
	if err := Write(p, s); err != nil {
		t.Fatalf("Write = %v", err)
	}
	got, err := Read(p)
	if err != nil {
		t.Fatalf("Read = %v", err)
	}
	for _, want := range []string{"ARFCN 70", "1234 TDMA frames", "cell      running", "next try in 2s", "last error: boom", "persistent:  yes", "SIP trunk:   prov registered"} {
		if !strings.Contains(got, want) {
			t.Errorf("status lacks %q:\n%s", want, got)
		}
	}
	if _, err := Read(filepath.Join(t.TempDir(), "none")); !errors.Is(err, ErrNoStatus) {
		t.Errorf("Read(missing) = %v, want ErrNoStatus", err)
	}
}
