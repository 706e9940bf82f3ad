package firmware

import (
	"strings"
	"testing"
	"time"
)

// FuzzParseCmdline: any kernel command line parses without a panic; bad
// gsmbox.* values become warnings naming their flag, and what is accepted
// is within range.
func FuzzParseCmdline(f *testing.F) {
	f.Add("console=ttyAMA0 gsmbox.board=qemu-arm64 gsmbox.poweroff=usb,30s gsmbox.watchdog=10s")
	f.Add("gsmbox.shell gsmbox.test.unhealthy=1 gsmbox.usbpoll=1h")
	f.Add("gsmbox.poweroff=,-1s,usb gsmbox.watchdog=1ms gsmbox.usbpoll=x =")
	f.Fuzz(func(t *testing.T, s string) {
		c, warn := ParseCmdline(s)
		for _, w := range warn {
			if !strings.Contains(w, "gsmbox.") {
				t.Fatalf("ParseCmdline(%q) warning %q names no flag", s, w)
			}
		}
		if c.PowerOffAfter < 0 || (c.WatchdogTimeout != 0 && c.WatchdogTimeout < time.Second) || c.USBPoll < 0 {
			t.Fatalf("ParseCmdline(%q) = %+v: out of range", s, c)
		}
		if !strings.Contains(s, "gsmbox.") && (len(warn) > 0 || c != (Cmdline{})) {
			t.Fatalf("ParseCmdline(%q) = %+v, %v without a gsmbox flag", s, c, warn)
		}
	})
}
