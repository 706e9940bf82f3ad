package console

import (
	"bufio"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// AuditFile is the audit log in the console's state directory; at
// auditMax bytes it moves to AuditFile+".1" and a new one starts.
const (
	AuditFile = "console-audit.log"
	auditMax  = 1 << 20
)

// AuditEntry is one change made through the console: who, from where,
// what, when, and whether it worked. Detail never holds key material.
type AuditEntry struct {
	Time   time.Time `json:"time"`
	Who    string    `json:"who"`
	From   string    `json:"from"`
	Action string    `json:"action"`
	Target string    `json:"target,omitempty"`
	Detail string    `json:"detail,omitempty"`
	OK     bool      `json:"ok"`
}

// audit appends entries to the audit log, one JSON line each, synced to
// disk before the change is reported done.
type audit struct {
	mu   sync.Mutex
	path string
	log  *slog.Logger
}

func (a *audit) record(e AuditEntry) {
	a.log.Info("console audit", "who", e.Who, "from", e.From, "action", e.Action, "target", e.Target, "ok", e.OK)
	if a.path == "" {
		return
	}
	b, _ := json.Marshal(e)
	b = append(b, '\n')
	a.mu.Lock()
	defer a.mu.Unlock()
	if fi, err := os.Stat(a.path); err == nil && fi.Size()+int64(len(b)) > auditMax {
		os.Rename(a.path, a.path+".1")
	}
	f, err := os.OpenFile(a.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		a.log.Error("audit log", "err", err)
		return
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		a.log.Error("audit log", "err", err)
		return
	}
	f.Sync()
}

// recent returns up to n of the newest entries, newest first.
func (a *audit) recent(n int) []AuditEntry {
	a.mu.Lock()
	defer a.mu.Unlock()
	var all []AuditEntry
	for _, p := range []string{a.path + ".1", a.path} {
		f, err := os.Open(filepath.Clean(p))
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var e AuditEntry
			if json.Unmarshal(sc.Bytes(), &e) == nil {
				all = append(all, e)
			}
		}
		f.Close()
	}
	out := make([]AuditEntry, 0, min(n, len(all)))
	for i := len(all) - 1; i >= 0 && len(out) < n; i-- {
		out = append(out, all[i])
	}
	return out
}
