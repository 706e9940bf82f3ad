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

// TestUSBApplySubscribers: usb-apply checks a stick's subscribers.csv
// without -db and imports it with -db, as the box does.
func TestUSBApplySubscribers(t *testing.T) {
	stick, data := t.TempDir(), t.TempDir()
	db := filepath.Join(t.TempDir(), "subscribers.db")
	os.WriteFile(filepath.Join(stick, "subscribers.csv"), []byte("imsi,msisdn\n001010000000001,1001\n001010000000002,1002\n"), 0o644)
	var out, errb bytes.Buffer
	if err := runUSBApply(context.Background(), []string{"-data", data, stick}, &out, &errb); err != nil {
		t.Fatalf("usb-apply = %v\n%s", err, errb.String())
	}
	if rep, _ := os.ReadFile(filepath.Join(stick, "gsmbox-report.txt")); !strings.Contains(string(rep), "checked: 2 subscribers") {
		t.Errorf("report without -db:\n%s", rep)
	}
	if err := runUSBApply(context.Background(), []string{"-data", data, "-db", db, stick}, &out, &errb); err != nil {
		t.Fatalf("usb-apply -db = %v\n%s", err, errb.String())
	}
	if rep, _ := os.ReadFile(filepath.Join(stick, "gsmbox-report.txt")); !strings.Contains(string(rep), "imported: 2 added") {
		t.Errorf("report with -db:\n%s", rep)
	}
	if o := mustSubs(t, "list", "--db", db); !strings.Contains(o, "2 of 2") {
		t.Errorf("list after usb-apply -db:\n%s", o)
	}
	os.WriteFile(filepath.Join(stick, "subscribers.csv"), []byte("imsi,algorithm,ki\n001010000000003,comp999,000102030405060708090a0b0c0d0e0f\n"), 0o644)
	err := runUSBApply(context.Background(), []string{"-data", data, stick}, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), `"comp999"`) || strings.Contains(err.Error(), "no algorithm") {
		t.Errorf("usb-apply with algorithm comp999 = %v, want the unknown algorithm named, alone", err)
	}
}

// TestSubscribersSetKeepsAlgorithm: set --ki changes the key only.
func TestSubscribersSetKeepsAlgorithm(t *testing.T) {
	db := filepath.Join(t.TempDir(), "subscribers.db")
	mustSubs(t, "add", "--db", db, "001010000000001", "--algorithm", "comp128v3", "--ki", testKi)
	const newKi = "0f0e0d0c0b0a09080706050403020100"
	mustSubs(t, "set", "--db", db, "001010000000001", "--ki", newKi)
	out := mustSubs(t, "show", "--db", db, "001010000000001", "--show-keys")
	if !strings.Contains(out, "comp128v3") || !strings.Contains(out, newKi) {
		t.Errorf("after set --ki:\n%s", out)
	}
	mustSubs(t, "set", "--db", db, "001010000000001", "--algorithm", "comp128v1")
	out = mustSubs(t, "show", "--db", db, "001010000000001", "--show-keys")
	if !strings.Contains(out, "comp128v1") || !strings.Contains(out, newKi) {
		t.Errorf("after set --algorithm:\n%s", out)
	}
	mustSubs(t, "add", "--db", db, "001010000000002", "--algorithm", "milenage", "--ki", testK, "--opc", testOPc)
	if _, _, err := subs(t, "set", "--db", db, "001010000000002", "--ki", testKi); err == nil || !strings.Contains(err.Error(), "--opc or --op") {
		t.Errorf("set --ki on milenage without OPc = %v, want refused", err)
	}
	if _, _, err := subs(t, "set", "--db", db, "001010000000002", "--algorithm", "none"); err != nil {
		t.Errorf("set --algorithm none = %v", err)
	}
}
