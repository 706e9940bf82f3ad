package usbredir

import (
	"bufio"
	"context"
	"io"
	"net"
	"testing"
)

// fill is a handler whose IN transfers complete at once, full.
type fill struct{ *echoHandler }

func (fill) Bulk(_ context.Context, ep uint8, buf []byte) (int, error) { return len(buf), nil }

// BenchmarkBulkIn measures the server's IN throughput over TCP loopback
// (as QEMU connects): 16 KiB transfers, 8 in flight, as the Lime stream
// submits its RX URBs. b.SetBytes makes `go test -bench` print MB/s.
func BenchmarkBulkIn(b *testing.B) {
	srv, err := NewServer(testDevice(), fill{newEcho()}, nil)
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		srv.Serve(context.Background(), c)
		c.Close()
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	r := bufio.NewReaderSize(c, 1<<20)
	read := func(ids64 bool) (Header, []byte) {
		hb := make([]byte, headerSize(ids64))
		if _, err := io.ReadFull(r, hb); err != nil {
			b.Fatal(err)
		}
		var h Header
		h.Unmarshal(hb, ids64)
		body := make([]byte, h.Length)
		if _, err := io.ReadFull(r, body); err != nil {
			b.Fatal(err)
		}
		return h, body
	}
	write := func(typ uint32, id uint64, m Msg) {
		p := m.Append(nil, OurCaps)
		if _, err := c.Write(append(Header{Type: typ, Length: uint32(len(p)), ID: id}.Append(nil, typ != TypeHello), p...)); err != nil {
			b.Fatal(err)
		}
	}
	read(false) // hello
	write(TypeHello, 0, NewHello("bench", OurCaps))
	for i := 0; i < 3; i++ {
		read(true)
	}
	write(TypeSetConfiguration, 1, Bytes{1})
	for i := 0; i < 3; i++ {
		read(true)
	}
	const size, inflight = 16384, 8
	b.SetBytes(size)
	b.ResetTimer()
	sent := 0
	for ; sent < inflight && sent < b.N; sent++ {
		write(TypeBulkPacket, uint64(sent+10), &Bulk{Endpoint: 0x83, Length: size})
	}
	for done := 0; done < b.N; done++ {
		if h, body := read(true); h.Type != TypeBulkPacket || len(body) != 10+size {
			b.Fatalf("reply type %d of %d bytes", h.Type, len(body))
		}
		if sent < b.N {
			write(TypeBulkPacket, uint64(sent+10), &Bulk{Endpoint: 0x83, Length: size})
			sent++
		}
	}
}
