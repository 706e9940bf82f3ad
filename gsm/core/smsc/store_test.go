package smsc

import (
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func openTemp(t testing.TB) *Store {
	t.Helper()
	st, err := Open(filepath.Join(t.TempDir(), "sms.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// Records go in durably with IDs, come back in order from Load with the
// next free ID, change with Update, and final ones are pruned.
func TestStore(t *testing.T) {
	st := openTemp(t)
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	recs, err := TextRecords("gsmbox", "5001", "hello", now, time.Hour, 1)
	if err != nil {
		t.Fatal(err)
	}
	long, err := TextRecords("gsmbox", "5002", longText, now, time.Hour, 2)
	if err != nil || len(long) != 2 {
		t.Fatalf("TextRecords(long) = %d records, %v", len(long), err)
	}
	recs = append(recs, long...)
	if err := st.Put(recs...); err != nil {
		t.Fatal(err)
	}
	if recs[0].ID != 1 || recs[2].ID != 3 {
		t.Errorf("IDs %d %d %d, want 1 2 3", recs[0].ID, recs[1].ID, recs[2].ID)
	}
	got, next, bad, err := st.Load()
	if err != nil || len(got) != 3 || next != 4 || bad != 0 {
		t.Fatalf("Load = %d records, next %d, %d bad, %v", len(got), next, bad, err)
	}
	if txt, err := got[0].Text(); err != nil || txt != "hello" {
		t.Errorf("Text() = %q, %v", txt, err)
	}
	if txt, _ := got[1].Text(); txt[:6] != "[1/2] " {
		t.Errorf("part text %q", txt)
	}
	r, err := st.Update(2, func(r *Record) error { r.State, r.Done = Delivered, now; return nil })
	if err != nil || r.State != Delivered {
		t.Fatalf("Update = %+v, %v", r, err)
	}
	if _, err := st.Update(99, func(*Record) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Errorf("Update(99) = %v, want ErrNotFound", err)
	}
	if n, err := st.Prune(now.Add(time.Second)); err != nil || n != 1 {
		t.Errorf("Prune = %d, %v; want the one delivered record", n, err)
	}
	if _, err := st.Get(2); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(pruned) = %v", err)
	}
	if s := st.Stats(); s.Writes != 1 || s.Records != 3 {
		t.Errorf("stats %+v: one Put of three records", s)
	}
}

const longText = "A text long enough for two parts of a concatenated message, which the store keeps as two records, each with its own SMS-SUBMIT and the concatenation header that joins them again at the phone."

// FuzzDecode: a damaged record never panics, and one that decodes
// encodes again.
func FuzzDecode(f *testing.F) {
	r := Record{ID: 7, From: "5000", To: "5001", TPDU: []byte{1, 2, 3}, Received: time.Unix(1, 0).UTC()}
	b, _ := r.encode()
	f.Add(b)
	f.Add([]byte(`{"ID":1,"TPDU":"!!"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decode(b)
		if err != nil {
			return
		}
		if _, err := r.encode(); err != nil {
			t.Fatalf("decoded record does not encode: %v", err)
		}
		_, _ = r.Text()
	})
}

// BenchmarkPut is the cost of one durable write (one record, one bbolt
// commit with fsync) on the test's disk: a message costs two (accepted,
// delivered).
func BenchmarkPut(b *testing.B) {
	st := openTemp(b)
	now := time.Now()
	recs, _ := TextRecords("gsmbox", "5001", "hello", now, time.Hour, 1)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		recs[0].ID = uint64(i + 1)
		if err := st.Put(recs[0]); err != nil {
			b.Fatal(err)
		}
	}
}
