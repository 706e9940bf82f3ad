package usb

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/firmware/config"
)

func TestConsolePassword(t *testing.T) {
	const secret = "a stick-borne password"
	stick := &fakeStick{files: map[string]string{"Console_Password": secret + "\n"}}
	var console bytes.Buffer
	a := newApplier(t, stick, &fakeConfigs{cur: config.Default()}, &console, &fakeLEDs{})
	var got []string
	a.SetConsolePassword = func(pw string) error { got = append(got, pw); return nil }
	a.ConsoleFingerprint = func() string { return "AB:CD" }
	a.ConsoleURLs = func() []string { return []string{"https://10.0.2.15/"} }
	res := a.Handle(context.Background(), "/dev/sda1")
	if len(got) != 1 || got[0] != secret || !res.PasswordSet || res.PasswordErr != nil {
		t.Fatalf("SetConsolePassword got %q; result set %v err %v", got, res.PasswordSet, res.PasswordErr)
	}
	if stick.files["Console_Password"] != "" {
		t.Errorf("the password file on the stick = %q, want it blanked", stick.files["Console_Password"])
	}
	rep := stick.files[ReportFile]
	if !strings.Contains(rep, "console_password: SET") || !strings.Contains(rep, "AB:CD") || !strings.Contains(rep, "web console:\n  https://10.0.2.15/\n") {
		t.Errorf("report lacks the password result, the console's address or the fingerprint:\n%s", rep)
	}
	if strings.Contains(rep, secret) || strings.Contains(console.String(), secret) {
		t.Error("the password appears in the report or on the console")
	}
	// The blanked file, plugged in again, changes nothing.
	a.Handle(context.Background(), "/dev/sda1")
	if len(got) != 1 {
		t.Errorf("a blanked file set the password again: %q", got)
	}
	// A refused password is reported and stays on the stick.
	stick.files["console_password"] = "short"
	a.SetConsolePassword = func(pw string) error { return errors.New("too short") }
	res = a.Handle(context.Background(), "/dev/sda1")
	if res.PasswordSet || res.PasswordErr == nil || !strings.Contains(stick.files[ReportFile], "NOT USED: too short") {
		t.Errorf("refused password: set %v err %v\n%s", res.PasswordSet, res.PasswordErr, stick.files[ReportFile])
	}
}
