package firmware

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/storage"
)

// Files of the configuration on the data partition.
const (
	ConfigFile     = "gsmbox.toml"      // the configuration in force
	PrevConfigFile = "gsmbox.prev.toml" // the one before it: the last good fallback
)

// Configs is the configuration in force. It implements usb.Configs.
type Configs struct {
	mu     sync.Mutex
	cur    *config.Config
	raw    []byte
	source string

	store   storage.Store
	board   *boards.Descriptor
	log     *slog.Logger
	restart func(service string) error
	// OnApply, when set, is called with each newly applied configuration
	// (settings that apply live, such as the log level).
	OnApply func(*config.Config)
}

// LoadConfigs finds the configuration: the data partition's gsmbox.toml
// (the last one applied from a stick), else its gsmbox.prev.toml, else the
// boot partition's gsmbox.toml (shipped in the image; an operator may also
// edit it on a PC), else the built-in default. A file that no longer
// parses is skipped with a log line, never fatal.
func LoadConfigs(store storage.Store, bootDir string, board *boards.Descriptor, log *slog.Logger) *Configs {
	c := &Configs{store: store, board: board, log: log}
	type cand struct {
		where string
		read  func() ([]byte, error)
	}
	cands := []cand{
		{"data partition " + ConfigFile, func() ([]byte, error) { return store.ReadFile(ConfigFile) }},
		{"data partition " + PrevConfigFile, func() ([]byte, error) { return store.ReadFile(PrevConfigFile) }},
		{"boot partition " + ConfigFile, func() ([]byte, error) { return os.ReadFile(filepath.Join(bootDir, ConfigFile)) }},
	}
	for _, k := range cands {
		raw, err := k.read()
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			log.Error("cannot read configuration", "from", k.where, "err", err)
			continue
		}
		cfg, err := config.Parse(raw, ConfigFile, board)
		if err != nil {
			log.Error("configuration rejected; trying the next one", "from", k.where, "err", err)
			continue
		}
		c.cur, c.raw, c.source = cfg, raw, k.where
		log.Info("configuration loaded", "from", k.where, "arfcn", cfg.Cell.ARFCN)
		return c
	}
	c.cur, c.source = config.Default(), "built-in default"
	log.Warn("no configuration file; using the built-in default", "arfcn", c.cur.Cell.ARFCN)
	return c
}

// SetRestart sets how Apply restarts a service (the supervisor's Restart).
func (c *Configs) SetRestart(f func(service string) error) {
	c.mu.Lock()
	c.restart = f
	c.mu.Unlock()
}

// Current implements usb.Configs.
func (c *Configs) Current() *config.Config {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cur
}

// Source says where the configuration in force came from.
func (c *Configs) Source() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.source
}

// Apply implements usb.Configs: it keeps the configuration in force as
// gsmbox.prev.toml, writes raw as gsmbox.toml (each atomically), then
// switches and restarts each service the changes name, once.
func (c *Configs) Apply(raw []byte, cfg *config.Config, changes []config.Change) error {
	c.mu.Lock()
	prev, prevCfg := c.raw, c.cur
	if prev == nil {
		var err error
		if prev, err = prevCfg.Marshal(); err != nil {
			c.mu.Unlock()
			return fmt.Errorf("firmware: keep last good config: %w", err)
		}
	}
	if err := c.store.WriteFile(PrevConfigFile, prev); err != nil {
		c.mu.Unlock()
		return fmt.Errorf("firmware: keep last good config: %w", err)
	}
	if err := c.store.WriteFile(ConfigFile, raw); err != nil {
		c.mu.Unlock()
		return fmt.Errorf("firmware: write config: %w", err)
	}
	c.cur, c.raw, c.source = cfg, raw, "data partition "+ConfigFile+" (from USB stick)"
	restart, onApply := c.restart, c.OnApply
	c.mu.Unlock()
	if onApply != nil {
		onApply(cfg)
	}

	set := map[string]bool{}
	for _, ch := range changes {
		if ch.Service != "" {
			set[ch.Service] = true
		}
	}
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if restart == nil {
			continue
		}
		if err := restart(n); err != nil {
			// The service may be absent (transmitter disabled): the new
			// config still applies at its next start.
			c.log.Warn("cannot restart service for new config", "service", n, "err", err)
		} else {
			c.log.Info("service restarting for new config", "service", n)
		}
	}
	return nil
}
