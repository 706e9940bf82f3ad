package usb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/firmware/clock"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/leds"
)

func TestParseUevent(t *testing.T) {
	for _, tc := range []struct {
		name, in          string
		action, dev, kind string
		wantErr           bool
	}{
		{"partition", "add@/devices/pci0000:00/usb2/2-1/host0/block/sda/sda1\x00ACTION=add\x00DEVPATH=/devices/x\x00SUBSYSTEM=block\x00DEVNAME=sda1\x00DEVTYPE=partition\x00SEQNUM=1234\x00", "add", "sda1", "partition", false},
		{"remove disk", "remove@/devices/x/block/sda\x00ACTION=remove\x00SUBSYSTEM=block\x00DEVNAME=sda\x00DEVTYPE=disk\x00", "remove", "sda", "disk", false},
		{"libudev", "libudev\x00\xfe\xed\xca\xfe", "", "", "", true},
		{"empty", "", "", "", "", true},
		{"no equals", "add@/x\x00GARBAGE\x00", "", "", "", true},
		{"disagree", "add@/x\x00ACTION=remove\x00", "", "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := ParseUevent([]byte(tc.in))
			if (err != nil) != tc.wantErr {
				t.Fatalf("ParseUevent(%q) error = %v, want error %v", tc.in, err, tc.wantErr)
			}
			if err != nil {
				if !errors.Is(err, ErrUevent) {
					t.Errorf("ParseUevent error = %v, want ErrUevent", err)
				}
				return
			}
			if u.Action != tc.action || u.DevName != tc.dev || u.DevType != tc.kind || u.Subsystem != "block" {
				t.Errorf("ParseUevent = %+v, want %s %s %s", u, tc.action, tc.dev, tc.kind)
			}
		})
	}
}

func FuzzParseUevent(f *testing.F) {
	f.Add([]byte("add@/devices/x/block/sda/sda1\x00ACTION=add\x00SUBSYSTEM=block\x00DEVNAME=sda1\x00DEVTYPE=partition\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		u, err := ParseUevent(b)
		if err == nil && (u.Action == "" || u.DevPath == "") {
			t.Errorf("ParseUevent(%q) = %+v with no action or path", b, u)
		}
	})
}

func TestDetector(t *testing.T) {
	sys := fstest.MapFS{
		"block/vda/vda1/partition": {Data: []byte("1")},
		"block/vda/size":           {Data: []byte("329728")},
		"block/sda/size":           {Data: []byte("65536")},
		"block/sda/sda1/partition": {Data: []byte("1")},
		"block/sda/sda2/partition": {Data: []byte("2")},
		"block/sdb/size":           {Data: []byte("8192")}, // superfloppy
		"block/sdc/size":           {Data: []byte("0")},    // empty card slot
	}
	d := &Detector{Sys: sys}
	got, err := d.Scan()
	if err != nil {
		t.Fatal(err)
	}
	want := []Stick{{"sda", "/dev/sda1"}, {"sdb", "/dev/sdb"}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("Scan() = %v, want %v", got, want)
	}
	if got, _ := d.Scan(); len(got) != 0 {
		t.Errorf("second Scan() = %v, want nothing new", got)
	}
	// Remove sda and put it back: handled again.
	for k := range sys {
		if strings.HasPrefix(k, "block/sda/") {
			delete(sys, k)
		}
	}
	d.Scan()
	sys["block/sda/size"] = &fstest.MapFile{Data: []byte("65536")}
	if got, _ := d.Scan(); len(got) != 1 || got[0].Device != "/dev/sda" {
		t.Errorf("Scan() after re-insert = %v, want sda again", got)
	}
}

// fakeStick is a stick's files; Mount copies them into the mount dir and
// Unmount copies them back and empties it, like a real mount would.
type fakeStick struct {
	files    map[string]string
	mounted  bool
	mounts   int
	unmounts int
	failDev  string
}

func (f *fakeStick) Mount(dev, dir string) error {
	if dev == f.failDev {
		return errors.New("no medium found")
	}
	for n, c := range f.files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
			return err
		}
	}
	f.mounted = true
	f.mounts++
	return nil
}

func (f *fakeStick) Unmount(dir string) error {
	ents, _ := os.ReadDir(dir)
	f.files = map[string]string{}
	for _, e := range ents {
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		f.files[e.Name()] = string(b)
		os.Remove(filepath.Join(dir, e.Name()))
	}
	f.mounted = false
	f.unmounts++
	return nil
}

type fakeConfigs struct {
	cur     *config.Config
	applied [][]byte
	fail    error
}

func (f *fakeConfigs) Current() *config.Config { return f.cur }
func (f *fakeConfigs) Apply(raw []byte, cfg *config.Config, ch []config.Change) error {
	if f.fail != nil {
		return f.fail
	}
	f.applied = append(f.applied, raw)
	f.cur = cfg
	return nil
}

type fakeLEDs struct {
	mu   sync.Mutex
	seen []string
}

func (l *fakeLEDs) Show(p leds.Pattern) { l.mu.Lock(); l.seen = append(l.seen, p.Name); l.mu.Unlock() }
func (l *fakeLEDs) Flash(p leds.Pattern, d time.Duration) {
	l.mu.Lock()
	l.seen = append(l.seen, p.Name)
	l.mu.Unlock()
}

func newApplier(t *testing.T, stick *fakeStick, cfgs *fakeConfigs, console *bytes.Buffer, l *fakeLEDs) *Applier {
	board, err := boards.Lookup("qemu-arm64")
	if err != nil {
		t.Fatal(err)
	}
	return &Applier{
		Mounter: stick, MountDir: t.TempDir(), Board: board, Configs: cfgs, LEDs: l,
		Status: func() string { return "cell: running, on air ARFCN 62" }, Version: "v-test",
		Log: slog.New(slog.DiscardHandler), Console: console,
		Now:     func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) },
		ShowFor: 10 * time.Second,
		ImportSubscribers: func(r io.Reader) (string, error) {
			// A stand-in registry: a line per subscriber after the
			// header; a line without a comma is bad.
			b, _ := io.ReadAll(r)
			lines := strings.Split(strings.TrimSpace(string(b)), "\n")
			for i, l := range lines {
				if !strings.Contains(l, ",") {
					return "", fmt.Errorf("line %d: want imsi,msisdn", i+1)
				}
			}
			return fmt.Sprintf("imported: %d added, 0 updated", len(lines)-1), nil
		},
	}
}

func TestApplyGood(t *testing.T) {
	stick := &fakeStick{files: map[string]string{
		"GSMBOX.TOML":     "[cell]\narfcn = 70\n",
		"subscribers.csv": "imsi,msisdn\n001010000000001,1001\n",
	}}
	cfgs := &fakeConfigs{cur: config.Default()}
	var console bytes.Buffer
	l := &fakeLEDs{}
	a := newApplier(t, stick, cfgs, &console, l)
	res := a.Handle(context.Background(), "/dev/sda1")
	if res.Outcome != Applied || res.Err != nil {
		t.Fatalf("Handle = %s, %v, want APPLIED", res.Outcome, res.Err)
	}
	if len(res.Changes) != 1 || res.Changes[0].Key != "cell.arfcn" || res.Changes[0].Service != "cell" {
		t.Errorf("Changes = %v, want cell.arfcn restarting cell", res.Changes)
	}
	if cfgs.cur.Cell.ARFCN != 70 || len(cfgs.applied) != 1 {
		t.Errorf("config in force: ARFCN %d after %d applies, want 70 after 1", cfgs.cur.Cell.ARFCN, len(cfgs.applied))
	}
	if stick.mounted || stick.unmounts != 1 {
		t.Errorf("stick still mounted (%d unmounts)", stick.unmounts)
	}
	rep := stick.files[ReportFile]
	for _, want := range []string{"APPLIED", "cell.arfcn: 62 -> 70 (restarts cell)", "version: v-test", "on air ARFCN 62", "subscribers.csv: imported: 1 added"} {
		if !strings.Contains(rep, want) {
			t.Errorf("report lacks %q:\n%s", want, rep)
		}
	}
	if !strings.Contains(console.String(), "safe to remove") {
		t.Errorf("console = %q, want safe to remove", console.String())
	}
	if strings.Join(l.seen, ",") != "usb-applying,usb-applied" {
		t.Errorf("LED patterns = %v, want applying then applied", l.seen)
	}
}

// A bad subscribers.csv changes no subscriber, is reported with its bad
// lines, and shows the rejected pattern, while a good gsmbox.toml next to
// it still applies.
func TestApplyBadSubscribers(t *testing.T) {
	stick := &fakeStick{files: map[string]string{
		ConfigFile:        "[cell]\narfcn = 70\n",
		"Subscribers.CSV": "imsi,msisdn\n001010000000001 1001\n",
	}}
	cfgs := &fakeConfigs{cur: config.Default()}
	var console bytes.Buffer
	l := &fakeLEDs{}
	res := newApplier(t, stick, cfgs, &console, l).Handle(context.Background(), "/dev/sda1")
	if res.Outcome != Applied || res.SubscribersErr == nil {
		t.Fatalf("Handle = %s, subscribers err %v, want APPLIED and a rejected CSV", res.Outcome, res.SubscribersErr)
	}
	rep := stick.files[ReportFile]
	for _, want := range []string{"subscribers.csv: REJECTED: nothing was changed", "line 2: want imsi,msisdn"} {
		if !strings.Contains(rep, want) {
			t.Errorf("report lacks %q:\n%s", want, rep)
		}
	}
	if !strings.Contains(console.String(), "subscribers.csv REJECTED") || !strings.Contains(console.String(), "safe to remove") {
		t.Errorf("console = %q", console.String())
	}
	if strings.Join(l.seen, ",") != "usb-applying,usb-rejected" {
		t.Errorf("LED patterns = %v, want applying then rejected", l.seen)
	}
}

func TestApplyBad(t *testing.T) {
	stick := &fakeStick{files: map[string]string{
		ConfigFile: "[cell]\narfcn = 99999\ncolour = \"blue\"\n",
	}}
	cfgs := &fakeConfigs{cur: config.Default()}
	var console bytes.Buffer
	l := &fakeLEDs{}
	a := newApplier(t, stick, cfgs, &console, l)
	res := a.Handle(context.Background(), "/dev/sda1")
	if res.Outcome != Rejected {
		t.Fatalf("Handle = %s, want REJECTED", res.Outcome)
	}
	if len(cfgs.applied) != 0 || cfgs.cur.Cell.ARFCN != 62 {
		t.Errorf("a bad file changed the config: %d applies, ARFCN %d", len(cfgs.applied), cfgs.cur.Cell.ARFCN)
	}
	rep := stick.files[ReportFile]
	for _, want := range []string{"REJECTED", "line 2", "cell.arfcn", "line 3", "colour"} {
		if !strings.Contains(rep, want) {
			t.Errorf("report lacks %q:\n%s", want, rep)
		}
	}
	if !strings.Contains(console.String(), "safe to remove") || stick.mounted {
		t.Errorf("console = %q, mounted %v", console.String(), stick.mounted)
	}
	if l.seen[len(l.seen)-1] != "usb-rejected" {
		t.Errorf("LED patterns = %v, want rejected last", l.seen)
	}
}

func TestApplyOther(t *testing.T) {
	for _, tc := range []struct {
		name    string
		files   map[string]string
		failDev string
		failApp error
		want    Outcome
	}{
		{"no file", map[string]string{"photo.jpg": "x"}, "", nil, NotFound},
		{"same config", map[string]string{ConfigFile: "[cell]\narfcn = 62\n"}, "", nil, Unchanged},
		{"mount fails", map[string]string{}, "/dev/sda1", nil, Failed},
		{"apply fails", map[string]string{ConfigFile: "[cell]\narfcn = 70\n"}, "", errors.New("disk full"), Failed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stick := &fakeStick{files: tc.files, failDev: tc.failDev}
			cfgs := &fakeConfigs{cur: config.Default(), fail: tc.failApp}
			var console bytes.Buffer
			a := newApplier(t, stick, cfgs, &console, &fakeLEDs{})
			res := a.Handle(context.Background(), "/dev/sda1")
			if res.Outcome != tc.want {
				t.Errorf("Handle = %s, want %s", res.Outcome, tc.want)
			}
			if cfgs.cur.Cell.ARFCN != 62 {
				t.Errorf("ARFCN in force = %d, want 62", cfgs.cur.Cell.ARFCN)
			}
			if !strings.Contains(console.String(), "safe to remove") || stick.mounted {
				t.Errorf("console = %q, mounted %v", console.String(), stick.mounted)
			}
			if tc.failDev == "" && !strings.Contains(stick.files[ReportFile], string(tc.want)) {
				t.Errorf("report lacks %q:\n%s", tc.want, stick.files[ReportFile])
			}
		})
	}
}

func TestServiceHandlesEachStickOnce(t *testing.T) {
	sys := fstest.MapFS{"block/sda/size": {Data: []byte("100")}}
	stick := &fakeStick{files: map[string]string{ConfigFile: "[cell]\narfcn = 70\n"}}
	cfgs := &fakeConfigs{cur: config.Default()}
	var console bytes.Buffer
	a := newApplier(t, stick, cfgs, &console, &fakeLEDs{})
	clk := clock.NewFake(time.Unix(0, 0))
	handled := make(chan Result, 4)
	s := &Service{Detector: &Detector{Sys: sys}, Applier: a, Clock: clk, Poll: 2 * time.Second,
		Handled: func(r Result) { handled <- r }, Log: slog.New(slog.DiscardHandler)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Serve(ctx) }()
	select {
	case r := <-handled:
		if r.Outcome != Applied {
			t.Errorf("first stick: %s", r.Outcome)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("stick present at start was not handled")
	}
	clk.BlockUntil(1, 5*time.Second)
	clk.Advance(2 * time.Second)
	clk.BlockUntil(1, 5*time.Second)
	select {
	case r := <-handled:
		t.Errorf("stick handled twice: %+v", r)
	default:
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve = %v", err)
	}
}

// running is the site: a live PLMN, not the test network.
func running(t *testing.T) *config.Config {
	t.Helper()
	c, err := config.Parse([]byte("[network]\nmcc = \"262\"\nmnc = \"42\"\n[cell]\nlac = 1234\n"), "running", nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestApplyMerges: a stick's gsmbox.toml changes only the keys it names,
// over the running configuration; an empty one changes nothing; "reset =
// true" starts from the defaults, and says so in the report's changes.
func TestApplyMerges(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		outcome    Outcome
		changes    []string // keys
	}{
		{"one key", "[cell]\narfcn = 70\n", Applied, []string{"cell.arfcn"}},
		{"empty", "", Unchanged, nil},
		{"comments only", "# nothing to change\n", Unchanged, nil},
		{"same value", "[network]\nmcc = \"262\"\n", Unchanged, nil},
		{"reset false", "reset = false\n[cell]\narfcn = 70\n", Applied, []string{"cell.arfcn"}},
		{"reset", "reset = true\n[cell]\narfcn = 70\n", Applied, []string{"network.mcc", "network.mnc", "cell.arfcn", "cell.lac"}},
		{"reset only", "reset = true\n", Applied, []string{"network.mcc", "network.mnc", "cell.lac"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stick := &fakeStick{files: map[string]string{ConfigFile: tc.file}}
			cfgs := &fakeConfigs{cur: running(t)}
			var console bytes.Buffer
			res := newApplier(t, stick, cfgs, &console, &fakeLEDs{}).Handle(context.Background(), "/dev/sda1")
			if res.Outcome != tc.outcome || res.Err != nil {
				t.Fatalf("Handle = %s, %v (problems %v), want %s", res.Outcome, res.Err, res.Problems, tc.outcome)
			}
			var keys []string
			for _, c := range res.Changes {
				keys = append(keys, c.Key)
			}
			if strings.Join(keys, ",") != strings.Join(tc.changes, ",") {
				t.Errorf("changes = %v, want %v", keys, tc.changes)
			}
			rep := stick.files[ReportFile]
			if len(tc.changes) > 0 && !strings.Contains(rep, fmt.Sprintf("changes (%d):", len(tc.changes))) {
				t.Errorf("report does not list %d changes:\n%s", len(tc.changes), rep)
			}
			if tc.outcome != Applied {
				return
			}
			// What is kept is the merged configuration: loaded on its own
			// (at the next boot, over the defaults) it is what runs now.
			kept, err := config.Parse(cfgs.applied[0], "kept", nil)
			if err != nil {
				t.Fatalf("the kept file does not parse: %v\n%s", err, cfgs.applied[0])
			}
			if d := config.Diff(cfgs.cur, kept); len(d) != 0 {
				t.Errorf("the kept file differs from the configuration in force: %v", d)
			}
			if tc.name == "one key" && (kept.Network.MCC != "262" || kept.Network.MNC != "42" || kept.Cell.LAC != 1234 || kept.Cell.ARFCN != 70) {
				t.Errorf("after a one-key stick: %+v %+v", kept.Network, kept.Cell)
			}
		})
	}
}

// TestApplyHugeFiles: a 50 MB gsmbox.toml and a 20 MB subscribers.csv are
// refused unread, with one clear line each and a small report, and the
// running configuration is kept.
func TestApplyHugeFiles(t *testing.T) {
	huge := strings.Repeat("unknown_key = 1\n", (50<<20)/16)
	stick := &fakeStick{files: map[string]string{
		ConfigFile:        huge,
		"subscribers.csv": strings.Repeat("001010000000001,1001\n", (20<<20)/21),
	}}
	cfgs := &fakeConfigs{cur: running(t)}
	var console bytes.Buffer
	start := time.Now()
	res := newApplier(t, stick, cfgs, &console, &fakeLEDs{}).Handle(context.Background(), "/dev/sda1")
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %v", took)
	}
	if res.Outcome != Rejected || len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Msg, "the limit is 256 KiB") {
		t.Fatalf("Handle = %s %v, want one too-large problem", res.Outcome, res.Problems)
	}
	if !errors.Is(res.SubscribersErr, ErrTooLarge) {
		t.Errorf("subscribers.csv: %v, want ErrTooLarge", res.SubscribersErr)
	}
	if len(cfgs.applied) != 0 || cfgs.cur.Network.MCC != "262" {
		t.Errorf("the running config changed")
	}
	if n := len(stick.files[ReportFile]); n > 4096 {
		t.Errorf("report of %d bytes", n)
	}
}
