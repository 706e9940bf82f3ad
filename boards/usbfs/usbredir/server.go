package usbredir

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"syscall"
)

// OurCaps are the capabilities the Server announces.
const OurCaps = CapConnectDeviceVersion | CapDeviceDisconnectAck | CapEPInfoMaxPacketSize | Cap64BitIDs | Cap32BitBulkLength

// Version is the hello's version string.
const Version = "gsmbox usbredir 1"

// Stats count what a Server did.
type Stats struct {
	Control, Bulk     uint64 // data packets completed
	BulkInBytes       uint64 // device → guest
	BulkOutBytes      uint64 // guest → device
	Cancelled, Stalls uint64
	Resets            uint64
	SetConfigurations uint64
}

// Server exports one Device to one usb-guest connection. Create it with
// NewServer, run it with Serve.
type Server struct {
	dev *Device
	h   Handler
	log *slog.Logger

	wmu  sync.Mutex // serialises writes
	w    *bufio.Writer
	wbuf []byte

	caps      Caps // negotiated
	ids64     bool
	mu        sync.Mutex
	config    uint8
	halted    map[uint8]bool
	inflight  map[uint64]context.CancelFunc
	workers   map[uint8]chan job
	connected bool
	wg        sync.WaitGroup

	guestVersion string
	guestCaps    Caps
	stats        struct {
		control, bulk, in, out, cancelled, stalls, resets, setcfg atomic.Uint64
	}
}

type job struct {
	id  uint64
	ctx context.Context
	msg Msg
}

// NewServer returns a server for dev, served by h; log may be nil.
func NewServer(dev *Device, h Handler, log *slog.Logger) (*Server, error) {
	if err := dev.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Server{dev: dev, h: h, log: log, halted: map[uint8]bool{}, inflight: map[uint64]context.CancelFunc{}, workers: map[uint8]chan job{}}, nil
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	return Stats{Control: s.stats.control.Load(), Bulk: s.stats.bulk.Load(), BulkInBytes: s.stats.in.Load(),
		BulkOutBytes: s.stats.out.Load(), Cancelled: s.stats.cancelled.Load(), Stalls: s.stats.stalls.Load(),
		Resets: s.stats.resets.Load(), SetConfigurations: s.stats.setcfg.Load()}
}

// Guest returns the guest's hello version string and capabilities
// (empty before the hello).
func (s *Server) Guest() (string, Caps) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.guestVersion, s.guestCaps
}

// send writes one packet.
func (s *Server) send(typ uint32, id uint64, m Msg) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.w == nil {
		return ErrClosed // not serving yet
	}
	hs := headerSize(s.ids64)
	b := s.wbuf[:0]
	b = Header{Type: typ, ID: id}.Append(b, s.ids64)
	if m != nil {
		b = m.Append(b, s.caps)
	}
	binary.LittleEndian.PutUint32(b[4:], uint32(len(b)-hs))
	s.wbuf = b
	if _, err := s.w.Write(b); err != nil {
		return err
	}
	return s.w.Flush()
}

// Serve runs the protocol on rw (a usb-guest's connection) until ctx
// ends, the guest closes (or resets) the connection or sends bad input;
// it returns nil for an end of the connection at a packet boundary. It
// sends the hello, and after the guest's hello the device's ep_info,
// interface_info and device_connect. Serve may be called again, one
// connection at a time (a guest that reconnects); the capabilities are
// negotiated anew.
func (s *Server) Serve(ctx context.Context, rw io.ReadWriter) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.wmu.Lock()
	s.w = bufio.NewWriterSize(rw, 64<<10)
	s.caps, s.ids64 = 0, false // the hellos have 32-bit ids
	s.wmu.Unlock()
	if c, ok := rw.(io.Closer); ok {
		stop := context.AfterFunc(ctx, func() { c.Close() })
		defer stop()
	}
	defer func() {
		cancel()
		s.mu.Lock()
		for _, ch := range s.workers {
			close(ch)
		}
		s.workers = map[uint8]chan job{}
		s.mu.Unlock()
		s.wg.Wait()
	}()
	if err := s.send(TypeHello, 0, NewHello(Version, OurCaps)); err != nil {
		return fmt.Errorf("usbredir: send hello: %w", err)
	}
	r := bufio.NewReaderSize(rw, 64<<10)
	var body []byte
	first := true
	for {
		var h Header
		hb := make([]byte, headerSize(s.ids64))
		if _, err := io.ReadFull(r, hb); err != nil {
			// The guest closed the connection, or went away with it (a
			// killed QEMU resets it): the end of the device's session.
			if errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("usbredir: read: %w", err)
		}
		if err := h.Unmarshal(hb, s.ids64); err != nil {
			return err
		}
		if cap(body) < int(h.Length) {
			body = make([]byte, h.Length)
		}
		// Data packets keep their body until answered: a fresh buffer for
		// them, the reused one for control packets.
		b := body[:h.Length]
		if h.Type >= TypeControlPacket {
			b = make([]byte, h.Length)
		}
		if _, err := io.ReadFull(r, b); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("%w: packet type %d: %w", ErrShort, h.Type, err)
		}
		m, err := Decode(h.Type, b, s.caps)
		if err != nil {
			return err
		}
		if first != (h.Type == TypeHello) {
			return fmt.Errorf("%w: packet type %d (first %v)", ErrUnexpected, h.Type, first)
		}
		if first {
			first = false
			if err := s.hello(m.(*Hello)); err != nil {
				return err
			}
			continue
		}
		if err := s.handle(ctx, h, m); err != nil {
			return err
		}
	}
}

// hello negotiates the capabilities and connects the device.
func (s *Server) hello(g *Hello) error {
	s.mu.Lock()
	s.guestVersion, s.guestCaps = g.VersionString(), g.Capabilities()
	s.mu.Unlock()
	s.wmu.Lock()
	s.caps = OurCaps & g.Capabilities()
	s.ids64 = s.caps&Cap64BitIDs != 0
	s.wmu.Unlock()
	s.log.Info("usbredir guest", "version", g.VersionString(), "caps", fmt.Sprintf("%#x", uint32(g.Capabilities())), "negotiated", fmt.Sprintf("%#x", uint32(s.caps)))
	return s.Connect()
}

// Connect announces the device (after Disconnect, a replug): ep_info,
// interface_info, then device_connect, as the description orders.
func (s *Server) Connect() error {
	s.mu.Lock()
	s.config = 0
	s.connected = true
	clear(s.halted)
	s.mu.Unlock()
	if err := s.sendInfo(false); err != nil {
		return err
	}
	d := s.dev
	return s.send(TypeDeviceConnect, 0, &DeviceConnect{Speed: d.Speed, Class: d.Class, SubClass: d.SubClass, Protocol: d.Protocol,
		Vendor: d.Vendor, Product: d.Product, DeviceVersion: d.DeviceVersion})
}

// Disconnect unplugs the device: transfers in flight are cancelled and
// the guest is told (device_disconnect). Packets for the old device that
// cross the notice are answered with an error status.
func (s *Server) Disconnect() error {
	s.mu.Lock()
	s.connected = false
	for _, c := range s.inflight {
		c()
	}
	s.mu.Unlock()
	return s.send(TypeDeviceDisconnect, 0, nil)
}

func (s *Server) sendInfo(configured bool) error {
	if err := s.send(TypeEPInfo, 0, s.dev.epInfo(configured)); err != nil {
		return err
	}
	return s.send(TypeInterfaceInfo, 0, s.dev.interfaceInfo(configured))
}

// handle runs one packet after the hello: control packets at once (the
// description has the usb-host process them synchronously), data
// packets on their endpoint's worker.
func (s *Server) handle(ctx context.Context, h Header, m Msg) error {
	switch h.Type {
	case TypeHello:
		return fmt.Errorf("%w: a second hello", ErrUnexpected)
	case TypeReset:
		s.stats.resets.Add(1)
		s.cancelAll()
		s.mu.Lock()
		clear(s.halted)
		s.mu.Unlock()
		s.h.Reset()
		return nil
	case TypeSetConfiguration:
		v := m.(Bytes)[0]
		st := StatusSuccess
		if v > 1 {
			st = StatusStall
		} else {
			s.stats.setcfg.Add(1)
			s.cancelAll()
			s.mu.Lock()
			s.config = v
			clear(s.halted)
			s.mu.Unlock()
			if err := s.sendInfo(v == 1); err != nil {
				return err
			}
		}
		s.mu.Lock()
		cfg := s.config
		s.mu.Unlock()
		return s.send(TypeConfigurationStatus, h.ID, Bytes{uint8(st), cfg})
	case TypeGetConfiguration:
		s.mu.Lock()
		cfg := s.config
		s.mu.Unlock()
		return s.send(TypeConfigurationStatus, h.ID, Bytes{uint8(StatusSuccess), cfg})
	case TypeSetAltSetting:
		b := m.(Bytes)
		st := StatusSuccess
		if !s.hasInterface(b[0]) || b[1] != 0 {
			st = StatusStall
		} else if err := s.sendInfo(s.configured()); err != nil {
			return err
		}
		return s.send(TypeAltSettingStatus, h.ID, Bytes{uint8(st), b[0], 0})
	case TypeGetAltSetting:
		b := m.(Bytes)
		st := StatusSuccess
		if !s.hasInterface(b[0]) {
			st = StatusStall
		}
		return s.send(TypeAltSettingStatus, h.ID, Bytes{uint8(st), b[0], 0})
	case TypeStartISOStream, TypeStopISOStream:
		return s.send(TypeISOStreamStatus, h.ID, Bytes{uint8(StatusInval), m.(Bytes)[0]})
	case TypeStartInterruptReceiving, TypeStopInterruptReceiving:
		return s.send(TypeInterruptReceivingStatus, h.ID, Bytes{uint8(StatusInval), m.(Bytes)[0]})
	case TypeAllocBulkStreams, TypeFreeBulkStreams:
		b := m.(Bytes)
		st := Bytes(make([]byte, 9))
		copy(st, b[:4])
		st[8] = uint8(StatusInval)
		return s.send(TypeBulkStreamsStatus, h.ID, st)
	case TypeStartBulkReceiving, TypeStopBulkReceiving:
		b := m.(Bytes)
		ep := b[8]
		if h.Type == TypeStopBulkReceiving {
			ep = b[4]
		}
		return s.send(TypeBulkReceivingStatus, h.ID, Bytes{b[0], b[1], b[2], b[3], ep, uint8(StatusInval)})
	case TypeCancelDataPacket:
		s.mu.Lock()
		c := s.inflight[h.ID]
		s.mu.Unlock()
		if c != nil {
			c()
		}
		return nil
	case TypeFilterReject:
		s.log.Warn("usbredir: the guest's filter rejected the device")
		return nil
	case TypeFilterFilter, TypeDeviceDisconnectAck:
		return nil
	case TypeControlPacket:
		return s.queue(ctx, 0, h.ID, m)
	case TypeBulkPacket:
		p := m.(*Bulk)
		return s.queue(ctx, p.Endpoint, h.ID, m)
	}
	return fmt.Errorf("%w: packet type %d", ErrUnexpected, h.Type)
}

func (s *Server) configured() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.config == 1
}

func (s *Server) hasInterface(n uint8) bool {
	for _, it := range s.dev.Interfaces {
		if it.Number == n {
			return s.configured()
		}
	}
	return false
}

// cancelAll cancels every data packet in flight (a control packet that
// changes the device's state drops pending transfers).
func (s *Server) cancelAll() {
	s.mu.Lock()
	for _, c := range s.inflight {
		c()
	}
	s.mu.Unlock()
}

// queue hands a data packet to its endpoint's worker, starting it.
func (s *Server) queue(ctx context.Context, ep uint8, id uint64, m Msg) error {
	jctx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	if len(s.inflight) >= MaxInFlight {
		s.mu.Unlock()
		cancel()
		return fmt.Errorf("%w: more than %d transfers in flight", ErrTooLarge, MaxInFlight)
	}
	if old := s.inflight[id]; old != nil {
		s.mu.Unlock()
		cancel()
		return fmt.Errorf("%w: packet id %d reused while in flight", ErrUnexpected, id)
	}
	s.inflight[id] = cancel
	ch := s.workers[ep]
	if ch == nil {
		ch = make(chan job, MaxInFlight)
		s.workers[ep] = ch
		s.wg.Add(1)
		go s.worker(ch)
	}
	s.mu.Unlock()
	select {
	case ch <- job{id: id, ctx: jctx, msg: m}:
		return nil
	case <-ctx.Done():
		return nil
	}
}

func (s *Server) worker(ch chan job) {
	defer s.wg.Done()
	for j := range ch {
		var typ uint32
		var rep Msg
		switch p := j.msg.(type) {
		case *Control:
			typ, rep = TypeControlPacket, s.control(j, p)
		case *Bulk:
			typ, rep = TypeBulkPacket, s.bulk(j, p)
		}
		// The id is free again before the guest can see the answer.
		s.mu.Lock()
		if c := s.inflight[j.id]; c != nil {
			c()
			delete(s.inflight, j.id)
		}
		s.mu.Unlock()
		if err := s.send(typ, j.id, rep); err != nil {
			s.log.Debug("usbredir: send", "err", err)
		}
	}
}

// status maps a Handler's error to a status.
func (s *Server) status(ctx context.Context, err error) Status {
	switch {
	case err == nil:
		return StatusSuccess
	case ctx.Err() != nil || errors.Is(err, context.Canceled):
		s.stats.cancelled.Add(1)
		return StatusCancelled
	case errors.Is(err, ErrStall):
		s.stats.stalls.Add(1)
		return StatusStall
	case errors.Is(err, ErrTimeout) || errors.Is(err, context.DeadlineExceeded):
		return StatusTimeout
	}
	return StatusIOError
}

func (s *Server) isConnected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connected
}

// bulk runs one bulk packet and returns the answer.
func (s *Server) bulk(j job, p *Bulk) *Bulk {
	s.stats.bulk.Add(1)
	rep := &Bulk{Endpoint: p.Endpoint, StreamID: p.StreamID}
	ep, ok := s.dev.endpoint(p.Endpoint)
	s.mu.Lock()
	halted := s.halted[p.Endpoint]
	s.mu.Unlock()
	switch {
	case !s.isConnected():
		rep.Status = StatusIOError
	case !ok || ep.Type != XferBulk || !s.configured():
		rep.Status = StatusInval
	case halted:
		rep.Status = StatusStall
	case j.ctx.Err() != nil:
		rep.Status = StatusCancelled
		s.stats.cancelled.Add(1)
	case p.In():
		buf := make([]byte, p.Length)
		n, err := s.h.Bulk(j.ctx, p.Endpoint, buf)
		rep.Status = s.status(j.ctx, err)
		if n > len(buf) || n < 0 {
			n, rep.Status = 0, StatusBabble
		}
		rep.Data, rep.Length = buf[:n], uint32(n)
		s.stats.in.Add(uint64(n))
	default:
		n, err := s.h.Bulk(j.ctx, p.Endpoint, p.Data)
		rep.Status = s.status(j.ctx, err)
		rep.Length = uint32(max(0, min(n, len(p.Data))))
		s.stats.out.Add(uint64(rep.Length))
	}
	if rep.Status == StatusStall {
		if halted {
			s.stats.stalls.Add(1)
		}
		s.mu.Lock()
		s.halted[p.Endpoint] = true
		s.mu.Unlock()
	}
	if !p.In() {
		rep.Data = nil
	}
	if p.In() && rep.Status != StatusSuccess {
		rep.Data, rep.Length = nil, 0
	}
	return rep
}

// control runs one control packet and returns the answer: standard
// device requests from the descriptors, the rest through the Handler.
func (s *Server) control(j job, p *Control) *Control {
	s.stats.control.Add(1)
	set := Setup{RequestType: p.RequestType, Request: p.Request, Value: p.Value, Index: p.Index, Length: p.Length}
	rep := *p
	rep.Data = nil
	data, err := s.standard(set, p.Data)
	if errors.Is(err, errNotStandard) {
		data, err = s.h.Control(set, p.Data)
	}
	if !s.isConnected() {
		err = errors.New("disconnected")
	}
	rep.Status = s.status(j.ctx, err)
	if rep.Status != StatusSuccess {
		rep.Length = 0
	} else if p.In() {
		if len(data) > int(p.Length) {
			data = data[:p.Length]
		}
		rep.Data, rep.Length = data, uint16(len(data))
	}
	return &rep
}

var errNotStandard = errors.New("not a standard request the server answers")

// standard answers the standard requests (USB 2.0 §9.4) the descriptors
// settle; SET_ADDRESS, SET_CONFIGURATION and SET_INTERFACE reach the
// device as their own usbredir packets from QEMU, and are accepted here
// too for a guest that sends them as control packets.
func (s *Server) standard(set Setup, data []byte) ([]byte, error) {
	if set.RequestType&0x60 != 0 { // class or vendor
		return nil, errNotStandard
	}
	recip := set.RequestType & 0x1f
	switch {
	case set.Request == reqGetDescriptor && recip == 0 && set.In():
		switch set.Value >> 8 {
		case descDevice:
			return s.dev.DeviceDescriptor(), nil
		case descConfig:
			if set.Value&0xff != 0 {
				return nil, ErrStall
			}
			return s.dev.ConfigDescriptor(), nil
		case descString:
			if b, ok := s.dev.StringDescriptor(uint8(set.Value)); ok {
				return b, nil
			}
		}
		return nil, ErrStall // device qualifier, BOS, other speed: none
	case set.Request == reqGetStatus && set.In():
		var st uint16
		if recip == 2 {
			s.mu.Lock()
			if s.halted[uint8(set.Index)] {
				st = 1
			}
			s.mu.Unlock()
		}
		return binary.LittleEndian.AppendUint16(nil, st), nil
	case (set.Request == reqClearFeature || set.Request == reqSetFeature) && !set.In():
		if recip == 2 && set.Value == 0 { // ENDPOINT_HALT
			s.mu.Lock()
			s.halted[uint8(set.Index)] = set.Request == reqSetFeature
			s.mu.Unlock()
		}
		return nil, nil
	case set.Request == reqSetAddress && recip == 0:
		return nil, nil
	case set.Request == reqGetConfig && set.In():
		s.mu.Lock()
		defer s.mu.Unlock()
		return []byte{s.config}, nil
	case set.Request == reqSetConfig && recip == 0:
		if set.Value > 1 {
			return nil, ErrStall
		}
		s.mu.Lock()
		s.config = uint8(set.Value)
		s.mu.Unlock()
		return nil, s.sendInfo(set.Value == 1)
	case set.Request == reqGetInterface && set.In():
		return []byte{0}, nil
	case set.Request == reqSetInterface:
		if set.Value != 0 {
			return nil, ErrStall
		}
		return nil, nil
	}
	return nil, errNotStandard
}
