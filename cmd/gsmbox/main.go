// Command gsmbox is the single gsmbox binary: the supervisor that boots as
// init on a board, the simulated network, the transceiver and the operator
// and technician tools, as subcommands in the way busybox is one binary.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"syscall"
)

// command is one subcommand. Each lives in its own file and registers
// itself from init; its run parses its flags with newFlagSet.
type command struct {
	name    string
	summary string
	// run is the command, u-root style: args are what follows its name,
	// and it writes only to stdout and stderr.
	run func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{}

// register adds a subcommand; a name registered twice is a programming
// error.
func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("gsmbox: duplicate subcommand " + c.name)
	}
	commands[c.name] = c
}

// newFlagSet returns a subcommand's flag set: parse errors and -h go to
// stderr, and Parse returns them (flag.ContinueOnError) for run to pass
// up. With a usage text (ending in "Flags:\n"), -h prints it and then the
// flags; with none, flag's default listing.
func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if usage != "" {
		fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	}
	return fs
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		// The flag package has printed a refused flag with the usage;
		// anything else (a usage error found after parsing included) is
		// printed here.
		var printed usageError
		if !errors.As(err, &printed) {
			fmt.Fprintln(os.Stderr, "gsmbox:", err)
		}
		os.Exit(2)
	}
}

var errUsage = fmt.Errorf("usage")

func run(ctx context.Context, argv []string, stdout, stderr io.Writer) error {
	name := filepath.Base(argv[0])
	args := argv[1:]
	// As init (PID 1 or u-root's uinit), the binary runs the supervisor.
	if c, ok := initCommand(name); ok {
		return c.run(ctx, args, stdout, stderr)
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	c, ok := commands[args[0]]
	if !ok {
		usage(stderr)
		return fmt.Errorf("unknown command %q", args[0])
	}
	return c.run(ctx, args[1:], stdout, stderr)
}

// initCommand picks the supervisor when the binary is started as init.
func initCommand(name string) (command, bool) {
	if name == "init" || name == "uinit" || os.Getpid() == 1 {
		c, ok := commands["run"]
		return c, ok
	}
	return command{}, false
}

func usage(w io.Writer) {
	fmt.Fprintln(w, `gsmbox: a GSM cellular network (base station and core) in one binary.

Usage: gsmbox <command> [flags]

Commands:`)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, `
Run "gsmbox <command> -h" for a command's flags.`)
}
