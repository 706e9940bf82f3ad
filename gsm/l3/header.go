package l3

import "fmt"

// PD is a protocol discriminator (TS 24.007 §11.2.3.1.1).
type PD uint8

// Protocol discriminators.
const (
	PDGCC  PD = 0x0 // group call control
	PDBCC  PD = 0x1 // broadcast call control
	PDESM  PD = 0x2 // EPS session management
	PDCC   PD = 0x3 // call control; call related SS
	PDGTTP PD = 0x4
	PDMM   PD = 0x5 // mobility management
	PDRR   PD = 0x6 // radio resources management
	PDEMM  PD = 0x7
	PDGMM  PD = 0x8
	PDSMS  PD = 0x9
	PDSM   PD = 0xa
	PDSS   PD = 0xb // non call related SS
	PDLCS  PD = 0xc
	PDExt  PD = 0xe // extension of the PD to one octet
	PDTest PD = 0xf // tests procedures (TS 44.014)
)

// HasTI reports whether messages of pd carry a transaction identifier in
// bits 5–8 of octet 1 rather than a skip indicator (TS 24.007 §11.2.3.1.2/3).
func (pd PD) HasTI() bool {
	switch pd {
	case PDGCC, PDBCC, PDCC, PDSMS, PDSS, PDLCS, PDSM, PDESM:
		return true
	}
	return false
}

// HasNSD reports whether the message type octet of pd carries the N(SD)
// send sequence number in bits 7–8 for messages from the mobile station
// (MM, CC and SS; TS 24.007 §11.2.3.2.3).
func (pd PD) HasNSD() bool { return pd == PDMM || pd == PDCC || pd == PDSS }

// Header is the layer 3 message header (TS 24.007 §11.2.3):
//
//	  8   7   6   5   4   3   2   1
//	+---+---+---+---+---+---+---+---+
//	|TIF|  TI value | prot. discrim.|  octet 1 (or skip indicator in 8..5)
//	+---+---+---+---+---+---+---+---+
//	|EXT|    TIO extended (opt.)    |  octet 1a, only if TI value = 7
//	+---+---+---+---+---+---+---+---+
//	| N(SD) |     message type      |  octet 2 (N(SD) only MM/CC/SS uplink)
//	+---+---+---+---+---+---+---+---+
//
// For protocols without a transaction identifier, TIFlag/TI hold the skip
// indicator (Skip, bits 8..5), which receivers must check is 0.
type Header struct {
	PD     PD
	Skip   uint8 // skip indicator (RR, MM, GMM), bits 8..5 of octet 1
	TIFlag bool  // transaction identifier flag (TS 24.007 §11.2.3.1.3)
	TI     uint8 // 0..6, or 7..127 using the extended octet
	Type   uint8 // message type; for MM/CC/SS without the N(SD) bits
	NSD    uint8 // bits 7–8 of the message type octet for MM/CC/SS
}

// Len returns the encoded header length (2 or 3 octets).
func (h *Header) Len() int {
	if h.PD.HasTI() && h.TI >= 7 {
		return 3
	}
	return 2
}

// MarshalTo writes the header into b and returns its length.
func (h *Header) MarshalTo(b []byte) (int, error) {
	n := h.Len()
	if len(b) < n {
		return 0, fmt.Errorf("%w: header needs %d octets, have %d", ErrBuffer, n, len(b))
	}
	hi := h.Skip & 0xf
	if h.PD.HasTI() {
		hi = min(h.TI, 7)
		if h.TIFlag {
			hi |= 8
		}
	}
	b[0] = hi<<4 | byte(h.PD)&0xf
	i := 1
	if n == 3 {
		b[1] = 0x80 | h.TI&0x7f
		i = 2
	}
	t := h.Type
	if h.PD.HasNSD() {
		t = t&0x3f | h.NSD<<6
	}
	b[i] = t
	return n, nil
}

// Unmarshal parses a header from b and returns its length.
func (h *Header) Unmarshal(b []byte) (int, error) {
	if len(b) < 2 {
		return 0, fmt.Errorf("%w: header needs 2 octets, have %d", ErrShort, len(b))
	}
	*h = Header{PD: PD(b[0] & 0xf)}
	hi := b[0] >> 4
	i := 1
	if h.PD.HasTI() {
		h.TIFlag = hi&8 != 0
		h.TI = hi & 7
		if h.TI == 7 {
			if len(b) < 3 {
				return 0, fmt.Errorf("%w: extended TI header needs 3 octets", ErrShort)
			}
			h.TI = b[1] & 0x7f
			i = 2
		}
	} else {
		h.Skip = hi
	}
	t := b[i]
	if h.PD.HasNSD() {
		h.NSD = t >> 6
		t &= 0x3f
	}
	h.Type = t
	return i + 1, nil
}
