// Package leds shows the appliance's state on status LEDs driven through
// periph.io GPIO: named patterns (booting, on air, error, USB applying /
// applied / rejected) played by a Player service in injected time, so the
// exact blink timing is tested with gpiotest.Pin and a fake clock. Boards
// without LEDs (qemu-arm64) get the pattern changes as log lines instead.
//
// Place in the dependency order: platform (firmware/); imports periph.io's
// gpio and firmware/clock.
package leds
