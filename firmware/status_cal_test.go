package firmware

import (
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/firmware/node"
)

// The status file carries the bring-up's TX calibration: the figures
// when it worked, the failure and the neutral correctors when not.
func TestRadioLinesTXCal(t *testing.T) {
	for _, tt := range []struct {
		cal  *node.TXCalStatus
		want string
	}{
		{&node.TXCalStatus{OK: true, ARFCN: 62, LeakBeforeDBc: -14.1, LeakAfterDBc: -58.2, ImageBeforeDBc: -25.8, ImageAfterDBc: -74.5, DCI: -61, DCQ: 39, Exchanges: 21, TookMS: 180},
			"tx cal:      ARFCN 62: TX leakage -14.1 → -58.2 dBc, image -25.8 → -74.5 dBc (DC -61/39, 21 exchanges, 180 ms)"},
		{&node.TXCalStatus{Error: "lms7002m: no signal through the TX loopback", Exchanges: 1},
			"tx cal:      FAILED, neutral correctors loaded: lms7002m: no signal through the TX loopback"},
	} {
		lines := radioLines(&node.RadioSnapshot{Frontend: "lime-usb", Chain: "limesdr-mini", Up: true, Cal: tt.cal})
		if got := strings.Join(lines, "\n"); !strings.Contains(got+"\n", tt.want+"\n") {
			t.Errorf("radioLines() =\n%s\nwant a line %q", got, tt.want)
		}
	}
}
