package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/gsmbox/gsmbox/dsp/filter"
)

// Flags that set what a configuration key sets are checked by the same
// function as the key (firmware/config's Check*), when they are parsed:
// a bad value stops the command with the flag package's "invalid value
// "NaN" for flag -snr: NaN dB: want -10..100", before anything runs.

// errBadNumber replaces strconv's error text, which repeats the value.
var errBadNumber = errors.New("not a number")

type intValue struct {
	p     *int
	check func(int) error
}

func (v intValue) String() string {
	if v.p == nil {
		return "0"
	}
	return strconv.Itoa(*v.p)
}

func (v intValue) Set(s string) error {
	n, err := strconv.ParseInt(s, 0, strconv.IntSize)
	if err != nil {
		return errBadNumber
	}
	if err := v.check(int(n)); err != nil {
		return err
	}
	*v.p = int(n)
	return nil
}

type floatValue struct {
	p     *float64
	check func(float64) error
}

func (v floatValue) String() string {
	if v.p == nil {
		return "0"
	}
	return strconv.FormatFloat(*v.p, 'g', -1, 64)
}

func (v floatValue) Set(s string) error {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return errBadNumber
	}
	if err := v.check(f); err != nil {
		return err
	}
	*v.p = f
	return nil
}

type durationValue struct {
	p     *time.Duration
	check func(time.Duration) error
}

func (v durationValue) String() string {
	if v.p == nil {
		return "0s"
	}
	return v.p.String()
}

func (v durationValue) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("not a duration (e.g. 30s, 5m, 1h)")
	}
	if err := v.check(d); err != nil {
		return err
	}
	*v.p = d
	return nil
}

type stringValue struct {
	p     *string
	check func(string) error
}

func (v stringValue) String() string {
	if v.p == nil {
		return ""
	}
	return *v.p
}

func (v stringValue) Set(s string) error {
	if err := v.check(s); err != nil {
		return err
	}
	*v.p = s
	return nil
}

// intFlag defines an int flag whose values check accepts.
func intFlag(fs *flag.FlagSet, name string, def int, usage string, check func(int) error) *int {
	p := new(int)
	*p = def
	fs.Var(intValue{p, check}, name, usage)
	return p
}

// floatFlag defines a float64 flag whose values check accepts.
func floatFlag(fs *flag.FlagSet, name string, def float64, usage string, check func(float64) error) *float64 {
	p := new(float64)
	*p = def
	fs.Var(floatValue{p, check}, name, usage)
	return p
}

// durationFlag defines a duration flag whose values check accepts.
func durationFlag(fs *flag.FlagSet, name string, def time.Duration, usage string, check func(time.Duration) error) *time.Duration {
	p := new(time.Duration)
	*p = def
	fs.Var(durationValue{p, check}, name, usage)
	return p
}

// stringFlag defines a string flag whose values check accepts.
func stringFlag(fs *flag.FlagSet, name, def, usage string, check func(string) error) *string {
	p := new(string)
	*p = def
	fs.Var(stringValue{p, check}, name, usage)
	return p
}

// optional accepts "" (the flag's "not given") and what check accepts.
func optional(check func(string) error) func(string) error {
	return func(s string) error {
		if s == "" {
			return nil
		}
		return check(s)
	}
}

// checkIQRate checks --rate against the rate of the stream an IQ file
// records: the resampler needs a ratio of integers up to 4096 (1e6, 2e6
// and 4 samples per symbol are; an arbitrary rate is not). It is called
// before the file is created, so a refused rate leaves no empty file.
func checkIQRate(streamRate, fileRate float64) error {
	if fileRate == streamRate {
		return nil
	}
	if _, err := filter.NewRational(streamRate, fileRate, filter.ResamplerConfig{}); err != nil {
		return fmt.Errorf("--rate %g: %w", fileRate, err)
	}
	return nil
}

// parseFlags parses a command's flags. -h prints the usage and gives
// help true; a bad flag (printed by the flag package, with the usage)
// gives a usageError naming it.
func parseFlags(fs *flag.FlagSet, args []string) (help bool, err error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return true, nil
		}
		return false, usageError{err}
	}
	return false, nil
}

// usageError is a command line the flag package refused; it has printed
// the error and the usage already, so main only sets the exit status.
type usageError struct{ err error }

func (e usageError) Error() string        { return e.err.Error() }
func (e usageError) Unwrap() error        { return e.err }
func (e usageError) Is(target error) bool { return target == errUsage }

// checkListen accepts a listen address HOST:PORT or :PORT; port 0 asks
// the system for a free port (the tests' way).
func checkListen(s string) error {
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("%q: want HOST:PORT", s)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("%q: port %q: want 0..65535", s, port)
	}
	return nil
}
