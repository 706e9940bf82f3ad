package cc

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// SpeechVersion is a speech version indication of the Bearer Capability
// IE (TS 24.008 §10.5.4.5, octet 3a etc. bits 4–1).
type SpeechVersion uint8

// Speech versions. "FR" and "HR" are the full- and half-rate channels.
const (
	FRv1    SpeechVersion = 0x0 // GSM FR (TS 46.010)
	HRv1    SpeechVersion = 0x1 // GSM HR (TS 46.020)
	FRv2    SpeechVersion = 0x2 // GSM EFR (TS 46.060)
	HRv2    SpeechVersion = 0x3 // (not used)
	FRv3    SpeechVersion = 0x4 // FR AMR
	HRv3    SpeechVersion = 0x5 // HR AMR
	FRv4    SpeechVersion = 0x6 // OFR AMR-WB
	HRv4    SpeechVersion = 0x7 // OHR AMR-WB
	FRv5    SpeechVersion = 0x8 // FR AMR-WB
	HRv6    SpeechVersion = 0xb // OHR AMR
	NoGERAN SpeechVersion = 0xf // no speech version supported for GERAN
)

var speechNames = map[SpeechVersion]string{
	FRv1: "FR", HRv1: "HR", FRv2: "EFR", HRv2: "HRv2", FRv3: "FR-AMR", HRv3: "HR-AMR",
	FRv4: "OFR-AMR-WB", HRv4: "OHR-AMR-WB", FRv5: "FR-AMR-WB", HRv6: "OHR-AMR", NoGERAN: "none",
}

func (v SpeechVersion) String() string {
	if n, ok := speechNames[v]; ok {
		return n
	}
	return fmt.Sprintf("SpeechVersion(%d)", uint8(v))
}

// FullRate reports whether v is a speech version for a full-rate channel.
func (v SpeechVersion) FullRate() bool { return v != NoGERAN && v&1 == 0 }

// ITC is the information transfer capability (§10.5.4.5 octet 3 bits 3–1).
type ITC uint8

// Information transfer capabilities.
const (
	ITCSpeech    ITC = 0
	ITCUDI       ITC = 1 // unrestricted digital information
	ITCAudio     ITC = 2 // 3.1 kHz audio, ex PLMN
	ITCFax3      ITC = 3 // facsimile group 3
	ITCOther     ITC = 5
	ITCAuxSpeech ITC = 7 // auxiliary speech (alternate line service)
)

// Radio channel requirement (§10.5.4.5 octet 3 bits 7–6): in the MS to
// network direction, the MS's channel support; from the network, 1.
const (
	RadioFullRateOnly = 1
	RadioDualHalfPref = 2
	RadioDualFullPref = 3
)

// BearerCapability is the Bearer Capability IE (TS 24.008 §10.5.4.5), 1
// to 14 value octets:
//
//	  8   7   6   5   4   3   2   1
//	|ext|radio ch.| cs|tm | ITC       |  octet 3
//	|ext| co|CTM| 0 | speech version |  octet 3a (speech; ext 0: 3b.. follow)
//	|ext| co| 0   0 | speech version |  octets 3b, 3c, ...
//	|      octets 4.. (data bearers) |
//
// For speech (ITC 0 or 7) the speech versions are listed in order of the
// MS's preference; none listed means GSM FR version 1 only (§10.5.4.5
// note). For other bearers the octets after octet 3 are kept opaque in
// Rest, and Ext3 says whether octet 3's extension bit announced octet 3a.
type BearerCapability struct {
	RadioChannel uint8 // 0..3
	Coding       uint8 // coding standard bit 5: 0 GSM
	TransferMode uint8 // bit 4: 0 circuit mode
	ITC          ITC
	CTM          bool // CTM text telephony supported (octet 3a bit 6)
	NVersions    uint8
	Versions     [8]SpeechVersion
	Ext3         bool // non-speech: octet 3 extension bit 0 (octet 3a follows)
	RestLen      uint8
	Rest         [13]byte
}

// bearerMax is the longest Bearer Capability value (TLV 3–16).
const bearerMax = 14

// SpeechBearer returns a speech bearer capability listing versions in
// order of preference (from the MS: dual-rate support with full rate
// preferred if a half-rate version is listed).
func SpeechBearer(radio uint8, versions ...SpeechVersion) BearerCapability {
	b := BearerCapability{RadioChannel: radio, ITC: ITCSpeech}
	for _, v := range versions {
		if int(b.NVersions) < len(b.Versions) {
			b.Versions[b.NVersions] = v
			b.NVersions++
		}
	}
	return b
}

// IsSpeech reports whether the bearer is a speech bearer.
func (b *BearerCapability) IsSpeech() bool { return b.ITC == ITCSpeech || b.ITC == ITCAuxSpeech }

// SpeechVersions returns the speech versions in preference order: the
// listed ones, or FR version 1 alone if none is listed.
func (b *BearerCapability) SpeechVersions() []SpeechVersion {
	if !b.IsSpeech() {
		return nil
	}
	if b.NVersions == 0 {
		return []SpeechVersion{FRv1}
	}
	return b.Versions[:min(int(b.NVersions), len(b.Versions))]
}

// Supports reports whether v is among the bearer's speech versions.
func (b *BearerCapability) Supports(v SpeechVersion) bool {
	for _, s := range b.SpeechVersions() {
		if s == v {
			return true
		}
	}
	return false
}

// CommonSpeech picks the speech version for a call between two speech
// bearers, for transcoder-free relay: the first of prefs (the network's
// order; nil means a's order) that both a and b support. ok is false when
// there is none.
func CommonSpeech(a, b *BearerCapability, prefs []SpeechVersion) (SpeechVersion, bool) {
	if prefs == nil {
		prefs = a.SpeechVersions()
	}
	for _, v := range prefs {
		if a.Supports(v) && b.Supports(v) {
			return v, true
		}
	}
	return 0, false
}

func (b *BearerCapability) valueLen() int {
	if b.IsSpeech() {
		return 1 + int(b.NVersions) + int(b.RestLen)
	}
	return 1 + int(b.RestLen)
}

func (b *BearerCapability) putValue(e *enc) {
	if b.RadioChannel > 3 || b.Coding > 1 || b.TransferMode > 1 || b.ITC > 7 ||
		int(b.NVersions) > len(b.Versions) || int(b.RestLen) > len(b.Rest) || b.valueLen() > bearerMax {
		e.bad("bearer capability %+v", *b)
		return
	}
	o3 := b.RadioChannel<<5 | b.Coding<<4 | b.TransferMode<<3 | uint8(b.ITC)
	if b.IsSpeech() {
		if b.NVersions == 0 {
			o3 |= 0x80
		}
		e.Byte(o3)
		for i, v := range b.Versions[:b.NVersions] {
			if v > 15 {
				e.bad("speech version %d", v)
				return
			}
			o := uint8(v)
			if i == int(b.NVersions)-1 {
				o |= 0x80
			}
			if i == 0 && b.CTM {
				o |= 0x20
			}
			e.Byte(o)
		}
	} else {
		if !b.Ext3 {
			o3 |= 0x80
		}
		e.Byte(o3)
	}
	e.V(b.Rest[:b.RestLen])
}

// Unmarshal parses a bearer capability value (without IEI and length).
func (b *BearerCapability) Unmarshal(v []byte) error {
	*b = BearerCapability{}
	if len(v) < 1 || len(v) > bearerMax {
		return fmt.Errorf("%w: bearer capability of %d octets", l3.ErrLength, len(v))
	}
	b.RadioChannel, b.Coding, b.TransferMode, b.ITC = v[0]>>5&3, v[0]>>4&1, v[0]>>3&1, ITC(v[0]&7)
	i := 1
	if b.IsSpeech() {
		ext := v[0]&0x80 == 0
		for ext {
			if i >= len(v) {
				return fmt.Errorf("%w: bearer capability octet 3%c missing", l3.ErrShort, 'a'+i-1)
			}
			o := v[i]
			if int(b.NVersions) < len(b.Versions) {
				b.Versions[b.NVersions] = SpeechVersion(o & 0xf)
				b.NVersions++
			}
			if i == 1 {
				b.CTM = o&0x20 != 0
			}
			ext = o&0x80 == 0
			i++
		}
	} else {
		b.Ext3 = v[0]&0x80 == 0
	}
	b.RestLen = uint8(copy(b.Rest[:], v[i:]))
	return nil
}

func (b *BearerCapability) putTLV(e *enc) {
	e.Byte(ieiBearer)
	b.putLV(e)
}

func (b *BearerCapability) putLV(e *enc) {
	mark := e.BeginLV()
	b.putValue(e)
	e.EndLV(mark)
}

func (b *BearerCapability) size() int { return 2 + b.valueLen() }
