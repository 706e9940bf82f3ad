package lime

import (
	"errors"
	"testing"
)

// Offsets that would put the receiver's DC or images on the bins
// CalibrateTX measures are refused.
func TestLoopbackOptsOffset(t *testing.T) {
	for _, tt := range []struct {
		off float64
		ok  bool
	}{{0, true}, {DefaultLoopbackOffset, true}, {-0.2, true}, {1.0 / 16, false}, {-1.0 / 16, false},
		{1.0 / 32, false}, {-1.0 / 32, false}, {0.001, false}, {0.45, false}} {
		o := LoopbackOpts{Offset: tt.off}
		if err := o.defaults(); (err == nil) != tt.ok || err != nil && !errors.Is(err, ErrConfig) {
			t.Errorf("LoopbackOpts{Offset: %g}.defaults() = %v, want ok %v", tt.off, err, tt.ok)
		}
	}
}
