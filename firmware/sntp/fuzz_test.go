package sntp

import (
	"bytes"
	"testing"
	"time"
)

// FuzzCheck: no reply panics; a decoded packet re-encodes to its bytes.
func FuzzCheck(f *testing.F) {
	b, _, _, _ := reply(nil)
	f.Add(b)
	f.Add(b[:47])
	f.Add(append(b, 1, 2, 3, 4))
	t1 := time.Date(2026, 12, 7, 20, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, b []byte) {
		Check(b, NewTimestamp(t1), t1, t1.Add(time.Second))
		var p Packet
		if p.Unmarshal(b) != nil {
			return
		}
		out := make([]byte, Size)
		p.MarshalTo(out)
		if !bytes.Equal(out, b[:Size]) {
			t.Errorf("re-encoded %x, want %x", out, b[:Size])
		}
	})
}
