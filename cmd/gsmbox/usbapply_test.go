package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUSBApply(t *testing.T) {
	stick, data := t.TempDir(), t.TempDir()
	for _, tc := range []struct {
		name, file string
		wantErr    bool
		report     []string
		arfcn      string
	}{
		{"bad", "[cell]\narfcn = 99999\n", true, []string{"REJECTED", "line 2: cell.arfcn"}, ""},
		{"good", "[cell]\narfcn = 70\n", false, []string{"APPLIED", "cell.arfcn: 62 -> 70"}, "arfcn = 70"},
		{"same", "[cell]\narfcn = 70\n", false, []string{"NO CHANGES"}, "arfcn = 70"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			os.WriteFile(filepath.Join(stick, "gsmbox.toml"), []byte(tc.file), 0o644)
			var out, errb bytes.Buffer
			err := runUSBApply(context.Background(), []string{"-data", data, stick}, &out, &errb)
			if (err != nil) != tc.wantErr {
				t.Fatalf("usb-apply = %v, want error %v; stderr:\n%s", err, tc.wantErr, errb.String())
			}
			if !strings.Contains(out.String(), "safe to remove") {
				t.Errorf("stdout = %q, want safe to remove", out.String())
			}
			rep, _ := os.ReadFile(filepath.Join(stick, "gsmbox-report.txt"))
			for _, w := range tc.report {
				if !strings.Contains(string(rep), w) {
					t.Errorf("report lacks %q:\n%s", w, rep)
				}
			}
			cfg, _ := os.ReadFile(filepath.Join(data, "gsmbox.toml"))
			if !strings.Contains(string(cfg), tc.arfcn) || tc.arfcn == "" && len(cfg) != 0 {
				t.Errorf("data gsmbox.toml = %q, want %q", cfg, tc.arfcn)
			}
		})
	}
}
