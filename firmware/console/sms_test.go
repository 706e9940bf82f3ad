package console

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/core/smsc"
)

// fakeSMS is a running network's SMS queue.
type fakeSMS struct {
	mu   sync.Mutex
	recs map[uint64]*smsc.Record
	next uint64
	sent [][]string
}

func (f *fakeSMS) SMSQueue() []smsc.Record {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []smsc.Record
	for id := uint64(1); id < f.next; id++ {
		if r := f.recs[id]; r != nil && r.State == smsc.Queued {
			out = append(out, *r)
		}
	}
	return out
}

func (f *fakeSMS) SMSRecords() ([]smsc.Record, int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []smsc.Record
	for id := uint64(1); id < f.next; id++ {
		out = append(out, *f.recs[id])
	}
	return out, 1, nil
}

func (f *fakeSMS) SMSRecord(id uint64) (smsc.Record, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r := f.recs[id]; r != nil {
		return *r, nil
	}
	return smsc.Record{}, smsc.ErrNotFound
}

func (f *fakeSMS) SendSMSWait(ctx context.Context, to []string, text string) ([]uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, to)
	var ids []uint64
	for _, n := range to {
		rs, err := smsc.TextRecords("gsmbox", n, text, fixedNow, 0, 1)
		if err != nil {
			return nil, err
		}
		for i := range rs {
			rs[i].ID = f.next
			f.recs[f.next] = &rs[i]
			ids = append(ids, f.next)
			f.next++
		}
	}
	return ids, nil
}

func (f *fakeSMS) CancelSMSWait(ctx context.Context, id uint64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.recs[id]
	if r == nil || r.State != smsc.Queued {
		return smsc.ErrNotFound
	}
	r.State = smsc.Cancelled
	return nil
}

var fixedNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// The SMS API: send, broadcast (every subscriber with a number who is
// not barred), list, show, cancel; bad requests refused with the reason;
// write needs the write scope; no network is 503; each change audited.
func TestSMSAPI(t *testing.T) {
	fake := &fakeSMS{recs: map[uint64]*smsc.Record{}, next: 1}
	running := true
	f := newFixture(t, true, func(c *Config) {
		c.Host.SMS = func() SMSService {
			if !running {
				return nil
			}
			return fake
		}
	})
	for _, s := range []registry.Subscriber{{IMSI: "001010000000001", MSISDN: "1001"}, {IMSI: "001010000000002", MSISDN: "1002", Barred: true},
		{IMSI: "001010000000003"}, {IMSI: "001010000000004", MSISDN: "1004"}} {
		if _, err := f.reg.Add(s); err != nil {
			t.Fatal(err)
		}
	}
	c := f.client()
	h := map[string]string{"X-CSRF-Token": f.login(c)}
	if r := f.do(c, "POST", "/api/sms", SMSSend{To: []string{"1001"}, Text: "hello"}, h); r.code != 200 || !strings.Contains(r.body, `"recipients": 1`) {
		t.Fatalf("send = %d %s", r.code, r.body)
	}
	r := f.do(c, "POST", "/api/sms", SMSSend{Broadcast: true, Text: "news"}, h)
	var sent SMSSent
	if json.Unmarshal([]byte(r.body), &sent); r.code != 200 || sent.Recipients != 2 || len(sent.IDs) != 2 {
		t.Fatalf("broadcast = %d %s, want 2 recipients (1001, 1004)", r.code, r.body)
	}
	if got := fake.sent[1]; strings.Join(got, ",") != "1001,1004" {
		t.Errorf("broadcast to %v, want 1001 and 1004", got)
	}
	for _, bad := range []SMSSend{{Text: "x"}, {To: []string{"12a"}, Text: "x"}, {To: []string{"1"}}, {To: []string{"1"}, Broadcast: true, Text: "x"},
		{To: []string{"1"}, Text: strings.Repeat("x", maxSMSText+1)}} {
		if r := f.do(c, "POST", "/api/sms", bad, h); r.code != 400 {
			t.Errorf("send %+v = %d %s, want 400", bad, r.code, r.body)
		}
	}
	if r := f.do(c, "GET", "/api/sms", nil, nil); r.code != 200 || strings.Count(r.body, `"state": "queued"`) != 3 || !strings.Contains(r.body, `"text": "hello"`) {
		t.Errorf("list = %d %s", r.code, r.body)
	}
	if r := f.do(c, "DELETE", "/api/sms/1", nil, h); r.code != 200 {
		t.Errorf("cancel = %d %s", r.code, r.body)
	}
	if r := f.do(c, "DELETE", "/api/sms/1", nil, h); r.code != 404 {
		t.Errorf("cancel again = %d %s, want 404", r.code, r.body)
	}
	if r := f.do(c, "GET", "/api/sms/1", nil, nil); r.code != 200 || !strings.Contains(r.body, `"state": "cancelled"`) {
		t.Errorf("show = %d %s", r.code, r.body)
	}
	if r := f.do(c, "GET", "/api/sms?all=1", nil, nil); !strings.Contains(r.body, `"damaged": 1`) || strings.Count(r.body, `"id"`) != 3 {
		t.Errorf("list all = %s", r.body)
	}
	for _, p := range []string{"/api/sms/0", "/api/sms/x", "/api/sms/99"} {
		if r := f.do(c, "GET", p, nil, nil); r.code != 400 && r.code != 404 {
			t.Errorf("GET %s = %d", p, r.code)
		}
	}
	// A read-only token lists but does not send.
	r = f.do(c, "POST", "/api/tokens", map[string]any{"name": "ro", "scopes": []string{"read"}}, h)
	var tok struct{ Token string }
	json.Unmarshal([]byte(r.body), &tok)
	auth := map[string]string{"Authorization": "Bearer " + tok.Token}
	if r := f.do(c, "GET", "/api/sms", nil, auth); r.code != 200 {
		t.Errorf("list with a read token = %d", r.code)
	}
	if r := f.do(c, "POST", "/api/sms", SMSSend{To: []string{"1001"}, Text: "x"}, auth); r.code != 403 {
		t.Errorf("send with a read token = %d %s, want 403", r.code, r.body)
	}
	running = false
	if r := f.do(c, "GET", "/api/sms", nil, nil); r.code != 503 {
		t.Errorf("list with no network = %d %s, want 503", r.code, r.body)
	}
	audit := f.do(c, "GET", "/api/audit", nil, nil).body
	for _, a := range []string{"sms.send", "sms.broadcast", "sms.cancel"} {
		if !strings.Contains(audit, a) {
			t.Errorf("audit lacks %s", a)
		}
	}
}
