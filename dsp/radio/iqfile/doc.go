// Package iqfile is a transmit-only radio.Stream that writes what is
// transmitted to an IQ file (complex float32 little-endian, the format of
// grgsm_decode -c), optionally through a simulated channel (dsp/channel)
// and a rational resampler (dsp/filter) to the file's rate.
//
// Place in the dependency order: above dsp/radio, dsp/iq, dsp/channel and
// dsp/filter; used by gsmbox sim and gsmbox trx for --iq-out. It lives
// apart from dsp/radio so the sample seam imports no DSP processing.
package iqfile
