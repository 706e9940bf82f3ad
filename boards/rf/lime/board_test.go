package lime_test

import (
	"errors"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/physic"

	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/boards/rf/lime/limetest"
	"github.com/gsmbox/gsmbox/boards/rf/lms7002m"
	"github.com/gsmbox/gsmbox/boards/usbfs"
)

var update = flag.Bool("update", false, "rewrite golden files")

// trace renders the packets the driver sends and receives, one a line.
func trace(sb *strings.Builder) func(ep uint8, dir string, b []byte) {
	return func(ep uint8, dir string, b []byte) {
		sb.WriteString(lime.Describe(ep, dir, b) + "\n")
	}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := "testdata/" + name
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// TestStartupGolden records the packets of the start-up sequence: claim,
// FT601 reset, GET_INFO, LMS7002M reset, gateware version, the chip ID
// over the SPI adapter, and the FPGA stream start and stop at the GSM
// rate (direct clocking).
func TestStartupGolden(t *testing.T) {
	f := limetest.New(limetest.Config{})
	var sb strings.Builder
	b, err := lime.Open(f, &lime.Opts{Trace: trace(&sb)})
	if err != nil {
		t.Fatal(err)
	}
	if !f.Claimed(0) || !f.Claimed(1) {
		t.Error("interfaces 0 and 1 not claimed")
	}
	info, err := b.Info()
	if err != nil || info.Device != 17 || info.Firmware != 6 {
		t.Fatalf("Info() = %+v, %v", info, err)
	}
	if err := b.LMSReset(lime.ResetPulse); err != nil || f.LMSResets() != 1 {
		t.Fatalf("LMSReset = %v (resets %d)", err, f.LMSResets())
	}
	gw, err := b.Gateware()
	if err != nil || gw.Version != 1 || gw.Revision != 30 {
		t.Fatalf("Gateware() = %+v, %v", gw, err)
	}
	var id [1]uint16
	if err := b.LMSRead([]uint16{lms7002m.RegChipID}, id[:]); err != nil || id[0] != 0x3841 {
		t.Fatalf("chip ID = 0x%04x, %v", id[0], err)
	}
	if err := b.StartStream(lime.StreamSetup{Format: lime.Format16, Rate: 1625e3 / 6 * 4, Transfer: 4 * lime.PacketSize}); err != nil {
		t.Fatal(err)
	}
	if f.FPGA(lime.FPGAStream) != lime.StreamOn || f.FPGA(lime.FPGAChannels) != lime.ChannelA || f.FPGA(lime.FPGADirectClock) != 3 {
		t.Errorf("FPGA after start: stream %d channels %d direct clock %d", f.FPGA(lime.FPGAStream), f.FPGA(lime.FPGAChannels), f.FPGA(lime.FPGADirectClock))
	}
	if err := b.StopStream(); err != nil {
		t.Fatal(err)
	}
	golden(t, "startup.golden", sb.String())
}

// TestLMS7002MOverUSB runs the unchanged SPI driver through the LMS64C
// adapter against the fake's register model.
func TestLMS7002MOverUSB(t *testing.T) {
	f := limetest.New(limetest.Config{})
	b, err := lime.Open(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := lms7002m.New(b.SPI(), &lms7002m.Opts{RefClock: 30720 * physic.KiloHertz, Sleep: func(time.Duration) {}})
	if err != nil {
		t.Fatalf("lms7002m.New over USB = %v", err)
	}
	if _, err := d.Tune(lms7002m.TX, 947400*physic.KiloHertz); err != nil {
		t.Fatalf("Tune(TX) = %v", err)
	}
	if ok, err := d.Locked(lms7002m.TX); !ok || err != nil {
		t.Errorf("Locked(TX) = %v, %v", ok, err)
	}
	if f.Chip.Reg(lms7002m.RegTRF)&2 == 0 {
		t.Error("TX pad not powered down after New")
	}
	if f.Stats().Ctrl < 20 {
		t.Errorf("only %d control packets for a bring-up", f.Stats().Ctrl)
	}
}

func TestBusyAndStatus(t *testing.T) {
	f := limetest.New(limetest.Config{})
	f.SetBusy(true)
	_, err := lime.Open(f, nil)
	if !errors.Is(err, usbfs.ErrBusy) {
		t.Fatalf("Open(busy) = %v, want usbfs.ErrBusy", err)
	}
	f.SetBusy(false)
	b, err := lime.Open(f, nil)
	if err != nil {
		t.Fatalf("Open after the other owner let go = %v", err)
	}
	f.FailNext(lime.CmdFPGAWrite, lime.StatusBusy)
	err = b.FPGAWrite(lime.Reg{Addr: lime.FPGAStream, Val: 0})
	var se *lime.StatusError
	if !errors.As(err, &se) || se.Status != lime.StatusBusy {
		t.Errorf("FPGAWrite on a busy FPGA = %v, want StatusError busy", err)
	}
	if err := b.FPGAWrite(lime.Reg{Addr: lime.FPGAStream, Val: 0}); err != nil {
		t.Errorf("retry = %v", err)
	}
	f.Unplug()
	if _, err := b.Info(); !errors.Is(err, usbfs.ErrUnplugged) || !lime.IsGone(err) {
		t.Errorf("Info() after unplug = %v, want ErrUnplugged", err)
	}
}
