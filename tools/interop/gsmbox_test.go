package interop

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildOut  []byte
)

// gsmboxBinary builds cmd/gsmbox once per test binary run: the interop tier
// tests the same binary a board boots, not a test double.
func gsmboxBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gsmbox-interop-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "gsmbox")
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		cmd := exec.Command("go", "build", "-o", binPath, "./cmd/gsmbox")
		cmd.Dir = root
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build ./cmd/gsmbox: %v\n%s", buildErr, buildOut)
	}
	return binPath
}
