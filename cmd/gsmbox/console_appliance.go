package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gsmbox/gsmbox/dsp/trx"
	"github.com/gsmbox/gsmbox/firmware"
	"github.com/gsmbox/gsmbox/firmware/console"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/firmware/supervisor"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
)

// newApplianceConsole builds the supervisor's web console service over
// the appliance's sources.
func newApplianceConsole(env firmware.ConsoleEnv, cell *atomic.Pointer[node.Service], hist *console.History, stdout io.Writer) (supervisor.Service, func(string) error, func() string) {
	cfg := env.Configs.Current()
	addr, more := "", []string(nil)
	if len(cfg.Console.Listen) > 0 {
		addr, more = cfg.Console.Listen[0], cfg.Console.Listen[1:]
	}
	os.MkdirAll(filepath.Dir(env.Socket), 0o700)
	srv, err := console.New(console.Config{
		Host: console.Host{
			Version: version, Board: env.Board.Name, Started: env.Started,
			Snapshot: func() node.Snapshot {
				if env.Cell != nil {
					return env.Cell() // totals since boot, as the status file
				}
				if s := cell.Load(); s != nil {
					return s.Snapshot()
				}
				return node.Snapshot{}
			},
			Registry: func() *registry.Registry {
				if s := cell.Load(); s != nil {
					return s.Registry()
				}
				return nil
			},
			SMS: func() console.SMSService { return nodeSMS(cell.Load()) },
			Scope: func() *trx.Scope {
				if s := cell.Load(); s != nil {
					return s.Scope()
				}
				return nil
			},
			Config: env.Configs, Logs: env.Logs, LastUSB: env.LastUSB, DataRestored: env.DataRestored, History: hist, Net: env.Net,
			Transmitter: env.Transmitter,
		},
		StateDir: env.StateDir, Addr: addr, MoreAddrs: more, Socket: env.Socket, MetricsOpen: cfg.Console.MetricsOpen, Log: env.Log,
	})
	if err != nil {
		env.Log.Error("web console not started", "err", err)
		return nil, nil, nil
	}
	if addr != "" {
		fmt.Fprintf(stdout, "gsmbox: web console on https://%s/ — certificate SHA-256 fingerprint %s\n", strings.Join(cfg.Console.Listen, "/, https://"), srv.Fingerprint())
	}
	if !srv.Credentials().HasAdmin() {
		fmt.Fprintln(stdout, "gsmbox: the web console has no password yet: put a console_password file on a USB stick, or run: gsmbox console passwd")
	}
	return srv, srv.SetPassword, srv.Fingerprint
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// printStatus prints the console's status as `gsmbox status` shows it.
func printStatus(w io.Writer, st *console.Status, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	air := "ON AIR"
	if !st.OnAir {
		air = "OFF AIR: " + st.Why
	}
	na := func(s string) string {
		if s == "" {
			return "n/a"
		}
		return s
	}
	fmt.Fprintf(w, "cell:        %s\n", air)
	if st.Transmitter != "" {
		fmt.Fprintf(w, "transmitter: %s\n", st.Transmitter)
	}
	fmt.Fprintf(w, "network:     %s (%s), %s ARFCN %d, BSIC %d, LAC %d, CI %d, %g dBm\n", st.Network, st.PLMN, st.Band, st.ARFCN, st.BSIC, st.LAC, st.CI, st.TxPowerDBm)
	fmt.Fprintf(w, "phones:      %d attached, %d connections now, %d subscribers\n", st.Attached, st.Sessions, st.Subscribers)
	fmt.Fprintf(w, "uptime:      %s\n", (time.Duration(st.UptimeS) * time.Second).String())
	fmt.Fprintf(w, "version:     %s (commit %s, image %s)\n", st.Version, na(st.Commit), na(st.ImageSHA256))
	fmt.Fprintf(w, "last USB:    %s\n", na(st.LastUSB))
	if st.DataRestored != "" {
		fmt.Fprintf(w, "registry:    RESTORED FROM BACKUP: %s\n", st.DataRestored)
	}
	if n := st.Net; n != nil {
		fmt.Fprintf(w, "network:     %s\n", n.Line())
		fmt.Fprintf(w, "clock:       %s\n", n.Clock.ClockLine())
	}
	if len(st.ConsoleURLs) > 0 {
		fmt.Fprintf(w, "console:     %s\n", strings.Join(st.ConsoleURLs, ", "))
	}
	if r := st.Stream; r != nil {
		fmt.Fprint(w, streamLines(r))
	}
	fmt.Fprintf(w, "console TLS: %s\n", st.Fingerprint)
	if !st.PasswordSet {
		fmt.Fprintln(w, "console:     no password set (gsmbox console passwd, or console_password on a USB stick)")
	}
	return nil
}

// streamLines renders a USB radio's sample stream for `gsmbox status`.
func streamLines(r *console.Stream) string {
	state := "down"
	switch {
	case r.Up && r.Healthy:
		state = "up, healthy"
	case r.Up:
		state = "up, UNHEALTHY (transmitter off)"
	case r.LastError != "":
		state = "down: " + r.LastError
	}
	var b strings.Builder
	fmt.Fprintf(&b, "radio:       %s (%s): stream %s; interlock %s, %d trips; %d starts, %d failed opens\n",
		r.Frontend, r.Chain, state, r.Interlock, r.Trips, r.Starts, r.OpenFailures)
	fmt.Fprintf(&b, "stream:      RX lost %d packets, TX late %d, underruns %d, overruns %d, unplugs %d, stalls %d; USB RX %.2f MB/s, TX %.2f MB/s\n",
		r.RXLost, r.TXLate, r.Underruns, r.Overruns, r.Unplugs, r.Stalls, r.RXBytesPerS/1e6, r.TXBytesPerS/1e6)
	if c := r.Channel; c != nil {
		for _, l := range c.Lines() {
			fmt.Fprintln(&b, l)
		}
	}
	if c := r.TXCal; c != nil {
		fmt.Fprintf(&b, "tx cal:      %s\n", c.Summary())
	}
	return b.String()
}
