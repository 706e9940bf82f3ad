package console

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/firmware/config"
)

// FileConfig is a ConfigStore over a directory: gsmbox.toml is the
// configuration in force, gsmbox.prev.toml the one before it (the same
// names as the appliance's data partition). Apply and Revert write the
// files atomically before they call Restart, so a power cut in between
// leaves a configuration that parses.
type FileConfig struct {
	Dir   string
	Board *boards.Descriptor
	// Fixup, when set, adjusts every parsed configuration (the host's
	// overrides, e.g. the simulator's temporary registry file).
	Fixup func(*config.Config)
	// Restart puts a new configuration in force (restarts the cell).
	Restart func(*config.Config) error

	mu     sync.Mutex
	cur    *config.Config
	text   []byte
	source string
	prev   []byte
}

// File names in FileConfig.Dir.
const (
	ConfigFile     = "gsmbox.toml"
	PrevConfigFile = "gsmbox.prev.toml"
)

// NewFileConfig starts with the configuration in force, cfg, and its
// text (nil: cfg marshalled).
func NewFileConfig(dir string, board *boards.Descriptor, cfg *config.Config, text []byte, source string) (*FileConfig, error) {
	if text == nil {
		var err error
		if text, err = cfg.Marshal(); err != nil {
			return nil, err
		}
	}
	f := &FileConfig{Dir: dir, Board: board, cur: cfg, text: text, source: source}
	if b, err := os.ReadFile(filepath.Join(dir, PrevConfigFile)); err == nil {
		f.prev = b
	}
	return f, nil
}

// Running implements ConfigStore.
func (f *FileConfig) Running() ([]byte, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.text, f.source
}

// Current implements ConfigStore.
func (f *FileConfig) Current() *config.Config {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cur
}

// Previous implements ConfigStore.
func (f *FileConfig) Previous() []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.prev
}

// Check implements ConfigStore: the whole file is parsed over the
// defaults and validated against the board, with config.Parse, the
// parser the USB workflow and the boot use.
func (f *FileConfig) Check(text []byte) (*config.Config, error) {
	c, err := config.Parse(text, ConfigFile, f.Board)
	if err != nil {
		return nil, err
	}
	if f.Fixup != nil {
		f.Fixup(c)
	}
	return c, nil
}

// Apply implements ConfigStore.
func (f *FileConfig) Apply(text []byte) error {
	c, err := f.Check(text)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.put(c, text, "the console")
}

// Revert implements ConfigStore.
func (f *FileConfig) Revert() error {
	f.mu.Lock()
	prev := f.prev
	f.mu.Unlock()
	if prev == nil {
		return errors.New("there is no previous configuration")
	}
	c, err := f.Check(prev)
	if err != nil {
		return fmt.Errorf("the previous configuration no longer validates: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.put(c, prev, "the console (revert)")
}

// put writes text as the configuration in force, keeping the old one as
// previous, and restarts; called with mu held.
func (f *FileConfig) put(c *config.Config, text []byte, source string) error {
	if f.Dir != "" {
		if err := writeFileAtomic(filepath.Join(f.Dir, PrevConfigFile), f.text, 0o600); err != nil {
			return err
		}
		if err := writeFileAtomic(filepath.Join(f.Dir, ConfigFile), text, 0o600); err != nil {
			return err
		}
	}
	old, oldText := f.cur, f.text
	f.prev, f.cur, f.text, f.source = oldText, c, text, source
	if f.Restart != nil {
		if err := f.Restart(c); err != nil {
			f.cur, f.text = old, oldText
			return err
		}
	}
	return nil
}
