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
			[]string{"read  0x002f -> 0x3841", "[ok  ] SXT tune", "[ok  ] interlock", "0 failed"}},
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
