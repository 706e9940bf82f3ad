package testtool

import (
	"strings"
	"sync"
	"testing"
)

// Writers and readers on many goroutines (run with -race): every write
// arrives whole, and Bytes is a copy the writers cannot change.
func TestBufferConcurrent(t *testing.T) {
	var b Buffer
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range 100 {
				b.Write([]byte("ab\n"))
			}
		}()
		go func() {
			defer wg.Done()
			for range 100 {
				_ = b.String()
			}
		}()
	}
	snap := b.Bytes()
	wg.Wait()
	if got, want := strings.Count(b.String(), "ab\n"), 800; got != want || len(b.String()) != 3*want {
		t.Errorf("Buffer holds %d whole writes in %d bytes, want %d in %d", got, len(b.String()), want, 3*want)
	}
	if len(snap) > 0 && string(snap[:3]) != "ab\n" {
		t.Errorf("Bytes() = %q..., want a copy of the writes", snap[:3])
	}
}
