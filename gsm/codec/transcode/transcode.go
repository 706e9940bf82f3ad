package transcode

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/codec/fr"
	"github.com/gsmbox/gsmbox/gsm/codec/g711"
	"github.com/gsmbox/gsmbox/gsm/codec/rtp"
)

// MaxPtimeSamples is the longest packet duration accepted on either side:
// 120 ms at 8 kHz.
const MaxPtimeSamples = 960

// bufSamples holds a few packets of jitter between input and output.
const bufSamples = 4 * MaxPtimeSamples

// Transcoder converts one direction of a voice stream. It is not safe for
// concurrent use.
type Transcoder struct {
	in, out    rtp.Format
	outSamples int // samples per output payload

	dec fr.Decoder
	sub fr.Substitutor
	enc fr.Encoder

	buf        [bufSamples]int16 // ring of linear samples
	head, size int
}

// New returns a transcoder from payload type in to payload type out
// (rtp.PTGSM, rtp.PTPCMA or rtp.PTPCMU), producing output payloads of
// outSamples samples (160 for 20 ms; a multiple of 160 for GSM output).
func New(in, out uint8, outSamples int) (*Transcoder, error) {
	fi, err := rtp.FormatOf(in)
	if err != nil {
		return nil, fmt.Errorf("%w: input: %w", ErrFormat, err)
	}
	fo, err := rtp.FormatOf(out)
	if err != nil {
		return nil, fmt.Errorf("%w: output: %w", ErrFormat, err)
	}
	if outSamples <= 0 || outSamples > MaxPtimeSamples || outSamples%fo.FrameSamples != 0 {
		return nil, fmt.Errorf("%w: %d samples of %s (frames of %d, at most %d)",
			ErrPtime, outSamples, fo.Name, fo.FrameSamples, MaxPtimeSamples)
	}
	t := &Transcoder{in: fi, out: fo, outSamples: outSamples}
	t.dec.Reset()
	return t, nil
}

// OutputSize returns the size in bytes of one output payload.
func (t *Transcoder) OutputSize() int {
	return t.outSamples / t.out.FrameSamples * t.out.FrameBytes
}

// Buffered returns the number of decoded samples waiting for output.
func (t *Transcoder) Buffered() int { return t.size }

func (t *Transcoder) room(n int) error {
	if t.size+n > bufSamples {
		return fmt.Errorf("%w: %d samples buffered, %d more", ErrOverflow, t.size, n)
	}
	return nil
}

// put appends one decoded block to the ring.
func (t *Transcoder) put(pcm []int16) {
	for _, v := range pcm {
		t.buf[(t.head+t.size)%bufSamples] = v
		t.size++
	}
}

// Push decodes one input payload (a whole number of input frames) into
// the buffer. A GSM frame with a bad signature is replaced as a lost one.
func (t *Transcoder) Push(payload []byte) error {
	samples, err := t.in.Samples(payload)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrPayload, err)
	}
	if err := t.room(int(samples)); err != nil {
		return err
	}
	var pcm [fr.FrameSamples]int16
	switch t.in.PayloadType {
	case rtp.PTGSM:
		for o := 0; o < len(payload); o += fr.FrameSize {
			var p fr.Params
			if p.Unpack((*[fr.FrameSize]byte)(payload[o:])) == nil {
				t.sub.Good(&p)
			} else {
				t.sub.Lost(&p)
			}
			t.dec.DecodeParams(&pcm, &p)
			t.put(pcm[:])
		}
	case rtp.PTPCMA, rtp.PTPCMU:
		for o := 0; o < len(payload); o += len(pcm) {
			chunk := payload[o:min(o+len(pcm), len(payload))]
			if t.in.PayloadType == rtp.PTPCMA {
				g711.DecodeALaw(pcm[:], chunk)
			} else {
				g711.DecodeULaw(pcm[:], chunk)
			}
			t.put(pcm[:len(chunk)])
		}
	}
	return nil
}

// Lost fills the buffer for samples of input that never arrived (an RTP
// gap): substituted and muted GSM frames, or silence for G.711.
func (t *Transcoder) Lost(samples int) error {
	if samples < 0 {
		return fmt.Errorf("%w: %d lost samples", ErrPayload, samples)
	}
	if err := t.room(samples); err != nil {
		return err
	}
	var pcm [fr.FrameSamples]int16
	for samples > 0 {
		n := min(samples, fr.FrameSamples)
		if t.in.PayloadType == rtp.PTGSM {
			var p fr.Params
			t.sub.Lost(&p)
			t.dec.DecodeParams(&pcm, &p)
		} else {
			pcm = [fr.FrameSamples]int16{}
		}
		t.put(pcm[:n])
		samples -= n
	}
	return nil
}

// Pull writes the next output payload to dst and returns its length, or 0
// if not enough input is buffered yet.
func (t *Transcoder) Pull(dst []byte) (int, error) {
	size := t.OutputSize()
	if len(dst) < size {
		return 0, fmt.Errorf("%w: have %d bytes, need %d", ErrShort, len(dst), size)
	}
	if t.size < t.outSamples {
		return 0, nil
	}
	var pcm [fr.FrameSamples]int16
	o := 0
	for done := 0; done < t.outSamples; done += fr.FrameSamples {
		n := min(fr.FrameSamples, t.outSamples-done)
		for i := 0; i < n; i++ {
			pcm[i] = t.buf[t.head]
			t.head = (t.head + 1) % bufSamples
		}
		t.size -= n
		switch t.out.PayloadType {
		case rtp.PTGSM:
			t.enc.Encode((*[fr.FrameSize]byte)(dst[o:]), &pcm)
			o += fr.FrameSize
		case rtp.PTPCMA:
			o += g711.EncodeALaw(dst[o:], pcm[:n])
		case rtp.PTPCMU:
			o += g711.EncodeULaw(dst[o:], pcm[:n])
		}
	}
	return o, nil
}
