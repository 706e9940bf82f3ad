package media

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/gsmbox/gsmbox/gsm/codec/rtp"
	"github.com/pion/sdp/v3"
)

// SDP offer/answer (RFC 3264) for one audio stream over RTP/AVP
// (RFC 4566, RFC 3551). pion/sdp/v3 parses and writes the text; this file
// decides what is offered and accepted.

// MaxSDP is the largest session description accepted.
const MaxSDP = 8 << 10

// Limits on what a parsed description may hold.
const (
	maxMedia   = 16
	maxFormats = 64
	maxAttrs   = 256
)

// negotiated is the outcome of offer/answer.
type negotiated struct {
	ok      bool
	pt      uint8 // the voice payload type
	eventPT uint8 // telephone-event payload type; 0 if none
	send    bool  // the peer takes media (not sendonly/inactive)
	remote  netip.AddrPort
	rtcp    netip.AddrPort
}

// Offer returns an SDP offer of the configured codecs and telephone-event.
func (s *Session) Offer() ([]byte, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, fmt.Errorf("%w: Offer after Close", ErrState)
	}
	s.offered = true
	s.mu.Unlock()
	return s.description(s.cfg.Codecs, s.cfg.EventPT, "sendrecv")
}

// Answer takes the peer's SDP offer, chooses the codec (the first of
// Config.Codecs the offer has) and returns the SDP answer. On a running
// session (a re-INVITE) it updates the remote address and direction; a
// codec change applies at the next 20 ms frame.
func (s *Session) Answer(offer []byte) ([]byte, error) {
	r, err := parseSDP(offer)
	if err != nil {
		return nil, err
	}
	var pt uint8
	found := false
	for _, want := range s.cfg.Codecs {
		if r.has(want) {
			pt, found = want, true
			break
		}
	}
	if !found {
		return nil, fmt.Errorf("%w: offer has %v, we speak %v", ErrNoCodec, r.pts, s.cfg.Codecs)
	}
	n := negotiated{ok: true, pt: pt, eventPT: r.eventPT, send: r.send, remote: r.addr, rtcp: r.rtcp}
	if err := s.apply(n); err != nil {
		return nil, err
	}
	dir := "sendrecv"
	switch {
	case !r.send && !r.recv:
		dir = "inactive"
	case !r.send:
		dir = "sendonly" // the peer is recvonly
	case !r.recv:
		dir = "recvonly" // the peer is sendonly: we are on hold
	}
	return s.description([]uint8{pt}, r.eventPT, dir)
}

// Accept takes the peer's SDP answer to our Offer (from a 183 for early
// media or the 200; it may come twice): the codec is the first of the
// answer's that we offered.
func (s *Session) Accept(answer []byte) error {
	s.mu.Lock()
	offered := s.offered
	s.mu.Unlock()
	if !offered {
		return fmt.Errorf("%w: Accept without an Offer", ErrState)
	}
	r, err := parseSDP(answer)
	if err != nil {
		return err
	}
	for _, pt := range r.pts {
		for _, ours := range s.cfg.Codecs {
			if pt == ours {
				ev := r.eventPT
				return s.apply(negotiated{ok: true, pt: pt, eventPT: ev, send: r.send, remote: r.addr, rtcp: r.rtcp})
			}
		}
	}
	return fmt.Errorf("%w: answer has %v, we offered %v", ErrNoCodec, r.pts, s.cfg.Codecs)
}

// Codec returns the negotiated voice payload type and telephone-event
// payload type (0: none), and whether negotiation is done.
func (s *Session) Codec() (pt, eventPT uint8, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.neg.pt, s.neg.eventPT, s.neg.ok
}

func (s *Session) apply(n negotiated) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("%w: negotiation after Close", ErrState)
	}
	if !s.neg.ok || s.neg.pt != n.pt {
		s.resetReceive(n.pt)
	}
	if !s.latched || s.neg.remote != n.remote {
		s.remote, s.latched = n.remote, false
	}
	s.rtcpTo = n.rtcp
	s.haveRemote = n.remote.Port() != 0
	s.neg = n
	return nil
}

// description writes an SDP with one audio stream.
func (s *Session) description(pts []uint8, eventPT uint8, dir string) ([]byte, error) {
	at := "IP4"
	if s.ext.Addr().Is6() && !s.ext.Addr().Is4In6() {
		at = "IP6"
	}
	host := s.ext.Addr().Unmap().String()
	d := &sdp.SessionDescription{
		Origin: sdp.Origin{Username: "gsmbox", SessionID: s.sessID, SessionVersion: s.sdpVer.Add(1),
			NetworkType: "IN", AddressType: at, UnicastAddress: host},
		SessionName:           "gsmbox",
		ConnectionInformation: &sdp.ConnectionInformation{NetworkType: "IN", AddressType: at, Address: &sdp.Address{Address: host}},
		TimeDescriptions:      []sdp.TimeDescription{{}},
	}
	m := &sdp.MediaDescription{MediaName: sdp.MediaName{Media: "audio", Port: sdp.RangedPort{Value: int(s.ext.Port())}, Protos: []string{"RTP", "AVP"}}}
	for _, pt := range pts {
		f, _ := rtp.FormatOf(pt)
		m.MediaName.Formats = append(m.MediaName.Formats, strconv.Itoa(int(pt)))
		m.Attributes = append(m.Attributes, sdp.Attribute{Key: "rtpmap", Value: fmt.Sprintf("%d %s/%d", pt, f.Name, f.ClockRate)})
	}
	if eventPT != 0 {
		m.MediaName.Formats = append(m.MediaName.Formats, strconv.Itoa(int(eventPT)))
		m.Attributes = append(m.Attributes,
			sdp.Attribute{Key: "rtpmap", Value: fmt.Sprintf("%d telephone-event/8000", eventPT)},
			sdp.Attribute{Key: "fmtp", Value: fmt.Sprintf("%d 0-15", eventPT)})
	}
	m.Attributes = append(m.Attributes,
		sdp.Attribute{Key: "ptime", Value: strconv.Itoa(int(Ptime.Milliseconds()))},
		sdp.Attribute{Key: dir})
	d.MediaDescriptions = []*sdp.MediaDescription{m}
	return d.Marshal()
}

// remoteSDP is what we use of a peer's description.
type remoteSDP struct {
	addr, rtcp netip.AddrPort
	pts        []uint8 // static voice types we know, in the peer's order
	eventPT    uint8
	send, recv bool // the peer sends, the peer receives
	ptime      int
}

func (r *remoteSDP) has(pt uint8) bool {
	for _, p := range r.pts {
		if p == pt {
			return true
		}
	}
	return false
}

// parseSDP reads the first audio stream of an RTP/AVP description.
func parseSDP(b []byte) (r remoteSDP, err error) {
	if len(b) > MaxSDP {
		return r, fmt.Errorf("%w: %d octets, at most %d", ErrSDP, len(b), MaxSDP)
	}
	var d sdp.SessionDescription
	func() {
		// pion/sdp is a well-fuzzed parser; a panic in it must still not
		// take the call (or gsmbox) down.
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("%w: parser: %v", ErrSDP, p)
			}
		}()
		err = d.Unmarshal(b)
	}()
	if err != nil {
		if !strings.HasPrefix(err.Error(), ErrSDP.Error()) {
			err = fmt.Errorf("%w: %w", ErrSDP, err)
		}
		return r, err
	}
	if len(d.MediaDescriptions) > maxMedia || len(d.Attributes) > maxAttrs {
		return r, fmt.Errorf("%w: %d media, %d attributes", ErrSDP, len(d.MediaDescriptions), len(d.Attributes))
	}
	var m *sdp.MediaDescription
	for _, md := range d.MediaDescriptions {
		if md.MediaName.Media == "audio" && md.MediaName.Port.Value != 0 &&
			strings.Join(md.MediaName.Protos, "/") == "RTP/AVP" {
			m = md
			break
		}
	}
	if m == nil {
		return r, fmt.Errorf("%w: no RTP/AVP audio stream", ErrSDP)
	}
	if len(m.MediaName.Formats) > maxFormats || len(m.Attributes) > maxAttrs {
		return r, fmt.Errorf("%w: %d formats, %d attributes", ErrSDP, len(m.MediaName.Formats), len(m.Attributes))
	}
	if m.MediaName.Port.Value < 1 || m.MediaName.Port.Value > 65535 {
		return r, fmt.Errorf("%w: port %d", ErrSDP, m.MediaName.Port.Value)
	}
	ci := m.ConnectionInformation
	if ci == nil {
		ci = d.ConnectionInformation
	}
	if ci == nil || ci.Address == nil || ci.NetworkType != "IN" {
		return r, fmt.Errorf("%w: no connection address", ErrSDP)
	}
	ip, err := netip.ParseAddr(ci.Address.Address)
	if err != nil || ip.Zone() != "" {
		return r, fmt.Errorf("%w: connection address %q is not an IP address", ErrSDP, ci.Address.Address)
	}
	ip = ip.Unmap()
	if ip.IsMulticast() {
		return r, fmt.Errorf("%w: multicast %s", ErrSDP, ip)
	}
	r.addr = netip.AddrPortFrom(ip, uint16(m.MediaName.Port.Value))
	r.rtcp = netip.AddrPortFrom(ip, uint16(m.MediaName.Port.Value+1))
	if m.MediaName.Port.Value == 65535 {
		r.rtcp = netip.AddrPort{}
	}
	// rtpmap names the dynamic types; the static ones we speak are known
	// by number (RFC 3551 Table 4) even without one.
	names := map[int]string{}
	for _, a := range m.Attributes {
		switch a.Key {
		case "rtpmap":
			num, enc, ok := strings.Cut(a.Value, " ")
			if n, err := strconv.Atoi(num); ok && err == nil && n >= 0 && n < 128 {
				names[n] = strings.ToLower(enc)
			}
		case "rtcp": // RFC 3605
			if f := strings.Fields(a.Value); len(f) > 0 {
				if n, err := strconv.Atoi(f[0]); err == nil && n > 0 && n < 65536 {
					r.rtcp = netip.AddrPortFrom(ip, uint16(n))
				}
			}
		case "ptime":
			r.ptime, _ = strconv.Atoi(a.Value)
		}
	}
	r.send, r.recv = true, true
	dirOf := func(attrs []sdp.Attribute) {
		for _, a := range attrs {
			switch a.Key {
			case "sendonly":
				r.send, r.recv = true, false
			case "recvonly":
				r.send, r.recv = false, true
			case "inactive":
				r.send, r.recv = false, false
			case "sendrecv":
				r.send, r.recv = true, true
			}
		}
	}
	dirOf(d.Attributes)
	dirOf(m.Attributes)
	if ip.IsUnspecified() {
		r.recv = false // c=0.0.0.0: the old way of putting a call on hold (RFC 3264 §8.4)
	}
	for _, f := range m.MediaName.Formats {
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 || n > 127 {
			continue
		}
		name, named := names[n]
		switch {
		case n == int(rtp.PTPCMU) && (!named || strings.HasPrefix(name, "pcmu/8000")),
			n == int(rtp.PTGSM) && (!named || strings.HasPrefix(name, "gsm/8000")),
			n == int(rtp.PTPCMA) && (!named || strings.HasPrefix(name, "pcma/8000")):
			r.pts = append(r.pts, uint8(n))
		case n >= 96 && named && strings.HasPrefix(name, "telephone-event/8000") && r.eventPT == 0:
			r.eventPT = uint8(n)
		}
	}
	if len(r.pts) == 0 {
		return r, fmt.Errorf("%w: formats %v", ErrNoCodec, m.MediaName.Formats)
	}
	return r, nil
}
