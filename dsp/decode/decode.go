package decode

import (
	"context"
	"errors"
	"io"

	"github.com/gsmbox/gsmbox/dsp/gmsk"
	"github.com/gsmbox/gsmbox/dsp/rx"
	"github.com/gsmbox/gsmbox/dsp/trx"
)

// Config configures Run.
type Config struct {
	// Rate is the file's sample rate in samples per second (0: 4 samples
	// per symbol, radio.SampleRate4).
	Rate float64
	// RSSIOffset calibrates the bursts' RSSI: dBm at full scale (|x| = 1).
	RSSIOffset float64
	// MaxFrames stops after this many TDMA frames (0: the whole file).
	MaxFrames int
}

// Stats is what Run did.
type Stats struct {
	Frames uint64 // TDMA frames read
	Radio  trx.PhoneStats
}

// Run decodes the IQ file r frame by frame with a phone radio, handing
// the bursts l asks for to l (see trx.PhoneL1; its Frame should return
// false: nothing is transmitted). It returns at the end of the file, at
// MaxFrames, or when ctx is done.
func Run(ctx context.Context, r io.Reader, cfg Config, l trx.PhoneL1) (Stats, error) {
	src, err := NewSource(r, cfg.Rate)
	if err != nil {
		return Stats{}, err
	}
	pr, err := trx.NewPhoneRadio(trx.PhoneConfig{Modulator: gmsk.Config{SPS: 4}, Rx: rx.Config{RSSIOffset: cfg.RSSIOffset}})
	if err != nil {
		return Stats{}, err
	}
	var st Stats
	for cfg.MaxFrames == 0 || st.Frames < uint64(cfg.MaxFrames) {
		if st.Frames%64 == 0 && ctx.Err() != nil {
			break
		}
		if err := pr.Step(src, l); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			st.Radio = pr.Stats()
			return st, err
		}
		st.Frames++
	}
	st.Radio = pr.Stats()
	return st, ctx.Err()
}
