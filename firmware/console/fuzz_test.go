package console

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/boards"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/firmware/logbuf"
	"github.com/gsmbox/gsmbox/firmware/node"
	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/core/registry/registrytest"
)

// FuzzAPI sends arbitrary requests to the console's handler as the local
// socket's caller (every scope, no CSRF): nothing panics, nothing
// answers 500, and no response carries the provisioned key.
func FuzzAPI(f *testing.F) {
	reg, err := registry.New(registry.Config{Store: registrytest.NewStore()})
	if err != nil {
		f.Fatal(err)
	}
	board, _ := boards.Lookup("sim")
	cs, _ := NewFileConfig(f.TempDir(), board, config.Default(), nil, "fuzz")
	srv, err := New(Config{
		Host: Host{Snapshot: func() node.Snapshot { return node.Snapshot{Running: true} },
			Registry: func() *registry.Registry { return reg }, Config: cs, Logs: logbuf.New(10), History: NewHistory(10)},
		StateDir: f.TempDir(), Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		f.Fatal(err)
	}
	h := srv.Handler()
	call := func(method, path, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "http://local/", strings.NewReader(body))
		req.URL.Path = path
		req = req.WithContext(context.WithValue(req.Context(), localKey, true))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	if w := call("POST", "/api/subscribers", `{"imsi":"001010000000001","algorithm":"comp128v3","ki":"`+testKi+`"}`); w.Code != 200 {
		f.Fatalf("provision: %d %s", w.Code, w.Body)
	}
	for _, s := range []struct{ m, p, b string }{
		{"GET", "/api/status", ""}, {"POST", "/api/subscribers", `{"imsi":"001010000000002","msisdn":"1"}`},
		{"PUT", "/api/subscribers/001010000000001", `{"name":"x","barred":true}`}, {"DELETE", "/api/subscribers/1", ""},
		{"POST", "/api/config/validate", `{"text":"[cell]\narfcn = 9999\n"}`}, {"POST", "/api/config/apply", `{"text":"reset = true\n"}`},
		{"POST", "/api/subscribers.csv", "imsi,ki\n001010000000003,zz\n"}, {"POST", "/api/tokens", `{"name":"a","scopes":["read"]}`},
		{"GET", "/static/../x", ""}, {"POST", "/api/config/revert", ""}, {"GET", "/api/logs?since=99", ""},
	} {
		f.Add(s.m, s.p, s.b)
	}
	f.Fuzz(func(t *testing.T, method, path, body string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, "?#") || len(body) > 1<<16 {
			return
		}
		switch method {
		case "GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS":
		default:
			return
		}
		if path == "/api/password" {
			return // would change the (unset) password: valid, and slow (scrypt)
		}
		w := call(method, path, body)
		if w.Code >= 500 && w.Code != http.StatusNotImplemented && w.Code != http.StatusServiceUnavailable {
			t.Errorf("%s %s %q = %d %s", method, path, body, w.Code, w.Body)
		}
		if strings.Contains(strings.ToUpper(w.Body.String()), testKi) {
			t.Errorf("%s %s returned the key", method, path)
		}
	})
}
