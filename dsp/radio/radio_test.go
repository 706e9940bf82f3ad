package radio_test

import (
	"context"
	"testing"

	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/dsp/radio/radiotest"
)

func TestPumpAndFake(t *testing.T) {
	src := radiotest.New(radio.SampleRate4)
	src.RX = func(dst []complex64, ts radio.Timestamp) {
		for i := range dst {
			dst[i] = complex(float32(ts)+float32(i), 0)
		}
		if ts >= 300 {
			src.ReadErr = radio.ErrClosed // ends the pump on the next read
		}
	}
	dst := radiotest.New(radio.SampleRate4)
	if err := radio.Pump(context.Background(), dst, src, 100, 100); err != nil {
		t.Fatalf("Pump = %v", err)
	}
	tx := dst.TX(100, 300)
	for i, v := range tx {
		if v != complex(float32(100+i), 0) {
			t.Fatalf("pumped sample %d = %v, want %d", i, v, 100+i)
		}
	}
	if got := src.Reads(); len(got) != 3 || got[2] != 300 {
		t.Errorf("reads = %v, want [100 200 300]", got)
	}
	if _, f, _ := dst.Write(make([]complex64, 10), 350); f != radio.Underrun {
		t.Errorf("late write flags = %v, want underrun", f)
	}
	if err := radio.Pump(context.Background(), dst, src, 0, 0); err == nil {
		t.Error("Pump with block 0 succeeded")
	}
	if s := (radio.Underrun | radio.Overrun).String(); s != "underrun|overrun" {
		t.Errorf("Flags.String() = %q", s)
	}
}
