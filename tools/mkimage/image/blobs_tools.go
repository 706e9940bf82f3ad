//go:build tools

package image

// The kernels and boot firmware the board descriptors pin come as Go
// modules (their files are read from the module cache, not compiled in);
// importing their packages here keeps `go mod tidy` from dropping them and
// their go.sum hashes, which the build checks the blobs against.
import (
	_ "github.com/gokrazy/firmware"
	_ "github.com/gokrazy/kernel.arm64"
	_ "github.com/gokrazy/kernel.rpi"
)
