package limetest

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/boards/usbfs"
	"github.com/gsmbox/gsmbox/boards/usbfs/usbredir"
)

// USBDevice describes the fake board as a USB device for a usbredir
// server: the FT601's IDs (0403:601F) and the endpoints the driver uses
// (interface 0: session 0x01; interface 1: LMS64C 0x02/0x82, stream
// 0x03/0x83), all bulk. It is announced at high speed (512-byte bulk
// packets), as a LimeNET Micro's FT601 runs behind the CM3's USB 2.0
// hub; QEMU's xHCI gives a usb-redir device a USB 2 port.
func USBDevice(serial string) *usbredir.Device {
	bulk := func(a uint8) usbredir.Endpoint {
		return usbredir.Endpoint{Address: a, Type: usbredir.XferBulk, MaxPacket: 512}
	}
	return &usbredir.Device{Speed: usbredir.SpeedHigh, Vendor: lime.Vendor, Product: lime.Product, DeviceVersion: 0x0100,
		Manufacturer: "gsmbox limetest", ProductName: "LimeSDR Mini (fake)", Serial: serial, MaxPowerMA: 500,
		Interfaces: []usbredir.Interface{
			{Number: 0, Class: 0xff, Endpoints: []usbredir.Endpoint{bulk(lime.EPSession)}},
			{Number: 1, Class: 0xff, Endpoints: []usbredir.Endpoint{bulk(lime.EPCtrlOut), bulk(lime.EPCtrlIn), bulk(lime.EPStreamTX), bulk(lime.EPStreamRX)}},
		}}
}

// Redir serves the fake board's endpoints to a usbredir server (it is a
// usbredir.Handler): session and LMS64C packets go to the fake's Bulk,
// stream transfers become the fake's URBs. The fake stays in virtual
// time: an RX transfer the guest asks for is one RX URB waiting, so the
// board's sample counter advances only as the guest reads (and as far as
// the RX source allows).
type Redir struct {
	f *Fake
	// RXPackets is how many stream packets an RX transfer returns at
	// most (default 1): a transfer the guest asked to be longer completes
	// short, as USB allows. In virtual time the board's counter can only
	// run as far as the air has been written; a guest waiting for a
	// multi-packet URB that the board can fill only once the guest has
	// written more TX would wait forever.
	RXPackets int

	mu      sync.Mutex
	ctrlGen uint64 // LMS64C requests sent; wakes a waiting reply read
	cond    *sync.Cond
	waiters map[*usbfs.URB]chan *usbfs.URB
	free    map[int][]*usbfs.URB // by size
	reaping bool
	rxFIFO  []byte // RX bytes of a URB a short guest transfer left
	txPend  []byte // TX bytes short of a whole packet
	stats   RedirStats
}

// RedirStats count the stream transfers through the Redir.
type RedirStats struct {
	RXTransfers, TXTransfers uint64
	RXBytes, TXBytes         uint64
	Cancelled                uint64
}

var _ usbredir.Handler = (*Redir)(nil)

// NewRedir returns the usbredir handler of f.
func NewRedir(f *Fake) *Redir {
	r := &Redir{f: f, waiters: map[*usbfs.URB]chan *usbfs.URB{}, free: map[int][]*usbfs.URB{}}
	r.cond = sync.NewCond(&r.mu)
	return r
}

// Stats returns the counters.
func (r *Redir) Stats() RedirStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats
}

// Control implements usbredir.Handler: the FT601 driver uses no vendor
// control requests, so each one stalls.
func (r *Redir) Control(s usbredir.Setup, _ []byte) ([]byte, error) {
	return nil, fmt.Errorf("%w: control request %#02x/%#02x", usbredir.ErrStall, s.RequestType, s.Request)
}

// Reset implements usbredir.Handler: a port reset drops the partial
// stream buffers (the fake's state is the FT601's and FPGA's, which a
// USB reset does not clear).
func (r *Redir) Reset() {
	r.mu.Lock()
	r.rxFIFO, r.txPend = nil, nil
	r.mu.Unlock()
}

// Bulk implements usbredir.Handler.
func (r *Redir) Bulk(ctx context.Context, ep uint8, buf []byte) (int, error) {
	switch ep {
	case lime.EPSession:
		return r.fakeBulk(ep, buf)
	case lime.EPCtrlOut:
		n, err := r.fakeBulk(ep, buf)
		r.mu.Lock()
		r.ctrlGen++
		r.cond.Broadcast()
		r.mu.Unlock()
		return n, err
	case lime.EPCtrlIn:
		return r.ctrlIn(ctx, buf)
	case lime.EPStreamRX:
		return r.rx(ctx, buf)
	case lime.EPStreamTX:
		return r.tx(ctx, buf)
	}
	return 0, fmt.Errorf("%w: endpoint %#02x", usbredir.ErrStall, ep)
}

func (r *Redir) fakeBulk(ep uint8, buf []byte) (int, error) {
	n, err := r.f.Bulk(ep, buf, 0)
	return n, mapErr(err)
}

// mapErr turns the fake's usbfs errors into transfer statuses.
func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, usbfs.ErrTimeout):
		return fmt.Errorf("%w: %w", usbredir.ErrTimeout, err)
	case errors.Is(err, usbfs.ErrStall):
		return fmt.Errorf("%w: %w", usbredir.ErrStall, err)
	}
	return err
}

// ctrlIn reads an LMS64C reply: as on the FT601, the IN transfer waits
// until the board has one (or the guest's timeout cancels it).
func (r *Redir) ctrlIn(ctx context.Context, buf []byte) (int, error) {
	stop := context.AfterFunc(ctx, func() { r.mu.Lock(); r.cond.Broadcast(); r.mu.Unlock() })
	defer stop()
	for {
		r.mu.Lock()
		gen := r.ctrlGen
		r.mu.Unlock()
		n, err := r.f.Bulk(lime.EPCtrlIn, buf, 0)
		if !errors.Is(err, usbfs.ErrTimeout) {
			return n, mapErr(err)
		}
		r.mu.Lock()
		for r.ctrlGen == gen && ctx.Err() == nil {
			r.cond.Wait()
		}
		r.mu.Unlock()
		if err := ctx.Err(); err != nil {
			return 0, err
		}
	}
}

// urb takes a URB of size bytes on ep from the pool.
func (r *Redir) urb(ep uint8, size int) (*usbfs.URB, error) {
	r.mu.Lock()
	key := size<<8 | int(ep)
	if l := r.free[key]; len(l) > 0 {
		u := l[len(l)-1]
		r.free[key] = l[:len(l)-1]
		r.mu.Unlock()
		return u, nil
	}
	r.mu.Unlock()
	us, err := r.f.AllocURBs(ep, 1, size)
	if err != nil {
		return nil, err
	}
	return us[0], nil
}

func (r *Redir) put(u *usbfs.URB) {
	r.mu.Lock()
	key := len(u.Buf)<<8 | int(u.Endpoint)
	r.free[key] = append(r.free[key], u)
	r.mu.Unlock()
}

// run submits u and waits for its completion; a cancelled ctx discards
// it (the fake completes it with ErrClosed).
func (r *Redir) run(ctx context.Context, u *usbfs.URB) error {
	ch := make(chan *usbfs.URB, 1)
	r.mu.Lock()
	r.waiters[u] = ch
	if !r.reaping {
		r.reaping = true
		go r.reap()
	}
	r.mu.Unlock()
	if err := r.f.Submit(u); err != nil {
		r.mu.Lock()
		delete(r.waiters, u)
		r.mu.Unlock()
		return mapErr(err)
	}
	select {
	case <-ch:
		return mapErr(u.Err)
	case <-ctx.Done():
		_ = r.f.Discard(u)
		<-ch
		r.mu.Lock()
		r.stats.Cancelled++
		r.mu.Unlock()
		if u.Err == nil {
			return nil // completed before the discard
		}
		return ctx.Err()
	}
}

// reap hands each completed URB to its waiter, until the fake is closed
// or unplugged.
func (r *Redir) reap() {
	for {
		u, err := r.f.Reap(true)
		if err != nil {
			r.mu.Lock()
			r.reaping = false
			for u, ch := range r.waiters {
				if u.Err == nil {
					u.Err = err
				}
				ch <- u
				delete(r.waiters, u)
			}
			r.mu.Unlock()
			return
		}
		r.mu.Lock()
		ch := r.waiters[u]
		delete(r.waiters, u)
		r.mu.Unlock()
		if ch != nil {
			ch <- u
		}
	}
}

// rx is one RX stream transfer: whole packets straight from an RX URB
// of the transfer's size; a transfer shorter than a packet is served
// from a packet's worth read ahead.
func (r *Redir) rx(ctx context.Context, buf []byte) (int, error) {
	r.mu.Lock()
	if len(r.rxFIFO) > 0 {
		n := copy(buf, r.rxFIFO)
		r.rxFIFO = r.rxFIFO[n:]
		r.stats.RXBytes += uint64(n)
		r.mu.Unlock()
		return n, nil
	}
	r.mu.Unlock()
	k := r.RXPackets
	if k <= 0 {
		k = 1
	}
	size := max(lime.PacketSize, min(k, len(buf)/lime.PacketSize)*lime.PacketSize)
	u, err := r.urb(lime.EPStreamRX, size)
	if err != nil {
		return 0, mapErr(err)
	}
	defer r.put(u)
	u.Len = size
	if err := r.run(ctx, u); err != nil {
		return 0, err
	}
	n := copy(buf, u.Buf[:u.N])
	r.mu.Lock()
	r.rxFIFO = append(r.rxFIFO[:0], u.Buf[n:u.N]...)
	r.stats.RXTransfers++
	r.stats.RXBytes += uint64(n)
	r.mu.Unlock()
	return n, nil
}

// tx is one TX stream transfer: its whole packets go to the fake in one
// TX URB; a partial packet waits for the rest.
func (r *Redir) tx(ctx context.Context, buf []byte) (int, error) {
	r.mu.Lock()
	data := append(r.txPend, buf...)
	whole := len(data) / lime.PacketSize * lime.PacketSize
	r.txPend = append([]byte(nil), data[whole:]...)
	r.stats.TXTransfers++
	r.stats.TXBytes += uint64(len(buf))
	r.mu.Unlock()
	if whole == 0 {
		return len(buf), nil
	}
	u, err := r.urb(lime.EPStreamTX, whole)
	if err != nil {
		return 0, mapErr(err)
	}
	defer r.put(u)
	copy(u.Buf, data[:whole])
	u.Len = whole
	if err := r.run(ctx, u); err != nil {
		return 0, err
	}
	return len(buf), nil
}
