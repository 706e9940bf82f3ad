package lapdm

import (
	"bytes"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// FuzzFrame: any block that decodes re-encodes to the same octets (up to
// the fill, which the decoder does not check), in formats A/B/Bter and B4.
func FuzzFrame(f *testing.F) {
	for _, v := range frameVectors {
		b, _ := hexBlock(v.hex)
		f.Add(b, false)
	}
	f.Add([]byte{0x03, 0x03, 0x49, 0x06, 0x1d, 0x00}, true)
	f.Fuzz(func(t *testing.T, b []byte, b4 bool) {
		var fr Frame
		var err error
		if b4 {
			err = fr.UnmarshalB4(b)
		} else {
			err = fr.Unmarshal(b)
		}
		if err != nil {
			return
		}
		out := make([]byte, len(b))
		n, err := fr.MarshalTo(out)
		if err != nil {
			t.Fatalf("MarshalTo(%v) of decoded % x = %v", fr, b, err)
		}
		if n != fr.MarshalSize() || !bytes.Equal(out[:n], b[:n]) {
			t.Fatalf("re-encoded % x, want % x", out[:n], b[:n])
		}
		for _, c := range out[n:] {
			if c != Fill {
				t.Fatalf("fill % x", out[n:])
			}
		}
	})
}

func hexBlock(h string) ([]byte, error) {
	var b []byte
	for i := 0; i+1 < len(h); {
		if h[i] == ' ' {
			i++
			continue
		}
		var v byte
		for _, c := range h[i : i+2] {
			v <<= 4
			switch {
			case c >= '0' && c <= '9':
				v |= byte(c - '0')
			case c >= 'a' && c <= 'f':
				v |= byte(c - 'a' + 10)
			}
		}
		b = append(b, v)
		i += 2
	}
	for len(b) < BlockLen {
		b = append(b, Fill)
	}
	return b, nil
}

// FuzzEntity feeds a network and an MS entity with arbitrary blocks and
// requests, then lets the clock run with no more input: neither may panic,
// and each must end released or established with nothing outstanding,
// never stuck establishing, releasing or in timer recovery.
func FuzzEntity(f *testing.F) {
	f.Add([]byte{0x01, 0x3f, 0x0d, 0x05, 0x24, 0x11}, uint8(0))
	f.Add([]byte{0x03, 0x24, 0x53, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 0x01, 0x73, 0x01}, uint8(1))
	f.Add([]byte{0x0f, 0x3f, 0x01, 0x2b, 0x0f, 0x00, 0x01, 0x0f, 0x53, 0x01, 0x0d, 0x0f, 0x71, 0x01}, uint8(6))
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		chans := []Channel{SDCCH, SACCH, FACCHF, FACCHH}
		ch := chans[int(mode)%len(chans)]
		sapi := uint8(0)
		if ch == SACCH || mode&4 != 0 && ch == SDCCH {
			sapi = 3
		}
		side := Network
		if mode&8 != 0 {
			side = MS
		}
		e, err := NewEntity(Config{Side: side, SAPI: sapi, Channel: ch, T200: 10, N200: 3})
		if err != nil {
			t.Fatal(err)
		}
		if mode&16 != 0 {
			e.Establish(data[:min(len(data), 5)])
		}
		fn := tdma.FN(tdma.HyperFrame - 100) // cross the wrap
		var out [BlockLen]byte
		main := []Channel{SDCCH, FACCHF, FACCHH}[int(mode>>5)%3]
		l, err := NewLink(side, main)
		if err != nil {
			t.Fatal(err)
		}
		if mode&16 != 0 {
			l.Entity(0).Establish(data[:min(len(data), 5)])
			l.Entity(3).Establish(nil)
		}
		for len(data) > 0 {
			n := min(len(data), int(data[0]%BlockLen)+1)
			blk := data[:n]
			data = data[n:]
			var b [BlockLen]byte
			for i := range b {
				b[i] = Fill
			}
			if ch == SACCH {
				copy(b[2:], blk)
			} else {
				copy(b[:], blk)
			}
			switch blk[0] % 7 {
			case 0:
				e.Send(blk)
			case 1:
				e.SendUnitData(blk[:min(len(blk), 5)])
			case 2:
				if blk[0]&0x80 != 0 {
					e.Release()
				}
			}
			e.Tick(fn)
			e.Receive(fn, b[:])
			e.Next(fn, &out)
			l.Tick(fn)
			if blk[0]&1 == 0 {
				l.ReceiveMain(fn, blk)
				l.NextMain(fn, &out)
			} else {
				l.ReceiveSACCH(fn, b[:])
				l.NextSACCH(fn, &out)
			}
			fn = fn.Add(1 + int(blk[0]>>5))
		}
		for range (e.cfg.N200 + 3) * (e.cfg.T200 + 1) {
			e.Tick(fn)
			e.Next(fn, &out)
			fn = fn.Add(1)
		}
		// The link runs with its real timers: let them run out.
		silence := 0
		for _, c := range []Channel{main, SACCH} {
			silence = max(silence, (c.N200()+2)*(c.T200()+1))
		}
		for range silence {
			l.Tick(fn)
			l.NextMain(fn, &out)
			l.NextSACCH(fn, &out)
			fn = fn.Add(1)
		}
		for _, le := range []*Entity{l.Entity(0), l.Entity(3)} {
			if s := le.State(); s != StateIdle && s != StateEstablished {
				t.Fatalf("link SAPI %d State() = %v after silence, want idle or established", le.cfg.SAPI, s)
			}
		}
		switch e.State() {
		case StateIdle:
		case StateEstablished:
			if e.vs != e.va || e.t200On {
				t.Fatalf("established with V(S)=%d V(A)=%d T200 %t after silence", e.vs, e.va, e.t200On)
			}
		default:
			t.Fatalf("State() = %v after silence, want idle or established", e.State())
		}
		if e.Pending() && e.State() == StateIdle && (e.txN > 0 || e.sendI) {
			t.Fatalf("idle with acknowledged data pending")
		}
	})
}
