package firmware

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/gsmbox/gsmbox/boards"
)

// BoardName returns the board name: /etc/gsmbox/board in the initramfs
// (written by the image builder) wins over the command line.
func BoardName(readFile func(string) ([]byte, error), cmdline Cmdline) (string, error) {
	if b, err := readFile("/etc/gsmbox/board"); err == nil {
		if n := strings.TrimSpace(string(b)); n != "" {
			return n, nil
		}
	}
	if cmdline.Board != "" {
		return cmdline.Board, nil
	}
	return "", ErrNoBoard
}

// ModelPath is the device tree's model string.
const ModelPath = "/proc/device-tree/model"

// CheckModel compares the running hardware's device-tree model with the
// descriptor's (a prefix match; the file is NUL-terminated). It returns the
// model read and nil on a match, or an error wrapping ErrModelMismatch. The
// transmitter must stay off on an error: a descriptor for another board
// may allow bands or power this hardware's filters and PA cannot take.
func CheckModel(readFile func(string) ([]byte, error), d *boards.Descriptor) (string, error) {
	b, err := readFile(ModelPath)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && d.Model == "" {
			return "", nil
		}
		return "", fmt.Errorf("%w: cannot read %s: %w", ErrModelMismatch, ModelPath, err)
	}
	model := strings.TrimRight(string(b), "\x00\n")
	if d.Model == "" || !strings.HasPrefix(model, d.Model) {
		return model, fmt.Errorf("%w: board %s expects model %q, hardware says %q", ErrModelMismatch, d.Name, d.Model, model)
	}
	return model, nil
}
