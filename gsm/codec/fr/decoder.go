package fr

// Decoder is the GSM 06.10 decoder, TS 46.010 §5.3. Its zero value is a
// decoder in the home state (memories zero, last LTP lag 40); it is not
// safe for concurrent use.
type Decoder struct {
	drp   [120]int16 // reconstructed residual drp(-120..-1), §5.3.2
	nrp   int16      // last valid LTP lag, §5.3.2
	v     [9]int16   // short-term synthesis filter memory, §5.3.4
	larpp [8]int16   // decoded LARs of the previous frame
	msr   int16      // deemphasis memory, §5.3.5
}

// NewDecoder returns a decoder in the home state.
func NewDecoder() *Decoder { return &Decoder{nrp: 40} }

// Reset returns the decoder to the home state.
func (d *Decoder) Reset() { *d = Decoder{nrp: 40} }

// Decode decodes a 33-byte frame into 160 samples of 8 kHz 16-bit linear
// PCM. A frame without the 0xD signature is rejected with ErrSignature and
// leaves pcm and the decoder state untouched.
func (d *Decoder) Decode(pcm *[FrameSamples]int16, frame *[FrameSize]byte) error {
	var p Params
	if err := p.Unpack(frame); err != nil {
		return err
	}
	d.DecodeParams(pcm, &p)
	return nil
}

// DecodeParams decodes the 76 parameters into 160 samples. Every parameter
// is masked to its width; any values are safe.
func (d *Decoder) DecodeParams(pcm *[FrameSamples]int16, p *Params) {
	if d.nrp == 0 { // zero value: home state has nrp = 40
		d.nrp = 40
	}
	var wt [FrameSamples]int16
	for j := 0; j < 4; j++ {
		sf := &p.Sub[j]

		// RPE decoding, §5.3.1.
		var xMc, xMp [13]int16
		for i := range xMc {
			xMc[i] = int16(sf.XMc[i] & 7)
		}
		var erp [40]int16
		apcmDequantize(&xMp, &xMc, int16(sf.Xmaxc&63))
		gridPosition(&erp, &xMp, int16(sf.Mc&3))

		// Long-term synthesis filtering, §5.3.2.
		nr := int16(sf.Nc & 127)
		if nr < 40 || nr > 120 {
			nr = d.nrp
		}
		d.nrp = nr
		brp := ltpQLB[sf.Bc&3]
		// Nr >= 40, so drp(k-Nr) always lies in the previous subframes.
		out := (*[40]int16)(wt[40*j:])
		for k := 0; k < 40; k++ {
			out[k] = add(erp[k], multR(brp, d.drp[120+k-int(nr)]))
		}
		copy(d.drp[:80], d.drp[40:])
		copy(d.drp[80:], out[:])
	}

	// Short-term synthesis filtering, §5.3.3–5.3.4.
	var larc [8]int16
	for i := range larc {
		larc[i] = int16(p.LARc[i] & (1<<ParamBits[i] - 1))
	}
	var larpp, rrp [8]int16
	decodeLAR(&larpp, &larc)
	for seg, r := range larSegments {
		interpolateLAR(&rrp, &d.larpp, &larpp, seg)
		larpToRp(&rrp)
		shortTermSynthesis(&d.v, &rrp, wt[r[0]:r[1]], pcm[r[0]:r[1]])
	}
	d.larpp = larpp

	// Postprocessing, §5.3.5: deemphasis, upscaling, truncation.
	msr := d.msr
	for k := range pcm {
		msr = add(pcm[k], multR(msr, 28180))
		pcm[k] = add(msr, msr) &^ 7
	}
	d.msr = msr
}
