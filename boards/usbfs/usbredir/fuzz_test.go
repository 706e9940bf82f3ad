package usbredir

import (
	"bytes"
	"context"
	"io"
	"net"
	"testing"
	"time"
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

// FuzzServe feeds a guest's byte stream, after a valid hello, to a
// running Server: whatever the bytes, Serve returns (an error or nil)
// once the stream ends, and never panics.
func FuzzServe(f *testing.F) {
	pkt := func(typ uint32, id uint64, m Msg) []byte {
		b := m.Append(nil, OurCaps)
		return append(Header{Type: typ, Length: uint32(len(b)), ID: id}.Append(nil, true), b...)
	}
	f.Add(pkt(TypeSetConfiguration, 1, Bytes{1}))
	f.Add(append(pkt(TypeSetConfiguration, 1, Bytes{1}), pkt(TypeBulkPacket, 2, &Bulk{Endpoint: 0x02, Length: 2, Data: []byte{1, 2}})...))
	f.Add(append(pkt(TypeControlPacket, 3, &Control{RequestType: 0x80, Request: 6, Value: 0x200, Length: 255}), pkt(TypeCancelDataPacket, 3, Bytes{})...))
	f.Add(pkt(TypeStartBulkReceiving, 4, Bytes(make([]byte, 10))))
	f.Fuzz(func(t *testing.T, stream []byte) {
		srv, err := NewServer(testDevice(), newEcho(), nil)
		if err != nil {
			t.Fatal(err)
		}
		a, b := net.Pipe()
		done := make(chan error, 1)
		go func() { done <- srv.Serve(context.Background(), a) }()
		go io.Copy(io.Discard, b)
		hello := NewHello("fuzz", OurCaps).Append(nil, 0)
		b.Write(append(Header{Type: TypeHello, Length: uint32(len(hello))}.Append(nil, false), hello...))
		b.Write(stream)
		b.Close()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("Serve did not return after the stream ended")
		}
	})
}
