package cdr

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func rec(i int) Record {
	t0 := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
	return Record{Caller: "5001", Callee: "5002", CallerIMSI: "001010000000001", Setup: t0,
		Answer: t0.Add(2 * time.Second), End: t0.Add(62 * time.Second), Cause: 16, ClearedBy: "caller", Codec: "FR"}
}

func TestAppendReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cdr.log")
	l, r, err := Open(path)
	if err != nil || r != (Recovery{}) {
		t.Fatalf("Open(new) = %+v, %v", r, err)
	}
	for i := range 3 {
		if err := l.Append(rec(i)); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	got, r, err := Read(path)
	if err != nil || len(got) != 3 || r.Records != 3 || r.Damaged != 0 || r.TornBytes != 0 {
		t.Fatalf("Read = %d records, %+v, %v; want 3 clean", len(got), r, err)
	}
	if got[1].Setup != rec(1).Setup || got[1].Duration() != time.Minute || got[2].Cause != 16 {
		t.Errorf("record 1 = %+v", got[1])
	}
	l, r, err = Open(path)
	if err != nil || r.Records != 3 || l.Len() != 3 {
		t.Fatalf("reopen: %+v, %v", r, err)
	}
	l.Append(rec(3))
	l.Close()
	if got, _, _ := Read(path); len(got) != 4 {
		t.Errorf("after a reopen and an append: %d records, want 4", len(got))
	}
}

// A power cut during a write leaves a torn last line at any length: Open
// cuts it off, and the next record starts on a clean line.
func TestTornTail(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cdr.log")
	l, _, _ := Open(path)
	l.Append(rec(0))
	l.Append(rec(1))
	l.Close()
	full, _ := os.ReadFile(path)
	first := len(full) / 2
	for first < len(full) && full[first-1] != '\n' {
		first++
	}
	for cut := first + 1; cut < len(full); cut++ {
		p := filepath.Join(dir, "torn.log")
		os.WriteFile(p, full[:cut], 0o600)
		l, r, err := Open(p)
		if err != nil || r.Records != 1 || r.TornBytes != int64(cut-first) {
			t.Fatalf("cut at %d: %+v, %v; want 1 record and %d torn bytes", cut, r, err, cut-first)
		}
		l.Append(rec(2))
		l.Close()
		got, r, _ := Read(p)
		if len(got) != 2 || r.Damaged != 0 || got[1].Setup != rec(2).Setup {
			t.Fatalf("cut at %d, then append: %d records %+v", cut, len(got), r)
		}
	}
}

// A damaged line in the middle is skipped and counted; the rest is read.
func TestDamagedMiddle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cdr.log")
	l, _, _ := Open(path)
	for i := range 3 {
		l.Append(rec(i))
	}
	l.Close()
	b, _ := os.ReadFile(path)
	for i := range b {
		if b[i] == '\n' {
			b[i+20] ^= 0x01 // a bit flip in record 1
			break
		}
	}
	long := make([]byte, 2*MaxLine)
	for i := range long {
		long[i] = 'x'
	}
	b = append(b, append(long, '\n')...)
	os.WriteFile(path, b, 0o600)
	got, r, err := Read(path)
	if err != nil || len(got) != 2 || r.Damaged != 2 || r.TornBytes != 0 {
		t.Fatalf("Read = %d, %+v, %v; want 2 good, 2 damaged", len(got), r, err)
	}
}

func FuzzReadFrom(f *testing.F) {
	f.Add([]byte("00000000 {}\n"))
	f.Add([]byte("zz\n\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, r := range ReadFrom(data) {
			_ = r.Duration()
		}
	})
}
