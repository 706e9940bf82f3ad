package usb

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/gsmbox/gsmbox/firmware/storage"
)

// PasswordFile on a stick sets the web console's administrator password.
// The box keeps only a hash of it (Applier.SetConsolePassword) and blanks
// the file on the stick, so the secret does not stay on a stick that
// wanders off.
const PasswordFile = "console_password"

// maxPasswordFile bounds what is read of it (a password is at most 256
// bytes; the rest is whitespace or a mistake).
const maxPasswordFile = 1024

// consolePassword applies the stick's console_password, if it has one
// that is not blank.
func (a *Applier) consolePassword(res *Result) {
	raw, err := readFileFold(a.MountDir, PasswordFile, maxPasswordFile)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	pw := strings.TrimRight(string(raw), "\r\n")
	if err == nil && strings.TrimSpace(pw) == "" {
		return // already used and blanked
	}
	switch {
	case err != nil:
		res.PasswordErr = fmt.Errorf("usb: read %s: %w", PasswordFile, err)
	case a.SetConsolePassword == nil:
		res.PasswordErr = errors.New("this box has no web console")
	default:
		res.PasswordErr = a.SetConsolePassword(pw)
	}
	if res.PasswordErr != nil {
		a.Log.Warn("usb console_password not used", "err", res.PasswordErr)
		return
	}
	res.PasswordSet = true
	a.Log.Info("console password set from the usb stick")
	// Blank the secret on the stick; the file stays, empty, so the
	// operator sees it was taken.
	name := PasswordFile
	if m, _ := filepath.Glob(filepath.Join(a.MountDir, "*")); m != nil {
		for _, p := range m {
			if strings.EqualFold(filepath.Base(p), PasswordFile) {
				name = filepath.Base(p)
			}
		}
	}
	if err := storage.WriteFileAtomic(filepath.Join(a.MountDir, name), nil); err != nil {
		res.PasswordErr = fmt.Errorf("password set, but %s could not be blanked on the stick: %w (delete it by hand)", PasswordFile, err)
	}
}
