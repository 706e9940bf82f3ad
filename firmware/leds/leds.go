package leds

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/gsmbox/gsmbox/firmware/clock"
	"periph.io/x/conn/v3/gpio"
)

// Step is one frame of a pattern: the green and red LED levels, held for
// Hold.
type Step struct {
	Green, Red bool
	Hold       time.Duration
}

// Pattern is a named, repeating sequence of steps.
type Pattern struct {
	Name  string
	Steps []Step
}

const (
	slow = 500 * time.Millisecond
	fast = 100 * time.Millisecond
)

// The named patterns.
var (
	Booting     = Pattern{"booting", []Step{{Green: true, Hold: slow}, {Hold: slow}}}
	OnAir       = Pattern{"on-air", []Step{{Green: true, Hold: time.Hour}}}
	Error       = Pattern{"error", []Step{{Red: true, Hold: time.Hour}}}
	Off         = Pattern{"off", []Step{{Hold: time.Hour}}}
	USBApplying = Pattern{"usb-applying", []Step{{Green: true, Hold: fast}, {Red: true, Hold: fast}}}
	USBApplied  = Pattern{"usb-applied", []Step{{Green: true, Hold: fast}, {Hold: fast}}}
	USBRejected = Pattern{"usb-rejected", []Step{{Red: true, Hold: fast}, {Hold: fast}}}
	// OnAirDataRestored: on air, but durable data was damaged and
	// restored from a backup (what changed since is lost): green with a
	// red blink every few seconds, until the box restarts.
	OnAirDataRestored = Pattern{"on-air-data-restored", []Step{{Green: true, Hold: 3 * time.Second}, {Red: true, Hold: 2 * fast}}}
	// OnAirNoNetwork: on air, but the box has no IP address (no DHCP
	// answer, no Ethernet interface), so the web console cannot be
	// reached: green with two short red blinks every few seconds.
	OnAirNoNetwork = Pattern{"on-air-no-network", []Step{{Green: true, Hold: 3 * time.Second}, {Red: true, Hold: fast}, {Hold: fast}, {Red: true, Hold: fast}, {Hold: fast}}}
	// NoClockReference: the cell runs on its radio but will not
	// transmit: no GPS lock, no GSM cell in range to calibrate against,
	// no [radio] clock_override. Red blinking slowly (booting's rhythm,
	// in red).
	NoClockReference = Pattern{"no-clock-reference", []Step{{Red: true, Hold: slow}, {Hold: slow}}}
)

// Patterns lists every pattern by name.
var Patterns = map[string]Pattern{}

func init() {
	for _, p := range []Pattern{Booting, OnAir, Error, Off, USBApplying, USBApplied, USBRejected, OnAirDataRestored, OnAirNoNetwork, NoClockReference} {
		Patterns[p.Name] = p
	}
}

// Lookup returns the named pattern.
func Lookup(name string) (Pattern, error) {
	p, ok := Patterns[name]
	if !ok {
		return Pattern{}, fmt.Errorf("%w: %q", ErrUnknownPattern, name)
	}
	return p, nil
}

// Player plays patterns on the LEDs. It is a supervisor.Service.
type Player struct {
	green, red gpio.PinOut // either may be nil
	clock      clock.Clock
	log        *slog.Logger
	req        chan request
	current    string
}

type request struct {
	p     Pattern
	flash time.Duration // >0: show p this long, then return to the base
}

// NewPlayer returns a player for the given pins (nil for an absent LED).
// With no pins at all, pattern changes are logged to log instead.
func NewPlayer(green, red gpio.PinOut, clk clock.Clock, log *slog.Logger) *Player {
	return &Player{green: green, red: red, clock: clk, log: log, req: make(chan request, 8)}
}

// Name implements supervisor.Service.
func (p *Player) Name() string { return "leds" }

// Show makes pat the base pattern. It does not block.
func (p *Player) Show(pat Pattern) { p.send(request{p: pat}) }

// Flash shows pat for d, then returns to the base pattern.
func (p *Player) Flash(pat Pattern, d time.Duration) { p.send(request{p: pat, flash: d}) }

func (p *Player) send(r request) {
	select {
	case p.req <- r:
	default: // the player is behind; the newest state wins next time
		select {
		case <-p.req:
		default:
		}
		select {
		case p.req <- r:
		default:
		}
	}
}

func (p *Player) set(s Step) error {
	if p.green != nil {
		if err := p.green.Out(gpio.Level(s.Green)); err != nil {
			return fmt.Errorf("leds: green: %w", err)
		}
	}
	if p.red != nil {
		if err := p.red.Out(gpio.Level(s.Red)); err != nil {
			return fmt.Errorf("leds: red: %w", err)
		}
	}
	return nil
}

// Serve implements supervisor.Service: it plays the current pattern until
// ctx is cancelled, then turns the LEDs off.
func (p *Player) Serve(ctx context.Context) error {
	base := Booting
	cur := base
	var flashEnd <-chan time.Time
	i := 0
	p.announce(cur)
	for {
		s := cur.Steps[i%len(cur.Steps)]
		if err := p.set(s); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return p.set(Step{})
		case r := <-p.req:
			if r.flash > 0 {
				cur, flashEnd = r.p, p.clock.After(r.flash)
			} else {
				base = r.p
				if flashEnd == nil {
					cur = base
				}
			}
			i = 0
			p.announce(cur)
		case <-flashEnd:
			flashEnd = nil
			cur, i = base, 0
			p.announce(cur)
		case <-p.clock.After(s.Hold):
			i++
		}
	}
}

func (p *Player) announce(pat Pattern) {
	if pat.Name == p.current {
		return
	}
	p.current = pat.Name
	if p.log != nil {
		p.log.Info("led pattern", "pattern", pat.Name)
	}
}
