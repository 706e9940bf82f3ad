package status

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/gsmbox/gsmbox/firmware/storage"
	"github.com/gsmbox/gsmbox/firmware/supervisor"
)

// DefaultPath is where the supervisor writes the status.
const DefaultPath = "/run/gsmbox/status.txt"

// Snapshot is the state of the box at one moment.
type Snapshot struct {
	Version string
	Board   string
	Model   string // /proc/device-tree/model
	// Transmitter says whether the cell may transmit, and why not.
	Transmitter string
	Uptime      time.Duration
	// ConfigSource is where the configuration in force came from.
	ConfigSource string
	ARFCN        int
	Frames       uint64
	// Connections is how many dedicated connections are up now, and
	// Subscribers how many subscribers the core has a session for.
	Connections int
	Subscribers int
	Persistent  bool
	// UncleanShutdown says the data partition was found still marked
	// mounted at boot: the last shutdown was a power cut or a crash.
	UncleanShutdown bool
	Health          string // "ok" or the failing checks
	// Registry is empty while the subscriber registry opened as it was;
	// after it was found damaged it says what happened: the file
	// quarantined, the backup restored and what was lost since.
	Registry string
	LastUSB  string
	// Network and Clock are the box's address and wall clock in a line
	// each (firmware/lan); "" when the network is not managed.
	Network string
	Clock   string
	// Radio holds a hardware radio's lines (its sample stream, its
	// interlock, the channel choice); empty on the simulated air.
	Radio    []string
	Services []supervisor.ServiceStatus
	// Trunks has one line per SIP trunk: its registration and calls.
	Trunks []string
	// NoClockReference: the radio runs but its transmitter may not key,
	// nothing vouching for the reference clock (the Transmitter field and
	// the radio's clock line say so in words; the LEDs show
	// no-clock-reference). Not rendered on its own.
	NoClockReference bool
}

// Render formats the snapshot for people.
func (s Snapshot) Render() string {
	var b strings.Builder
	fmt.Fprintf(&b, "gsmbox %s on %s (model %q)\n", s.Version, s.Board, s.Model)
	fmt.Fprintf(&b, "uptime:      %s\n", s.Uptime.Truncate(time.Second))
	fmt.Fprintf(&b, "transmitter: %s\n", s.Transmitter)
	fmt.Fprintf(&b, "cell:        ARFCN %d, %d TDMA frames sent\n", s.ARFCN, s.Frames)
	fmt.Fprintf(&b, "core:        %d connections, %d subscriber sessions\n", s.Connections, s.Subscribers)
	for _, l := range s.Radio {
		fmt.Fprintf(&b, "%s\n", l)
	}
	fmt.Fprintf(&b, "config:      %s\n", s.ConfigSource)
	p := "yes"
	if !s.Persistent {
		p = "NO (data partition unavailable; nothing survives a reboot)"
	}
	if s.UncleanShutdown {
		p += " (the last shutdown was not clean: power cut or crash)"
	}
	fmt.Fprintf(&b, "persistent:  %s\n", p)
	fmt.Fprintf(&b, "health:      %s\n", s.Health)
	if s.Network != "" {
		fmt.Fprintf(&b, "network:     %s\n", s.Network)
		fmt.Fprintf(&b, "clock:       %s\n", s.Clock)
	}
	if s.Registry != "" {
		fmt.Fprintf(&b, "registry:    %s\n", s.Registry)
	}
	if s.LastUSB != "" {
		fmt.Fprintf(&b, "last USB:    %s\n", s.LastUSB)
	}
	for _, t := range s.Trunks {
		fmt.Fprintf(&b, "SIP trunk:   %s\n", t)
	}
	fmt.Fprintf(&b, "services:\n")
	for _, st := range s.Services {
		line := fmt.Sprintf("  %-9s %-8s restarts %d", st.Name, st.State, st.Restarts)
		if st.State == supervisor.Backoff {
			line += fmt.Sprintf(", next try in %s", st.Backoff)
		}
		if st.LastError != "" {
			line += ", last error: " + st.LastError
		}
		fmt.Fprintln(&b, line)
	}
	return b.String()
}

// Write stores the rendered snapshot at path atomically.
func Write(path string, s Snapshot) error {
	if err := os.MkdirAll(dir(path), 0o755); err != nil {
		return fmt.Errorf("status: %w", err)
	}
	return storage.WriteFileAtomic(path, []byte(s.Render()))
}

// Read returns the status text at path.
func Read(path string) (string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%w (%s)", ErrNoStatus, path)
	}
	if err != nil {
		return "", fmt.Errorf("status: %w", err)
	}
	return string(b), nil
}

func dir(p string) string {
	if i := strings.LastIndexByte(p, '/'); i > 0 {
		return p[:i]
	}
	return "."
}
