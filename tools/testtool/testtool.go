// Package testtool lets interop tests depend on programs we did not write
// (tshark, grgsm_decode, toast, osmo-auc-gen, qemu-system-aarch64, ...).
//
// On a developer machine a missing program skips the test with a message
// naming the Debian package to install. In CI, where .ci/run installs every
// tool and sets GSMBOX_REQUIRE_TOOLS=1, a missing program fails the test, so
// a skipped interop tier can never pass for a green one.
//
// It also holds the small helpers such tests share: Buffer (output read
// while another goroutine writes it) and the tshark PDML dissector.
package testtool

import (
	"os"
	"os/exec"
	"testing"
)

// RequireEnv is the variable that turns a missing tool from a skip into a
// failure.
const RequireEnv = "GSMBOX_REQUIRE_TOOLS"

// packages maps a program to the Debian package that provides it.
var packages = map[string]string{
	"tshark":              "tshark",
	"dumpcap":             "wireshark-common",
	"grgsm_decode":        "gr-gsm",
	"toast":               "libgsm-tools",
	"untoast":             "libgsm-tools",
	"osmo-auc-gen":        "libosmocore-utils",
	"qemu-system-aarch64": "qemu-system-arm",
	"osmo-bts-trx":        "osmo-bts",
	"osmo-bsc":            "osmo-bsc",
	"osmo-trx-uhd":        "osmo-trx",
	"mkfs.vfat":           "dosfstools",
	"fsck.vfat":           "dosfstools",
	"dumpimage":           "u-boot-tools",
	"mcopy":               "mtools",
	"baresip":             "baresip-core",
	"kamailio":            "kamailio",
	"espeak-ng":           "espeak-ng",
	"python3":             "python3",
}

// Required reports whether missing tools must fail tests (CI).
func Required() bool { return os.Getenv(RequireEnv) == "1" }

// Need returns the absolute path of program, or ends the test: with Skip on
// a developer machine, with Fatal when Required.
func Need(t testing.TB, program string) string {
	t.Helper()
	p, err := exec.LookPath(program)
	if err == nil {
		return p
	}
	pkg := packages[program]
	if pkg == "" {
		pkg = "the package providing " + program
	}
	msg := program + " not found; install it with: apt-get install " + pkg
	if Required() {
		t.Fatal(msg + " (" + RequireEnv + "=1 makes this a failure)")
	}
	t.Skip(msg)
	return ""
}

// Short skips an interop test under -short, for quick edit-compile loops;
// CI never passes -short.
func Short(t testing.TB) {
	t.Helper()
	if testing.Short() && !Required() {
		t.Skip("interop test skipped with -short")
	}
}
