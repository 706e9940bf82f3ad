package firmware

import (
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/storage"
)

func TestConfigEditor(t *testing.T) {
	board, err := boards.Lookup("qemu-arm64")
	if err != nil {
		t.Fatal(err)
	}
	st := storage.Dir{Path: t.TempDir()}
	c := LoadConfigs(st, t.TempDir(), board, slog.New(slog.DiscardHandler))
	var restarted []string
	c.SetRestart(func(s string) error { restarted = append(restarted, s); return nil })
	e := &ConfigEditor{c: c}
	if e.Previous() != nil {
		t.Error("a previous configuration before any change")
	}
	if err := e.Revert(); err == nil {
		t.Error("Revert with no previous configuration succeeded")
	}
	text, src := e.Running()
	if !strings.Contains(string(text), "arfcn = 62") || src != "built-in default" {
		t.Fatalf("Running() = %q from %q", text, src)
	}
	bad := strings.Replace(string(text), "arfcn = 62", "arfcn = 9999", 1)
	err = e.Apply([]byte(bad))
	var ce *config.Error
	if !errors.As(err, &ce) || len(ce.Problems) != 1 || ce.Problems[0].Key != "cell.arfcn" || ce.Problems[0].Line == 0 {
		t.Fatalf("Apply(bad ARFCN) = %v, want one cell.arfcn problem with its line", err)
	}
	if e.Current().Cell.ARFCN != 62 || len(restarted) != 0 {
		t.Fatal("a rejected configuration changed something")
	}
	good := strings.Replace(string(text), "arfcn = 62", "arfcn = 70", 1)
	if err := e.Apply([]byte(good)); err != nil {
		t.Fatal(err)
	}
	if e.Current().Cell.ARFCN != 70 || len(restarted) == 0 || restarted[0] != "cell" {
		t.Errorf("after Apply: ARFCN %d, restarted %v", e.Current().Cell.ARFCN, restarted)
	}
	if b, _ := st.ReadFile(ConfigFile); string(b) != good {
		t.Error("the data partition's gsmbox.toml is not the applied text")
	}
	if _, src := e.Running(); !strings.Contains(src, "web console") {
		t.Errorf("source after Apply = %q", src)
	}
	if err := e.Revert(); err != nil {
		t.Fatal(err)
	}
	if e.Current().Cell.ARFCN != 62 {
		t.Errorf("after Revert: ARFCN %d, want 62", e.Current().Cell.ARFCN)
	}
	// The configuration survives a restart of the box.
	if c2 := LoadConfigs(st, t.TempDir(), board, slog.New(slog.DiscardHandler)); c2.Current().Cell.ARFCN != 62 {
		t.Errorf("after a reboot: ARFCN %d, want 62", c2.Current().Cell.ARFCN)
	}
}
