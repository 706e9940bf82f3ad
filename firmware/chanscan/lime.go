package chanscan

import (
	"fmt"

	"periph.io/x/conn/v3/physic"

	"github.com/gsmbox/gsmbox/boards/rf/lime"
	"github.com/gsmbox/gsmbox/boards/rf/lms7002m"
	"github.com/gsmbox/gsmbox/dsp/radio"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Lime is a Receiver on a LimeSDR Mini or LimeNET Micro: the LMS7002M's
// RX synthesiser (SXR) is retuned to each downlink carrier and the
// samples come from the board's stream. The transmitter is not touched.
type Lime struct {
	LMS *lms7002m.Dev
	S   *lime.Stream
	// Allow, when set, is told before each read how far the board may
	// run (a fake board paced by its reader).
	Allow func(radio.Timestamp)
}

// TuneDownlink implements Receiver.
func (l *Lime) TuneDownlink(band tdma.Band, n tdma.ARFCN) error {
	hz, ok := band.DownlinkHz(n)
	if !ok {
		return fmt.Errorf("%w: ARFCN %d is not in %v", ErrConfig, n, band)
	}
	_, err := l.LMS.Tune(lms7002m.RX, physic.Frequency(hz)*physic.Hertz)
	return err
}

// Stream implements Receiver.
func (l *Lime) Stream() radio.Stream { return limeStream{l} }

// Next implements Receiver.
func (l *Lime) Next() radio.Timestamp { return radio.Timestamp(l.S.Stats().Counter) }

type limeStream struct{ l *Lime }

func (s limeStream) SampleRate() float64 { return s.l.S.SampleRate() }
func (s limeStream) Close() error        { return nil }
func (s limeStream) Write(src []complex64, ts radio.Timestamp) (int, radio.Flags, error) {
	return len(src), 0, nil // a scan never transmits
}
func (s limeStream) Read(dst []complex64, ts radio.Timestamp) (int, radio.Flags, error) {
	if s.l.Allow != nil {
		c := s.l.S.Config()
		s.l.Allow(ts + radio.Timestamp(len(dst)+2*c.PacketsPerTransfer*c.Format.SamplesPerPacket()))
	}
	return s.l.S.Read(dst, ts)
}
