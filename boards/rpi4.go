package boards

import (
	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Raspberry Pi 4 Model B with the gsmbox RF HAT. The GPU firmware
// (start4.elf, fixup4.dat) reads config.txt and cmdline.txt from the FAT
// boot partition and starts the gokrazy Raspberry Pi kernel with the
// initramfs.
func init() {
	const kernel = "github.com/gokrazy/kernel.rpi@v0.0.0-20251127164438-9778ec0261de"
	const firmware = "github.com/gokrazy/firmware@v0.0.0-20260522070551-527ce0ed43cf"
	register(&Descriptor{
		Name:        "rpi4",
		Description: "Raspberry Pi 4 Model B + gsmbox RF HAT",
		Model:       "Raspberry Pi 4 Model B",
		GOARCH:      "arm64",
		Console:     "ttyS0,115200",
		Ethernet:    "eth0",
		Boot:        "rpi",
		Kernel: Blob{
			Source: kernel + ":vmlinuz",
			Name:   "vmlinuz",
			SHA256: "8442e190f08d4bf3b49561d9322d11b464828a375a1be3751968d5947987d1c6",
		},
		DeviceTrees: []Blob{{
			Source: kernel + ":bcm2711-rpi-4-b.dtb",
			Name:   "bcm2711-rpi-4-b.dtb",
			SHA256: "c264b567924daf2855d83c07134c10cb94712e569372a0a70061ecd0284565e7",
		}},
		Firmware: []Blob{
			{Source: firmware + ":start4.elf", Name: "start4.elf", SHA256: "3484b5ddc0f655e0e562680b7e2462ec21177763cc2d884b37d31e53b800bb02"},
			{Source: firmware + ":fixup4.dat", Name: "fixup4.dat", SHA256: "c571fe712649b66409a4834b06af39dcef8dca6727e3abc10c6043f02028b5e5"},
		},
		Image:              Layout{BootMiB: 128, DataMiB: 64},
		Cmdline:            "panic=10 oops=panic",
		BootDevice:         "/dev/mmcblk0p1",
		DataDevice:         "/dev/mmcblk0p2",
		Watchdog:           "/dev/watchdog", // bcm2835_wdt
		WatchdogTimeoutSec: 15,
		ConfigTxt: `# gsmbox: Raspberry Pi 4 boot configuration
arm_64bit=1
kernel=vmlinuz
initramfs initramfs.cpio followkernel
device_tree=bcm2711-rpi-4-b.dtb
enable_uart=1
dtparam=spi=on
dtparam=i2c_arm=on
`,
		// Status LEDs on the HAT (lines the RF chain does not use).
		Pins: map[string]string{
			"led.green": "GPIO5",
			"led.red":   "GPIO6",
		},
		// The HAT's filters and PA (rf.RPi4HAT) set the bands and limits.
		RF: RFChain{
			Frontend:    "hat",
			Bands:       []tdma.Band{tdma.GSM850, tdma.GSM900, tdma.DCS1800, tdma.PCS1900},
			MaxPowerDBm: rf.RPi4HAT.Limits.MaxPowerDBm,
			// Full attenuation: drive + PA gain - attenuator range.
			MinPowerDBm: rf.RPi4HAT.Limits.DriveDBm + rf.RPi4HAT.Limits.PAGainDB - rf.RPi4HAT.Limits.AttenMaxDB,
			Chain:       rf.RPi4HAT,
		},
	})
}

// Raspberry Pi 4 Model B with a LimeSDR Mini v1 on one of its USB 3.0
// ports: the same image and boot as rpi4, the radio on USB
// (rf.LimeSDRMini: FT601 + MAX10 + LMS7002M, 40 MHz VCTCXO). Without the
// HAT there are no status LEDs on GPIO lines and no SPI/I2C parts, so
// config.txt enables neither bus.
func init() {
	d := *registry["rpi4"]
	d.Name = "rpi4-limesdr"
	d.Description = "Raspberry Pi 4 Model B + LimeSDR Mini v1 on USB"
	d.ConfigTxt = `# gsmbox: Raspberry Pi 4 + LimeSDR Mini boot configuration
arm_64bit=1
kernel=vmlinuz
initramfs initramfs.cpio followkernel
device_tree=bcm2711-rpi-4-b.dtb
enable_uart=1
`
	d.Pins = map[string]string{}
	d.RF = limeSDRMiniRF()
	register(&d)
}

// limeSDRMiniRF is the RF chain of a board with a LimeSDR Mini on USB
// (rpi4-limesdr, and qemu-arm64-limesdr for the image test).
func limeSDRMiniRF() RFChain {
	return RFChain{
		Frontend:    "lime-usb",
		Bands:       []tdma.Band{tdma.GSM850, tdma.GSM900, tdma.DCS1800, tdma.PCS1900},
		MaxPowerDBm: rf.LimeSDRMini.Limits.MaxPowerDBm,
		MinPowerDBm: rf.LimeSDRMini.Limits.DriveDBm - rf.LimeSDRMini.Limits.AttenMaxDB,
		Chain:       rf.LimeSDRMini,
	}
}
