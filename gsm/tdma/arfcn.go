package tdma

import (
	"fmt"
	"strings"
)

// Band is a GSM frequency band (3GPP TS 45.005 §2).
type Band uint8

// Bands. GSM900 covers P-GSM and E-GSM channel numbers; R-GSM adds the railway
// extension.
const (
	BandUnknown Band = iota
	GSM850
	GSM900
	RGSM900
	DCS1800
	PCS1900
)

var bandNames = [...]string{"unknown", "GSM850", "GSM900", "RGSM900", "DCS1800", "PCS1900"}

func (b Band) String() string {
	if int(b) < len(bandNames) {
		return bandNames[b]
	}
	return fmt.Sprintf("Band(%d)", uint8(b))
}

// ParseBand reads a band name as written in a config file. It accepts the
// canonical names and the common aliases (PGSM900, EGSM900, GSM1800, GSM1900).
func ParseBand(s string) (Band, error) {
	switch strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), "-", "")) {
	case "GSM850", "850":
		return GSM850, nil
	case "GSM900", "PGSM900", "EGSM900", "PGSM", "EGSM", "900":
		return GSM900, nil
	case "RGSM900", "RGSM":
		return RGSM900, nil
	case "DCS1800", "GSM1800", "DCS", "1800":
		return DCS1800, nil
	case "PCS1900", "GSM1900", "PCS", "1900":
		return PCS1900, nil
	}
	return BandUnknown, fmt.Errorf("%w: %q (want GSM850, GSM900, RGSM900, DCS1800 or PCS1900)", ErrBand, s)
}

// ARFCN is an absolute radio frequency channel number. Its meaning depends on
// the band: 512..810 is both DCS1800 and PCS1900.
type ARFCN uint16

// Contains reports whether n is a channel of band b.
func (b Band) Contains(n ARFCN) bool {
	switch b {
	case GSM850:
		return n >= 128 && n <= 251
	case GSM900:
		return n <= 124 || (n >= 975 && n <= 1023)
	case RGSM900:
		return n <= 124 || (n >= 955 && n <= 1023)
	case DCS1800:
		return n >= 512 && n <= 885
	case PCS1900:
		return n >= 512 && n <= 810
	}
	return false
}

// Channels returns every channel number of the band, lowest frequency first.
func (b Band) Channels() []ARFCN {
	var out []ARFCN
	lo, hi := 0, 1023
	for n := lo; n <= hi; n++ {
		if b.Contains(ARFCN(n)) {
			out = append(out, ARFCN(n))
		}
	}
	// E/R-GSM channels 955..1023 lie below channel 0 in frequency.
	if b == GSM900 || b == RGSM900 {
		i := 0
		for i < len(out) && out[i] <= 124 {
			i++
		}
		out = append(out[i:], out[:i]...)
	}
	return out
}

// UplinkHz returns the uplink carrier centre frequency of n in band b, in Hz
// (TS 45.005 §2). ok is false when n is not a channel of b.
func (b Band) UplinkHz(n ARFCN) (hz int64, ok bool) {
	if !b.Contains(n) {
		return 0, false
	}
	k := int64(n)
	switch b {
	case GSM850:
		return 824_200_000 + 200_000*(k-128), true
	case GSM900, RGSM900:
		if k >= 955 {
			k -= 1024
		}
		return 890_000_000 + 200_000*k, true
	case DCS1800:
		return 1_710_200_000 + 200_000*(k-512), true
	case PCS1900:
		return 1_850_200_000 + 200_000*(k-512), true
	}
	return 0, false
}

// DuplexHz returns the downlink-minus-uplink spacing of band b.
func (b Band) DuplexHz() int64 {
	switch b {
	case GSM850, GSM900, RGSM900:
		return 45_000_000
	case DCS1800:
		return 95_000_000
	case PCS1900:
		return 80_000_000
	}
	return 0
}

// DownlinkHz returns the downlink carrier centre frequency of n in band b.
func (b Band) DownlinkHz(n ARFCN) (hz int64, ok bool) {
	up, ok := b.UplinkHz(n)
	if !ok {
		return 0, false
	}
	return up + b.DuplexHz(), true
}

// Edges returns the lowest and highest downlink and uplink frequencies of
// the band's carriers, in Hz. A transmitter may only ever be tuned inside
// [lo, hi] of its direction; boards/ enforces this.
func (b Band) Edges(downlink bool) (lo, hi int64) {
	ch := b.Channels()
	if len(ch) == 0 {
		return 0, 0
	}
	f := b.UplinkHz
	if downlink {
		f = b.DownlinkHz
	}
	lo, _ = f(ch[0])
	hi, _ = f(ch[len(ch)-1])
	return lo, hi
}

// BandsOf returns every band that contains n, for callers that must ask the
// operator which one was meant.
func BandsOf(n ARFCN) []Band {
	var out []Band
	for b := GSM850; b <= PCS1900; b++ {
		if b.Contains(n) {
			out = append(out, b)
		}
	}
	return out
}
