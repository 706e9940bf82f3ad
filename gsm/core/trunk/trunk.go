package trunk

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/gsmbox/gsmbox/gsm/cc"
	"github.com/gsmbox/gsmbox/gsm/core"
	"github.com/gsmbox/gsmbox/gsm/core/media"
	"github.com/gsmbox/gsmbox/gsm/rsl"
)

// Defaults.
const (
	DefaultExpiry   = time.Hour
	DefaultRetryMin = 2 * time.Second
	DefaultRetryMax = 5 * time.Minute
	DefaultMaxCalls = 32
	// MaxMessage is the largest SIP message accepted (a datagram or a
	// stream message); larger ones are dropped unparsed.
	MaxMessage = 16 << 10
	// requestTimeout bounds a REGISTER or OPTIONS round trip.
	requestTimeout = 10 * time.Second
)

// Media is one call's media session (gsm/core/media.Session): RTP on
// its own ports, negotiated by SDP offer/answer (RFC 3264), joined to the
// phone's TCH/F through a SpeechPort.
type Media interface {
	// Offer returns our SDP offer (outgoing calls).
	Offer() ([]byte, error)
	// Answer returns our SDP answer to a remote offer (incoming calls).
	Answer(offer []byte) ([]byte, error)
	// Accept takes the remote answer to our offer.
	Accept(answer []byte) error
	// Start runs the media between the network and port.
	Start(port *rsl.SpeechPort) error
	// Close ends the media and frees its ports.
	Close() error
}

// DTMFMedia is a Media that sends and receives RFC 4733 events
// (media.Session).
type DTMFMedia interface {
	// StartDTMF starts the key's event; StopDTMF ends it.
	StartDTMF(key byte) error
	StopDTMF()
	// DTMF carries the events the far end sends.
	DTMF() <-chan media.DTMF
}

// Events is where the trunk reports (core.Network).
type Events interface {
	TrunkEvent(core.TrunkEvent) error
}

// Config sets up one trunk.
type Config struct {
	// Name names it in logs, status and CDRs.
	Name string
	// Registrar is HOST[:PORT] to REGISTER with; "" does not register.
	Registrar string
	// Proxy is HOST[:PORT] INVITEs and OPTIONS go to; "" is Registrar.
	Proxy string
	// Username and Password are the digest credentials; Realm, when set,
	// is the only realm they are given to. The password is never logged.
	Username, Password, Realm string
	// DIDs maps a provider number (digits, no "+") to an MSISDN.
	DIDs map[string]string
	// Routes are the numbers the trunk takes; Emergency adds emergency
	// calls.
	Routes    []Route
	Emergency bool
	// Transport is "udp" (default) or "tcp".
	Transport string
	// Listen is the local IP:PORT for SIP.
	Listen string
	// External is the address the provider sees us at (IP[:PORT]); ""
	// is Listen's.
	External string
	// Expiry is the registration's asked-for lifetime; 0: DefaultExpiry.
	Expiry time.Duration
	// RetryMin and RetryMax bound the back-off while the provider does
	// not answer or refuses; 0: the defaults.
	RetryMin, RetryMax time.Duration
	// Keepalive is the OPTIONS interval; 0 sends none.
	Keepalive time.Duration
	// MaxCalls bounds the calls in progress; 0: DefaultMaxCalls.
	MaxCalls int
	// NewMedia makes a call's media session (its RTP ports); required.
	NewMedia func() (Media, error)
	// Log, nil discards.
	Log *slog.Logger
}

// Status is a trunk's state, for the node's Snapshot. It never holds the
// password.
type Status struct {
	Name      string    `json:"name"`
	Registrar string    `json:"registrar,omitempty"`
	State     string    `json:"state"` // "off" (no registrar), "registering", "registered", "failed"
	Detail    string    `json:"detail,omitempty"`
	Since     time.Time `json:"since,omitzero"`
	Expires   time.Time `json:"expires,omitzero"`
	Reachable bool      `json:"reachable"` // the last REGISTER or OPTIONS was answered
	Active    int       `json:"active"`    // calls in progress
	CallsOut  uint64    `json:"calls_out"`
	CallsIn   uint64    `json:"calls_in"`
	Refused   uint64    `json:"refused"` // incoming INVITEs refused (unknown DID, limit)
	Dropped   uint64    `json:"dropped"` // datagrams or connections from unknown addresses, or too large
	DTMFIn    uint64    `json:"dtmf_in"`
	DTMFOut   uint64    `json:"dtmf_out"`
}

// Trunk is one provider: its SIP user agent, listener, registration and
// calls. Serve runs it.
type Trunk struct {
	cfg    Config
	group  *Group
	log    *slog.Logger
	lim    *limiter
	ua     *sipgo.UserAgent
	srv    *sipgo.Server
	client *sipgo.Client
	dcc    *sipgo.DialogClientCache
	dsc    *sipgo.DialogServerCache
	conn   net.PacketConn // udp
	ln     net.Listener   // tcp
	filter *filter

	domain      string // host of our AOR (the registrar's host)
	regAddr     string // host:port
	proxyAddr   string
	contactHost string
	contactPort int

	mu     sync.Mutex
	st     Status
	active atomic.Int32
	ready  chan struct{} // closed once listening
	lost   chan struct{} // the keepalive lost the provider: re-register now
}

// New checks cfg and binds the trunk's SIP socket.
func New(cfg Config) (*Trunk, error) {
	if cfg.Name == "" || cfg.NewMedia == nil {
		return nil, fmt.Errorf("%w: name and NewMedia are required", ErrConfig)
	}
	if cfg.Registrar == "" && cfg.Proxy == "" {
		return nil, fmt.Errorf("%w: trunk %s: no registrar and no proxy", ErrConfig, cfg.Name)
	}
	if cfg.Transport == "" {
		cfg.Transport = "udp"
	}
	if cfg.Transport != "udp" && cfg.Transport != "tcp" {
		return nil, fmt.Errorf("%w: trunk %s: transport %q", ErrConfig, cfg.Name, cfg.Transport)
	}
	if cfg.Expiry <= 0 {
		cfg.Expiry = DefaultExpiry
	}
	if cfg.RetryMin <= 0 {
		cfg.RetryMin = DefaultRetryMin
	}
	if cfg.RetryMax < cfg.RetryMin {
		cfg.RetryMax = max(DefaultRetryMax, cfg.RetryMin)
	}
	if cfg.MaxCalls <= 0 {
		cfg.MaxCalls = DefaultMaxCalls
	}
	if cfg.Listen == "" {
		cfg.Listen = "0.0.0.0:5060"
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	t := &Trunk{cfg: cfg, log: log.With("trunk", cfg.Name), lim: newLimiter(10 * time.Second), ready: make(chan struct{}), lost: make(chan struct{}, 1)}
	t.regAddr = withPort(cfg.Registrar)
	t.proxyAddr = withPort(cfg.Proxy)
	if t.proxyAddr == "" {
		t.proxyAddr = t.regAddr
	}
	if t.regAddr != "" {
		t.domain, _, _ = net.SplitHostPort(t.regAddr)
	} else {
		t.domain, _, _ = net.SplitHostPort(t.proxyAddr)
	}
	t.st = Status{Name: cfg.Name, Registrar: cfg.Registrar, State: "off"}
	if cfg.Registrar != "" {
		t.st.State = "registering"
	}

	lhost, lport, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("%w: trunk %s: listen %q: %v", ErrConfig, cfg.Name, cfg.Listen, err)
	}
	if lhost == "" {
		lhost = "0.0.0.0"
	}
	t.filter = newFilter(t)
	if err := t.filter.resolve(t.regAddr, t.proxyAddr); err != nil {
		return nil, fmt.Errorf("%w: trunk %s: %v", ErrConfig, cfg.Name, err)
	}
	laddr := net.JoinHostPort(lhost, lport)
	network := cfg.Transport + "4"
	if ip, err := netip.ParseAddr(lhost); err == nil && ip.Is6() && !ip.Is4In6() {
		network = cfg.Transport + "6"
	}
	if cfg.Transport == "udp" {
		pc, err := net.ListenPacket(network, laddr)
		if err != nil {
			return nil, fmt.Errorf("trunk %s: %w", cfg.Name, err)
		}
		t.conn = &filterConn{PacketConn: pc, f: t.filter}
		laddr = pc.LocalAddr().String()
	} else {
		ln, err := net.Listen(network, laddr)
		if err != nil {
			return nil, fmt.Errorf("trunk %s: %w", cfg.Name, err)
		}
		t.ln = &filterListener{Listener: ln, f: t.filter}
		laddr = ln.Addr().String()
	}
	lhost, lport, _ = net.SplitHostPort(laddr)
	t.contactHost = lhost
	t.contactPort, _ = strconv.Atoi(lport)
	if lhost == "0.0.0.0" || lhost == "::" {
		t.contactHost = outboundIP(t.proxyAddr)
	}
	if cfg.External != "" {
		h, p, err := net.SplitHostPort(cfg.External)
		if err != nil {
			h, p = cfg.External, ""
		}
		t.contactHost = h
		if p != "" {
			t.contactPort, _ = strconv.Atoi(p)
		}
	}

	parser := sip.NewParser()
	parser.MaxMessageLength = MaxMessage
	sl := slog.New(limitHandler{h: t.log.Handler(), lim: t.lim})
	t.ua, err = sipgo.NewUA(sipgo.WithUserAgent("gsmbox"), sipgo.WithUserAgentHostname(t.domain), sipgo.WithUserAgentParser(parser),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(sl)),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(sl)))
	if err != nil {
		t.closeSockets()
		return nil, err
	}
	t.srv, err = sipgo.NewServer(t.ua, sipgo.WithServerLogger(sl))
	if err != nil {
		t.closeSockets()
		return nil, err
	}
	copts := []sipgo.ClientOption{sipgo.WithClientLogger(sl), sipgo.WithClientHostname(t.contactHost),
		sipgo.WithClientPort(t.contactPort), sipgo.WithClientNAT()}
	if cfg.Transport == "udp" {
		// Requests leave from the listening socket, so that the
		// provider's answers and its INVITEs reach one port (and one
		// NAT binding).
		copts = append(copts, sipgo.WithClientConnectionAddr(laddr))
	}
	t.client, err = sipgo.NewClient(t.ua, copts...)
	if err != nil {
		t.closeSockets()
		return nil, err
	}
	contact := t.contact()
	t.dcc = sipgo.NewDialogClientCache(t.client, contact)
	t.dsc = sipgo.NewDialogServerCache(t.client, contact)
	t.srv.OnInvite(t.onInvite)
	t.srv.OnAck(t.onAck)
	t.srv.OnBye(t.onBye)
	t.srv.OnCancel(func(req *sip.Request, tx sip.ServerTransaction) {
		// A CANCEL matching no INVITE transaction (RFC 3261 §9.2).
		_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
	})
	t.srv.OnOptions(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
	})
	t.srv.OnNoRoute(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 405, "Method Not Allowed", nil))
	})
	return t, nil
}

// Name returns the trunk's name.
func (t *Trunk) Name() string { return t.cfg.Name }

// Addr returns the local SIP address.
func (t *Trunk) Addr() string {
	if t.conn != nil {
		return t.conn.LocalAddr().String()
	}
	return t.ln.Addr().String()
}

// ContactHost is the address the trunk gives the provider (Contact,
// Via): the external address, or the local one that reaches the proxy.
func (t *Trunk) ContactHost() string { return t.contactHost }

// Close frees a trunk that will not be served (Serve frees its own).
func (t *Trunk) Close() {
	t.ua.Close()
	t.closeSockets()
}

func (t *Trunk) closeSockets() {
	if t.conn != nil {
		t.conn.Close()
	}
	if t.ln != nil {
		t.ln.Close()
	}
}

// withPort adds SIP's default port to HOST.
func withPort(hp string) string {
	if hp == "" {
		return ""
	}
	if _, _, err := net.SplitHostPort(hp); err == nil {
		return hp
	}
	return net.JoinHostPort(hp, "5060")
}

// outboundIP is the local address that reaches dst (no packet is sent).
func outboundIP(dst string) string {
	c, err := net.Dial("udp", dst)
	if err != nil {
		return "127.0.0.1"
	}
	defer c.Close()
	h, _, _ := net.SplitHostPort(c.LocalAddr().String())
	return h
}

func (t *Trunk) contact() sip.ContactHeader {
	u := sip.Uri{Scheme: "sip", User: t.cfg.Username, Host: t.contactHost, Port: t.contactPort}
	if u.User == "" {
		u.User = "gsmbox"
	}
	if t.cfg.Transport == "tcp" {
		u.UriParams = sip.NewParams()
		u.UriParams.Add("transport", "tcp")
	}
	return sip.ContactHeader{Address: u}
}

// Serve runs the trunk until ctx ends: the listener, the registration
// and the keepalive; at the end it unregisters, ends its calls and
// closes its sockets.
func (t *Trunk) Serve(ctx context.Context) error {
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(ctx)
	defer func() {
		cancel()
		t.ua.Close()
		t.closeSockets()
		wg.Wait()
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		var err error
		if t.conn != nil {
			err = t.srv.ServeUDP(t.conn)
		} else {
			err = t.srv.ServeTCP(t.ln)
		}
		if err != nil && ctx.Err() == nil {
			t.log.Error("SIP listener stopped", "err", err)
		}
	}()
	// Requests leave from the listening socket: wait until sipgo has
	// taken it (ServeUDP registers it as a connection).
	if t.conn != nil {
		for i := 0; i < 200 && ctx.Err() == nil; i++ {
			if c, err := t.ua.TransportLayer().GetConnection("udp", t.conn.LocalAddr().String()); err == nil && c != nil {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	close(t.ready)
	if t.cfg.Registrar != "" {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.registerLoop(ctx)
		}()
	}
	if t.cfg.Keepalive > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.keepalive(ctx)
		}()
	}
	<-ctx.Done()
	return nil
}

// Status returns the trunk's state.
func (t *Trunk) Status() Status {
	t.mu.Lock()
	s := t.st
	t.mu.Unlock()
	s.Active = int(t.active.Load())
	s.Dropped = t.filter.dropped.Load()
	return s
}

func (t *Trunk) update(f func(s *Status)) {
	t.mu.Lock()
	f(&t.st)
	t.mu.Unlock()
}

// registered reports whether calls may go out now: registered, or a
// trunk that does not register.
func (t *Trunk) usable() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.st.State == "registered" || t.st.State == "off"
}

// routes reports whether the trunk takes number.
func (t *Trunk) routes(number string, emergency bool) bool {
	if emergency && t.cfg.Emergency {
		return true
	}
	for _, r := range t.cfg.Routes {
		if r.Match(number) {
			return true
		}
	}
	return false
}

// emit hands an event to the core; with the queue full it retries for a
// while (the trunk's goroutines may wait, the core's never does).
func (t *Trunk) emit(ev core.TrunkEvent) bool {
	ev.Trunk = t.cfg.Name
	for i := 0; i < 50; i++ {
		if t.group.events.TrunkEvent(ev) == nil {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.lim.warn(t.log, "core queue full", "event", ev.Kind.String(), "call", ev.Call)
	return false
}

// Group is the trunks of a node, tried in order: it implements
// core.Trunk.
type Group struct {
	trunks []*Trunk
	events Events
	log    *slog.Logger

	mu     sync.Mutex
	calls  map[uint32]*callRec
	nextIn uint32
}

// callRec is the switch's side of one trunk call: what the core asked,
// waiting for the call's goroutine.
type callRec struct {
	id     uint32
	cause  cc.CauseValue // the switch's clearing cause, once it hung up
	hang   chan cc.CauseValue
	ring   chan struct{}
	answer chan struct{}
	dtmf   chan dtmfKey
}

type dtmfKey struct {
	key   byte
	start bool
}

func newRec(id uint32) *callRec {
	return &callRec{id: id, hang: make(chan cc.CauseValue, 1), ring: make(chan struct{}, 1),
		answer: make(chan struct{}, 1), dtmf: make(chan dtmfKey, 16)}
}

// NewGroup joins trunks (in the order they are tried) to the core.
func NewGroup(events Events, log *slog.Logger, trunks ...*Trunk) *Group {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	g := &Group{trunks: trunks, events: events, log: log, calls: map[uint32]*callRec{}}
	for _, t := range trunks {
		t.group = g
	}
	return g
}

// SetEvents sets where the trunks report (the core, made after them).
func (g *Group) SetEvents(e Events) { g.events = e }

// Trunks returns the trunks in order.
func (g *Group) Trunks() []*Trunk { return g.trunks }

// Status returns every trunk's state.
func (g *Group) Status() []Status {
	out := make([]Status, len(g.trunks))
	for i, t := range g.trunks {
		out[i] = t.Status()
	}
	return out
}

// Serve runs every trunk until ctx ends.
func (g *Group) Serve(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, t := range g.trunks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.Serve(ctx)
		}()
	}
	wg.Wait()
	return nil
}

// Calls returns how many calls are in progress (for leak checks).
func (g *Group) Calls() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.calls)
}

func (g *Group) rec(id uint32) *callRec {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.calls[id]
}

func (g *Group) drop(id uint32) {
	g.mu.Lock()
	delete(g.calls, id)
	g.mu.Unlock()
}

// Route implements core.Trunk.
func (g *Group) Route(number string, emergency bool) bool {
	for _, t := range g.trunks {
		if t.routes(number, emergency) {
			return true
		}
	}
	return false
}

// Dial implements core.Trunk: the trunks that route the number are tried
// in order until one gets an answer other than a failure of the trunk
// itself (no registration, a timeout, 5xx before any provisional).
func (g *Group) Dial(id uint32, from, to string, emergency bool) {
	r := newRec(id)
	g.mu.Lock()
	g.calls[id] = r
	g.mu.Unlock()
	go func() {
		defer g.drop(id)
		var last *Trunk
		cause := cc.CauseNoRouteToDestination
		for _, t := range g.trunks {
			if !t.routes(to, emergency) {
				continue
			}
			last = t
			if !t.usable() {
				cause = cc.CauseNetworkOutOfOrder
				continue
			}
			c, next := t.outgoing(r, from, to)
			if !next {
				return
			}
			cause = c
		}
		ev := core.TrunkEvent{Kind: core.TrunkEnded, Call: id, Cause: cause}
		if last != nil {
			last.emit(ev)
		} else if g.events != nil {
			g.events.TrunkEvent(ev)
		}
	}()
}

// Ringing implements core.Trunk.
func (g *Group) Ringing(id uint32) {
	if r := g.rec(id); r != nil {
		select {
		case r.ring <- struct{}{}:
		default:
		}
	}
}

// Answer implements core.Trunk.
func (g *Group) Answer(id uint32) {
	if r := g.rec(id); r != nil {
		select {
		case r.answer <- struct{}{}:
		default:
		}
	}
}

// Hangup implements core.Trunk.
func (g *Group) Hangup(id uint32, cause cc.CauseValue) {
	if r := g.rec(id); r != nil {
		select {
		case r.hang <- cause:
		default:
		}
	}
}

// DTMF implements core.Trunk.
func (g *Group) DTMF(id uint32, key byte, start bool) {
	if r := g.rec(id); r != nil {
		select {
		case r.dtmf <- dtmfKey{key, start}:
		default:
		}
	}
}

// newIncoming registers an incoming call.
func (g *Group) newIncoming() *callRec {
	g.mu.Lock()
	defer g.mu.Unlock()
	for {
		g.nextIn = (g.nextIn + 1) &^ core.IncomingCall
		id := g.nextIn | core.IncomingCall
		if g.nextIn != 0 && g.calls[id] == nil {
			r := newRec(id)
			g.calls[id] = r
			return r
		}
	}
}

var _ core.Trunk = (*Group)(nil)
