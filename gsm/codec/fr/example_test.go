package fr_test

import (
	"fmt"
	"math"

	"github.com/gsmbox/gsmbox/gsm/codec/fr"
)

// Encode 20 ms of a 1 kHz tone into the 33-byte RTP payload and decode it.
func Example() {
	var pcm [fr.FrameSamples]int16
	for i := range pcm {
		pcm[i] = int16(8000 * math.Sin(2*math.Pi*1000*float64(i)/8000))
	}
	var enc fr.Encoder
	dec := fr.NewDecoder()
	var frame [fr.FrameSize]byte
	enc.Encode(&frame, &pcm)
	var out [fr.FrameSamples]int16
	if err := dec.Decode(&out, &frame); err != nil {
		fmt.Println(err)
		return
	}
	var p fr.Params
	_ = p.Unpack(&frame)
	fmt.Printf("signature %X, %d bytes, LARc %v\n", frame[0]>>4, len(frame), p.LARc)
	// Output:
	// signature D, 33 bytes, LARc [17 60 28 15 10 5 4 2]
}
