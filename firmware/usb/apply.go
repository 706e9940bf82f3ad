package usb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/leds"
	"github.com/gsmbox/gsmbox/firmware/storage"
)

// File names on the stick.
const (
	ConfigFile      = "gsmbox.toml"
	SubscribersFile = "subscribers.csv"
	ReportFile      = "gsmbox-report.txt"
)

// Mounter mounts the stick's FAT file system.
type Mounter interface {
	// Mount mounts dev (vfat) on dir, which exists.
	Mount(dev, dir string) error
	// Unmount unmounts dir after syncing it.
	Unmount(dir string) error
}

// Configs is the running configuration, as the USB workflow sees it.
type Configs interface {
	// Current returns the configuration in force.
	Current() *config.Config
	// Apply makes cfg (parsed from raw) the configuration in force: it
	// persists raw atomically, keeping the previous file as the last good
	// one, and restarts the services the changes name. On error nothing
	// has changed.
	Apply(raw []byte, cfg *config.Config, changes []config.Change) error
}

// LEDs is the part of the LED player the workflow uses.
type LEDs interface {
	Show(leds.Pattern)
	Flash(leds.Pattern, time.Duration)
}

// Outcome says what happened to a stick's gsmbox.toml.
type Outcome string

// The outcomes.
const (
	Applied   Outcome = "APPLIED"
	Rejected  Outcome = "REJECTED: nothing was changed"
	Unchanged Outcome = "NO CHANGES: the file matches the running configuration"
	NotFound  Outcome = "NOT FOUND: no gsmbox.toml on the stick"
	Failed    Outcome = "FAILED: nothing was changed"
)

// Result is what one stick brought.
type Result struct {
	Device   string
	Outcome  Outcome
	Changes  []config.Change
	Problems []config.Problem
	// Err is a failure outside the file's content (mount, apply, report).
	Err error
	// Subscribers is the size of subscribers.csv, -1 if absent.
	Subscribers int
	// SubscribersDone says what importing subscribers.csv did; SubscribersErr
	// why it changed nothing (every bad line is named in it).
	SubscribersDone string
	SubscribersErr  error
	Report          string
	// PasswordSet says the stick's console_password became the web
	// console's administrator password; PasswordErr why it did not.
	PasswordSet bool
	PasswordErr error
	// ReportWritten says the report reached the stick.
	ReportWritten bool
}

// Applier runs the workflow for one stick at a time.
type Applier struct {
	Mounter  Mounter
	MountDir string
	Board    *boards.Descriptor
	Configs  Configs
	LEDs     LEDs
	// Status returns the cell's status text for the report.
	Status func() string
	// ImportSubscribers, when not nil, imports a subscribers.csv from the
	// stick into the subscriber registry, all rows or none. It returns a
	// line for the report, or an error naming every bad line.
	ImportSubscribers func(io.Reader) (string, error)
	// SetConsolePassword, when not nil, stores (a hash of) the web
	// console's administrator password from the stick's console_password.
	SetConsolePassword func(string) error
	// ConsoleFingerprint, when not nil, gives the web console's TLS
	// certificate fingerprint for the report.
	ConsoleFingerprint func() string
	// ConsoleURLs, when not nil, gives the web console's addresses
	// (https://10.0.2.15/) for the report; none while the box has no IP
	// address.
	ConsoleURLs func() []string
	Version     string
	Log         *slog.Logger
	// Console gets the one line a person at the serial console reads.
	Console io.Writer
	Now     func() time.Time
	// ShowFor is how long the result pattern stays on the LEDs.
	ShowFor time.Duration
}

// Handle mounts the stick at dev, applies what it holds, writes the report
// back, unmounts, and returns what happened. It never returns with the
// stick mounted.
func (a *Applier) Handle(ctx context.Context, dev string) Result {
	res := Result{Device: dev, Subscribers: -1}
	a.leds(leds.USBApplying, 0)
	a.Log.Info("usb stick inserted", "device", dev)
	if err := os.MkdirAll(a.MountDir, 0o755); err != nil {
		res.Err = fmt.Errorf("%w: %w", ErrMount, err)
	} else if err := a.Mounter.Mount(dev, a.MountDir); err != nil {
		res.Err = fmt.Errorf("%w: %s: %w", ErrMount, dev, err)
	}
	if res.Err != nil {
		res.Outcome = Failed
		a.Log.Error("usb stick not mounted", "device", dev, "err", res.Err)
		a.leds(leds.USBRejected, a.ShowFor)
		fmt.Fprintf(a.Console, "gsmbox: USB stick %s could not be read (%v); safe to remove\n", dev, res.Err)
		return res
	}
	a.apply(&res)
	res.Report = a.report(&res)
	if err := storage.WriteFileAtomic(filepath.Join(a.MountDir, ReportFile), []byte(res.Report)); err != nil {
		a.Log.Error("usb report not written", "device", dev, "err", err)
		res.Err = errors.Join(res.Err, err)
	} else {
		res.ReportWritten = true
	}
	if err := a.Mounter.Unmount(a.MountDir); err != nil {
		res.Err = errors.Join(res.Err, fmt.Errorf("%w: unmount %s: %w", ErrMount, dev, err))
		a.Log.Error("usb stick not unmounted", "device", dev, "err", err)
	}
	ok := res.Outcome == Applied || res.Outcome == Unchanged || (res.Outcome == NotFound && res.SubscribersDone != "")
	if ok && res.Err == nil && res.SubscribersErr == nil {
		a.leds(leds.USBApplied, a.ShowFor)
	} else {
		a.leds(leds.USBRejected, a.ShowFor)
	}
	summary := string(res.Outcome)
	if res.Outcome == Applied {
		summary = fmt.Sprintf("APPLIED %d change(s)", len(res.Changes))
	}
	if res.Outcome == Rejected {
		summary = fmt.Sprintf("REJECTED with %d error(s)", len(res.Problems))
	}
	if res.Subscribers >= 0 {
		switch {
		case res.SubscribersErr != nil:
			summary += "; subscribers.csv REJECTED"
		case res.SubscribersDone != "":
			summary += "; subscribers.csv " + res.SubscribersDone
		}
	}
	a.Log.Info("usb stick handled", "device", dev, "outcome", res.Outcome, "changes", len(res.Changes), "problems", len(res.Problems))
	fmt.Fprintf(a.Console, "gsmbox: USB stick %s: gsmbox.toml %s; report written to %s: %v; safe to remove\n", dev, summary, ReportFile, res.ReportWritten)
	return res
}

func (a *Applier) leds(p leds.Pattern, d time.Duration) {
	if a.LEDs == nil {
		return
	}
	if d > 0 {
		a.LEDs.Flash(p, d)
	} else {
		a.LEDs.Flash(p, time.Hour)
	}
}

func (a *Applier) apply(res *Result) {
	a.importSubscribers(res)
	a.consolePassword(res)
	a.applyConfig(res)
}

// importSubscribers imports subscribers.csv, if the stick has one and the
// box has a registry: all rows or, if any is bad, none.
func (a *Applier) importSubscribers(res *Result) {
	raw, err := readFileFold(a.MountDir, SubscribersFile, MaxSubscribersFile)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	res.Subscribers = len(raw)
	switch {
	case err != nil:
		res.SubscribersErr = fmt.Errorf("usb: read %s: %w", SubscribersFile, err)
	case a.ImportSubscribers == nil:
		res.SubscribersErr = errors.New("this box has no subscriber registry to import into")
	default:
		res.SubscribersDone, res.SubscribersErr = a.ImportSubscribers(bytes.NewReader(raw))
	}
	if res.SubscribersErr != nil {
		res.SubscribersDone = ""
		a.Log.Warn("usb subscribers.csv rejected", "err", res.SubscribersErr)
	} else {
		a.Log.Info("usb subscribers.csv imported", "result", res.SubscribersDone)
	}
}

func (a *Applier) applyConfig(res *Result) {
	raw, err := readFileFold(a.MountDir, ConfigFile, config.MaxFileSize)
	if errors.Is(err, fs.ErrNotExist) {
		res.Outcome = NotFound
		return
	}
	if errors.Is(err, ErrTooLarge) {
		// One clear problem, the file unread: a 50 MB file must not
		// cost PID 1 its memory, nor the stick a report as big.
		res.Outcome, res.Problems = Rejected, []config.Problem{{Msg: err.Error()}}
		a.Log.Warn("usb gsmbox.toml rejected", "err", err)
		return
	}
	if err != nil {
		res.Outcome, res.Err = Failed, fmt.Errorf("usb: read %s: %w", ConfigFile, err)
		return
	}
	// The stick's file is a change to the running configuration: only the
	// keys it names change ("reset = true" at its top starts from the
	// defaults instead).
	cfg, err := config.ParseOver(raw, ConfigFile, a.Configs.Current(), a.Board)
	if err != nil {
		res.Outcome = Rejected
		var ce *config.Error
		if errors.As(err, &ce) {
			res.Problems = ce.Problems
		} else {
			res.Problems = []config.Problem{{Msg: err.Error()}}
		}
		a.Log.Warn("usb gsmbox.toml rejected", "problems", len(res.Problems))
		return
	}
	res.Changes = config.Diff(a.Configs.Current(), cfg)
	if len(res.Changes) == 0 {
		res.Outcome = Unchanged
		return
	}
	// What is kept is the whole merged configuration, not the stick's
	// few keys: loaded over the defaults at the next boot, those alone
	// would undo every setting the stick did not name.
	merged, err := cfg.Marshal()
	if err != nil {
		res.Outcome, res.Err, res.Changes = Failed, fmt.Errorf("usb: %w", err), nil
		return
	}
	if err := a.Configs.Apply(merged, cfg, res.Changes); err != nil {
		res.Outcome, res.Err, res.Changes = Failed, fmt.Errorf("usb: apply: %w", err), nil
		return
	}
	res.Outcome = Applied
}

// MaxSubscribersFile is the largest subscribers.csv read from a stick
// (some 100,000 subscribers).
const MaxSubscribersFile = 16 << 20

// readFileFold reads name from dir, matching case-insensitively as FAT
// users expect (GSMBOX.TOML from a Windows machine is the same file). A
// file larger than max is not read: the error wraps ErrTooLarge.
func readFileFold(dir, name string, max int64) ([]byte, error) {
	b, err := readFileMax(filepath.Join(dir, name), max)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return b, err
	}
	ents, derr := os.ReadDir(dir)
	if derr != nil {
		return nil, err
	}
	for _, e := range ents {
		if strings.EqualFold(e.Name(), name) && !e.IsDir() {
			return readFileMax(filepath.Join(dir, e.Name()), max)
		}
	}
	return nil, err
}

// readFileMax reads a regular file of at most max bytes.
func readFileMax(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("usb: %s is not a regular file", filepath.Base(path))
	}
	if fi.Size() > max {
		return nil, fmt.Errorf("%w: %s is %d bytes; the limit is %d KiB (it was not read)", ErrTooLarge, filepath.Base(path), fi.Size(), max>>10)
	}
	// The size may lie (a file growing, a broken FAT): read no more.
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err == nil && int64(len(b)) > max {
		err = fmt.Errorf("%w: %s is more than %d KiB", ErrTooLarge, filepath.Base(path), max>>10)
	}
	return b, err
}

func (a *Applier) report(res *Result) string {
	var b bytes.Buffer
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	fmt.Fprintf(&b, "gsmbox USB report\n=================\n\n")
	fmt.Fprintf(&b, "version: %s\nboard:   %s\ndevice:  %s\ntime:    %s\n\n", a.Version, a.Board.Name, res.Device, now().UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "gsmbox.toml: %s\n", res.Outcome)
	if len(res.Changes) > 0 {
		fmt.Fprintf(&b, "\nchanges (%d):\n", len(res.Changes))
		for _, c := range res.Changes {
			fmt.Fprintf(&b, "  %s\n", c)
		}
	}
	if len(res.Problems) > 0 {
		fmt.Fprintf(&b, "\nerrors (%d):\n", len(res.Problems))
		for _, p := range res.Problems {
			fmt.Fprintf(&b, "  %s: %s\n", ConfigFile, p)
		}
	}
	if res.Err != nil {
		fmt.Fprintf(&b, "\nerror: %v\n", res.Err)
	}
	if res.Subscribers >= 0 {
		if res.SubscribersErr != nil {
			fmt.Fprintf(&b, "\nsubscribers.csv: REJECTED: nothing was changed\n%s\n", indent(res.SubscribersErr.Error()))
		} else {
			fmt.Fprintf(&b, "\nsubscribers.csv: %s\n", res.SubscribersDone)
		}
	}
	switch {
	case res.PasswordSet && res.PasswordErr != nil:
		fmt.Fprintf(&b, "\n%s: SET, but: %v\n", PasswordFile, res.PasswordErr)
	case res.PasswordSet:
		fmt.Fprintf(&b, "\n%s: SET: the web console's administrator password was changed; the file on this stick was blanked\n", PasswordFile)
	case res.PasswordErr != nil:
		fmt.Fprintf(&b, "\n%s: NOT USED: %v\n", PasswordFile, res.PasswordErr)
	}
	if a.ConsoleURLs != nil {
		if u := a.ConsoleURLs(); len(u) > 0 {
			fmt.Fprintf(&b, "\nweb console:\n  %s\n", strings.Join(u, "\n  "))
		} else {
			fmt.Fprintf(&b, "\nweb console: no address to reach it at yet (the box has no IP address, see network: under status; or [console] listen is empty)\n")
		}
	}
	if a.ConsoleFingerprint != nil {
		if fp := a.ConsoleFingerprint(); fp != "" {
			fmt.Fprintf(&b, "\nweb console certificate SHA-256 fingerprint:\n  %s\n", fp)
		}
	}
	if a.Status != nil {
		fmt.Fprintf(&b, "\nstatus:\n%s\n", indent(a.Status()))
	}
	return b.String()
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "  " + l
	}
	return strings.Join(lines, "\n")
}
