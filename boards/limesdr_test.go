package boards

import (
	"strings"
	"testing"

	"periph.io/x/conn/v3/physic"

	"github.com/gsmbox/gsmbox/boards/rf"
)

// TestBoardLimeUSB: both Lime boards drive the radio over USB (FT601),
// never the host's SPI, and their chains validate.
func TestBoardLimeUSB(t *testing.T) {
	for _, tt := range []struct {
		board string
		ref   float64
		pps   bool
		osc   string
	}{
		{"limenet-micro", 30.72e6, true, "OCXO"},
		{"rpi4-limesdr", 40e6, false, "VCTCXO"},
		{"qemu-arm64-limesdr", 40e6, false, "VCTCXO"},
	} {
		t.Run(tt.board, func(t *testing.T) {
			d, err := Lookup(tt.board)
			if err != nil {
				t.Fatal(err)
			}
			c := d.RF.Chain
			if d.RF.Frontend != "lime-usb" || c == nil {
				t.Fatalf("front end %q chain %v, want lime-usb with a chain", d.RF.Frontend, c)
			}
			if err := c.Validate(); err != nil {
				t.Errorf("Validate() = %v", err)
			}
			for _, p := range c.Parts {
				if p.Bus.Kind == rf.BusSPI {
					t.Errorf("part %s on SPI %s: the Lime boards are controlled over USB", p.Chip, p.Bus.Name)
				}
			}
			trx, ok := c.Part(rf.RoleTransceiver)
			if !ok || trx.Chip != rf.ChipLMS7002M || trx.Bus.Kind != rf.BusUSB {
				t.Errorf("transceiver = %+v, want an LMS7002M on USB", trx)
			}
			if dac, ok := c.Part(rf.RoleTrimDAC); !ok || dac.Chip != rf.ChipLimeDAC {
				t.Errorf("trim DAC = %+v, want the board DAC through the FPGA", dac)
			}
			if got := float64(c.RefClock) / float64(physic.Hertz); got != tt.ref {
				t.Errorf("reference %v Hz, want %v", got, tt.ref)
			}
			if (c.Pins.PPS != "") != tt.pps {
				t.Errorf("PPS pin %q, want present %v", c.Pins.PPS, tt.pps)
			}
			if !strings.Contains(c.Description, tt.osc) {
				t.Errorf("description %q does not name the %s", c.Description, tt.osc)
			}
			if n := c.DeviceDelaySamples(1625e3 / 6 * 4); n != 96 {
				t.Errorf("device delay = %d samples at 4 sps, want 96 (89 µs)", n)
			}
			if d.RF.MaxPowerDBm > c.Limits.MaxPowerDBm {
				t.Errorf("board max %.1f above chain %.1f", d.RF.MaxPowerDBm, c.Limits.MaxPowerDBm)
			}
			for _, b := range d.RF.Bands {
				if _, ok := c.Filter(b); !ok {
					t.Errorf("band %v without a path", b)
				}
			}
			if strings.Contains(d.ConfigTxt, "dtparam=spi=on") {
				t.Error("config.txt enables SPI, which the radio does not use")
			}
		})
	}
	if d, _ := Lookup("rpi4-limesdr"); d.Model != "Raspberry Pi 4 Model B" || d.GOARCH != "arm64" || d.Kernel.SHA256 == "" {
		t.Errorf("rpi4-limesdr does not boot like rpi4: %+v", d)
	}
	q, _ := Lookup("qemu-arm64")
	if d, _ := Lookup("qemu-arm64-limesdr"); d.Model != q.Model || d.Boot != q.Boot || d.Kernel != q.Kernel || d.Image != q.Image {
		t.Errorf("qemu-arm64-limesdr does not boot like qemu-arm64: %+v", d)
	}
}
