package rtp

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// FuzzUnmarshal: no panic; a packet that decodes re-encodes to the same
// bytes, except the padding octets before the count, which we write as 0.
func FuzzUnmarshal(f *testing.F) {
	for _, tt := range packetTests {
		f.Add(unhex(tt.wire))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var p Packet
		if err := p.Unmarshal(b); err != nil {
			return
		}
		out, err := p.Marshal()
		if err != nil {
			t.Fatalf("Marshal(Unmarshal(%x)) = %v", b, err)
		}
		if len(out) != len(b) {
			t.Fatalf("Marshal(Unmarshal(%x)) = %x: length %d, want %d", b, out, len(out), len(b))
		}
		end := len(b) - int(p.PaddingSize)
		if !bytes.Equal(out[:end], b[:end]) || (p.PaddingSize > 0 && out[len(out)-1] != b[len(b)-1]) {
			t.Fatalf("Marshal(Unmarshal(%x)) = %x", b, out)
		}
		var h Header
		n, err := h.Unmarshal(b)
		if err != nil || n != p.Header.MarshalSize() {
			t.Fatalf("Header.Unmarshal(%x) = %d, %v, want %d", b, n, err, p.Header.MarshalSize())
		}
	})
}

// FuzzDepacketizer drives a depacketizer with a stream built from the
// fuzz input (each 4 bytes: sequence step, SSRC choice, timestamp step)
// and checks the statistics stay consistent.
func FuzzDepacketizer(f *testing.F) {
	f.Add([]byte{1, 0, 1, 0, 1, 0, 1, 0, 2, 0, 1, 0, 0xff, 0xff, 0, 0})
	f.Add(bytes.Repeat([]byte{1, 0, 1, 0}, 20))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, _ := NewDepacketizer(PTGSM)
		var seq uint16
		var ts uint32
		buf := make([]byte, 100)
		payload := make([]byte, 33)
		var played uint64
		for len(b) >= 4 {
			seq += binary.BigEndian.Uint16(b)
			ssrc := uint32(b[2] & 1)
			ts += uint32(b[3]) * 160
			b = b[4:]
			p := Packet{Header: Header{PayloadType: PTGSM, SequenceNumber: seq, Timestamp: ts, SSRC: ssrc}, Payload: payload}
			n, err := p.MarshalTo(buf)
			if err != nil {
				t.Fatal(err)
			}
			r, pl, err := d.Push(buf[:n], ts)
			if err != nil {
				t.Fatalf("Push = %v", err)
			}
			if r.Status.Playable() {
				played++
				if len(pl) != 33 || r.Samples != 160 {
					t.Fatalf("Push: playable payload %d bytes, %d samples", len(pl), r.Samples)
				}
			}
			if r.Status == Gap && (r.Lost < 1 || r.Lost >= MaxDropout) {
				t.Fatalf("Push: gap with Lost %d", r.Lost)
			}
		}
		st := d.Stats()
		if st.Received < st.Late+st.Duplicates {
			t.Fatalf("Stats() = %+v: late+duplicates exceed received", st)
		}
	})
}

// FuzzTelephoneEvent: a decoded event re-encodes to the same bytes with
// the reserved R bit cleared.
func FuzzTelephoneEvent(f *testing.F) {
	f.Add([]byte{0x0b, 0x0a, 0x03, 0x20})
	f.Add([]byte{0x05, 0xca, 0x06, 0x40})
	f.Fuzz(func(t *testing.T, b []byte) {
		var e TelephoneEvent
		if err := e.Unmarshal(b); err != nil {
			if len(b) >= TelephoneEventSize {
				t.Fatalf("Unmarshal(%x) = %v", b, err)
			}
			return
		}
		var out [TelephoneEventSize]byte
		if _, err := e.MarshalTo(out[:]); err != nil {
			t.Fatalf("MarshalTo(Unmarshal(%x)) = %v", b, err)
		}
		want := [TelephoneEventSize]byte{b[0], b[1] &^ 0x40, b[2], b[3]}
		if out != want {
			t.Fatalf("MarshalTo(Unmarshal(%x)) = %x, want %x", b, out, want)
		}
	})
}
