// Package rf brings up and guards a board's RF front end.
//
//   - Chain describes a front end as data: chips by role and bus, GPIO
//     lines by function, band filters, PA limits, the reference trim.
//     RPi4HAT, LimeNETMicro and LimeSDRMini are the chains this tree
//     knows; LookupChain finds them by name. Parts on BusUSB (the Lime
//     boards' LMS7002M and reference DAC) are reached through an Opener
//     that is also a LimeOpener (boards/rf/lime over boards/usbfs).
//   - Guard is the safety interlock every TX path goes through. It keeps
//     the carrier inside the configured band's downlink range (3GPP TS
//     45.005 §2) and the power under the board's maximum, keys the PA only
//     after PLL lock and clock discipline (or an operator override),
//     ramps power up in steps, trips the PA off on PLL unlock,
//     over-temperature, over-current, sensor failure, loss of the
//     disciplined clock, an unhealthy sample stream (SetStreamOK, for
//     USB radios) and shutdown, and reports counters and the last trip in
//     Status. SafeState is the supervisor's last act.
//   - ClockService runs the reference discipline (boards/rf/discipline)
//     from GPS PPS (boards/rf/gpspps) and tells the Guard when the
//     carrier may be trusted to 0.05 ppm (TS 45.010 §5.1).
//   - Open brings a chain up step by step through an Opener (periph's
//     registries on a board, boards/rf/rfhost; rftest.DryRun for a dry
//     run) and returns a Frontend; `gsmbox rf probe` prints its steps.
//
// Chip drivers live in boards/rf/<chip> in periph.io style (adf4351,
// lms7002m, pe4302, ina219, tmp102, mcp4725, ad5662; lime for the USB
// boards); they know nothing of each other or of this package.
//
// Watchdog-safe defaults: the hardware, not this code, is the last line.
// Every safety output is wired so that an undriven line is safe (PA enable
// active high with a pull-down, antenna switch resting on RX, attenuator
// latch idle low); see Pins and docs/rf-bringup.md.
//
// Place in the dependency order: platform layer. Imports gsm/tdma,
// periph's conn (interfaces, never its host drivers: boards/rf/rfhost
// initialises those and opens USB radios), boards/usbfs and
// boards/rf/lime; imported by boards, firmware and cmd/gsmbox.
package rf
