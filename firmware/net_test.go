package firmware

import (
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/firmware/clock"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/lan"
	"github.com/gsmbox/gsmbox/firmware/lan/lantest"
	"github.com/gsmbox/gsmbox/firmware/leds"
)

func TestNoNetwork(t *testing.T) {
	for _, tc := range []struct {
		st   lan.Status
		want bool
	}{
		{lan.Status{}, false},
		{lan.Status{Mode: "off", State: lan.StateOff}, false},
		{lan.Status{Mode: "dhcp", State: lan.StateWaiting, Attempts: 1}, false},
		{lan.Status{Mode: "dhcp", State: lan.StateWaiting, Attempts: 3}, true},
		{lan.Status{Mode: "dhcp", State: lan.StateNoLink}, true},
		{lan.Status{Mode: "dhcp", State: lan.StateBound, Address: "10.0.2.15/24"}, false},
	} {
		if got := noNetwork(tc.st); got != tc.want {
			t.Errorf("noNetwork(%+v) = %v, want %v", tc.st, got, tc.want)
		}
	}
}

// The appliance's network service on fakes: with no DHCP server the cell
// is on air and the LEDs say "no network"; when a server answers, the
// address goes to the serial console and status, and the LEDs go back
// to on-air; stopping saves the last-known time on the data partition.
func TestRunNetwork(t *testing.T) {
	files := map[string]string{"/proc/cmdline": "gsmbox.board=qemu-arm64\n", ModelPath: "linux,dummy-virt\x00"}
	clk := clock.NewFake(time.Date(2026, 12, 7, 20, 0, 0, 0, time.UTC))
	dhcp := &lantest.DHCP{}
	link := &lantest.Link{}
	r := newOffBoard(t)
	r.start(files, Options{Clock: clk,
		NewCell: func(cfg *config.Config, b *boards.Descriptor, log *slog.Logger) Cell {
			return &fakeCell{arfcn: cfg.Cell.ARFCN}
		},
		Net: &NetSeams{Link: link, DHCP: dhcp, NTP: &lantest.NTP{}, RTC: &lantest.RTC{Missing: true}, SetTime: (&lantest.SetTime{}).Func},
	})
	advanceUntil := func(what string, cond func() bool) {
		t.Helper()
		for i := 0; i < 3000; i++ {
			if cond() {
				return
			}
			time.Sleep(time.Millisecond)
			clk.Advance(500 * time.Millisecond)
		}
		r.stop(t)
		t.Fatalf("never: %s\nconsole:\n%s", what, r.console.String())
	}
	status := func() string { b, _ := os.ReadFile(r.statusPath); return string(b) }
	advanceUntil("LEDs show no network", func() bool { return strings.Contains(r.console.String(), leds.OnAirNoNetwork.Name) })
	if st := status(); !strings.Contains(st, "network:     eth0 waiting for DHCP") {
		t.Errorf("status without DHCP:\n%s", st)
	}
	dhcp.SetOnline(&lan.Lease{Addr: netip.MustParsePrefix("10.0.2.15/24"), Gateway: netip.MustParseAddr("10.0.2.2"), Duration: time.Hour})
	advanceUntil("address on the console", func() bool {
		return strings.Contains(r.console.String(), "gsmbox: network eth0 bound 10.0.2.15/24 via 10.0.2.2")
	})
	advanceUntil("status shows the address", func() bool { return strings.Contains(status(), "network:     eth0 bound 10.0.2.15/24") })
	advanceUntil("LEDs back on air", func() bool { return lastPattern(r.console.String()) == leds.OnAir.Name })
	r.stop(t)
	if a, _ := link.Get(); a.String() != "10.0.2.15/24" {
		t.Errorf("link address = %v", a)
	}
	if b, err := os.ReadFile(filepath.Join(r.data, lan.LastKnownFile)); err != nil || !strings.HasPrefix(string(b), "2026-12-07T") {
		t.Errorf("last-known time on the data partition = %q, %v", b, err)
	}
}

// lastPattern is the last LED pattern the log shows.
func lastPattern(log string) string {
	i := strings.LastIndex(log, "pattern=")
	if i < 0 {
		return ""
	}
	f := strings.Fields(log[i+len("pattern="):])
	if len(f) == 0 {
		return ""
	}
	return strings.Trim(f[0], "\"")
}
