package console

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Body limits: a JSON request, a configuration file, a CSV import.
const (
	maxJSON   = 64 << 10
	maxConfig = 256 << 10
	maxCSV    = 4 << 20
)

const cookieName = "gsmbox_session"

// caller is who a request comes from.
type caller struct {
	who    string   // "admin", "token:NAME", "local"
	scopes []string // what it may do
	csrf   string   // the session's CSRF token ("" for tokens and local)
	sessID string
}

func (c *caller) can(scope string) bool { return slices.Contains(c.scopes, scope) }

func (s *Server) routes() {
	m := http.NewServeMux()
	m.Handle("GET /static/", http.StripPrefix("/static/", staticHandler()))
	m.HandleFunc("GET /{$}", s.page("overview"))
	for _, p := range pages {
		if p.name != "overview" {
			m.HandleFunc("GET /"+p.name, s.page(p.name))
		}
	}
	m.HandleFunc("GET /login", s.loginPage)
	m.HandleFunc("POST /login", s.loginForm)
	m.HandleFunc("POST /logout", s.need(ScopeRead, s.logout))
	m.HandleFunc("POST /api/login", s.apiLogin)
	m.HandleFunc("POST /api/logout", s.need(ScopeRead, s.logout))
	m.HandleFunc("GET /api/setup", s.apiSetup)

	m.HandleFunc("GET /api/status", s.need(ScopeRead, s.apiStatus))
	m.HandleFunc("GET /api/phones", s.need(ScopeRead, s.apiPhones))
	m.HandleFunc("GET /api/radio", s.need(ScopeRead, s.apiRadio))
	m.HandleFunc("GET /api/radio/spectrum.svg", s.need(ScopeRead, s.apiSpectrum))
	m.HandleFunc("GET /api/radio/constellation.svg", s.need(ScopeRead, s.apiConstellation))
	m.HandleFunc("GET /api/subscribers", s.need(ScopeRead, s.apiSubscribers))
	m.HandleFunc("POST /api/subscribers", s.need(ScopeWrite, s.apiSubscriberAdd))
	m.HandleFunc("PUT /api/subscribers/{imsi}", s.need(ScopeWrite, s.apiSubscriberSet))
	m.HandleFunc("DELETE /api/subscribers/{imsi}", s.need(ScopeWrite, s.apiSubscriberRemove))
	m.HandleFunc("GET /api/subscribers.csv", s.need(ScopeRead, s.apiSubscribersExport))
	m.HandleFunc("POST /api/subscribers.csv", s.need(ScopeWrite, s.apiSubscribersImport))
	m.HandleFunc("GET /api/config", s.need(ScopeRead, s.apiConfig))
	m.HandleFunc("POST /api/config/validate", s.need(ScopeWrite, s.apiConfigValidate))
	m.HandleFunc("POST /api/config/apply", s.need(ScopeWrite, s.apiConfigApply))
	m.HandleFunc("POST /api/config/revert", s.need(ScopeWrite, s.apiConfigRevert))
	m.HandleFunc("GET /api/logs", s.need(ScopeRead, s.apiLogs))
	m.HandleFunc("GET /api/logs.txt", s.need(ScopeRead, s.apiLogsText))
	m.HandleFunc("GET /api/audit", s.need(ScopeRead, s.apiAudit))
	m.HandleFunc("GET /api/tokens", s.need(ScopeRead, s.apiTokens))
	m.HandleFunc("POST /api/tokens", s.need(ScopeWrite, s.apiTokenNew))
	m.HandleFunc("DELETE /api/tokens/{id}", s.need(ScopeWrite, s.apiTokenRevoke))
	m.HandleFunc("POST /api/password", s.need(ScopeWrite, s.apiPassword))
	m.HandleFunc("GET /api/sms", s.need(ScopeRead, s.apiSMSList))
	m.HandleFunc("GET /api/sms/{id}", s.need(ScopeRead, s.apiSMSShow))
	m.HandleFunc("POST /api/sms", s.need(ScopeWrite, s.apiSMSSend))
	m.HandleFunc("DELETE /api/sms/{id}", s.need(ScopeWrite, s.apiSMSCancel))
	m.HandleFunc("GET /api/calls", s.need(ScopeRead, s.apiFeature(func() Feature { return s.cfg.Host.Calls }, "calls")))
	m.HandleFunc("GET /metrics", s.metricsHandler)
	m.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		apiError(w, http.StatusNotFound, "no such API endpoint")
	})
	s.mux = m
}

// identify returns the caller of r, or nil when unauthenticated.
func (s *Server) identify(r *http.Request) *caller {
	if local, _ := r.Context().Value(localKey).(bool); local {
		return &caller{who: "local", scopes: allScopes}
	}
	if h := r.Header.Get("Authorization"); h != "" {
		text, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return nil
		}
		t, ok := s.creds.CheckToken(strings.TrimSpace(text))
		if !ok {
			return nil
		}
		return &caller{who: "token:" + t.Name, scopes: t.Scopes}
	}
	if !s.creds.HasAdmin() {
		return nil
	}
	c, err := r.Cookie(cookieName)
	if err != nil {
		return nil
	}
	ss, ok := s.sess.get(c.Value, s.now())
	if !ok {
		return nil
	}
	return &caller{who: ss.user, scopes: allScopes, csrf: ss.csrf, sessID: ss.id}
}

type callerKey struct{}

func callerOf(r *http.Request) *caller {
	c, _ := r.Context().Value(callerKey{}).(*caller)
	return c
}

// need wraps an API handler: the caller must be authenticated and hold
// scope; a browser session's changes must carry its CSRF token and come
// from this site.
func (s *Server) need(scope string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := s.identify(r)
		if c == nil {
			s.metric.denied.WithLabelValues("unauthenticated").Inc()
			if !s.creds.HasAdmin() {
				apiError(w, http.StatusUnauthorized, "no administrator credential is set: set one from a USB stick (console_password) or the serial console (gsmbox console passwd)")
				return
			}
			apiError(w, http.StatusUnauthorized, "authentication required")
			return
		}
		if !c.can(scope) {
			s.metric.denied.WithLabelValues("scope").Inc()
			apiError(w, http.StatusForbidden, "this token lacks the "+scope+" scope")
			return
		}
		if c.csrf != "" && r.Method != http.MethodGet && r.Method != http.MethodHead {
			if !sameOrigin(r) {
				s.metric.denied.WithLabelValues("cross_site").Inc()
				apiError(w, http.StatusForbidden, "cross-site request refused")
				return
			}
			tok := r.Header.Get("X-CSRF-Token")
			if tok == "" {
				tok = r.URL.Query().Get("csrf")
			}
			if tok != c.csrf {
				s.metric.denied.WithLabelValues("csrf").Inc()
				apiError(w, http.StatusForbidden, "missing or wrong CSRF token")
				return
			}
		}
		h(w, r.WithContext(contextWith(r, c)))
	}
}

// sameOrigin rejects requests a browser marks as cross-site, and ones
// whose Origin is not this host. Browsers send Sec-Fetch-Site (Fetch
// Metadata); where it is absent the Origin header decides, and a request
// with neither (a script with a token, curl) is not a browser's.
func sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return false
	case "same-origin", "none":
		return originMatches(r, true)
	}
	return originMatches(r, false)
}

func originMatches(r *http.Request, fetchSaysSame bool) bool {
	o := r.Header.Get("Origin")
	switch {
	case o == "":
		return true
	case o == "null":
		// An opaque origin; only trusted when Fetch Metadata vouches.
		return fetchSaysSame
	}
	u, err := url.Parse(o)
	if err != nil {
		return false
	}
	return u.Host == r.Host
}

// clientAddr is the remote address without the port ("local" for the
// socket).
func clientAddr(r *http.Request) string {
	if local, _ := r.Context().Value(localKey).(bool); local {
		return "local"
	}
	h, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return h
}

func (s *Server) record(r *http.Request, action, target, detail string, err error) {
	who := "unknown"
	if c := callerOf(r); c != nil {
		who = c.who
	}
	s.audit.record(AuditEntry{Time: s.now().UTC(), Who: who, From: clientAddr(r), Action: action, Target: target, Detail: detail, OK: err == nil})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	enc.Encode(v)
}

func apiError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

// readJSON decodes a bounded JSON body into v, refusing unknown fields
// and trailing data.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	return readJSONMax(w, r, v, maxJSON)
}

func readJSONMax(w http.ResponseWriter, r *http.Request, v any, max int64) bool {
	r.Body = http.MaxBytesReader(w, r.Body, max)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			apiError(w, http.StatusRequestEntityTooLarge, "request body too large")
			return false
		}
		apiError(w, http.StatusBadRequest, "malformed JSON: "+err.Error())
		return false
	}
	if dec.More() {
		apiError(w, http.StatusBadRequest, "malformed JSON: trailing data")
		return false
	}
	return true
}

// login checks a password under the limiter; it returns the HTTP status
// and message of a refusal, or 0 and a new session.
func (s *Server) login(r *http.Request, pw string) (int, string, *session) {
	now := s.now()
	client := clientAddr(r)
	if !s.creds.HasAdmin() {
		return http.StatusUnauthorized, "no administrator credential is set", nil
	}
	if ok, wait := s.limit.allow(client, now); !ok {
		s.metric.logins.WithLabelValues("limited").Inc()
		return http.StatusTooManyRequests, "too many attempts; try again in " + wait.Round(time.Second).String(), nil
	}
	ok := s.creds.CheckPassword(pw)
	s.limit.result(client, ok, s.now())
	if !ok {
		s.metric.logins.WithLabelValues("failed").Inc()
		s.audit.record(AuditEntry{Time: now.UTC(), Who: "admin", From: client, Action: "login", OK: false})
		return http.StatusUnauthorized, "wrong password", nil
	}
	s.metric.logins.WithLabelValues("ok").Inc()
	s.audit.record(AuditEntry{Time: now.UTC(), Who: "admin", From: client, Action: "login", OK: true})
	return 0, "", s.sess.create("admin", now)
}

func (s *Server) setCookie(w http.ResponseWriter, r *http.Request, ss *session) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: ss.id, Path: "/", HttpOnly: true,
		Secure: true, SameSite: http.SameSiteStrictMode, MaxAge: int(s.cfg.SessionMax.Seconds())})
}

func (s *Server) apiLogin(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		apiError(w, http.StatusForbidden, "cross-site request refused")
		return
	}
	var in struct {
		Password string `json:"password"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	code, msg, ss := s.login(r, in.Password)
	if ss == nil {
		apiError(w, code, msg)
		return
	}
	s.setCookie(w, r, ss)
	writeJSON(w, http.StatusOK, map[string]string{"csrf": ss.csrf})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c := callerOf(r); c != nil && c.sessID != "" {
		s.sess.remove(c.sessID)
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
