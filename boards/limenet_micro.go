package boards

import (
	"github.com/gsmbox/gsmbox/boards/rf"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// LimeNET Micro: a Raspberry Pi Compute Module 3 (BCM2837, Cortex-A53,
// booted 64-bit) with a Lime Microsystems LMS7002M transceiver and a MAX10
// FPGA behind an FTDI FT601 USB bridge, a GPS-disciplined 30.72 MHz OCXO
// and a GPS receiver. The CM3 boots like a Raspberry Pi 3: bootcode.bin,
// start.elf and fixup.dat from the FAT partition on the module's eMMC,
// then the gokrazy Raspberry Pi kernel.
//
// The radio is controlled and streamed over USB: the FT601 reaches the
// CM3 through its LAN9514 hub at USB 2.0 speed (boards/rf/lime over
// boards/usbfs), exactly as a LimeSDR Mini on a USB port; the stock
// gateware never exposes the LMS7002M on the CM3's SPI. The OCXO is
// trimmed through the FPGA's DAC and disciplined from the GPS PPS (GPIO4,
// to be confirmed against the schematic) by the clock service. See
// rf.LimeNETMicro.
func init() {
	const kernel = "github.com/gokrazy/kernel.rpi@v0.0.0-20251127164438-9778ec0261de"
	const firmware = "github.com/gokrazy/firmware@v0.0.0-20260522070551-527ce0ed43cf"
	register(&Descriptor{
		Name:        "limenet-micro",
		Description: "LimeNET Micro: Compute Module 3 + LMS7002M",
		Model:       "Raspberry Pi Compute Module 3",
		GOARCH:      "arm64",
		Console:     "ttyAMA0,115200",
		Ethernet:    "eth0",
		Boot:        "rpi",
		Kernel: Blob{
			Source: kernel + ":vmlinuz",
			Name:   "vmlinuz",
			SHA256: "8442e190f08d4bf3b49561d9322d11b464828a375a1be3751968d5947987d1c6",
		},
		DeviceTrees: []Blob{{
			Source: kernel + ":bcm2710-rpi-cm3.dtb",
			Name:   "bcm2710-rpi-cm3.dtb",
			SHA256: "4160bcf3b6339c9a347ae397b3b5474c3fece5e66ce0fe436e53190aeedc5dfe",
		}},
		Firmware: []Blob{
			{Source: firmware + ":bootcode.bin", Name: "bootcode.bin", SHA256: "e8b59fe10a4daa3cd2b127479f40b9856cfe3677154e8f24ae2aa70e3bb7c8eb"},
			{Source: firmware + ":start.elf", Name: "start.elf", SHA256: "55049e2e35d6ddff3e5b93d6cface5cdc6df4e7ab1474af78d1af6ce8db4c9df"},
			{Source: firmware + ":fixup.dat", Name: "fixup.dat", SHA256: "b2d19b8c300b5a4ddbd0fcff3a0f7de61a171046269d8724e74f616058417d4b"},
		},
		Image:              Layout{BootMiB: 128, DataMiB: 256},
		Cmdline:            "panic=10 oops=panic",
		BootDevice:         "/dev/mmcblk0p1", // CM3 eMMC
		DataDevice:         "/dev/mmcblk0p2",
		Watchdog:           "/dev/watchdog", // bcm2835_wdt
		WatchdogTimeoutSec: 15,
		ConfigTxt: `# gsmbox: LimeNET Micro (Compute Module 3) boot configuration
arm_64bit=1
kernel=vmlinuz
initramfs initramfs.cpio followkernel
device_tree=bcm2710-rpi-cm3.dtb
enable_uart=1
dtparam=i2c_arm=on
`,
		// The LMS7002M's reset is the FPGA's (LMS64C LMS7002_RST); the
		// only host line the radio uses is the GPS PPS.
		Pins: map[string]string{
			"gps.pps": rf.LimeNETMicro.Pins.PPS,
		},
		RF: RFChain{
			Frontend: "lime-usb",
			Bands:    []tdma.Band{tdma.GSM850, tdma.GSM900, tdma.DCS1800, tdma.PCS1900},
			// The LMS7002M's own output stage, no external PA.
			MaxPowerDBm: rf.LimeNETMicro.Limits.MaxPowerDBm,
			MinPowerDBm: rf.LimeNETMicro.Limits.DriveDBm - rf.LimeNETMicro.Limits.AttenMaxDB,
			Chain:       rf.LimeNETMicro,
		},
	})
}
