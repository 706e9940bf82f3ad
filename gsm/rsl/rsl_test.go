package rsl

import (
	"strings"
	"sync"
	"testing"
)

// A full queue drops and counts; Put never blocks.
func TestQueueBounded(t *testing.T) {
	q := NewQueue[Up](2)
	for i := range 5 {
		ok := q.Put(Up{Kind: DataInd, Ref: uint32(i)})
		if ok != (i < 2) {
			t.Errorf("Put #%d = %v, want %v", i, ok, i < 2)
		}
	}
	if q.Len() != 2 || q.Dropped() != 3 {
		t.Errorf("Len %d Dropped %d, want 2 and 3", q.Len(), q.Dropped())
	}
	for i := range 2 {
		u, ok := q.Get()
		if !ok || u.Ref != uint32(i) {
			t.Errorf("Get = %+v %v, want ref %d", u, ok, i)
		}
	}
	if _, ok := q.Get(); ok {
		t.Error("Get on an empty queue returned an item")
	}
}

// One producer and one consumer on different goroutines: everything put
// is either got or counted as dropped.
func TestQueueConcurrent(t *testing.T) {
	q := NewQueue[Down](16)
	const n = 10000
	var wg sync.WaitGroup
	wg.Add(1)
	got := 0
	done := make(chan struct{})
	go func() {
		defer wg.Done()
		for {
			select {
			case <-q.C():
				got++
			case <-done:
				for {
					if _, ok := q.Get(); !ok {
						return
					}
					got++
				}
			}
		}
	}()
	for range n {
		q.Put(Down{Kind: DataReq})
	}
	close(done)
	wg.Wait()
	if uint64(got)+q.Dropped() != n {
		t.Errorf("got %d + dropped %d, want %d", got, q.Dropped(), n)
	}
}

func TestKindNames(t *testing.T) {
	for k := ChanRequired; k <= ChanReleased; k++ {
		if s := k.String(); strings.HasPrefix(s, "UpKind(") {
			t.Errorf("UpKind(%d) has no name", k)
		}
	}
	for k := DataReq; k <= PagingCmd; k++ {
		if s := k.String(); strings.HasPrefix(s, "DownKind(") {
			t.Errorf("DownKind(%d) has no name", k)
		}
	}
	if s := (ChanReleased + 1).String(); s != "UpKind(12)" {
		t.Errorf("unknown kind = %q", s)
	}
}
