package boards

import "testing"

func TestLimeNETMicroDescriptor(t *testing.T) {
	d, err := Lookup("limenet-micro")
	if err != nil {
		t.Fatalf("Lookup(limenet-micro) = %v", err)
	}
	if d.GOARCH != "arm64" || d.Model != "Raspberry Pi Compute Module 3" || d.RF.Chain == nil {
		t.Fatalf("descriptor = %+v", d)
	}
	if err := d.RF.Chain.Validate(); err != nil {
		t.Errorf("RF.Chain.Validate() = %v", err)
	}
	for _, b := range d.RF.Bands {
		if _, ok := d.RF.Chain.Filter(b); !ok {
			t.Errorf("band %v declared but the chain has no path for it", b)
		}
	}
	if d.RF.MaxPowerDBm > d.RF.Chain.Limits.MaxPowerDBm {
		t.Errorf("board max %.1f dBm above the chain's %.1f dBm", d.RF.MaxPowerDBm, d.RF.Chain.Limits.MaxPowerDBm)
	}
	for _, b := range append(d.DeviceTrees, d.Firmware...) {
		if len(b.SHA256) != 64 {
			t.Errorf("blob %s: sha256 %q", b.Name, b.SHA256)
		}
	}
}
