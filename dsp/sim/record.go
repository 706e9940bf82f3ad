package sim

import (
	"errors"
	"fmt"
	"sync"

	"github.com/gsmbox/gsmbox/dsp/channel"
	"github.com/gsmbox/gsmbox/dsp/radio"
)

// Recorder copies what a listener hears into a sink stream (an
// iqfile.Sink) on its own goroutine, block by block. Stop it with StopAt or
// Stop.
type Recorder struct {
	lis  *Endpoint
	sink radio.Stream
	mu   sync.Mutex
	end  radio.Timestamp // stop before the block starting at or after end
	wg   sync.WaitGroup
	err  error
}

// Record adds a listener hearing from through link and starts copying its
// reception, block by block from timestamp start, into sink: what
// `gsmbox sim --iq-out` does. The recorder reads the listener, so from is
// never held up by it for longer than the sink takes to write.
func (a *Air) Record(from *Endpoint, link channel.Config, sink radio.Stream, start radio.Timestamp) (*Recorder, error) {
	lis, err := a.Listener(from.name+"-listener", from, link)
	if err != nil {
		return nil, err
	}
	r := &Recorder{lis: lis, sink: sink, end: never}
	block := a.cfg.Block
	r.wg.Go(func() {
		buf := make([]complex64, block)
		for ts := start; ; ts += radio.Timestamp(block) {
			r.mu.Lock()
			end := r.end
			r.mu.Unlock()
			if ts >= end {
				return
			}
			if _, _, err := lis.Read(buf, ts); err != nil {
				if !errors.Is(err, radio.ErrClosed) {
					r.err = fmt.Errorf("sim: recorder read at %d: %w", ts, err)
				}
				return
			}
			if _, _, err := sink.Write(buf, ts); err != nil {
				r.err = fmt.Errorf("sim: recorder write at %d: %w", ts, err)
				return
			}
		}
	})
	return r, nil
}

// Listener returns the recorder's listening endpoint.
func (r *Recorder) Listener() *Endpoint { return r.lis }

// StopAt records every block that starts before end, then stops and
// closes the listener; it returns the copying error, if any. It waits for
// the transmitter to commit those blocks (or close). It does not close
// the sink.
func (r *Recorder) StopAt(end radio.Timestamp) error {
	r.mu.Lock()
	r.end = end
	r.mu.Unlock()
	r.wg.Wait()
	r.lis.Close()
	return r.err
}

// Stop stops recording at once: blocks not yet copied are lost.
func (r *Recorder) Stop() error {
	r.lis.Close()
	r.wg.Wait()
	return r.err
}
