package node

import (
	"sync"

	"github.com/gsmbox/gsmbox/dsp/gmsk"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/dsp/trx"
	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/gsm/bts"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// ForeignCell is another transmitter's GSM cell on the simulated air: a
// bts.Cell of its own configuration (ARFCN, BSIC, PLMN, LAC, CI) whose
// downlink (FCCH, SCH, BCCH with its System Information, CCCH, dummy
// bursts on idle slots) is rendered on demand at any timestamp. Tests
// place it at its carrier's frequency on a fake board
// (limetest.Config.Transmitters) to scan it, or write it onto a
// sim.Endpoint. It has no core and hears nothing: a cell that only
// broadcasts, which is all a scan or a channel choice sees of a
// neighbour. Safe for concurrent use.
type ForeignCell struct {
	cfg   *config.Config
	mu    sync.Mutex
	cell  *bts.Cell
	tx    *trx.Transmitter
	fl    int
	first tdma.FN
	frame []complex64
	have  int64 // index of the frame in frame, -1 none
	b     [tdma.Slots]tdma.TxBurst
}

// NewForeignCell builds the cell of c at samples-per-symbol sps; frame 0
// of the stream is its frame first.
func NewForeignCell(c *config.Config, sps int, first tdma.FN) (*ForeignCell, error) {
	cell, err := Layout(c)
	if err != nil {
		return nil, err
	}
	tx, err := trx.NewTransmitter(trx.TxConfig{Modulator: gmsk.Config{SPS: sps}})
	if err != nil {
		return nil, err
	}
	return &ForeignCell{cfg: c, cell: cell, tx: tx, fl: tx.FrameLen(), first: first, frame: make([]complex64, tx.FrameLen()), have: -1}, nil
}

// Config returns the cell's configuration.
func (f *ForeignCell) Config() *config.Config { return f.cfg }

// Read renders the cell's downlink for [ts, ts+len(dst)) (ts ≥ 0).
func (f *ForeignCell) Read(dst []complex64, ts radio.Timestamp) (int, radio.Flags, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t := int64(ts)
	for i := 0; i < len(dst); {
		k := (t + int64(i)) / int64(f.fl)
		if k < 0 {
			dst[i] = 0
			i++
			continue
		}
		if k != f.have {
			fn := f.first.Add(int(k % int64(tdma.HyperFrame)))
			f.cell.Frame(fn, &f.b)
			f.tx.RenderFrame(f.frame, fn, &f.b)
			f.have = k
		}
		off := int(t + int64(i) - k*int64(f.fl))
		i += copy(dst[i:], f.frame[off:])
	}
	return len(dst), 0, nil
}
