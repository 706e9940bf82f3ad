package rfhost

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/i2c/i2creg"
	"periph.io/x/conn/v3/spi"
	"periph.io/x/conn/v3/spi/spireg"
	"periph.io/x/host/v3"

	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/boards/rf/gpspps"
	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/boards/usbfs"
)

// Opener opens real buses and pins through periph's registries. It
// implements rf.Opener.
type Opener struct{}

var _ rf.Opener = Opener{}

// New initialises periph's host drivers (host.Init) and returns the
// opener. It is called where a board is opened (the appliance's runtime,
// `gsmbox rf probe`), never on the path that reads a board's descriptor.
func New() (*Opener, error) {
	if _, err := host.Init(); err != nil {
		return nil, fmt.Errorf("rfhost: periph host.Init: %w", err)
	}
	return &Opener{}, nil
}

// OpenSPI opens "SPI0.0" (bus 0, chip select 0) and the like.
func (Opener) OpenSPI(name string) (spi.PortCloser, error) {
	p, err := spireg.Open(name)
	if err != nil {
		return nil, fmt.Errorf("rfhost: open %s: %w", name, err)
	}
	return p, nil
}

// OpenI2C opens "I2C1" and the like.
func (Opener) OpenI2C(name string) (i2c.BusCloser, error) {
	b, err := i2creg.Open(name)
	if err != nil {
		return nil, fmt.Errorf("rfhost: open %s: %w", name, err)
	}
	return b, nil
}

// Pin looks a GPIO line up by name ("GPIO17").
func (Opener) Pin(name string) (gpio.PinIO, error) {
	p := gpioreg.ByName(name)
	if p == nil {
		return nil, fmt.Errorf("rfhost: no GPIO %q on this host", name)
	}
	return p, nil
}

// Counter returns nil: the PPS-latched sample counter lives in the HAT's
// CPLD or the LimeNET Micro's FPGA and has no driver yet. USB radios get
// a software latch instead (rf.Open builds it from the sample stream).
func (Opener) Counter() gpspps.Counter { return nil }

var _ rf.KernelPPSOpener = Opener{}

// OpenKernelPPS opens the kernel PPS device bound to pin ("GPIO4": a
// pps-gpio device-tree node named pps@4), or returns nil when there is
// none (the PPS is then read as a GPIO edge).
func (Opener) OpenKernelPPS(pin string, fit *gpspps.Fit) (rf.PPSSource, io.Closer, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(pin, "GPIO"))
	if err != nil {
		return nil, nil, nil
	}
	path := gpspps.FindKernelPPS(n)
	if path == "" {
		return nil, nil, nil
	}
	k, err := gpspps.OpenKernelPPS(path, fit)
	if err != nil {
		return nil, nil, fmt.Errorf("rfhost: %w", err)
	}
	return k, k, nil
}

var _ rf.LimeOpener = Opener{}

// OpenLime finds the first LimeSDR Mini / LimeNET Micro (FT601,
// 0403:601F) in sysfs, opens its usbfs node and claims it.
func (Opener) OpenLime(name string) (*lime.Board, io.Closer, error) {
	if name != "lime" {
		return nil, nil, fmt.Errorf("rfhost: no USB radio %q (known: lime)", name)
	}
	devs, err := usbfs.Bus{}.Find(lime.Vendor, lime.Product)
	if err != nil {
		return nil, nil, fmt.Errorf("rfhost: LimeSDR Mini / LimeNET Micro: %w", err)
	}
	c, err := usbfs.Open(devs[0])
	if err != nil {
		return nil, nil, err
	}
	b, err := lime.Open(c, nil)
	if err != nil {
		c.Close()
		return nil, nil, err
	}
	return b, closers{b, c}, nil
}

// closers closes each of its closers, in order.
type closers []io.Closer

func (cs closers) Close() error {
	var errs []error
	for _, c := range cs {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}
