package console

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"github.com/gsmbox/gsmbox/firmware/lan"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gsmbox/gsmbox/dsp/trx"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
)

// Host is what the console shows and changes: each field is a source the
// program running the console supplies. A nil field is a feature this
// box or build does not have, shown as "n/a" or "not available".
type Host struct {
	Version     string // gsmbox version
	Commit      string // source commit, "" unknown
	ImageSHA256 string // sha256 of the running image, "" unknown
	Board       string
	Started     time.Time
	// Snapshot is the network's state (node.Node or node.Service).
	Snapshot func() node.Snapshot
	// OffAir says why the cell is not on air when its loop is not running
	// ("" for no particular reason known).
	OffAir func() string
	// Registry is the subscriber registry; nil (or a nil result) when
	// the cell has it closed.
	Registry func() *registry.Registry
	// Config is the configuration in force and how to change it.
	Config ConfigStore
	// Logs is the log ring (logbuf.Ring).
	Logs LogSource
	// LastUSB is the last USB stick's result, "" for none yet.
	LastUSB func() string
	// DataRestored says what happened when durable data (the subscriber
	// registry) was found damaged and restored from a backup, and what
	// was lost; "" (or nil) when nothing was.
	DataRestored func() string
	// Transmitter says what the transmitter does now: keyed, or off and
	// why (the status file's "transmitter" line); nil on the simulator.
	Transmitter func() string
	// Hardware reads clock discipline and power amplifier state; nil on
	// a board (or the simulator) that has none.
	Hardware func() Hardware
	// Net is the box's address and wall clock; nil (or a zero Status):
	// not managed (the simulator on a laptop).
	Net func() lan.Status
	// History is the location-update history (fed by the core's
	// OnResult); nil shows none.
	History *History
	// SMS is the running network's SMS queue: nil, not in this build; a
	// nil result, the network is not running now.
	SMS func() SMSService
	// Calls is the calls feature's view; nil: not in this build.
	Calls Feature
	// Scope is the running cell's receive scope (the Radio page's
	// spectrum and constellation); nil, or a nil result, draws none.
	Scope func() *trx.Scope
}

// LogSource is a ring of log lines.
type LogSource interface {
	Lines() []string
	Seq() uint64
}

// Feature is a view a later feature (calls) adds: its data as JSON.
type Feature interface {
	View(ctx context.Context) (any, error)
}

// Hardware is what a board with the sensors reports; nil pointers are
// "n/a".
type Hardware struct {
	ClockState     string   `json:"clock_state,omitempty"` // e.g. "locked", "holdover", "free-running"
	ClockErrorPPB  *float64 `json:"clock_error_ppb,omitempty"`
	PATempC        *float64 `json:"pa_temp_c,omitempty"`
	PACurrentA     *float64 `json:"pa_current_a,omitempty"`
	InterlockTrips *uint64  `json:"interlock_trips,omitempty"`
	Interlock      string   `json:"interlock,omitempty"`
}

// ConfigStore is the running gsmbox.toml and how to change it.
type ConfigStore interface {
	// Running returns the text in force and where it came from.
	Running() (text []byte, source string)
	// Current returns the parsed configuration in force.
	Current() *config.Config
	// Check parses and validates text the way the USB workflow does,
	// returning *config.Error with every problem and its line.
	Check(text []byte) (*config.Config, error)
	// Apply checks text and, when good, makes it the configuration in
	// force atomically, keeping the one before for Revert.
	Apply(text []byte) error
	// Previous returns the configuration Revert would go back to (nil:
	// none).
	Previous() []byte
	// Revert goes back to the previous configuration.
	Revert() error
}

// Config configures the console.
type Config struct {
	Host Host
	// StateDir holds the credentials, the certificate and the audit log
	// (the data partition on a board).
	StateDir string
	// Addr is the TLS listen address ("" for none), e.g. ":443" or
	// "127.0.0.1:8080"; MoreAddrs are further ones ([console] listen).
	Addr      string
	MoreAddrs []string
	// Socket is the Unix socket for the local CLI ("" for none). It is
	// made mode 0600: whoever can open it is root on the box and gets
	// every scope.
	Socket string
	// MetricsOpen serves /metrics without authentication: an explicit
	// choice for a Prometheus on a trusted network.
	MetricsOpen bool
	Log         *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// SessionIdle and SessionMax bound a browser session (30 min, 12 h).
	SessionIdle, SessionMax time.Duration
	// LoginRate and LoginBurst bound password checks per second overall
	// (2/s, burst 5).
	LoginRate, LoginBurst float64
	// MaxConns bounds concurrent connections on Addr (64).
	MaxConns int
}

// Server is the console. It is a supervisor service (Name, Serve).
type Server struct {
	cfg    Config
	log    *slog.Logger
	now    func() time.Time
	creds  *Credentials
	cert   tls.Certificate
	fp     string
	sess   *sessions
	limit  *limiter
	audit  *audit
	mux    *http.ServeMux
	metric *metrics

	pics scopeCopy

	mu    sync.Mutex
	addr  net.Addr
	ready chan struct{}
}

// New opens the console's state (credentials, certificate) in
// cfg.StateDir, making the certificate on first use.
func New(cfg Config) (*Server, error) {
	if cfg.StateDir == "" {
		return nil, fmt.Errorf("%w: no state directory", ErrConfig)
	}
	if err := os.MkdirAll(cfg.StateDir, 0o700); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.Log, now: cfg.Now, ready: make(chan struct{})}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if cfg.SessionIdle == 0 {
		s.cfg.SessionIdle = 30 * time.Minute
	}
	if cfg.SessionMax == 0 {
		s.cfg.SessionMax = 12 * time.Hour
	}
	if cfg.LoginRate == 0 {
		s.cfg.LoginRate, s.cfg.LoginBurst = 2, 5
	}
	if s.cfg.MaxConns == 0 {
		s.cfg.MaxConns = 64
	}
	var err error
	if s.creds, err = OpenCredentials(cfg.StateDir); err != nil {
		return nil, err
	}
	host, _, _ := net.SplitHostPort(cfg.Addr)
	if s.cert, err = LoadOrCreateCert(cfg.StateDir, []string{host}, s.now()); err != nil {
		return nil, err
	}
	s.fp = Fingerprint(s.cert)
	s.sess = newSessions(s.cfg.SessionIdle, s.cfg.SessionMax)
	s.limit = newLimiter(s.cfg.LoginRate, s.cfg.LoginBurst)
	s.audit = &audit{path: filepath.Join(cfg.StateDir, AuditFile), log: s.log}
	s.metric = newMetrics(s)
	s.routes()
	return s, nil
}

// Name implements supervisor.Service.
func (s *Server) Name() string { return "console" }

// Fingerprint is the TLS certificate's SHA-256 fingerprint.
func (s *Server) Fingerprint() string { return s.fp }

// SetPassword sets the administrator password (from a USB stick) and
// ends every browser session.
func (s *Server) SetPassword(pw string) error {
	if err := s.creds.SetPassword(pw, s.now()); err != nil {
		return err
	}
	s.sess.removeAll()
	s.audit.record(AuditEntry{Time: s.now().UTC(), Who: "usb", From: "usb stick", Action: "password.set", Target: "admin", OK: true})
	return nil
}

// Credentials returns the credential store (for the USB workflow and
// tests).
func (s *Server) Credentials() *Credentials { return s.creds }

// Handler is the console's HTTP handler (what both listeners serve).
func (s *Server) Handler() http.Handler { return s.secure(s.inFlight(s.mux)) }

// maxInFlight bounds the requests the console works on at once. The
// board has few cores and the cell's loop must get one whenever a frame
// is due: however many browsers and scripts ask, the console keeps at
// most this many goroutines busy; the rest wait (up to busyWait) in
// line, then get 503.
const (
	maxInFlight = 2
	busyWait    = 5 * time.Second
)

func (s *Server) inFlight(h http.Handler) http.Handler {
	sem := make(chan struct{}, maxInFlight)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := time.NewTimer(busyWait)
		defer t.Stop()
		select {
		case sem <- struct{}{}:
		case <-t.C:
			s.metric.denied.WithLabelValues("busy").Inc()
			w.Header().Set("Retry-After", "1")
			apiError(w, http.StatusServiceUnavailable, "the console is busy; try again")
			return
		case <-r.Context().Done():
			return
		}
		defer func() { <-sem }()
		h.ServeHTTP(w, r)
	})
}

// Addr returns the TLS listener's address once Serve listens (for a
// port 0 given), or nil.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Ready is closed when Serve's listeners are open.
func (s *Server) Ready() <-chan struct{} { return s.ready }

type ctxKey int

const localKey ctxKey = 1

// Serve listens on Addr (TLS) and Socket until ctx ends.
func (s *Server) Serve(ctx context.Context) error {
	var lns []net.Listener
	var srvs []*http.Server
	closeAll := func() {
		for _, l := range lns {
			l.Close()
		}
	}
	for i, addr := range append([]string{s.cfg.Addr}, s.cfg.MoreAddrs...) {
		if addr == "" {
			continue
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			closeAll()
			return err
		}
		if i == 0 {
			s.mu.Lock()
			s.addr = ln.Addr()
			s.mu.Unlock()
		}
		lns = append(lns, tls.NewListener(limitListener(ln, s.cfg.MaxConns), &tls.Config{
			Certificates: []tls.Certificate{s.cert}, MinVersion: tls.VersionTLS12}))
		srvs = append(srvs, s.httpServer(false))
		s.log.Info("console listening", "url", "https://"+ln.Addr().String()+"/", "fingerprint", s.fp)
	}
	if s.cfg.Socket != "" {
		os.Remove(s.cfg.Socket)
		ln, err := net.Listen("unix", s.cfg.Socket)
		if err != nil {
			closeAll()
			return err
		}
		if err := os.Chmod(s.cfg.Socket, 0o600); err != nil {
			ln.Close()
			closeAll()
			return err
		}
		lns = append(lns, ln)
		srvs = append(srvs, s.httpServer(true))
	}
	close(s.ready)
	if len(lns) == 0 {
		<-ctx.Done()
		return nil
	}
	errc := make(chan error, len(lns))
	for i := range lns {
		go func() { errc <- srvs[i].Serve(lns[i]) }()
	}
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, h := range srvs {
		h.Shutdown(sctx)
		h.Close()
	}
	if s.cfg.Socket != "" {
		os.Remove(s.cfg.Socket)
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// httpServer bounds every phase of a request so that slow or hostile
// clients hold a connection only briefly: headers within 5 s
// (slowloris), the whole request within 30 s, 16 KiB of headers.
func (s *Server) httpServer(local bool) *http.Server {
	return &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			if local {
				return context.WithValue(ctx, localKey, true)
			}
			return ctx
		},
	}
}

// limitListener accepts at most n connections at once; more wait in
// the kernel's backlog.
func limitListener(l net.Listener, n int) net.Listener {
	return &limitedListener{Listener: l, sem: make(chan struct{}, n)}
}

type limitedListener struct {
	net.Listener
	sem chan struct{}
}

func (l *limitedListener) Accept() (net.Conn, error) {
	l.sem <- struct{}{}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &limitedConn{Conn: c, release: func() { <-l.sem }}, nil
}

type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// secure adds the headers every response carries: a strict content
// security policy (only our own scripts and styles: no inline script, no
// CDN), no framing, no sniffing, no referrer, HSTS.
func (s *Server) secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		if r.TLS != nil {
			hd.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if strings.HasPrefix(r.URL.Path, "/api/") || r.URL.Path == "/metrics" {
			hd.Set("Cache-Control", "no-store")
		}
		h.ServeHTTP(w, r)
	})
}
