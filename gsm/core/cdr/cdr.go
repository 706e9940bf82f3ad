package cdr

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Record is one call.
type Record struct {
	// Caller and Callee are MSISDNs; a caller without one (an emergency
	// call from a phone with no SIM) is "" with CallerIMSI or IMEI set.
	Caller     string `json:"caller"`
	CallerIMSI string `json:"caller_imsi,omitempty"`
	CallerIMEI string `json:"caller_imei,omitempty"`
	Callee     string `json:"callee"`
	CalleeIMSI string `json:"callee_imsi,omitempty"`
	// Dialled is the number as dialled (112 for an emergency call
	// routed to Callee).
	Dialled   string `json:"dialled,omitempty"`
	Emergency bool   `json:"emergency,omitempty"`
	// Setup is when the Setup arrived, Answer when the callee answered
	// (zero: never), End when the call was cleared.
	Setup  time.Time `json:"setup"`
	Answer time.Time `json:"answer,omitzero"`
	End    time.Time `json:"end"`
	// Cause is the TS 24.008 cause value the call was cleared with, and
	// ClearedBy who cleared it: "caller", "callee" or "network".
	Cause     uint8  `json:"cause"`
	ClearedBy string `json:"cleared_by"`
	Codec     string `json:"codec,omitempty"`
	// Trunk calls (issue #14): the trunk's name, the direction ("in":
	// from the trunk, "out": to it) and the external party's number
	// (the caller of an incoming call, the number dialled out).
	Trunk     string `json:"trunk,omitempty"`
	Direction string `json:"direction,omitempty"`
	External  string `json:"external,omitempty"`
}

// Duration is the billable time: from the answer to the end, 0 for a
// call never answered.
func (r *Record) Duration() time.Duration {
	if r.Answer.IsZero() || r.End.Before(r.Answer) {
		return 0
	}
	return r.End.Sub(r.Answer)
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// MaxLine bounds one record line; longer lines are damaged.
const MaxLine = 4096

// Log is an open CDR file. Append is safe from any goroutine.
type Log struct {
	mu   sync.Mutex
	f    *os.File
	path string
	n    int
}

// Recovery is what Open found in an existing file.
type Recovery struct {
	Records   int   // good records
	Damaged   int   // lines skipped in the middle
	TornBytes int64 // bytes cut off the end (a torn last write)
}

// Open opens (or creates) the log at path, cuts off a torn last line and
// returns what it found.
func Open(path string) (*Log, Recovery, error) {
	var rec Recovery
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, rec, fmt.Errorf("%w: %w", ErrOpen, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, rec, fmt.Errorf("%w: %w", ErrOpen, err)
	}
	if st.Size() == 0 {
		// A new file: make its directory entry durable.
		if err := syncDir(filepath.Dir(path)); err != nil {
			f.Close()
			return nil, rec, err
		}
	}
	good, damaged, n, err := scan(f, nil)
	if err != nil {
		f.Close()
		return nil, rec, err
	}
	rec.Records, rec.Damaged = n, damaged
	if good < st.Size() {
		rec.TornBytes = st.Size() - good
		if err := f.Truncate(good); err != nil {
			f.Close()
			return nil, rec, fmt.Errorf("%w: cutting a torn record: %w", ErrWrite, err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, rec, fmt.Errorf("%w: %w", ErrWrite, err)
		}
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return nil, rec, fmt.Errorf("%w: %w", ErrOpen, err)
	}
	return &Log{f: f, path: path, n: n}, rec, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrOpen, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("%w: syncing %s: %w", ErrWrite, dir, err)
	}
	return nil
}

// scan reads every line of r from the start. It returns the offset after
// the last line that ended with LF (what follows is a torn write if it is
// not empty), the number of damaged lines before it, and the good
// records, each passed to fn if fn is not nil.
func scan(r io.ReadSeeker, fn func(Record)) (good int64, damaged, n int, err error) {
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return 0, 0, 0, fmt.Errorf("%w: %w", ErrOpen, err)
	}
	br := bufio.NewReaderSize(r, MaxLine+1)
	var off int64
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// Longer than any record: damaged; skip to its LF.
			skipped := int64(len(line))
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				skipped += int64(len(line))
			}
			if err == io.EOF {
				return good, damaged, n, nil // torn
			}
			if err != nil {
				return good, damaged, n, fmt.Errorf("%w: %w", ErrOpen, err)
			}
			off += skipped
			good = off
			damaged++
			continue
		}
		if err == io.EOF {
			// A last line without LF is torn.
			return good, damaged, n, nil
		}
		if err != nil {
			return good, damaged, n, fmt.Errorf("%w: %w", ErrOpen, err)
		}
		off += int64(len(line))
		good = off
		rec, ok := parse(line[:len(line)-1])
		if !ok {
			damaged++
			continue
		}
		n++
		if fn != nil {
			fn(rec)
		}
	}
}

// parse checks one line (without its LF).
func parse(line []byte) (Record, bool) {
	var r Record
	if len(line) < 10 || line[8] != ' ' || len(line) > MaxLine {
		return r, false
	}
	var sum [4]byte
	if _, err := hex.Decode(sum[:], line[:8]); err != nil {
		return r, false
	}
	body := line[9:]
	want := uint32(sum[0])<<24 | uint32(sum[1])<<16 | uint32(sum[2])<<8 | uint32(sum[3])
	if crc32.Checksum(body, castagnoli) != want {
		return r, false
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return r, false
	}
	return r, true
}

// Append writes r durably: one write of its line, then fsync.
func (l *Log) Append(r Record) error {
	body, err := json.Marshal(&r)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrWrite, err)
	}
	if len(body)+10 > MaxLine {
		return fmt.Errorf("%w: record of %d bytes is too long", ErrWrite, len(body))
	}
	line := make([]byte, 0, len(body)+10)
	line = fmt.Appendf(line, "%08x ", crc32.Checksum(body, castagnoli))
	line = append(line, body...)
	line = append(line, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return fmt.Errorf("%w: log closed", ErrWrite)
	}
	if _, err := l.f.Write(line); err != nil {
		return fmt.Errorf("%w: %w", ErrWrite, err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("%w: %w", ErrWrite, err)
	}
	l.n++
	return nil
}

// Len returns the number of good records in the log.
func (l *Log) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

// Close closes the file.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// Read returns every good record of the file at path, in order, and what
// was damaged; a torn end is reported, not cut (Read never writes).
func Read(path string) ([]Record, Recovery, error) {
	var rec Recovery
	f, err := os.Open(path)
	if err != nil {
		return nil, rec, fmt.Errorf("%w: %w", ErrOpen, err)
	}
	defer f.Close()
	var out []Record
	good, damaged, n, err := scan(f, func(r Record) { out = append(out, r) })
	if err != nil {
		return nil, rec, err
	}
	st, err := f.Stat()
	if err == nil && st.Size() > good {
		rec.TornBytes = st.Size() - good
	}
	rec.Records, rec.Damaged = n, damaged
	return out, rec, nil
}

// ReadFrom returns the good records of data (a log's bytes).
func ReadFrom(data []byte) []Record {
	var out []Record
	scan(bytes.NewReader(data), func(r Record) { out = append(out, r) })
	return out
}
