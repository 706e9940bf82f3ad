package firmware

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"syscall"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/firmware/clock"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/supervisor"
	"github.com/gsmbox/gsmbox/firmware/usb"
)

// Mount points.
const (
	BootDir = "/boot"
	PermDir = "/perm"
	USBDir  = "/usb"
)

// Options are what cmd/gsmbox gives the runtime: every dependency the
// appliance has on the world outside this package.
type Options struct {
	Version string
	// NewCell makes the cell service for a configuration. It is called at
	// each (re)start of the "cell" service, with the configuration then in
	// force.
	NewCell func(cfg *config.Config, board *boards.Descriptor, log *slog.Logger) Cell
	// NewConsole makes the web console service (nil: none). It also
	// returns how the USB workflow sets the console's password from a
	// stick's console_password, and the certificate fingerprint for the
	// USB report.
	NewConsole func(env ConsoleEnv) (svc supervisor.Service, setPassword func(string) error, fingerprint func() string)
	// ImportSubscribers imports a USB stick's subscribers.csv into the
	// subscriber registry (see usb.Applier); nil means the box has none.
	ImportSubscribers func(io.Reader) (string, error)
	// RegistryReport says what the last open of the subscriber registry
	// did about a damaged file ("" when it opened as it was), for status
	// and the LEDs; nil means nothing to report.
	RegistryReport func() string
	// Console is where log lines and the USB messages go (stdout, which is
	// /dev/console for PID 1).
	Console io.Writer
	// RFOpener opens the board's buses and pins (rfhost.New on a board):
	// the RF front end's and the status LEDs' alike. It is called at most
	// once, when the board names LED pins or an RF chain. nil means the box
	// has none: the LED patterns become log lines, and a board whose
	// descriptor has a chain keeps its transmitter off.
	RFOpener func() (rf.Opener, error)
	// Power ends the system after shutdown when running as PID 1; nil means
	// SysPower.
	Power Power
	// Clock is the wall clock of every service, timer and poll of the
	// runtime; nil means clock.Real.
	Clock clock.Clock

	// For running outside a board (development, tests); zero values mean
	// the appliance's paths.
	//
	// ReadFile reads /proc/cmdline, /proc/uptime, /etc/gsmbox/board and
	// the device-tree model (os.ReadFile).
	ReadFile func(string) ([]byte, error)
	// DataDir replaces the data partition when not PID 1.
	DataDir string
	// StatusPath replaces status.DefaultPath.
	StatusPath string
	// Sys replaces /sys for the USB detector.
	Sys fs.FS
	// Net replaces the network service's kernel seams (firmware/lan);
	// nil means the real ones on PID 1, and no network service off it.
	Net *NetSeams
	// USBMounter replaces the USB workflow's vfat mount, and USBDir its
	// mount point (USBDir when empty): a test's stick is a directory.
	// With it the stick's device node is not waited for.
	USBMounter usb.Mounter
	USBDir     string
}

// Signals to PID 1 (sent by `gsmbox reboot` / `gsmbox poweroff`).
const (
	RebootSignal   = syscall.SIGUSR1
	PowerOffSignal = syscall.SIGUSR2
)

// Run is the appliance: it returns only when not PID 1 (e.g. `gsmbox run`
// on a development machine) after ctx ends; as PID 1 it powers off or
// reboots at the end.
//
// Its concerns follow one another, a file each: boot (boot.go: mounts,
// logging, the command line, the board), storage (storage.go: partitions
// and the configuration), services (services.go: the supervisor's
// services), and shutdown (shutdown.go: requests, the radio's safe state,
// durable data, power).
func Run(ctx context.Context, o Options) error {
	a := boot(o)
	defer a.bg.stop()
	a.mountStorage()
	a.addServices()
	defer a.closeDevices()
	// The radio's safe state is the last act even when Run panics.
	defer func() {
		if r := recover(); r != nil {
			rfShutdown(a.fe, a.log)
			rfShutdown(a.radioFE.Load(), a.log)
			panic(r)
		}
	}()

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	defer a.watchShutdownRequests(stop)()
	a.serve(runCtx)
	return a.shutdown()
}
