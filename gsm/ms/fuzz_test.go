package ms_test

import (
	"testing"

	"github.com/gsmbox/gsmbox/gsm/ms"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// FuzzPhone feeds a phone hostile downlink: bursts of any kind with any
// soft bits on any slot and frame, first from power-on and, when the
// first byte is odd, after camping on a real cell. The phone must never
// panic, and Listen and Frame must keep working.
func FuzzPhone(f *testing.F) {
	f.Add([]byte{0})
	f.Add([]byte{1, 3, 0, 0x80, 0x7f})
	f.Add([]byte{0, 2, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
	f.Add(append([]byte{1, 4, 0}, make([]byte, 200)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		var p *ms.Phone
		var fn tdma.FN
		if data[0]&1 == 1 {
			l := newLoop(t, newCell(t, nil), 1, 5000)
			for range 51 * 3 {
				l.step()
			}
			p = l.phones[0]
			fn = l.fn.Add(-l.origin[0])
		} else {
			var err error
			p, err = newPhone("001010000000001", 1)
			if err != nil {
				t.Fatal(err)
			}
			p.PowerOn()
		}
		data = data[1:]
		var plan ms.Plan
		var out [tdma.Slots]tdma.TxBurst
		var rb tdma.RxBurst
		for len(data) >= 3 {
			p.Listen(fn, &plan)
			rb = tdma.RxBurst{FN: fn.Add(int(int8(data[1])) / 64), TN: tdma.TN(data[2] & 15), Kind: tdma.BurstKind(data[0] % 7), RSSI: -float32(data[0])}
			data = data[3:]
			n := copy(rb.Soft[:], []int8(unsafeInt8(data)))
			// Repeat what is left over the rest of the burst.
			for i := n; n > 0 && i < len(rb.Soft); i++ {
				rb.Soft[i] = rb.Soft[i%n]
			}
			data = data[min(len(data), 37):]
			p.Receive(&rb)
			p.Receive(nil)
			p.Frame(fn.Add(2), &out)
			fn = fn.Add(1)
		}
	})
}

func unsafeInt8(b []byte) []int8 {
	s := make([]int8, len(b))
	for i, v := range b {
		s[i] = int8(v)
	}
	return s
}
