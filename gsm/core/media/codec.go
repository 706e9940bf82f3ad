package media

import (
	"github.com/gsmbox/gsmbox/gsm/codec/fr"
	"github.com/gsmbox/gsmbox/gsm/codec/g711"
	"github.com/gsmbox/gsmbox/gsm/codec/rtp"
	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/rsl"
)

// codecState converts speech between the air (260 class-ordered bits of
// a TCH/FS frame, TS 45.003 §3.1.1) and the RTP payload, one 20 ms frame
// at a time, with no allocation. It belongs to the 20 ms loop.
//
// Uplink (air → RTP): the frame is unpacked to its 76 parameters (TS
// 46.010 Table 1.1); a bad frame is replaced by the substitute of TS
// 46.011 §6 (repeat, then mute); GSM output packs the parameters, G.711
// output decodes them (TS 46.010) and compands (G.711).
//
// Downlink (RTP → air): a GSM frame is passed on as its parameters; a
// G.711 frame is expanded and encoded (TS 46.010); a frame the jitter
// buffer lost is substituted on the FR side from the last good
// parameters, so the phone hears TS 46.011 substitution and muting
// whichever codec the peer sends.
type codecState struct {
	pt               uint8
	upSub, downSub   fr.Substitutor
	dec              fr.Decoder
	enc              fr.Encoder
	params           fr.Params
	pcm              [fr.FrameSamples]int16
	frame            rsl.SpeechFrame
	gsm              [fr.FrameSize]byte
	payload          [slotBytes]byte // one RTP payload out
	played           [slotBytes]byte // one frame from the jitter buffer
	pkt              [MaxDatagram]byte
	frameBytes       int
	uplinkBad, clean uint64
}

func (c *codecState) reset(pt uint8) {
	c.pt = pt
	c.upSub, c.downSub = fr.Substitutor{}, fr.Substitutor{}
	c.dec.Reset()
	c.enc.Reset()
	c.frameBytes = frameBytesOf(pt)
}

func frameBytesOf(pt uint8) int {
	if pt == rtp.PTGSM {
		return fr.FrameSize
	}
	return frameSamples
}

func silenceOf(pt uint8) byte {
	switch pt {
	case rtp.PTPCMA:
		return 0xD5
	case rtp.PTPCMU:
		return 0xFF
	}
	return 0
}

// uplink converts the air frame c.frame into an RTP payload.
func (c *codecState) uplink() []byte {
	coding.FRToRTP(&c.gsm, &c.frame.Bits)
	if c.frame.Bad || c.params.Unpack(&c.gsm) != nil {
		c.upSub.Lost(&c.params)
		c.uplinkBad++
	} else {
		c.upSub.Good(&c.params)
	}
	if c.pt == rtp.PTGSM {
		c.params.Pack((*[fr.FrameSize]byte)(c.payload[:fr.FrameSize]))
		return c.payload[:fr.FrameSize]
	}
	c.dec.DecodeParams(&c.pcm, &c.params)
	if c.pt == rtp.PTPCMA {
		g711.EncodeALaw(c.payload[:], c.pcm[:])
	} else {
		g711.EncodeULaw(c.payload[:], c.pcm[:])
	}
	return c.payload[:frameSamples]
}

// downlink converts the jitter buffer's frame (c.played, or a lost one
// when present is false) into c.frame for the air.
func (c *codecState) downlink(present bool) {
	switch {
	case present && c.pt == rtp.PTGSM:
		if c.params.Unpack((*[fr.FrameSize]byte)(c.played[:fr.FrameSize])) == nil {
			c.downSub.Good(&c.params)
		} else {
			c.downSub.Lost(&c.params)
		}
	case present:
		if c.pt == rtp.PTPCMA {
			g711.DecodeALaw(c.pcm[:], c.played[:frameSamples])
		} else {
			g711.DecodeULaw(c.pcm[:], c.played[:frameSamples])
		}
		c.enc.EncodeParams(&c.params, &c.pcm)
		c.downSub.Good(&c.params)
	default:
		c.downSub.Lost(&c.params)
	}
	c.params.Pack(&c.gsm)
	_ = coding.FRFromRTP(&c.frame.Bits, c.gsm[:]) // Pack writes the signature
	c.frame.Bad = false
}
