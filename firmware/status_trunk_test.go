package firmware

import (
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/core/trunk"
)

// The status file's trunk lines: the state, the refusal naming the
// trunk and the response, the calls.
func TestTrunkLines(t *testing.T) {
	ls := trunkLines([]trunk.Status{
		{Name: "a", State: "registered", Expires: time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC), Active: 1, CallsOut: 2},
		{Name: "b", State: "failed", Detail: "trunk b: registration refused: 401 Unauthorized"},
	})
	if len(ls) != 2 || !strings.HasPrefix(ls[0], "a registered until 10:00:00, 1 calls now, 2 out") ||
		!strings.Contains(ls[1], "b failed (trunk b: registration refused: 401 Unauthorized)") {
		t.Errorf("trunkLines = %q", ls)
	}
}
