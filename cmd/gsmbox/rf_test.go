package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRFProbeDryRun(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"gsmbox", "rf", "probe", "--chain", "rpi4-hat", "--band", "GSM900", "--arfcn", "62", "--dry-run"},
			[]string{"[ok  ] tx-lo adf4351 SPI0.0", "947.4 MHz (ARFCN 62 GSM900)", "SPI0.0  adf4351   write 00 48 81 88  (R0)", "0 failed"}},
		{[]string{"gsmbox", "rf", "probe", "--board", "limenet-micro", "--dry-run"},
			[]string{
				"[ok  ] usb claim + ft601 reset",
				"usb ep 0x01 out 0100000082030000000000000000000000000000  FT601 #1 flush pipe 0x82",
				"usb ep 0x02 out 0000000000000000  LMS64C GET_INFO",
				"[ok  ] lms64c get_info                    firmware 6, device 17",
				"usb ep 0x02 out 2200010000000000002f  LMS64C LMS7002_RD",
				"002f->3841",
				"[ok  ] SXT tune", "[ok  ] interlock",
				"usb ep 0x02 out 5500010000000000800a0001  LMS64C BRDSPI_WR status=undefined blocks=1 periph=0 000a=0001",
				"[ok  ] timestamp continuity 2s            2170000 samples",
				"lost 0, overruns 0, late 0",
				"[ok  ] stream stop",
				"0 failed"}},
		{[]string{"gsmbox", "rf", "probe", "--board", "rpi4-limesdr", "--band", "DCS1800", "--dry-run", "--stream", "500ms", "--12bit", "--sps", "1"},
			[]string{"limesdr-mini", "[ok  ] lms7002m stream clocks             270.833 kS/s, HBI/HBD ×32", "I12,", "0 failed"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[2:], " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			if err := run(context.Background(), tt.args, &out, &errb); err != nil {
				t.Fatalf("run(%v) = %v\n%s\n%s", tt.args, err, out.String(), errb.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}

func TestRFProbeRefusesUnsupportedBand(t *testing.T) {
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"gsmbox", "rf", "probe", "--board", "rpi4", "--band", "RGSM900", "--dry-run"}, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "does not support") {
		t.Errorf("probe rpi4 on R-GSM900 = %v, want a refusal", err)
	}
}
