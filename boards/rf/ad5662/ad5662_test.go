package ad5662

import (
	"testing"

	"periph.io/x/conn/v3/conntest"
	"periph.io/x/conn/v3/spi/spitest"
)

func TestSet(t *testing.T) {
	p := &spitest.Playback{Playback: conntest.Playback{DontPanic: true, Ops: []conntest.IO{
		{W: []byte{0x00, 0x80, 0x00}}, // midscale, normal
		{W: []byte{0x00, 0x12, 0x34}},
		{W: []byte{0x03, 0x12, 0x34}}, // three-state
	}}}
	d, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []uint16{0x8000, 0x1234} {
		if err := d.Set(c); err != nil {
			t.Fatalf("Set(0x%04x) = %v", c, err)
		}
	}
	if err := d.SetPowerDown(PDThreeState); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Error(err)
	}
}
