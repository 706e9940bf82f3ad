package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/tools/testtool"
)

// Every flag is checked as strictly as its config key, when it is
// parsed: a bad value stops the command with an error naming the flag,
// before anything runs (no file written, no port bound, no signal sent).
func TestBadFlags(t *testing.T) {
	dir := t.TempDir()
	iq := filepath.Join(dir, "f.iq")
	cases := []struct {
		args []string
		flag string
	}{
		{[]string{"sim", "--snr", "NaN", "--iq-out", iq}, "snr"},
		{[]string{"sim", "--snr", "+Inf"}, "snr"},
		{[]string{"sim", "--snr", "101"}, "snr"},
		{[]string{"sim", "--duration", "-1s"}, "duration"},
		{[]string{"sim", "--phones", "-1"}, "phones"},
		{[]string{"sim", "--phones", "1001"}, "phones"},
		{[]string{"sim", "--rate", "0", "--iq-out", iq}, "rate"},
		{[]string{"sim", "--rate", "NaN"}, "rate"},
		{[]string{"sim", "--rate", "-2e6"}, "rate"},
		{[]string{"sim", "--live", "-5s"}, "live"},
		{[]string{"sim", "--gsmtap", "nowhere"}, "gsmtap"},
		{[]string{"sim", "--gsmtap", "127.0.0.1:70000"}, "gsmtap"},
		{[]string{"trx", "--base-port", "70000"}, "base-port"},
		{[]string{"trx", "--base-port", "65500"}, "base-port"},
		{[]string{"trx", "--base-port", "0"}, "base-port"},
		{[]string{"trx", "--duration", "-1s"}, "duration"},
		{[]string{"trx", "--phones", "-3"}, "phones"},
		{[]string{"trx", "--clock-lead", "-1"}, "clock-lead"},
		{[]string{"trx", "--clock-lead", "100000"}, "clock-lead"},
		{[]string{"trx", "--rate", "0"}, "rate"},
		{[]string{"trx", "--snr", "NaN"}, "snr"},
		{[]string{"trx", "--test-rach", "-1s"}, "test-rach"},
		{[]string{"trx", "--bind", "localhost"}, "bind"},
		{[]string{"trx", "--remote", "not-an-ip"}, "remote"},
		{[]string{"bts", "--trx", "127.0.0.1:70000"}, "trx"},
		{[]string{"bts", "--trx", "127.0.0.1"}, "trx"},
		{[]string{"bts", "--trx", "localhost:5700"}, "trx"},
		{[]string{"bts", "--advance", "0"}, "advance"},
		{[]string{"bts", "--advance", "-20"}, "advance"},
		{[]string{"bts", "--lost", "0s"}, "lost"},
		{[]string{"bts", "--lost", "-3s"}, "lost"},
		{[]string{"bts", "--duration", "-1s"}, "duration"},
		{[]string{"bts", "--trxd-version", "2"}, "trxd-version"},
		{[]string{"bts", "--gsmtap", ":4729"}, "gsmtap"},
		{[]string{"rf", "probe", "--dry-run", "--arfcn", "5000"}, "arfcn"},
		{[]string{"rf", "probe", "--dry-run", "--arfcn", "-1"}, "arfcn"},
		{[]string{"rf", "probe", "--dry-run", "--pps-wait", "-1s"}, "pps-wait"},
		{[]string{"rf", "probe", "--dry-run", "--lock-timeout", "0s"}, "lock-timeout"},
		{[]string{"subscribers", "list", "--db", filepath.Join(dir, "none.db"), "--limit", "-1"}, "limit"},
		{[]string{"status", "--nonsense"}, "nonsense"},
		{[]string{"run", "--nonsense"}, "nonsense"},
		{[]string{"reboot", "--now"}, "now"},
		{[]string{"poweroff", "--now"}, "now"},
		{[]string{"usb-apply", "--nonsense", dir}, "nonsense"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var out, errOut testtool.Buffer
			err := run(context.Background(), append([]string{"gsmbox"}, c.args...), &out, &errOut)
			if err == nil || !errors.Is(err, errUsage) {
				t.Fatalf("run(%q) = %v, want a usage error", c.args, err)
			}
			if !strings.Contains(err.Error(), "-"+c.flag) {
				t.Errorf("run(%q) = %q, want the flag -%s named", c.args, err, c.flag)
			}
			if !strings.Contains(errOut.String(), "-"+c.flag) {
				t.Errorf("run(%q) printed %q, want the flag -%s named", c.args, errOut.String(), c.flag)
			}
		})
	}
	if _, err := os.Stat(iq); !os.IsNotExist(err) {
		t.Errorf("a refused command line wrote %s (%v)", iq, err)
	}
}

// Commands refuse stray arguments rather than act on them, and -h prints
// a usage text that says what the command does.
func TestCommandHelp(t *testing.T) {
	for _, c := range []struct {
		cmd  string
		want string
	}{
		{"run", "appliance supervisor"},
		{"reboot", "reboot"},
		{"poweroff", "power off"},
		{"status", "status"},
		{"sim", "simulated air"},
		{"trx", "transceiver"},
		{"bts", "transceiver"},
	} {
		var out, errOut testtool.Buffer
		if err := run(context.Background(), []string{"gsmbox", c.cmd, "--help"}, &out, &errOut); err != nil {
			t.Errorf("gsmbox %s --help = %v, want nil", c.cmd, err)
		}
		help := out.String() + errOut.String()
		if !strings.Contains(help, "Usage: gsmbox "+c.cmd) || !strings.Contains(help, c.want) {
			t.Errorf("gsmbox %s --help printed %q, want a usage naming %q", c.cmd, help, c.want)
		}
	}
	for _, cmd := range []string{"run", "reboot", "poweroff"} {
		var out, errOut testtool.Buffer
		if err := run(context.Background(), []string{"gsmbox", cmd, "now"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), `"now"`) {
			t.Errorf("gsmbox %s now = %v, want the stray argument refused", cmd, err)
		}
	}
}

// Checks that need the running configuration come right after it, still
// before anything is written or bound: an IQ rate the resampler cannot
// reach, a TRX bind beyond loopback without --allow-remote.
func TestBadFlagsAfterConfig(t *testing.T) {
	dir := t.TempDir()
	iq := filepath.Join(dir, "f.iq")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"sim", "--rate", "1234.5", "--iq-out", iq}, "--rate 1234.5"},
		{[]string{"trx", "--rate", "1234.5", "--iq-out", iq}, "--rate 1234.5"},
		{[]string{"trx", "--bind", "0.0.0.0", "--base-port", "39500"}, "--allow-remote"},
		{[]string{"bts", "--bind", "0.0.0.0", "--trx", "127.0.0.1:39600"}, "--allow-remote"},
	}
	for _, c := range cases {
		var out, errOut testtool.Buffer
		err := run(context.Background(), append([]string{"gsmbox"}, c.args...), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("run(%q) = %v, want an error naming %s", c.args, err, c.want)
		}
	}
	if _, err := os.Stat(iq); !os.IsNotExist(err) {
		t.Errorf("a refused --rate left %s (%v)", iq, err)
	}
}
