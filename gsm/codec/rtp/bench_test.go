package rtp

import "testing"

func gsmPacket() Packet {
	payload := make([]byte, 33)
	payload[0] = 0xd0
	return Packet{Header: Header{Marker: true, PayloadType: PTGSM, SequenceNumber: 1, Timestamp: 160, SSRC: 42}, Payload: payload}
}

func BenchmarkMarshalTo(b *testing.B) {
	p := gsmPacket()
	buf := make([]byte, 100)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.MarshalTo(buf); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshal(b *testing.B) {
	p := gsmPacket()
	wire, _ := p.Marshal()
	var q Packet
	b.ReportAllocs()
	for b.Loop() {
		if err := q.Unmarshal(wire); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRoundTrip: Packetize then Push, one 20 ms GSM frame per op.
func BenchmarkRoundTrip(b *testing.B) {
	pz, _ := NewPacketizer(PTGSM, 42, 0, 0)
	d, _ := NewDepacketizer(PTGSM)
	frame := make([]byte, 33)
	frame[0] = 0xd0
	buf := make([]byte, 100)
	b.ReportAllocs()
	var at uint32
	for b.Loop() {
		n, err := pz.Packetize(buf, frame)
		if err != nil {
			b.Fatal(err)
		}
		at += 160
		if _, _, err := d.Push(buf[:n], at); err != nil {
			b.Fatal(err)
		}
	}
}
