package usbredir

import (
	"bytes"
	"testing"
)

// FuzzDecode runs the server's packet decoder over a guest's byte stream
// (headers and bodies, under the capabilities in caps): it must never
// panic, and every body it accepts must re-encode to the same bytes.
func FuzzDecode(f *testing.F) {
	seed := func(ids64 bool, typ uint32, m Msg, c Caps) []byte {
		b := m.Append(nil, c)
		return append(Header{Type: typ, Length: uint32(len(b)), ID: 5}.Append(nil, ids64), b...)
	}
	f.Add(uint32(0), seed(false, TypeHello, NewHello("qemu usb-redir guest 7.2", OurCaps), 0))
	f.Add(uint32(OurCaps), seed(true, TypeControlPacket, &Control{RequestType: 0x80, Request: 6, Value: 0x100, Length: 18}, OurCaps))
	f.Add(uint32(OurCaps), seed(true, TypeControlPacket, &Control{RequestType: 0x40, Request: 1, Length: 2, Data: []byte{1, 2}}, OurCaps))
	f.Add(uint32(OurCaps), seed(true, TypeBulkPacket, &Bulk{Endpoint: 0x83, Length: 16384}, OurCaps))
	f.Add(uint32(0), seed(false, TypeBulkPacket, &Bulk{Endpoint: 0x02, Length: 3, Data: []byte{1, 2, 3}}, 0))
	f.Add(uint32(0), seed(false, TypeSetConfiguration, Bytes{1}, 0))
	f.Add(uint32(0), seed(false, TypeFilterFilter, Filter("-1,-1,-1,-1,1\x00"), 0))
	f.Fuzz(func(t *testing.T, caps uint32, stream []byte) {
		c := Caps(caps)
		ids64 := c&Cap64BitIDs != 0
		for len(stream) > 0 {
			var h Header
			if err := h.Unmarshal(stream, ids64); err != nil {
				return
			}
			stream = stream[headerSize(ids64):]
			if int(h.Length) > len(stream) {
				return
			}
			body := stream[:h.Length]
			stream = stream[h.Length:]
			m, err := Decode(h.Type, body, c)
			if err != nil {
				continue
			}
			if got := m.Append(nil, c); !bytes.Equal(got, body) {
				t.Fatalf("type %d: decoded % x, re-encoded % x", h.Type, body, got)
			}
		}
	})
}
