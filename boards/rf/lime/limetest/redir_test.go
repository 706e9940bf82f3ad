package limetest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/boards/rf/lime/limetest"
	"github.com/gsmbox/gsmbox/boards/usbfs/usbredir"
)

// TestRedir drives the fake through its usbredir handler as a guest's
// transfers would: a GET_INFO request and its reply (the reply's IN
// transfer waits for the request), a stream start through FPGA
// registers, RX transfers of whole and partial packets with a continuous
// counter, TX packets counted by the fake, and a cancelled RX transfer.
func TestRedir(t *testing.T) {
	f := limetest.New(limetest.Config{})
	defer f.Close()
	r := limetest.NewRedir(f)
	ctx := context.Background()
	if err := limetest.USBDevice("1").Validate(); err != nil {
		t.Fatal(err)
	}

	// The reply read is waiting before the request is sent.
	got := make(chan []byte, 1)
	go func() {
		buf := make([]byte, lime.CtrlSize)
		n, err := r.Bulk(ctx, lime.EPCtrlIn, buf)
		if err != nil {
			t.Error(err)
		}
		got <- buf[:n]
	}()
	time.Sleep(10 * time.Millisecond)
	ctrl := func(c lime.Ctrl) {
		var b [lime.CtrlSize]byte
		if err := c.MarshalTo(b[:]); err != nil {
			t.Fatal(err)
		}
		if n, err := r.Bulk(ctx, lime.EPCtrlOut, b[:]); err != nil || n != lime.CtrlSize {
			t.Fatalf("control OUT = %d, %v", n, err)
		}
	}
	ctrl(lime.Ctrl{Cmd: lime.CmdGetInfo})
	var rep lime.Ctrl
	if err := rep.Unmarshal(<-got); err != nil || rep.Status != lime.StatusCompleted || lime.DecodeInfo(&rep).Device != 17 {
		t.Fatalf("GET_INFO reply %+v, %v", rep, err)
	}
	// A reply read with no request pending is cancelled by its context.
	cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	if _, err := r.Bulk(cctx, lime.EPCtrlIn, make([]byte, 64)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("reply read with nothing pending = %v", err)
	}
	cancel()

	// Stream on (16-bit samples, counter reset), as the driver does.
	wr := lime.Ctrl{Cmd: lime.CmdFPGAWrite, Blocks: 2}
	put := func(i int, a, v uint16) {
		wr.Data[4*i], wr.Data[4*i+1], wr.Data[4*i+2], wr.Data[4*i+3] = byte(a>>8)|0x80, byte(a), byte(v>>8), byte(v)
	}
	put(0, lime.FPGATSReset, lime.TSResetOn)
	put(1, lime.FPGAStream, lime.StreamOn)
	ctrl(wr)
	buf := make([]byte, lime.CtrlSize)
	if _, err := r.Bulk(ctx, lime.EPCtrlIn, buf); err != nil {
		t.Fatal(err)
	}

	var next uint64
	check := func(b []byte) {
		t.Helper()
		for len(b) >= lime.PacketSize {
			var h lime.Header
			if err := h.Unmarshal(b); err != nil {
				t.Fatal(err)
			}
			if h.Counter != next {
				t.Fatalf("RX counter %d, want %d", h.Counter, next)
			}
			next += uint64(lime.Format16.SamplesPerPacket())
			b = b[lime.PacketSize:]
		}
	}
	r.RXPackets = 4
	rx := make([]byte, 4*lime.PacketSize)
	for i := 0; i < 3; i++ {
		n, err := r.Bulk(ctx, lime.EPStreamRX, rx)
		if err != nil || n != len(rx) {
			t.Fatalf("RX transfer = %d, %v", n, err)
		}
		check(rx[:n])
	}
	// A transfer of half a packet, then the other half.
	half := make([]byte, lime.PacketSize)
	for off := 0; off < lime.PacketSize; {
		n, err := r.Bulk(ctx, lime.EPStreamRX, half[off:min(off+2048, lime.PacketSize)])
		if err != nil || n != 2048 {
			t.Fatalf("half RX transfer = %d, %v", n, err)
		}
		off += n
	}
	check(half)

	// Two TX packets stamped ahead, one split across two transfers.
	tx := make([]byte, 2*lime.PacketSize)
	for i := 0; i < 2; i++ {
		if _, err := lime.EncodeTX(tx[i*lime.PacketSize:], make([]complex64, 1020), next+uint64(10000+1020*i), false, lime.Format16); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.Bulk(ctx, lime.EPStreamTX, tx[:lime.PacketSize+100]); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Bulk(ctx, lime.EPStreamTX, tx[lime.PacketSize+100:]); err != nil {
		t.Fatal(err)
	}
	if st := f.Stats(); st.TXPackets != 2 || st.TXGood != 2 || st.TXLate != 0 {
		t.Errorf("fake stats after TX: %+v", st)
	}
	if st := r.Stats(); st.RXTransfers != 4 || st.TXTransfers != 2 || st.TXBytes != uint64(len(tx)) {
		t.Errorf("redir stats %+v", st)
	}
	if _, err := r.Bulk(ctx, 0x84, rx); !errors.Is(err, usbredir.ErrStall) {
		t.Errorf("transfer on 0x84 = %v, want a stall", err)
	}
}
