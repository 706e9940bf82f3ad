package coding

// TCH/FS, the full-rate speech traffic channel (3GPP TS 45.003 §3.1), and
// FACCH/F, the fast associated control channel that steals its blocks
// (§4.2).
//
// A 20 ms speech frame of 260 bits, ordered by subjective importance
// (d(0)..d(259), §3.1.1, Table 2), splits into 50 class Ia bits protected by
// a 3-bit CRC, 132 class Ib bits and 78 unprotected class II bits. Class I
// is reordered (u(k) = d(2k), u(184−k) = d(2k+1), the parity in the middle,
// §3.1.2.1), convolutionally coded with 4 tail bits into 378 bits, and the
// class II bits follow: 456 coded bits. A FACCH/F block is an xCCH block
// (§4.2.1–§4.2.3). Both are interleaved block-diagonally over 8 bursts
// (§3.1.3, §4.2.4): bursts 4n..4n+3 carry the even positions of block n and
// the odd positions of block n−1. The stealing flags say which: hu(B) of
// the first four bursts of a block and hl(B) of the last four are 1 when the
// block is a FACCH block, 0 when it is speech (§3.1.4, §4.2.5).

const (
	tchClassIa  = 50
	tchClassI   = 182
	tchBits     = 260
	tchConvIn   = 189 // 182 class I + 3 parity + 4 tail
	tchConvBits = 2 * tchConvIn
)

// encodeTCHFS codes 260 speech bits in class order into 456 coded bits.
func encodeTCHFS(c *[codedBits]byte, d *[tchBits]byte) {
	var u [tchConvIn]byte
	for k := range 91 {
		u[k] = d[2*k] & 1
		u[184-k] = d[2*k+1] & 1
	}
	var ia [tchClassIa]byte
	for i := range ia {
		ia[i] = d[i] & 1
	}
	tchfsCode.encode(u[91:94], ia[:])
	ConvEncode(c[:tchConvBits], u[:])
	for k := range 78 {
		c[tchConvBits+k] = d[tchClassI+k] & 1
	}
}

// decodeTCHFS is the inverse of encodeTCHFS on soft bits. ok is false when
// the class Ia CRC fails (a bad frame, TS 46.011). The quality figure counts
// the 378 convolutionally coded bits; the class II bits carry no redundancy.
func decodeTCHFS(d *[tchBits]byte, c *[codedBits]int8) (Quality, bool) {
	var v Viterbi
	var u [tchConvIn]byte
	v.Decode(u[:], c[:tchConvBits])
	for k := range 91 {
		d[2*k] = u[k]
		d[2*k+1] = u[184-k]
	}
	for k := range 78 {
		if c[tchConvBits+k] < 0 {
			d[tchClassI+k] = 1
		} else {
			d[tchClassI+k] = 0
		}
	}
	ok := tchfsCode.check(d[:tchClassIa], u[91:94])
	return Quality{convErrors(u[:], c[:tchConvBits]), tchConvBits}, ok
}

// TCHFEncoder holds the interleaver state of one full-rate traffic channel
// in the downlink (or, on the mobile side, the uplink). Each call codes one
// 20 ms block and returns the four bursts due next; those bursts also carry
// the second half of the previous block. The zero value is ready: it acts
// as if a speech block of zero bits preceded the first one.
type TCHFEncoder struct {
	pend [4][116]byte // odd positions of the last block, with its hl flags
}

// Reset forgets the previous block, as at channel activation.
func (e *TCHFEncoder) Reset() { *e = TCHFEncoder{} }

func (e *TCHFEncoder) interleave(dst *[4][116]byte, c *[codedBits]byte, steal byte) {
	*dst = e.pend
	e.pend = [4][116]byte{}
	for k, p := range tchMap {
		if p.b < 4 {
			dst[p.b][p.pos] = c[k]
		} else {
			e.pend[p.b-4][p.pos] = c[k]
		}
	}
	for b := range 4 {
		dst[b][flagHU] = steal
		e.pend[b][flagHL] = steal
	}
}

// EncodeSpeech codes one speech frame given in class order (d(0)..d(259) of
// TS 45.003 §3.1.1; see FRFromRTP for the RTP payload format) and writes
// the next four bursts' payloads to dst.
func (e *TCHFEncoder) EncodeSpeech(dst *[4][116]byte, d *[260]byte) {
	var c [codedBits]byte
	encodeTCHFS(&c, d)
	e.interleave(dst, &c, 0)
}

// EncodeFACCH codes a 23-octet L2 frame as a FACCH/F block stealing the
// place of one speech frame, and writes the next four bursts' payloads to
// dst.
func (e *TCHFEncoder) EncodeFACCH(dst *[4][116]byte, msg *[23]byte) {
	var c [codedBits]byte
	encodeBlock228(&c, msg)
	e.interleave(dst, &c, 1)
}

// TCHFKind says what a TCHFDecoder found in a block.
type TCHFKind uint8

const (
	// TCHFNone: no complete block yet (the first four bursts after a reset).
	TCHFNone TCHFKind = iota
	// TCHFSpeech: a speech block; ok reports the class Ia CRC.
	TCHFSpeech
	// TCHFFACCH: a FACCH/F block; ok reports the Fire code.
	TCHFFACCH
)

var tchfKindNames = [...]string{"none", "speech", "facch"}

func (k TCHFKind) String() string {
	if int(k) < len(tchfKindNames) {
		return tchfKindNames[k]
	}
	return "TCHFKind?"
}

// TCHFDecoder holds the de-interleaver state of one full-rate traffic
// channel: the four bursts that carry the first half of the block in
// progress. The zero value is ready.
type TCHFDecoder struct {
	prev [4][116]int8
	have bool
}

// Reset forgets the buffered bursts, as at channel activation.
func (d *TCHFDecoder) Reset() { *d = TCHFDecoder{} }

// Decode takes the payloads of the next four received bursts and decodes
// the block they complete. The stealing flags decide between speech and
// FACCH (a soft majority vote over the block's eight flags). For speech the
// class-ordered bits go to speech and ok reports the CRC (false is a bad
// frame); for FACCH the L2 frame goes to facch and ok reports the Fire
// code. The other destination is left alone. Either destination may be nil
// only if the caller does not want that kind; it is then decoded into
// scratch space.
func (d *TCHFDecoder) Decode(speech *[260]byte, facch *[23]byte, soft *[4][116]int8) (kind TCHFKind, q Quality, ok bool) {
	if !d.have {
		d.prev = *soft
		d.have = true
		return TCHFNone, Quality{}, false
	}
	var c [codedBits]int8
	steal := 0
	for b := range 4 {
		steal += int(d.prev[b][flagHU]) + int(soft[b][flagHL])
	}
	for k, p := range tchMap {
		if p.b < 4 {
			c[k] = d.prev[p.b][p.pos]
		} else {
			c[k] = soft[p.b-4][p.pos]
		}
	}
	d.prev = *soft
	if steal < 0 {
		var scratch [23]byte
		if facch == nil {
			facch = &scratch
		}
		q, ok = decodeBlock228(facch, &c)
		return TCHFFACCH, q, ok
	}
	var scratch [260]byte
	if speech == nil {
		speech = &scratch
	}
	q, ok = decodeTCHFS(speech, &c)
	return TCHFSpeech, q, ok
}
