package main

import (
	"bytes"
	"context"
	"os"
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
				"[ok  ] SXT tune", "path BAND2 (TX1_2), RF switch FPGA 0x17 = 0x6000", "path LNAL, RF switch FPGA 0x17 = 0x6502", "[ok  ] interlock",
				"usb ep 0x02 out 5500010000000000800a0001  LMS64C BRDSPI_WR status=undefined blocks=1 periph=0 000a=0001",
				"[ok  ] timestamp continuity 2s            2170000 samples",
				"lost 0, overruns 0, late 0",
				"[ok  ] stream stop",
				"[ok  ] tx calibration (loopback)",
				"0 failed"}},
		{[]string{"gsmbox", "rf", "probe", "--board", "rpi4-limesdr", "--band", "DCS1800", "--dry-run", "--stream", "500ms", "--12bit", "--sps", "1"},
			[]string{"limesdr-mini", "[ok  ] lms7002m stream clocks             270.833 kS/s, HBI/HBD ×32", "I12,", "0 failed",
				// The Mini's DCS1800 routes: TX1_2, and LNAH behind the
				// FPGA's RF switch (register 0x17).
				"path BAND2 (TX1_2), RF switch FPGA 0x17 = 0x2000", "path LNAH, RF switch FPGA 0x17 = 0x2100"}},
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

func TestRFCaptureDryRun(t *testing.T) {
	out := t.TempDir() + "/x.cfile"
	var stdout, stderr bytes.Buffer
	args := []string{"gsmbox", "rf", "capture", "--board", "rpi4-limesdr", "--band", "GSM900", "--arfcn", "62", "--seconds", "200ms", "--out", out, "--dry-run"}
	if err := run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("rf capture = %v\n%s", err, stderr.String())
	}
	for _, w := range []string{"captured ARFCN 62 GSM900 downlink 947.4 MHz", "mean power -6.0 dBFS", "0 RX packets lost", "grgsm_decode -c " + out + " -s 1083333.333 -a 62"} {
		if !strings.Contains(stdout.String(), w) {
			t.Errorf("output lacks %q:\n%s", w, stdout.String())
		}
	}
	st, err := os.Stat(out)
	// 200 ms at 1083333.33 S/s rounded up to whole 5000-sample frames, 8 bytes a sample.
	if err != nil || st.Size() != 220000*8 {
		t.Errorf("capture file: %v, %d bytes, want %d", err, st.Size(), 220000*8)
	}
}

func TestRFScanDryRun(t *testing.T) {
	var stdout, stderr bytes.Buffer
	args := []string{"gsmbox", "rf", "scan", "--board", "limenet-micro", "--band", "DCS1800", "--dry-run", "--sim-carriers", "600:-30,700:-45,701:-60"}
	if err := run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("rf scan = %v\n%s", err, stderr.String())
	}
	o := stdout.String()
	i600, i700, i701 := strings.Index(o, "ARFCN  600"), strings.Index(o, "ARFCN  700"), strings.Index(o, "ARFCN  701")
	if !strings.Contains(o, "374 channels") || i600 < 0 || i700 < i600 || i701 < i700 || !strings.Contains(o, "-30.0 dBFS") || !strings.Contains(o, "-60.0 dBFS") {
		t.Errorf("scan output does not rank 600 > 700 > 701 at their levels:\n%s", o)
	}
}

// The scan decodes the GSM cells on the air: BSIC from the SCH, PLMN and
// LAC from SI3; a CW carrier is power only; the choice avoids them.
func TestRFScanDecodesCells(t *testing.T) {
	var stdout, stderr bytes.Buffer
	args := []string{"gsmbox", "rf", "scan", "--board", "rpi4-limesdr", "--band", "GSM900", "--dry-run",
		"--sim-cells", "20:-30:29:262-01:4711,45:-40:10:208-10:12", "--sim-carriers", "80:-35"}
	if err := run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("rf scan = %v\n%s", err, stderr.String())
	}
	o := stdout.String()
	t.Log(o)
	for _, w := range []string{"GSM cells decoded: 2", "ARFCN 20: BSIC 29 (NCC 3 BCC 5), PLMN 262-01, LAC 4711", "ARFCN 45: BSIC 10 (NCC 1 BCC 2), PLMN 208-10, LAC 12",
		"choice for arfcn = \"auto\": ARFCN "} {
		if !strings.Contains(o, w) {
			t.Errorf("output lacks %q", w)
		}
	}
}
