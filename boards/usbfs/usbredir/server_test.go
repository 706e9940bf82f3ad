package usbredir

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// testDevice is an FT601-shaped device: interface 0 with 0x01 OUT,
// interface 1 with 0x02/0x82 and 0x03/0x83, all bulk, 512 bytes.
func testDevice() *Device {
	bulk := func(a uint8) Endpoint { return Endpoint{Address: a, Type: XferBulk, MaxPacket: 512} }
	return &Device{Speed: SpeedHigh, Vendor: 0x0403, Product: 0x601F, DeviceVersion: 0x0100,
		Manufacturer: "gsmbox", ProductName: "test", Serial: "0001", MaxPowerMA: 500,
		Interfaces: []Interface{
			{Number: 0, Class: 0xff, Endpoints: []Endpoint{bulk(0x01)}},
			{Number: 1, Class: 0xff, Endpoints: []Endpoint{bulk(0x02), bulk(0x82), bulk(0x03), bulk(0x83)}},
		}}
}

// echoHandler: OUT data on endpoint k is queued for IN endpoint k|0x80;
// 0x83 blocks until data or cancel; vendor request 0x42 IN returns its
// wValue, OUT records its data.
type echoHandler struct {
	mu     sync.Mutex
	cond   *sync.Cond
	q      map[uint8][][]byte
	vendor [][]byte
	resets int
}

func newEcho() *echoHandler {
	h := &echoHandler{q: map[uint8][][]byte{}}
	h.cond = sync.NewCond(&h.mu)
	return h
}

func (h *echoHandler) Control(s Setup, data []byte) ([]byte, error) {
	if s.RequestType&0x60 != 0x40 || s.Request != 0x42 {
		return nil, ErrStall
	}
	if s.In() {
		return []byte{byte(s.Value), byte(s.Value >> 8)}, nil
	}
	h.mu.Lock()
	h.vendor = append(h.vendor, append([]byte(nil), data...))
	h.mu.Unlock()
	return nil, nil
}

func (h *echoHandler) Bulk(ctx context.Context, ep uint8, buf []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if ep&0x80 == 0 {
		h.q[ep|0x80] = append(h.q[ep|0x80], append([]byte(nil), buf...))
		h.cond.Broadcast()
		return len(buf), nil
	}
	stop := context.AfterFunc(ctx, func() { h.mu.Lock(); h.cond.Broadcast(); h.mu.Unlock() })
	defer stop()
	for len(h.q[ep]) == 0 {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		h.cond.Wait()
	}
	n := copy(buf, h.q[ep][0])
	h.q[ep] = h.q[ep][1:]
	return n, nil
}

func (h *echoHandler) Reset() { h.mu.Lock(); h.resets++; h.mu.Unlock() }

// guest is a minimal usb-guest for the tests.
type guest struct {
	t     *testing.T
	c     net.Conn
	ids64 bool
	caps  Caps
}

func (g *guest) write(typ uint32, id uint64, body []byte) {
	g.t.Helper()
	b := Header{Type: typ, Length: uint32(len(body)), ID: id}.Append(nil, g.ids64)
	if _, err := g.c.Write(append(b, body...)); err != nil {
		g.t.Fatalf("guest write: %v", err)
	}
}

func (g *guest) read() (Header, []byte) {
	g.t.Helper()
	g.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	hb := make([]byte, headerSize(g.ids64))
	if _, err := io.ReadFull(g.c, hb); err != nil {
		g.t.Fatalf("guest read: %v", err)
	}
	var h Header
	if err := h.Unmarshal(hb, g.ids64); err != nil {
		g.t.Fatal(err)
	}
	b := make([]byte, h.Length)
	if _, err := io.ReadFull(g.c, b); err != nil {
		g.t.Fatalf("guest read body: %v", err)
	}
	return h, b
}

func (g *guest) expect(typ uint32) []byte {
	g.t.Helper()
	h, b := g.read()
	if h.Type != typ {
		g.t.Fatalf("got packet type %d (%d bytes), want %d", h.Type, len(b), typ)
	}
	return b
}

// start runs a server on one end of a pipe and does the hello.
func start(t *testing.T, caps Caps, h Handler) (*guest, *Server, chan error) {
	t.Helper()
	srv, err := NewServer(testDevice(), h, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, b := net.Pipe()
	done := make(chan error, 1)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { done <- srv.Serve(ctx, a) }()
	t.Cleanup(func() {
		cancel()
		b.Close()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("Serve did not return")
		}
	})
	g := &guest{t: t, c: b}
	hello := g.expect(TypeHello)
	if len(hello) != 68 || !bytes.HasPrefix(hello, []byte(Version+"\x00")) || Caps(binary.LittleEndian.Uint32(hello[64:])) != OurCaps {
		t.Fatalf("server hello = %q", hello)
	}
	g.write(TypeHello, 0, NewHello("test guest", caps).Append(nil, 0))
	g.caps = caps & OurCaps
	g.ids64 = g.caps&Cap64BitIDs != 0
	return g, srv, done
}

func TestHelloAndConnect(t *testing.T) {
	for _, tc := range []struct {
		name              string
		caps              Caps
		epInfo, connect   int
		bulkHdr, hdrBytes int
	}{
		{"all caps", OurCaps | CapBulkReceiving, 32*3 + 64, 10, 10, 16},
		{"no caps", 0, 32 * 3, 8, 8, 12},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, srv, _ := start(t, tc.caps, newEcho())
			ep := g.expect(TypeEPInfo)
			if len(ep) != tc.epInfo {
				t.Errorf("ep_info of %d bytes, want %d", len(ep), tc.epInfo)
			}
			// Unconfigured: only endpoint 0, control, both directions.
			if ep[0] != XferControl || ep[16] != XferControl || ep[1] != 255 || ep[16+3] != 255 {
				t.Errorf("ep_info types = % x", ep[:32])
			}
			if ii := g.expect(TypeInterfaceInfo); len(ii) != 4+4*32 || binary.LittleEndian.Uint32(ii) != 0 {
				t.Errorf("interface_info = % x", ii[:8])
			}
			dc := g.expect(TypeDeviceConnect)
			if len(dc) != tc.connect || dc[0] != uint8(SpeedHigh) || binary.LittleEndian.Uint16(dc[4:]) != 0x0403 || binary.LittleEndian.Uint16(dc[6:]) != 0x601F {
				t.Errorf("device_connect = % x", dc)
			}
			if v, c := srv.Guest(); v != "test guest" || c != tc.caps {
				t.Errorf("Guest() = %q, %#x", v, c)
			}
			// set_configuration 1: ep_info and interface_info first, then the status.
			g.write(TypeSetConfiguration, 7, []byte{1})
			ep = g.expect(TypeEPInfo)
			if ep[epIndex(0x83)] != XferBulk || ep[32+32+epIndex(0x83)] != 1 || ep[epIndex(0x01)] != XferBulk || ep[64+epIndex(0x01)] != 0 {
				t.Errorf("configured ep_info = % x", ep[:96])
			}
			if tc.caps&CapEPInfoMaxPacketSize != 0 && binary.LittleEndian.Uint16(ep[96+2*epIndex(0x82):]) != 512 {
				t.Errorf("max packet of 0x82 = % x", ep[96:])
			}
			ii := g.expect(TypeInterfaceInfo)
			if binary.LittleEndian.Uint32(ii) != 2 || ii[4+1] != 1 || ii[4+32] != 0xff {
				t.Errorf("configured interface_info = % x", ii[:40])
			}
			h, st := g.read()
			if h.Type != TypeConfigurationStatus || h.ID != 7 || !bytes.Equal(st, []byte{0, 1}) {
				t.Errorf("configuration_status = %d id %d % x", h.Type, h.ID, st)
			}
		})
	}
}

// configured returns a guest past set_configuration 1.
func configured(t *testing.T, h Handler) (*guest, *Server, chan error) {
	g, srv, done := start(t, OurCaps, h)
	g.expect(TypeEPInfo)
	g.expect(TypeInterfaceInfo)
	g.expect(TypeDeviceConnect)
	g.write(TypeSetConfiguration, 1, []byte{1})
	g.expect(TypeEPInfo)
	g.expect(TypeInterfaceInfo)
	g.expect(TypeConfigurationStatus)
	return g, srv, done
}

func ctrl(g *guest, id uint64, rt, req uint8, val, idx, n uint16, data []byte) *Control {
	g.t.Helper()
	c := &Control{RequestType: rt, Request: req, Value: val, Index: idx, Length: n, Data: data}
	g.write(TypeControlPacket, id, c.Append(nil, 0))
	h, b := g.read()
	if h.Type != TypeControlPacket || h.ID != id || len(b) < controlHdr {
		g.t.Fatalf("control reply type %d id %d (%d bytes), want id %d", h.Type, h.ID, len(b), id)
	}
	rep := &Control{}
	rep.Endpoint, rep.Request, rep.RequestType, rep.Status = b[0], b[1], b[2], Status(b[3])
	rep.Value, rep.Index, rep.Length = binary.LittleEndian.Uint16(b[4:]), binary.LittleEndian.Uint16(b[6:]), binary.LittleEndian.Uint16(b[8:])
	rep.Data = b[controlHdr:]
	if int(rep.Length) != len(rep.Data) && rep.RequestType&0x80 != 0 {
		g.t.Errorf("control reply length %d with %d data bytes", rep.Length, len(rep.Data))
	}
	return rep
}

// TestControl: the standard requests a kernel's enumeration sends, from
// the descriptors (checked field by field against USB 2.0 §9.6, not
// against the encoder), and vendor requests through the Handler.
func TestControl(t *testing.T) {
	h := newEcho()
	g, _, _ := configured(t, h)
	d := ctrl(g, 10, 0x80, reqGetDescriptor, 0x0100, 0, 64, nil)
	want := []byte{18, 1, 0x00, 0x02, 0, 0, 0, 64, 0x03, 0x04, 0x1F, 0x60, 0x00, 0x01, 1, 2, 3, 1}
	if d.Status != StatusSuccess || !bytes.Equal(d.Data, want) {
		t.Errorf("device descriptor = %v % x, want % x", d.Status, d.Data, want)
	}
	// The first 9 bytes, then all: wTotalLength = 9 + 2×9 + 5×7 = 62.
	c := ctrl(g, 11, 0x80, reqGetDescriptor, 0x0200, 0, 9, nil)
	if len(c.Data) != 9 || binary.LittleEndian.Uint16(c.Data[2:]) != 62 || c.Data[4] != 2 || c.Data[5] != 1 || c.Data[8] != 250 {
		t.Errorf("config descriptor head = % x", c.Data)
	}
	c = ctrl(g, 12, 0x80, reqGetDescriptor, 0x0200, 0, 62, nil)
	if len(c.Data) != 62 || c.Data[9+2] != 0 || c.Data[9+4] != 1 || c.Data[18] != 7 || c.Data[18+2] != 0x01 || c.Data[18+3] != XferBulk ||
		binary.LittleEndian.Uint16(c.Data[18+4:]) != 512 || c.Data[25+2] != 1 || c.Data[62-7+2] != 0x83 {
		t.Errorf("config descriptor = % x", c.Data)
	}
	if s := ctrl(g, 13, 0x80, reqGetDescriptor, 0x0300, 0x0409, 255, nil); !bytes.Equal(s.Data, []byte{4, 3, 0x09, 0x04}) {
		t.Errorf("string 0 = % x", s.Data)
	}
	if s := ctrl(g, 14, 0x80, reqGetDescriptor, 0x0301, 0x0409, 255, nil); !bytes.Equal(s.Data, []byte{14, 3, 'g', 0, 's', 0, 'm', 0, 'b', 0, 'o', 0, 'x', 0}) {
		t.Errorf("string 1 = % x", s.Data)
	}
	for _, v := range []uint16{0x0304, 0x0600, 0x0f00, 0x0201} { // no string 4, no qualifier, no BOS, one config
		if s := ctrl(g, 15, 0x80, reqGetDescriptor, v, 0, 255, nil); s.Status != StatusStall || len(s.Data) != 0 {
			t.Errorf("GET_DESCRIPTOR %#04x = %v % x, want a stall", v, s.Status, s.Data)
		}
	}
	if s := ctrl(g, 16, 0x80, reqGetStatus, 0, 0, 2, nil); s.Status != StatusSuccess || !bytes.Equal(s.Data, []byte{0, 0}) {
		t.Errorf("GET_STATUS = %v % x", s.Status, s.Data)
	}
	if v := ctrl(g, 17, 0xC0, 0x42, 0xBEEF, 0, 2, nil); v.Status != StatusSuccess || !bytes.Equal(v.Data, []byte{0xEF, 0xBE}) {
		t.Errorf("vendor IN = %v % x", v.Status, v.Data)
	}
	if v := ctrl(g, 18, 0x40, 0x42, 0, 0, 3, []byte{1, 2, 3}); v.Status != StatusSuccess || v.Length != 3 {
		t.Errorf("vendor OUT = %v length %d", v.Status, v.Length)
	}
	if v := ctrl(g, 19, 0x40, 0x43, 0, 0, 0, nil); v.Status != StatusStall {
		t.Errorf("unknown vendor request = %v, want stall", v.Status)
	}
	h.mu.Lock()
	if len(h.vendor) != 1 || !bytes.Equal(h.vendor[0], []byte{1, 2, 3}) {
		t.Errorf("vendor OUT data = %v", h.vendor)
	}
	h.mu.Unlock()
}

func bulk(g *guest, id uint64, ep uint8, n uint32, data []byte) {
	g.t.Helper()
	p := &Bulk{Endpoint: ep, Length: n, Data: data}
	g.write(TypeBulkPacket, id, p.Append(nil, g.caps))
}

func readBulk(g *guest) (uint64, *Bulk) {
	g.t.Helper()
	h, b := g.read()
	if h.Type != TypeBulkPacket {
		g.t.Fatalf("got type %d, want a bulk packet", h.Type)
	}
	p := &Bulk{}
	p.Endpoint, p.Status = b[0], Status(b[1])
	p.Length = uint32(binary.LittleEndian.Uint16(b[2:])) | uint32(binary.LittleEndian.Uint16(b[8:]))<<16
	p.Data = b[10:]
	return h.ID, p
}

// TestBulk: OUT and IN in order, a 70000-byte transfer (32-bit length),
// a blocked IN cancelled by the guest, a halted endpoint, a reset.
func TestBulk(t *testing.T) {
	h := newEcho()
	g, srv, _ := configured(t, h)
	big := make([]byte, 70000)
	for i := range big {
		big[i] = byte(i * 7)
	}
	bulk(g, 1<<40, 0x02, 3, []byte{9, 8, 7})
	if id, p := readBulk(g); id != 1<<40 || p.Status != StatusSuccess || p.Length != 3 || len(p.Data) != 0 {
		t.Errorf("OUT reply id %d %+v", id, p)
	}
	bulk(g, 2, 0x03, uint32(len(big)), big)
	readBulk(g)
	bulk(g, 3, 0x82, 64, nil)
	if id, p := readBulk(g); id != 3 || p.Status != StatusSuccess || !bytes.Equal(p.Data, []byte{9, 8, 7}) {
		t.Errorf("IN reply id %d %+v", id, p)
	}
	bulk(g, 4, 0x83, 80000, nil)
	if id, p := readBulk(g); id != 4 || p.Status != StatusSuccess || p.Length != 70000 || !bytes.Equal(p.Data, big) {
		t.Errorf("big IN reply id %d status %v length %d", id, p.Status, p.Length)
	}
	// Nothing queued: the IN waits until the guest cancels it.
	bulk(g, 5, 0x83, 4096, nil)
	time.Sleep(20 * time.Millisecond)
	g.write(TypeCancelDataPacket, 5, nil)
	if id, p := readBulk(g); id != 5 || p.Status != StatusCancelled || len(p.Data) != 0 {
		t.Errorf("cancelled IN reply id %d %+v", id, p)
	}
	// Not an endpoint of the device.
	bulk(g, 6, 0x84, 64, nil)
	if _, p := readBulk(g); p.Status != StatusInval {
		t.Errorf("IN on 0x84 = %v, want inval", p.Status)
	}
	// SET_FEATURE(ENDPOINT_HALT) stalls it until CLEAR_FEATURE.
	ctrl(g, 7, 0x02, reqSetFeature, 0, 0x82, 0, nil)
	if s := ctrl(g, 8, 0x82, reqGetStatus, 0, 0x82, 2, nil); !bytes.Equal(s.Data, []byte{1, 0}) {
		t.Errorf("GET_STATUS(0x82) halted = % x", s.Data)
	}
	bulk(g, 9, 0x82, 64, nil)
	if _, p := readBulk(g); p.Status != StatusStall {
		t.Errorf("IN on a halted endpoint = %v", p.Status)
	}
	ctrl(g, 10, 0x02, reqClearFeature, 0, 0x82, 0, nil)
	g.write(TypeReset, 0, nil)
	g.write(TypeGetConfiguration, 11, nil)
	if st := g.expect(TypeConfigurationStatus); !bytes.Equal(st, []byte{0, 1}) {
		t.Errorf("get_configuration = % x", st)
	}
	st := srv.Stats()
	h.mu.Lock()
	resets := h.resets
	h.mu.Unlock()
	if resets != 1 || st.Resets != 1 || st.Cancelled != 1 || st.Stalls != 1 || st.BulkInBytes != 70003 || st.BulkOutBytes != 70003 {
		t.Errorf("stats %+v, resets %d", st, resets)
	}
}

// TestDisconnect: after Disconnect the guest is told, transfers fail,
// and Connect announces the device again.
func TestDisconnect(t *testing.T) {
	g, srv, _ := configured(t, newEcho())
	bulk(g, 1, 0x83, 4096, nil) // waits
	time.Sleep(10 * time.Millisecond)
	go srv.Disconnect()
	var sawDisc, sawCancel bool
	for i := 0; i < 2; i++ {
		h, b := g.read()
		switch h.Type {
		case TypeDeviceDisconnect:
			sawDisc = true
		case TypeBulkPacket:
			sawCancel = Status(b[1]) == StatusCancelled
		}
	}
	if !sawDisc || !sawCancel {
		t.Errorf("disconnect %v, pending IN cancelled %v", sawDisc, sawCancel)
	}
	g.write(TypeDeviceDisconnectAck, 0, nil)
	bulk(g, 2, 0x82, 64, nil)
	if _, p := readBulk(g); p.Status != StatusIOError {
		t.Errorf("IN after the unplug = %v, want ioerror", p.Status)
	}
	go srv.Connect()
	g.expect(TypeEPInfo)
	g.expect(TypeInterfaceInfo)
	g.expect(TypeDeviceConnect)
}

// TestBadInput: each malformed stream ends Serve with a clear error.
func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		send func(g *guest)
		want error
	}{
		{"unknown type", func(g *guest) { g.write(99, 0, nil) }, ErrUnexpected},
		{"host-only packet", func(g *guest) { g.write(TypeDeviceConnect, 0, make([]byte, 10)) }, ErrUnexpected},
		{"second hello", func(g *guest) { g.write(TypeHello, 0, make([]byte, 68)) }, ErrUnexpected},
		{"huge length", func(g *guest) {
			g.c.Write(Header{Type: TypeBulkPacket, Length: MaxPacket + 1}.Append(nil, true))
		}, ErrTooLarge},
		{"bulk length mismatch", func(g *guest) {
			g.write(TypeBulkPacket, 1, (&Bulk{Endpoint: 2, Length: 9, Data: []byte{1}}).Append(nil, g.caps))
		}, ErrBadLength},
		{"set_configuration too long", func(g *guest) { g.write(TypeSetConfiguration, 1, []byte{1, 2}) }, ErrBadLength},
		{"truncated", func(g *guest) {
			g.c.Write(Header{Type: TypeControlPacket, Length: 100}.Append(nil, true))
			g.c.Close()
		}, ErrShort},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, _, done := start(t, OurCaps, newEcho())
			go io.Copy(io.Discard, g.c)
			tc.send(g)
			select {
			case err := <-done:
				if !errors.Is(err, tc.want) {
					t.Errorf("Serve = %v, want %v", err, tc.want)
				}
				done <- err
			case <-time.After(5 * time.Second):
				t.Fatal("Serve did not return")
			}
		})
	}
}

// TestFirstPacketMustBeHello: anything before the guest's hello ends the
// connection.
func TestFirstPacketMustBeHello(t *testing.T) {
	srv, _ := NewServer(testDevice(), newEcho(), nil)
	a, b := net.Pipe()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(context.Background(), a) }()
	go io.Copy(io.Discard, b)
	b.Write(Header{Type: TypeReset}.Append(nil, false))
	if err := <-done; !errors.Is(err, ErrUnexpected) {
		t.Errorf("Serve = %v, want ErrUnexpected", err)
	}
	b.Close()
}

func TestValidate(t *testing.T) {
	d := testDevice()
	d.Interfaces[1].Endpoints[0].Address = 0x01
	if _, err := NewServer(d, newEcho(), nil); err == nil {
		t.Error("NewServer with a repeated endpoint address: nil error")
	}
	if _, err := NewServer(&Device{}, newEcho(), nil); err == nil {
		t.Error("NewServer with no interface: nil error")
	}
}

// TestInFlightLimit: a guest that queues more transfers than
// MaxInFlight without waiting for any ends the connection cleanly, and
// Connect before Serve fails instead of writing nowhere.
func TestInFlightLimit(t *testing.T) {
	g, _, done := configured(t, newEcho())
	go io.Copy(io.Discard, g.c)
	for i := 0; i <= MaxInFlight; i++ {
		bulk(g, uint64(100+i), 0x83, 64, nil) // nothing queued: each waits
	}
	select {
	case err := <-done:
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("Serve = %v, want ErrTooLarge", err)
		}
		done <- err
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return")
	}
	srv, _ := NewServer(testDevice(), newEcho(), nil)
	if err := srv.Connect(); !errors.Is(err, ErrClosed) {
		t.Errorf("Connect before Serve = %v, want ErrClosed", err)
	}
}

// TestServeAgain: a second connection to the same Server negotiates from
// scratch (its hello has 32-bit ids even after a 64-bit session) and
// finds the device again.
func TestServeAgain(t *testing.T) {
	srv, err := NewServer(testDevice(), newEcho(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, caps := range []Caps{OurCaps, 0} {
		a, b := net.Pipe()
		done := make(chan error, 1)
		go func() { done <- srv.Serve(context.Background(), a) }()
		g := &guest{t: t, c: b}
		if hello := g.expect(TypeHello); len(hello) != 68 {
			t.Fatalf("connection %d: hello of %d bytes", i, len(hello))
		}
		g.write(TypeHello, 0, NewHello("again", caps).Append(nil, 0))
		g.caps, g.ids64 = caps&OurCaps, caps&Cap64BitIDs != 0
		g.expect(TypeEPInfo)
		g.expect(TypeInterfaceInfo)
		g.expect(TypeDeviceConnect)
		b.Close()
		if err := <-done; err != nil {
			t.Errorf("connection %d: Serve = %v", i, err)
		}
	}
}
