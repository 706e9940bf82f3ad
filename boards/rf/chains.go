package rf

import (
	"time"

	"periph.io/x/conn/v3/physic"

	"github.com/gsmbox/gsmbox/boards/rf/lms7002m"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// RPi4HAT is the gsmbox RF HAT for the Raspberry Pi 4: two ADF4351
// synthesisers (downlink LO on SPI0 CE0, uplink LO on SPI0 CE1), a PE4302
// step attenuator in serial mode ahead of a 30 dB PA, an INA219 on the PA
// supply, a TMP102 on the PA heat sink, an MCP4725 trimming the 26 MHz
// VCTCXO, a GPS PPS input, and two band-select lines switching four SAW
// duplex filters.
//
// Pins are BCM GPIO numbers. Every output that matters for safety sits on
// a BCM2711 line whose power-on default pull is down (GPIO9..27), and the
// HAT adds a 10 kΩ pull-down on PA_EN, so the PA is off whenever the SoC
// does not actively drive it.
var RPi4HAT = registerChain(&Chain{
	Name:        "rpi4-hat",
	Description: "gsmbox RF HAT: 2×ADF4351, PE4302, 30 dB PA, INA219, TMP102, MCP4725-trimmed 26 MHz VCTCXO, GPS PPS",
	RefClock:    26 * physic.MegaHertz,
	// A counter in the HAT's CPLD counts reference cycles and is latched
	// by the PPS edge; the IQ sample clock is derived from the same
	// reference (26 MHz / 24 = 4 samples per GSM symbol).
	SampleClock: 26 * physic.MegaHertz,
	Parts: []Part{
		{Role: RoleTXLO, Chip: ChipADF4351, Bus: Bus{Kind: BusSPI, Name: "SPI0.0", Speed: 10 * physic.MegaHertz}},
		{Role: RoleRXLO, Chip: ChipADF4351, Bus: Bus{Kind: BusSPI, Name: "SPI0.1", Speed: 10 * physic.MegaHertz}},
		{Role: RoleAttenuator, Chip: ChipPE4302},
		{Role: RolePAMonitor, Chip: ChipINA219, Bus: Bus{Kind: BusI2C, Name: "I2C1", Addr: 0x40, Speed: 400 * physic.KiloHertz}},
		{Role: RoleTemperature, Chip: ChipTMP102, Bus: Bus{Kind: BusI2C, Name: "I2C1", Addr: 0x48, Speed: 400 * physic.KiloHertz}},
		{Role: RoleTrimDAC, Chip: ChipMCP4725, Bus: Bus{Kind: BusI2C, Name: "I2C1", Addr: 0x60, Speed: 400 * physic.KiloHertz}},
	},
	Pins: Pins{
		PAEnable:   "GPIO17",
		TXRX:       "GPIO27",
		LNABypass:  "GPIO22",
		TXLock:     "GPIO23",
		RXLock:     "GPIO24",
		AttenLE:    "GPIO25",
		AttenClock: "GPIO12",
		AttenData:  "GPIO13",
		BandSelect: []string{"GPIO16", "GPIO26"},
		PPS:        "GPIO4",
	},
	Filters: []BandFilter{
		{Band: tdma.GSM850, Code: 0},
		{Band: tdma.GSM900, Code: 1},
		{Band: tdma.DCS1800, Code: 2},
		{Band: tdma.PCS1900, Code: 3},
	},
	Limits: Limits{
		MaxPowerDBm:     27,
		DriveDBm:        0,
		PAGainDB:        30,
		AttenMaxDB:      31.5,
		MaxPACurrent:    1500 * physic.MilliAmpere,
		MaxTemperature:  physic.ZeroCelsius + 85*physic.Celsius,
		ShuntResistance: 100 * physic.MilliOhm,
		RampStepDB:      3,
		RampStepTime:    200 * time.Millisecond,
	},
	// 26 MHz VCTCXO with ±8 ppm pull over 0..Vdd: 16 ppm / 4096 codes.
	Trim: Trim{PPBPerLSB: 16000.0 / 4096, Bits: 12},
})

// LimeNETMicro is the LimeNET Micro's radio. Its LMS7002M and MAX10 FPGA
// sit behind an FTDI FT601 USB bridge that reaches the Compute Module 3
// over USB 2.0 through the module's LAN9514 hub; the stock gateware
// configures the chip only over USB (LMS64C), never over the CM3's SPI,
// so the transceiver and the reference trim are parts on the USB bus. The
// reference is a GPS-disciplined 30.72 MHz OCXO, trimmed through the
// board's DAC (LMS64C ANALOG_VAL_WR channel 0) and disciplined by the
// clock service from the GPS PPS. The LMS7002M's own TX output is the
// final stage (about +10 dBm), so there is no separate PA to switch; the
// interlock keys the transceiver's TX pad instead.
var LimeNETMicro = registerChain(&Chain{
	Name:        "limenet-micro",
	Description: "LimeNET Micro: LMS7002M + MAX10 behind an FT601 on USB (LAN9514), GPS-disciplined 30.72 MHz OCXO, GPS PPS",
	RefClock:    30720 * physic.KiloHertz,
	SampleClock: 30720 * physic.KiloHertz,
	Parts: []Part{
		{Role: RoleTransceiver, Chip: ChipLMS7002M, Bus: Bus{Kind: BusUSB, Name: "lime"}},
		{Role: RoleTrimDAC, Chip: ChipLimeDAC, Bus: Bus{Kind: BusUSB, Name: "lime"}},
		{Role: RoleTemperature, Chip: ChipTMP102, Bus: Bus{Kind: BusI2C, Name: "I2C1", Addr: 0x48, Speed: 400 * physic.KiloHertz}},
	},
	Pins: Pins{
		PPS: "GPIO4",
	},
	Filters: []BandFilter{
		{Band: tdma.GSM850}, {Band: tdma.GSM900}, {Band: tdma.DCS1800}, {Band: tdma.PCS1900},
	},
	Limits: Limits{
		MaxPowerDBm:    10,
		DriveDBm:       10,
		PAGainDB:       0,
		AttenMaxDB:     31, // LMS7002M TXPAD loss range, 1 dB steps
		MaxTemperature: physic.ZeroCelsius + 85*physic.Celsius,
		RampStepDB:     3,
		RampStepTime:   200 * time.Millisecond,
	},
	// OCXO electronic frequency control: an assumed ±1 ppm over the
	// 16-bit DAC's full scale, to be measured at bring-up (docs/rf-bringup.md).
	Trim: Trim{PPBPerLSB: 2000.0 / 65536, Bits: 16},
	// About 89 µs (96 samples at 4 sps), the order osmo-trx uses for this
	// hardware; settled per board type at bring-up.
	DeviceDelay: 89 * time.Microsecond,
	// LNA 15, TIA 3, PGA 0 dB (the bring-up gains): about -35 dBm at the
	// antenna port fills the ADC. An estimate from the chip's gain
	// budget, to be measured with a signal generator at bring-up.
	RXFullScaleDBm: -35,
	// The RX connector reaches LNAL and LNAH (LNAW is not connected),
	// the TX connector TX1_1 and TX1_2, each through an RF switch in
	// FPGA register 0x17. Sources (facts only): LimeSuite
	// src/API/LimeNET_micro.cpp (port names "LNAH", "LNAL", "LNAW_NC";
	// SetRFSwitch's register values per hardware version: from v3
	// bits 10..8 and 1 for RX, 14..12 and 0 for TX; before v3 bits
	// 9..8 / 13..12, BOM 0 with a single position; AutoRFPath: RX
	// below 1.7 GHz on LNAL, else LNAH; TX below 2 GHz on band 2).
	// Assumption (docs/rf-bringup.md, Lime checklist): a BOM-0 board
	// before v3 has one switch position for both, written as 1.
	TXRoutes: []Route{
		{Lo: 10 * physic.MegaHertz, Hi: 2 * physic.GigaHertz, TXBand: lms7002m.TXBand2, Switch: []SwitchSetting{
			{MinHW: 3, Mask: 0x7001, Value: 0x6000}, {MinBOM: 1, Mask: 0x3000, Value: 0x2000}, {Mask: 0x3000, Value: 0x1000}}},
		{Lo: 2 * physic.GigaHertz, Hi: 3800 * physic.MegaHertz, TXBand: lms7002m.TXBand1, Switch: []SwitchSetting{
			{MinHW: 3, Mask: 0x7001, Value: 0x5000}, {Mask: 0x3000, Value: 0x1000}}},
	},
	RXRoutes: []Route{
		{Lo: 10 * physic.MegaHertz, Hi: 1700 * physic.MegaHertz, RXPath: lms7002m.RXLNAL, Switch: []SwitchSetting{
			{MinHW: 3, Mask: 0x0702, Value: 0x0502}, {Mask: 0x0300, Value: 0x0100}}},
		{Lo: 1700 * physic.MegaHertz, Hi: 3800 * physic.MegaHertz, RXPath: lms7002m.RXLNAH, Switch: []SwitchSetting{
			{MinHW: 3, Mask: 0x0702, Value: 0x0602}, {MinBOM: 1, Mask: 0x0300, Value: 0x0200}, {Mask: 0x0300, Value: 0x0100}}},
	},
})

// LimeSDRMini is a LimeSDR Mini v1 on a USB port: the same FT601 + MAX10 +
// LMS7002M host protocol as the LimeNET Micro, with a 40 MHz VCTCXO
// trimmed by the board's DAC and no GPS: the reference is disciplined
// only if a PPS is wired to the host (it is not by default), otherwise
// keying needs a calibrated trim and the operator override.
var LimeSDRMini = registerChain(&Chain{
	Name:        "limesdr-mini",
	Description: "LimeSDR Mini v1 on USB: LMS7002M + MAX10 behind an FT601, DAC-trimmed 40 MHz VCTCXO",
	RefClock:    40 * physic.MegaHertz,
	SampleClock: 40 * physic.MegaHertz,
	Parts: []Part{
		{Role: RoleTransceiver, Chip: ChipLMS7002M, Bus: Bus{Kind: BusUSB, Name: "lime"}},
		{Role: RoleTrimDAC, Chip: ChipLimeDAC, Bus: Bus{Kind: BusUSB, Name: "lime"}},
	},
	Filters: []BandFilter{
		{Band: tdma.GSM850}, {Band: tdma.GSM900}, {Band: tdma.DCS1800}, {Band: tdma.PCS1900},
	},
	Limits: Limits{
		MaxPowerDBm:    10,
		DriveDBm:       10,
		AttenMaxDB:     31,
		MaxTemperature: physic.ZeroCelsius + 85*physic.Celsius,
		RampStepDB:     3,
		RampStepTime:   200 * time.Millisecond,
	},
	// VCTCXO: an assumed ±5 ppm over the 16-bit DAC, to be measured.
	Trim: Trim{PPBPerLSB: 10000.0 / 65536, Bits: 16},
	// As the LimeNET Micro (same FPGA and chip); settled at bring-up.
	DeviceDelay: 89 * time.Microsecond,
	// LNA 15, TIA 3, PGA 0 dB (the bring-up gains): about -35 dBm at the
	// antenna port fills the ADC. An estimate from the chip's gain
	// budget, to be measured with a signal generator at bring-up.
	RXFullScaleDBm: -35,
	// One RX and one TX SMA, each behind an RF switch the FPGA drives
	// (register 0x17): RX bits 9..8 = 2 for LNAW, 1 for LNAH (LNAL is
	// not connected); TX bits 13..12 = 1 for TX1_1 (band 1), 2 for
	// TX1_2 (band 2). Below 1.7 GHz the RX uses LNAW, above LNAH;
	// below 2 GHz the TX uses band 2, above band 1. Sources (facts
	// only): LimeSuite src/API/LimeSDR_mini.cpp (SetRFSwitch,
	// AutoRFPath, port names "LNAH", "LNAL_NC", "LNAW"); the SDRangel
	// issue f4exb/sdrangel#100 ("the RX port can be switched to LNAW or
	// LNAH, the TX port to BAND1 or BAND2 ... via the FPGA").
	TXRoutes: []Route{
		{Lo: 10 * physic.MegaHertz, Hi: 2 * physic.GigaHertz, TXBand: lms7002m.TXBand2, Switch: []SwitchSetting{{Mask: 0x3000, Value: 0x2000}}},
		{Lo: 2 * physic.GigaHertz, Hi: 3800 * physic.MegaHertz, TXBand: lms7002m.TXBand1, Switch: []SwitchSetting{{Mask: 0x3000, Value: 0x1000}}},
	},
	RXRoutes: []Route{
		{Lo: 10 * physic.MegaHertz, Hi: 1700 * physic.MegaHertz, RXPath: lms7002m.RXLNAW, Switch: []SwitchSetting{{Mask: 0x0300, Value: 0x0200}}},
		{Lo: 1700 * physic.MegaHertz, Hi: 3800 * physic.MegaHertz, RXPath: lms7002m.RXLNAH, Switch: []SwitchSetting{{Mask: 0x0300, Value: 0x0100}}},
	},
})
