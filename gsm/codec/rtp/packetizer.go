package rtp

// Packetizer stamps outgoing payloads of one stream (one SSRC and payload
// type) with consecutive sequence numbers and sample-clock timestamps,
// RFC 3550 §5.1 and RFC 3551 §4.1–4.2. It is not safe for concurrent use.
type Packetizer struct {
	format Format
	ssrc   uint32
	seq    uint16
	ts     uint32
	marker bool
}

// NewPacketizer returns a packetizer for payload type pt. RFC 3550 §5.1
// wants the initial sequence number and timestamp to be random: the caller
// draws them (for example with crypto/rand), which keeps this package
// pure. The first packet carries the marker bit (start of a talkspurt).
func NewPacketizer(pt uint8, ssrc uint32, seq uint16, ts uint32) (*Packetizer, error) {
	f, err := FormatOf(pt)
	if err != nil {
		return nil, err
	}
	return &Packetizer{format: f, ssrc: ssrc, seq: seq, ts: ts, marker: true}, nil
}

// Format returns the stream's payload format.
func (p *Packetizer) Format() Format { return p.format }

// Next returns the sequence number and timestamp the next packet will
// carry.
func (p *Packetizer) Next() (seq uint16, ts uint32) { return p.seq, p.ts }

// Packetize writes one packet carrying payload (a whole number of frames
// of the stream's format, e.g. one or more 33-byte GSM frames or any
// number of G.711 octets) to dst, and returns its length. The timestamp
// then advances by the payload's samples and the sequence number by one.
func (p *Packetizer) Packetize(dst []byte, payload []byte) (int, error) {
	samples, err := p.format.Samples(payload)
	if err != nil {
		return 0, err
	}
	pkt := Packet{
		Header: Header{
			Marker:         p.marker,
			PayloadType:    p.format.PayloadType,
			SequenceNumber: p.seq,
			Timestamp:      p.ts,
			SSRC:           p.ssrc,
		},
		Payload: payload,
	}
	n, err := pkt.MarshalTo(dst)
	if err != nil {
		return 0, err
	}
	p.marker = false
	p.seq++
	p.ts += samples
	return n, nil
}

// Skip advances the timestamp by samples without sending, for a silence
// period (discontinuous transmission). The next packet starts a new
// talkspurt and carries the marker bit, RFC 3551 §4.1.
func (p *Packetizer) Skip(samples uint32) {
	if samples == 0 {
		return
	}
	p.ts += samples
	p.marker = true
}
