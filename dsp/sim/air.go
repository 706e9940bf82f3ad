package sim

import (
	"fmt"
	"math"
	"sync"
	"unsafe"

	"github.com/gsmbox/gsmbox/dsp/channel"
	"github.com/gsmbox/gsmbox/dsp/radio"
)

// Config configures the air. Zero fields take defaults.
type Config struct {
	// SampleRate of every endpoint (default radio.SampleRate4).
	SampleRate float64
	// Block is the lock-step block in samples (default 5000, one frame at
	// 4 samples per symbol).
	Block int
	// Seed makes the noise reproducible; each link's noise derives from it
	// unless the link sets its own.
	Seed uint64
	// Window is how many blocks a writer may run ahead of the slowest
	// endpoint that hears it (default 8).
	Window int
	// MaxDelay is the longest link delay, taps included, in samples
	// (default 2 blocks).
	MaxDelay int
	// Serial computes receive blocks while holding the air's lock, one
	// at a time, as before issue 16; for comparison only. The results
	// are the same either way.
	Serial bool
}

// Air is the simulated radio medium. Create endpoints with Endpoint, join
// them with Connect, then run each endpoint's transceiver.
type Air struct {
	mu     sync.Mutex
	cond   *sync.Cond
	cfg    Config
	eps    []*Endpoint
	nlinks int
	ring   int // TX history per endpoint, samples
}

// New returns an empty air.
func New(cfg Config) (*Air, error) {
	if cfg.SampleRate == 0 {
		cfg.SampleRate = radio.SampleRate4
	}
	if cfg.Block == 0 {
		cfg.Block = 5000
	}
	if cfg.Window == 0 {
		cfg.Window = 8
	}
	if cfg.MaxDelay == 0 {
		cfg.MaxDelay = 2 * cfg.Block
	}
	if !(cfg.SampleRate > 0) || cfg.Block < 1 || cfg.Window < 2 || cfg.MaxDelay < 0 {
		return nil, fmt.Errorf("%w: %+v", ErrConfig, cfg)
	}
	a := &Air{cfg: cfg}
	a.cond = sync.NewCond(&a.mu)
	// History: the window, the block being read and lookahead, the delay
	// and interpolator spread.
	a.ring = (cfg.Window+3)*cfg.Block + cfg.MaxDelay + 64
	return a, nil
}

// Config returns the air's configuration with defaults filled in.
func (a *Air) Config() Config { return a.cfg }

// Endpoint adds a radio endpoint (a cell, a phone, a listener).
func (a *Air) Endpoint(name string) *Endpoint {
	a.mu.Lock()
	defer a.mu.Unlock()
	e := &Endpoint{air: a, name: name, id: len(a.eps), tx: make([]complex64, a.ring)}
	for i := range e.cache {
		e.cache[i].k = -1 << 62
		e.cache[i].y = make([]complex64, a.cfg.Block)
	}
	e.acc = make([]complex64, a.cfg.Block)
	a.eps = append(a.eps, e)
	return e
}

// Connect adds a one-way link: what from transmits, to receives through
// the impairments of cfg (its SampleRate is the air's; a zero Seed is
// derived from the air's seed). It fails for delays beyond MaxDelay.
func (a *Air) Connect(from, to *Endpoint, cfg channel.Config) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	cfg.SampleRate = a.cfg.SampleRate
	if cfg.Seed == 0 {
		cfg.Seed = mix(a.cfg.Seed, uint64(a.nlinks)+1)
	}
	c, err := channel.New(cfg)
	if err != nil {
		return fmt.Errorf("sim: link %s→%s: %w", from.name, to.name, err)
	}
	kmin, kmax := c.Span()
	if kmax > a.cfg.MaxDelay {
		return fmt.Errorf("%w: link %s→%s delay %d samples beyond MaxDelay %d", ErrConfig, from.name, to.name, kmax, a.cfg.MaxDelay)
	}
	l := &link{from: from, to: to, ch: c, kmin: kmin, kmax: kmax}
	a.nlinks++
	to.in = append(to.in, l)
	from.out = append(from.out, l)
	// Receive blocks computed before this link existed are stale.
	for i := range to.cache {
		to.cache[i].k = -1 << 62
	}
	return nil
}

// Listener adds an endpoint that only hears from through cfg: what
// `gsmbox sim --iq-out` records. Something must Read it (radio.Pump into an
// iqfile.Sink), or from's writer stalls after Window blocks.
func (a *Air) Listener(name string, from *Endpoint, cfg channel.Config) (*Endpoint, error) {
	e := a.Endpoint(name)
	if err := a.Connect(from, e, cfg); err != nil {
		return nil, err
	}
	return e, nil
}

// Close closes every endpoint.
func (a *Air) Close() error {
	a.mu.Lock()
	eps := append([]*Endpoint(nil), a.eps...)
	a.mu.Unlock()
	for _, e := range eps {
		e.Close()
	}
	return nil
}

func mix(a, b uint64) uint64 {
	x := a ^ (b * 0x9e3779b97f4a7c15)
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

type link struct {
	from, to   *Endpoint
	ch         *channel.Channel
	kmin, kmax int
}

type rxBlock struct {
	k int64
	y []complex64
	f radio.Flags
}

const never = radio.Timestamp(math.MaxInt64 / 2)

// Endpoint is one radio on the air; it implements radio.Stream.
type Endpoint struct {
	air  *Air
	name string
	id   int
	in   []*link
	out  []*link

	tx        []complex64     // TX history ring, indexed by timestamp mod len
	committed radio.Timestamp // TX before this is final
	started   bool            // committed is meaningful
	origin    radio.Timestamp // first committed timestamp
	reading   bool            // rxPos is meaningful
	rxPos     radio.Timestamp // end of the furthest read
	closed    bool
	computing bool            // a receive block is being computed outside the lock
	loudEnd   radio.Timestamp // the end of the last Write that was not all silence
	everLoud  bool            // there was one
	cache     [4]rxBlock
	noise     *channel.Channel // receiver noise, nil for none
	acc       []complex64
	arena     []complex64   // input blocks of the links being computed
	pending   []pendingLink // the non-silent ones among them
}

var _ radio.Stream = (*Endpoint)(nil)

// Name returns the endpoint's name.
func (e *Endpoint) Name() string { return e.name }

// SampleRate implements radio.Stream.
func (e *Endpoint) SampleRate() float64 { return e.air.cfg.SampleRate }

// commit makes e's transmission final up to t, filling what was never
// written with silence. Called with the lock held.
func (e *Endpoint) commit(t radio.Timestamp) {
	if !e.started {
		e.started = true
		e.committed, e.origin = t, t
		return
	}
	if t <= e.committed {
		return
	}
	n := len(e.tx)
	from := e.committed
	if t-from > radio.Timestamp(n) {
		from = t - radio.Timestamp(n)
	}
	if !e.zeroed(from, t) {
		for s := from; s < t; {
			i := ringIdx(s, n)
			k := min(int(t-s), n-i)
			clear(e.tx[i : i+k])
			s += radio.Timestamp(k)
		}
	}
	e.committed = t
}

// zeroed reports whether the history slots that timestamps [from, to)
// take already hold zeros: what they held, one history length earlier,
// was written after the last sound (or there has never been any).
func (e *Endpoint) zeroed(from, to radio.Timestamp) bool {
	return !e.everLoud || from-radio.Timestamp(len(e.tx)) >= e.loudEnd
}

func ringIdx(t radio.Timestamp, n int) int {
	i := int(t % radio.Timestamp(n))
	if i < 0 {
		i += n
	}
	return i
}

// minReader returns the read position of the slowest open endpoint that
// hears e; one that has not read yet counts as being at e's origin.
func (e *Endpoint) minReader() radio.Timestamp {
	m := never
	for _, l := range e.out {
		switch {
		case l.to.closed && !l.to.computing:
		case l.to.reading:
			m = min(m, l.to.rxPos)
		case e.started:
			m = min(m, e.origin)
		}
	}
	return m
}

// SetNoise gives e's receiver white Gaussian noise of the given complex
// variance per sample (0 removes it), added once whatever the number of
// incoming links: the physical model for a cell hearing many phones.
// channel.NoiseVariance expresses an Eb/N0 as a variance. The noise is
// reproducible from the air's seed and the endpoint's creation order.
func (e *Endpoint) SetNoise(variance float64) error {
	a := e.air
	a.mu.Lock()
	defer a.mu.Unlock()
	if !(variance >= 0) || math.IsInf(variance, 0) {
		return fmt.Errorf("%w: noise variance %g", ErrConfig, variance)
	}
	e.noise = nil
	if variance > 0 {
		c, err := channel.New(channel.Config{SampleRate: a.cfg.SampleRate, AWGN: true,
			EbN0: channel.EbN0(variance, a.cfg.SampleRate), Seed: mix(a.cfg.Seed^0x6e6f697365, uint64(e.id))})
		if err != nil {
			return fmt.Errorf("sim: %w", err)
		}
		e.noise = c
	}
	for i := range e.cache {
		e.cache[i].k = -1 << 62
	}
	return nil
}

// Write implements radio.Stream. It blocks while ts+len(src) is more than
// Window blocks ahead of the slowest endpoint that hears e.
func (e *Endpoint) Write(src []complex64, ts radio.Timestamp) (int, radio.Flags, error) {
	a := e.air
	a.mu.Lock()
	defer a.mu.Unlock()
	n := len(src)
	end := ts + radio.Timestamp(n)
	limit := radio.Timestamp(a.cfg.Window * a.cfg.Block)
	if !e.started {
		e.commit(ts)
	}
	for !e.closed && end > e.minReader()+limit {
		a.cond.Wait()
	}
	if e.closed {
		return 0, 0, radio.ErrClosed
	}
	var f radio.Flags
	if ts < e.committed {
		late := int(min(radio.Timestamp(n), e.committed-ts))
		src, ts, f = src[late:], ts+radio.Timestamp(late), radio.Underrun
	}
	if len(src) > 0 {
		e.commit(ts) // silence in any gap
		size := len(e.tx)
		if isSilent(src) {
			if e.zeroed(ts, ts+radio.Timestamp(len(src))) {
				// The history already holds silence there.
				ts += radio.Timestamp(len(src))
				src = nil
			}
		} else {
			e.loudEnd, e.everLoud = ts+radio.Timestamp(len(src)), true
		}
		for len(src) > 0 {
			i := ringIdx(ts, size)
			k := copy(e.tx[i:], src)
			src, ts = src[k:], ts+radio.Timestamp(k)
		}
		e.committed = ts
	}
	a.cond.Broadcast()
	return n, f, nil
}

// Read implements radio.Stream. It blocks until every endpoint e hears has
// committed its transmission past the requested samples.
func (e *Endpoint) Read(dst []complex64, ts radio.Timestamp) (int, radio.Flags, error) {
	a := e.air
	a.mu.Lock()
	defer a.mu.Unlock()
	if e.closed {
		return 0, 0, radio.ErrClosed
	}
	end := ts + radio.Timestamp(len(dst))
	if !e.started {
		e.commit(ts)
	}
	e.commit(end)
	if !e.reading {
		e.reading, e.rxPos = true, ts
	}
	a.cond.Broadcast()
	var flags radio.Flags
	B := radio.Timestamp(a.cfg.Block)
	for pos := ts; pos < end; {
		k := int64(floorDiv(pos, B))
		blk, err := e.block(k)
		if err != nil {
			return 0, flags, err
		}
		flags |= blk.f
		off := pos - radio.Timestamp(k)*B
		c := copy(dst[pos-ts:], blk.y[off:])
		pos += radio.Timestamp(c)
	}
	if end > e.rxPos {
		e.rxPos = end
		a.cond.Broadcast()
	}
	return len(dst), flags, nil
}

func floorDiv(a, b radio.Timestamp) radio.Timestamp {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

// block returns receive block k, computing it when every transmitter has
// committed far enough. Called with the lock held; may wait.
func (e *Endpoint) block(k int64) (*rxBlock, error) {
	slot := &e.cache[k&3]
	if slot.k == k {
		return slot, nil
	}
	a := e.air
	B := radio.Timestamp(a.cfg.Block)
	t0 := radio.Timestamp(k) * B
	for {
		if e.closed {
			return nil, radio.ErrClosed
		}
		ready := true
		for _, l := range e.in {
			w := l.from
			if !w.closed && (!w.started || w.committed < t0+B-radio.Timestamp(l.kmin)) {
				ready = false
				break
			}
		}
		if ready {
			break
		}
		a.cond.Wait()
	}
	// Copy what the links carry while holding the lock, then apply the
	// channels and noise without it: endpoints compute their blocks in
	// parallel (each on its reader's goroutine), and the result is the
	// same whatever the schedule, since a block depends only on the
	// committed transmissions and the seeds.
	var f radio.Flags
	e.pending = e.pending[:0]
	used := 0
	for i, l := range e.in {
		lo := t0 - radio.Timestamp(l.kmax)
		hi := t0 + B - radio.Timestamp(l.kmin)
		n := int(hi - lo)
		if cap(e.arena) < used+n {
			grown := make([]complex64, used, 2*(used+n))
			copy(grown, e.arena[:used])
			e.arena = grown
		}
		if w := l.from; !w.started || w.loudEnd <= lo {
			// Nothing but silence written from lo on (an idle phone):
			// no signal, and nothing to look at.
			if w.started && max(lo, w.origin) < min(hi, w.committed-radio.Timestamp(len(w.tx))) {
				f |= radio.Overrun
			}
			continue
		}
		// Shared, not copied, where the writer's history holds the span
		// in one piece that it cannot overwrite before this block is
		// done: it may run at most Window blocks past e's last read.
		safe := e.rxPos + radio.Timestamp(a.cfg.Window)*B - radio.Timestamp(len(l.from.tx))
		if x, ok := l.from.view(lo, hi, safe); ok {
			if !isSilent(x) {
				e.pending = append(e.pending, pendingLink{link: i, x: x, lo: lo})
			}
			continue
		}
		buf := e.arena[used : used+n]
		x, lost, silent := l.from.gather(lo, hi, &buf)
		if lost {
			f |= radio.Overrun
		}
		if !silent {
			// Idle phones cost nothing but their noise.
			e.pending = append(e.pending, pendingLink{link: i, off: used, n: len(x), lo: lo})
			used += n
		}
	}
	in, noise, pending, arena := e.in, e.noise, e.pending, e.arena[:used]
	for i := range pending {
		if p := &pending[i]; p.x == nil {
			p.x = arena[p.off : p.off+p.n]
		}
	}
	if !a.cfg.Serial {
		e.computing = true // holds writers back even if e closes meanwhile
		a.mu.Unlock()
	}
	y := slot.y
	clear(y)
	for _, p := range pending {
		in[p.link].ch.AddSignal(y, int64(t0), p.x, int64(p.lo))
	}
	for _, l := range in {
		l.ch.AddNoise(y, int64(t0))
	}
	if noise != nil {
		noise.AddNoise(y, int64(t0))
	}
	if !a.cfg.Serial {
		a.mu.Lock()
		e.computing = false
		a.cond.Broadcast()
	}
	slot.k, slot.f = k, f
	return slot, nil
}

// pendingLink is a link whose input block was copied for computing a
// receive block outside the lock.
type pendingLink struct {
	link   int         // index in Endpoint.in
	off, n int         // its samples in Endpoint.arena, when copied
	x      []complex64 // its samples (a view of the writer's history, or of arena)
	lo     radio.Timestamp
}

// view returns w's transmission for [lo, hi) as a slice of its history
// when the history holds it contiguously, it was all committed after w's
// origin, and nothing before safe is needed (the writer may overwrite
// what is older while the caller computes). Called with the lock held.
func (w *Endpoint) view(lo, hi, safe radio.Timestamp) ([]complex64, bool) {
	size := radio.Timestamp(len(w.tx))
	if !w.started || lo < w.origin || hi > w.committed || lo < w.committed-size || lo < safe {
		return nil, false
	}
	i := ringIdx(lo, int(size))
	if i+int(hi-lo) > int(size) {
		return nil, false
	}
	return w.tx[i : i+int(hi-lo)], true
}

// isSilent reports whether x is all zeros (+0: a transmitter's silence;
// −0 counts as signal, which only costs the work of adding nothing). It
// reads the samples as 64-bit words, eight at a time: a cell hears every
// phone's silence every frame.
func isSilent(x []complex64) bool {
	if len(x) == 0 {
		return true
	}
	w := unsafe.Slice((*uint64)(unsafe.Pointer(&x[0])), len(x))
	i := 0
	for ; i+8 <= len(w); i += 8 {
		if w[i]|w[i+1]|w[i+2]|w[i+3]|w[i+4]|w[i+5]|w[i+6]|w[i+7] != 0 {
			return false
		}
	}
	for ; i < len(w); i++ {
		if w[i] != 0 {
			return false
		}
	}
	return true
}

// gather copies w's transmission for [lo, hi) into *buf: silence before
// w started, after it closed, or where the history no longer reaches
// (lost is then true). silent reports an all-zero result. Called with the
// lock held.
func (w *Endpoint) gather(lo, hi radio.Timestamp, buf *[]complex64) (x []complex64, lost, silent bool) {
	n := int(hi - lo)
	if cap(*buf) < n {
		*buf = make([]complex64, n)
	}
	x = (*buf)[:n]
	clear(x)
	if !w.started {
		return x, false, true
	}
	size := radio.Timestamp(len(w.tx))
	valid0 := w.committed - size // oldest sample still held
	a, b := max(lo, valid0), min(hi, w.committed)
	// Samples before the history that were once written are lost; those
	// before the writer's origin never existed and are silence.
	lost = max(lo, w.origin) < min(hi, valid0)
	silent = true
	for t := a; t < b; {
		i := ringIdx(t, int(size))
		k := copy(x[t-lo:b-lo], w.tx[i:])
		if silent {
			silent = isSilent(x[t-lo : t-lo+radio.Timestamp(k)])
		}
		t += radio.Timestamp(k)
	}
	return x, lost, silent
}

// Close implements radio.Stream: the endpoint stops transmitting (its
// listeners hear silence from here on) and stops holding writers back.
func (e *Endpoint) Close() error {
	a := e.air
	a.mu.Lock()
	defer a.mu.Unlock()
	if e.closed {
		return radio.ErrClosed
	}
	e.closed = true
	a.cond.Broadcast()
	return nil
}
