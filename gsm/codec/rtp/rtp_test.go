package rtp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"testing"
)

func unhex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// Hand-assembled from the RFC 3550 §5.1 and §5.3.1 diagrams.
var packetTests = []struct {
	name string
	wire string
	pkt  Packet
}{
	{
		name: "gsm_marker",
		// V=2 P=0 X=0 CC=0 | M=1 PT=3 | seq 0x1234 | ts 0xdeadbeef | ssrc 0x01020304
		wire: "80831234deadbeef01020304" + "d0",
		pkt: Packet{Header: Header{Marker: true, PayloadType: 3, SequenceNumber: 0x1234,
			Timestamp: 0xdeadbeef, SSRC: 0x01020304}, Payload: []byte{0xd0}},
	},
	{
		name: "pcma_csrc",
		// CC=2, PT=8
		wire: "820800010000a0000000000a" + "0000000b0000000c" + "d5d5",
		pkt: Packet{Header: Header{PayloadType: 8, SequenceNumber: 1, Timestamp: 0xa000,
			SSRC: 10, CSRC: []uint32{11, 12}}, Payload: []byte{0xd5, 0xd5}},
	},
	{
		name: "ext_padding",
		// P=1 X=1 CC=0 PT=0; extension profile 0xbede, length 1; payload ff; padding 3
		wire: "b000ffff00000001" + "00000002" + "bede0001" + "01020304" + "ff" + "000003",
		pkt: Packet{Header: Header{PayloadType: 0, SequenceNumber: 0xffff, Timestamp: 1, SSRC: 2,
			Extension: true, ExtensionProfile: 0xbede, ExtensionPayload: []byte{1, 2, 3, 4}},
			Payload: []byte{0xff}, PaddingSize: 3},
	},
	{
		name: "empty_payload",
		wire: "807f000000000000ffffffff",
		pkt:  Packet{Header: Header{PayloadType: 127, SSRC: 0xffffffff}, Payload: []byte{}},
	},
}

func TestPacketMarshal(t *testing.T) {
	for _, tt := range packetTests {
		t.Run(tt.name, func(t *testing.T) {
			want := unhex(tt.wire)
			if n := tt.pkt.MarshalSize(); n != len(want) {
				t.Errorf("MarshalSize() = %d, want %d", n, len(want))
			}
			got, err := tt.pkt.Marshal()
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("Marshal() = %x, %v, want %x", got, err, want)
			}
			if _, err := tt.pkt.MarshalTo(make([]byte, len(want)-1)); !errors.Is(err, ErrShort) {
				t.Errorf("MarshalTo(short) = %v, want ErrShort", err)
			}
		})
	}
}

func TestPacketUnmarshal(t *testing.T) {
	for _, tt := range packetTests {
		t.Run(tt.name, func(t *testing.T) {
			var got Packet
			if err := got.Unmarshal(unhex(tt.wire)); err != nil {
				t.Fatalf("Unmarshal(%s) = %v", tt.wire, err)
			}
			want := tt.pkt
			want.Header.padding = want.PaddingSize > 0
			if len(got.CSRC) == 0 {
				got.CSRC = nil
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Unmarshal(%s) = %+v, want %+v", tt.wire, got, want)
			}
		})
	}
}

func TestUnmarshalErrors(t *testing.T) {
	tests := []struct {
		name, wire string
		want       error
	}{
		{"empty", "", ErrShort},
		{"11 bytes", "8003000000000000000000", ErrShort},
		{"version 1", "400300000000000000000000", ErrVersion},
		{"version 3", "c00300000000000000000000", ErrVersion},
		{"csrc short", "810300000000000000000000000000", ErrShort},
		{"ext header short", "900300000000000000000000bede", ErrShort},
		{"ext short", "900300000000000000000000bede000100", ErrShort},
		{"padding none", "a00300000000000000000000", ErrPadding},
		{"padding zero", "a0030000000000000000000000", ErrPadding},
		{"padding too big", "a003000000000000000000000003", ErrPadding},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Packet
			if err := p.Unmarshal(unhex(tt.wire)); !errors.Is(err, tt.want) {
				t.Errorf("Unmarshal(%s) = %v, want %v", tt.wire, err, tt.want)
			}
		})
	}
}

func TestMarshalInvalid(t *testing.T) {
	tests := []struct {
		name string
		h    Header
	}{
		{"16 csrc", Header{CSRC: make([]uint32, 16)}},
		{"pt 128", Header{PayloadType: 128}},
		{"ext 3 bytes", Header{Extension: true, ExtensionPayload: []byte{1, 2, 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.h.MarshalTo(make([]byte, 200)); !errors.Is(err, ErrHeader) {
				t.Errorf("MarshalTo(%s) = %v, want ErrHeader", tt.name, err)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		pt      uint8
		payload int
		samples uint32
		err     error
	}{
		{PTGSM, 33, 160, nil},
		{PTGSM, 66, 320, nil},
		{PTGSM, 32, 0, ErrPayload},
		{PTPCMU, 160, 160, nil},
		{PTPCMA, 80, 80, nil},
		{PTPCMA, 0, 0, nil},
	}
	for _, tt := range tests {
		f, err := FormatOf(tt.pt)
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.Samples(make([]byte, tt.payload))
		if got != tt.samples || !errors.Is(err, tt.err) {
			t.Errorf("%s.Samples(%d bytes) = %d, %v, want %d, %v", f.Name, tt.payload, got, err, tt.samples, tt.err)
		}
	}
	if _, err := FormatOf(9); !errors.Is(err, ErrPayloadType) {
		t.Errorf("FormatOf(9) = %v, want ErrPayloadType", err)
	}
}

func TestPacketizer(t *testing.T) {
	p, err := NewPacketizer(PTGSM, 0xcafe, 65534, 1000)
	if err != nil {
		t.Fatal(err)
	}
	frame := make([]byte, 33)
	frame[0] = 0xd0
	buf := make([]byte, 1500)
	type want struct {
		seq    uint16
		ts     uint32
		marker bool
	}
	steps := []struct {
		payload []byte
		skip    uint32
		want    want
	}{
		{payload: frame, want: want{65534, 1000, true}},
		{payload: frame, want: want{65535, 1160, false}},
		{payload: append(append([]byte{}, frame...), frame...), want: want{0, 1320, false}},
		{payload: frame, skip: 800, want: want{1, 1640 + 800, true}},
		{payload: frame, want: want{2, 2600, false}},
	}
	for i, s := range steps {
		p.Skip(s.skip)
		n, err := p.Packetize(buf, s.payload)
		if err != nil {
			t.Fatalf("step %d: Packetize = %v", i, err)
		}
		var got Packet
		if err := got.Unmarshal(buf[:n]); err != nil {
			t.Fatal(err)
		}
		g := want{got.SequenceNumber, got.Timestamp, got.Marker}
		if g != s.want || got.SSRC != 0xcafe || got.PayloadType != 3 || !bytes.Equal(got.Payload, s.payload) {
			t.Errorf("step %d: Packetize() = %+v, want %+v", i, got, s.want)
		}
	}
	if _, err := p.Packetize(buf, frame[:20]); !errors.Is(err, ErrPayload) {
		t.Errorf("Packetize(20 bytes of GSM) = %v, want ErrPayload", err)
	}
	if _, err := p.Packetize(buf[:40], frame); !errors.Is(err, ErrShort) {
		t.Errorf("Packetize(into 40 bytes) = %v, want ErrShort", err)
	}
	if seq, ts := p.Next(); seq != 3 || ts != 2760 {
		t.Errorf("Next() = %d, %d, want 3, 2760 (failed calls must not advance)", seq, ts)
	}
	if _, err := NewPacketizer(18, 0, 0, 0); !errors.Is(err, ErrPayloadType) {
		t.Errorf("NewPacketizer(18) = %v, want ErrPayloadType", err)
	}
}

// wirePacket builds a PCMA packet with 160 samples.
func wirePacket(ssrc uint32, seq uint16, ts uint32) []byte {
	pkt := Packet{Header: Header{PayloadType: PTPCMA, SequenceNumber: seq, Timestamp: ts, SSRC: ssrc},
		Payload: make([]byte, 160)}
	b, err := pkt.Marshal()
	if err != nil {
		panic(err)
	}
	return b
}

func TestDepacketizer(t *testing.T) {
	type in struct {
		ssrc uint32
		seq  uint16
		ts   uint32
	}
	type out struct {
		status  Status
		lost    int
		silence uint32
		ext     uint64
	}
	const S = 1
	steps := []struct {
		in  in
		out out
	}{
		{in{S, 65530, 0}, out{Probation, 0, 0, 65530}},
		{in{S, 65531, 160}, out{InOrder, 0, 0, 65531}},
		{in{S, 65532, 320}, out{InOrder, 0, 0, 65532}},
		{in{S, 65534, 640}, out{Gap, 1, 0, 65534}},
		{in{S, 65533, 480}, out{Late, 0, 0, 65533}},
		{in{S, 65533, 480}, out{Duplicate, 0, 0, 65533}},
		{in{S, 65534, 640}, out{Duplicate, 0, 0, 65534}},
		{in{S, 65535, 800}, out{InOrder, 0, 0, 65535}},
		{in{S, 0, 960}, out{InOrder, 0, 0, 65536}}, // wrap
		{in{S, 1, 1120 + 800}, out{InOrder, 0, 800, 65537}},
		{in{S, 65535, 800}, out{Duplicate, 0, 0, 65535}}, // a copy from before the wrap
		{in{2, 2, 2080}, out{OtherSource, 0, 0, 0}},
		{in{2, 4, 2080}, out{OtherSource, 0, 0, 0}}, // not in sequence: no switch
		{in{S, 30000, 99999}, out{Jump, 0, 0, 0}},
		{in{S, 30001, 100159}, out{Restart, 0, 0, 30001}},
		{in{S, 30002, 100319}, out{InOrder, 0, 0, 30002}},
	}
	d, err := NewDepacketizer(PTPCMA)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range steps {
		r, payload, err := d.Push(wirePacket(s.in.ssrc, s.in.seq, s.in.ts), uint32(i)*160)
		if err != nil {
			t.Fatalf("step %d: Push = %v", i, err)
		}
		got := out{r.Status, r.Lost, r.Silence, r.ExtSeq}
		if got.status == OtherSource {
			got.ext = 0
		}
		if got != s.out {
			t.Errorf("step %d: Push(seq %d) = %+v, want %+v", i, s.in.seq, got, s.out)
		}
		if r.Status.Playable() && len(payload) != 160 {
			t.Errorf("step %d: payload %d bytes, want 160", i, len(payload))
		}
	}
	st := d.Stats()
	want := Stats{Received: 2, Expected: 2, Lost: 0, HighestSeq: 30002, Late: 1, Duplicates: 3, OtherSources: 2}
	st.Jitter = 0
	if st != want {
		t.Errorf("Stats() = %+v, want %+v", st, want)
	}
	if ssrc, ok := d.SSRC(); ssrc != S || !ok {
		t.Errorf("SSRC() = %d, %v, want %d, true", ssrc, ok, S)
	}
	// SSRC 9 sends in sequence: after MinSequential packets it takes over.
	for i, want := range []Status{OtherSource, Restart, InOrder} {
		r, p, err := d.Push(wirePacket(9, uint16(500+i), uint32(9000+160*i)), 0)
		if err != nil || r.Status != want || (want != OtherSource && len(p) != 160) {
			t.Errorf("Push(SSRC 9, seq %d) = %v, %d bytes, %v, want %v", 500+i, r.Status, len(p), err, want)
		}
	}
	if ssrc, _ := d.SSRC(); ssrc != 9 {
		t.Errorf("SSRC() after switch = %d, want 9", ssrc)
	}
	if st := d.Stats(); st.Received != 2 || st.Expected != 2 || st.HighestSeq != 502 {
		t.Errorf("Stats() after switch = %+v, want Received 2, Expected 2, HighestSeq 502", st)
	}
	if r, _, _ := d.Push(unhex("8003000000000000000000010000"), 0); r.Status != OtherPayloadType {
		t.Errorf("Push(PT 3 on PCMA stream) = %v, want other-payload-type", r.Status)
	}
	if _, _, err := d.Push(unhex("80"), 0); !errors.Is(err, ErrShort) {
		t.Errorf("Push(1 byte) = %v, want ErrShort", err)
	}
}

// TestDepacketizerLoss checks the loss statistics (RFC 3550 A.3) over a
// stream with every 10th packet dropped and some reordering.
func TestDepacketizerLoss(t *testing.T) {
	d, _ := NewDepacketizer(PTPCMA)
	var sent, lost int
	for i := 0; i < 1000; i++ {
		seq := uint16(60000 + i)
		if i > 5 && i%10 == 0 {
			lost++
			continue
		}
		sent++
		if _, _, err := d.Push(wirePacket(7, seq, uint32(i)*160), uint32(i)*160+uint32(i%3)); err != nil {
			t.Fatal(err)
		}
	}
	st := d.Stats()
	// The first packet is spent on probation and not counted.
	if st.Expected != 999 || st.Lost != int64(lost) || st.Received != uint64(sent-1) {
		t.Errorf("Stats() = %+v, want Expected 999, Lost %d, Received %d", st, lost, sent-1)
	}
	if st.Jitter == 0 || st.Jitter > 3 {
		t.Errorf("Stats().Jitter = %d, want 1..3 for arrival wobble of 0..2", st.Jitter)
	}
}

// TestZeroAllocs: packetizing and depacketizing allocate nothing.
func TestZeroAllocs(t *testing.T) {
	pz, _ := NewPacketizer(PTGSM, 42, 0, 0)
	d, _ := NewDepacketizer(PTGSM)
	frame := make([]byte, 33)
	buf := make([]byte, 100)
	var at uint32
	if n := testing.AllocsPerRun(100, func() {
		n, err := pz.Packetize(buf, frame)
		if err != nil {
			t.Fatal(err)
		}
		at += 160
		if _, _, err := d.Push(buf[:n], at); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("Packetize+Push allocs per packet = %v, want 0", n)
	}
}
