package firmware

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/lan"
	"github.com/gsmbox/gsmbox/firmware/logbuf"
	"github.com/gsmbox/gsmbox/firmware/node"
)

// ConsoleEnv is what the supervisor hands Options.NewConsole: the
// sources the web console shows and the configuration it edits. Package
// firmware does not import the console (it sits above the GSM stack);
// cmd/gsmbox builds it from this.
type ConsoleEnv struct {
	Version string
	Board   *boards.Descriptor
	Started time.Time
	// Configs is the configuration in force, as the console edits it.
	Configs *ConfigEditor
	Logs    *logbuf.Ring
	LastUSB func() string
	// DataRestored is the registry's recovery report ("" when none).
	DataRestored func() string
	// StateDir is the console's directory on the data partition
	// (certificate, password hash, tokens, audit log).
	StateDir string
	// Socket is the local socket for the CLI.
	Socket string
	// Net is the box's address and wall clock (firmware/lan); the zero
	// Status when the network is not managed (off PID 1).
	Net func() lan.Status
	// Cell is the cell's snapshot as the status file has it: the
	// running cell's, with the frame and radio counters totalled over
	// every start of the cell since boot (CellSlot.Snapshot), so that
	// the console and `gsmbox status` agree with the status file after
	// a restart (an unplugged and replugged radio, a new configuration).
	Cell func() node.Snapshot
	// Transmitter is the status file's "transmitter" line now: keyed,
	// or off and why.
	Transmitter func() string
	Log         *slog.Logger
}

// ConsoleSocket is the web console's local socket on the box, for the
// gsmbox CLI (root only).
const ConsoleSocket = "/run/gsmbox/console.sock"

// addConsole adds the web console service, when the program has one.
// The USB workflow gets its password setter and fingerprint from it.
func (a *appliance) addConsole() (setPassword func(string) error, fingerprint func() string) {
	if a.opts.NewConsole == nil {
		return nil, nil
	}
	socket := ConsoleSocket
	if !a.pid1 {
		socket = filepath.Join(a.disk.store.Path, "console.sock")
	}
	env := ConsoleEnv{
		Version: a.opts.Version, Board: a.board, Started: a.clock.Now(),
		Configs: &ConfigEditor{c: a.disk.configs}, Logs: a.ring,
		LastUSB:      func() string { return a.lastUSB.Load().(string) },
		DataRestored: a.registryReport, Net: a.netStatus,
		Transmitter: func() string { return a.transmitter(a.cell.Snapshot().Radio) },
		Cell:        a.cell.Snapshot,
		StateDir:    filepath.Join(a.disk.store.Path, "console"), Socket: socket,
		Log: a.log.With("service", "console"),
	}
	svc, setPassword, fingerprint := a.opts.NewConsole(env)
	if svc != nil {
		a.sup.Add(svc, false)
	}
	return setPassword, fingerprint
}

// ConfigEditor is the configuration in force as the web console edits
// it: the whole gsmbox.toml, checked by the parser the boot and the USB
// workflow use, applied through Configs.Apply (the previous file kept
// as gsmbox.prev.toml, the services the change touches restarted).
type ConfigEditor struct{ c *Configs }

// Running returns the text in force and where it came from.
func (e *ConfigEditor) Running() ([]byte, string) {
	e.c.mu.Lock()
	raw, cur, src := e.c.raw, e.c.cur, e.c.source
	e.c.mu.Unlock()
	if raw == nil {
		raw, _ = cur.Marshal()
	}
	return raw, src
}

// Current returns the configuration in force.
func (e *ConfigEditor) Current() *config.Config { return e.c.Current() }

// Check parses and validates a whole gsmbox.toml against the board.
func (e *ConfigEditor) Check(text []byte) (*config.Config, error) {
	return config.Parse(text, ConfigFile, e.c.board)
}

// Apply makes text the configuration in force.
func (e *ConfigEditor) Apply(text []byte) error {
	cfg, err := e.Check(text)
	if err != nil {
		return err
	}
	if err := e.c.Apply(text, cfg, config.Diff(e.c.Current(), cfg)); err != nil {
		return err
	}
	e.c.mu.Lock()
	e.c.source = "data partition " + ConfigFile + " (from the web console)"
	e.c.mu.Unlock()
	return nil
}

// Previous returns the configuration before the one in force, or nil.
func (e *ConfigEditor) Previous() []byte {
	b, err := e.c.store.ReadFile(PrevConfigFile)
	if err != nil {
		return nil
	}
	return b
}

// Revert goes back to the previous configuration.
func (e *ConfigEditor) Revert() error {
	b, err := e.c.store.ReadFile(PrevConfigFile)
	if errors.Is(err, fs.ErrNotExist) {
		return errors.New("there is no previous configuration")
	}
	if err != nil {
		return err
	}
	if _, err := e.Check(b); err != nil {
		return fmt.Errorf("the previous configuration no longer validates: %w", err)
	}
	return e.Apply(b)
}
