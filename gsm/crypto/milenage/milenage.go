package milenage

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
)

// OPc derives OPc = OP ⊕ E_K(OP), 3GPP TS 35.206 §4.1.
func OPc(k, op *[16]byte) [16]byte {
	var opc [16]byte
	newBlock(k).Encrypt(opc[:], op[:])
	subtle.XORBytes(opc[:], opc[:], op[:])
	return opc
}

func newBlock(k *[16]byte) cipher.Block {
	b, err := aes.NewCipher(k[:])
	if err != nil {
		// aes.NewCipher fails only for a key length other than 16, 24 or 32.
		panic("milenage: " + err.Error())
	}
	return b
}

// Milenage is the algorithm set for one subscriber: key K and OPc.
// A Milenage is not safe for concurrent use: it encrypts in a scratch block
// it owns, so that computing a vector allocates nothing.
type Milenage struct {
	block cipher.Block
	opc   [16]byte
	buf   [16]byte
}

// encrypt returns E_K(x), through the scratch block (a local array passed
// to the cipher.Block interface would escape to the heap).
func (m *Milenage) encrypt(x [16]byte) [16]byte {
	m.buf = x
	m.block.Encrypt(m.buf[:], m.buf[:])
	x = m.buf
	clear(m.buf[:])
	return x
}

// New returns the MILENAGE functions for subscriber key k and operator
// variant opc (use OPc to derive it from OP).
func New(k, opc *[16]byte) *Milenage {
	return &Milenage{block: newBlock(k), opc: *opc}
}

// Zero wipes OPc. The expanded AES key inside crypto/aes cannot be reached;
// drop the Milenage value to release it.
func (m *Milenage) Zero() { clear(m.opc[:]); clear(m.buf[:]) }

// rotate returns x rotated left by r bits (r a multiple of 32 here).
func rotate(x [16]byte, r int) [16]byte {
	hi := binary.BigEndian.Uint64(x[:8])
	lo := binary.BigEndian.Uint64(x[8:])
	switch r {
	case 32:
		hi, lo = hi<<32|lo>>32, lo<<32|hi>>32
	case 64:
		hi, lo = lo, hi
	case 96:
		hi, lo = lo<<32|hi>>32, hi<<32|lo>>32
	}
	var out [16]byte
	binary.BigEndian.PutUint64(out[:8], hi)
	binary.BigEndian.PutUint64(out[8:], lo)
	return out
}

// temp computes TEMP = E_K(RAND ⊕ OPc).
func (m *Milenage) temp(rand *[16]byte) [16]byte {
	var t [16]byte
	subtle.XORBytes(t[:], rand[:], m.opc[:])
	return m.encrypt(t)
}

// out computes OUTn = E_K(rot(x ⊕ OPc, r) ⊕ c) ⊕ OPc, where c is all zero
// but its last octet, and x is TEMP (n = 2..5) or TEMP-mixed IN1 (n = 1).
func (m *Milenage) out(x [16]byte, r int, c byte) [16]byte {
	subtle.XORBytes(x[:], x[:], m.opc[:])
	x = rotate(x, r)
	x[15] ^= c
	x = m.encrypt(x)
	subtle.XORBytes(x[:], x[:], m.opc[:])
	return x
}

// Constants r1..r5 and c1..c5, 3GPP TS 35.206 §4.1 (c_n given by its last octet).
const (
	r1, c1 = 64, 0
	r2, c2 = 0, 1
	r3, c3 = 32, 2
	r4, c4 = 64, 4
	r5, c5 = 96, 8
)

// F1 computes f1 (MAC-A) and f1* (MAC-S) for RAND, SQN and AMF.
func (m *Milenage) F1(rand *[16]byte, sqn [6]byte, amf [2]byte) (macA, macS [8]byte) {
	t := m.temp(rand)
	var in1 [16]byte
	copy(in1[0:6], sqn[:])
	copy(in1[6:8], amf[:])
	copy(in1[8:14], sqn[:])
	copy(in1[14:16], amf[:])
	// OUT1 = E_K(TEMP ⊕ rot(IN1 ⊕ OPc, r1) ⊕ c1) ⊕ OPc
	subtle.XORBytes(in1[:], in1[:], m.opc[:])
	in1 = rotate(in1, r1)
	in1[15] ^= c1
	subtle.XORBytes(in1[:], in1[:], t[:])
	in1 = m.encrypt(in1)
	subtle.XORBytes(in1[:], in1[:], m.opc[:])
	copy(macA[:], in1[:8])
	copy(macS[:], in1[8:])
	return macA, macS
}

// F2345 computes f2 (RES), f3 (CK), f4 (IK) and f5 (AK) for RAND.
func (m *Milenage) F2345(rand *[16]byte) (res [8]byte, ck, ik [16]byte, ak [6]byte) {
	t := m.temp(rand)
	out2 := m.out(t, r2, c2)
	copy(ak[:], out2[:6])
	copy(res[:], out2[8:])
	ck = m.out(t, r3, c3)
	ik = m.out(t, r4, c4)
	return res, ck, ik, ak
}

// F5Star computes f5* (the resynchronisation anonymity key AK).
func (m *Milenage) F5Star(rand *[16]byte) (ak [6]byte) {
	out5 := m.out(m.temp(rand), r5, c5)
	copy(ak[:], out5[:6])
	return ak
}

// Vector is a UMTS authentication vector with its GSM derivatives
// (3GPP TS 33.102 §6.3.2, §6.8.1.2).
type Vector struct {
	RAND [16]byte
	XRES [8]byte
	CK   [16]byte
	IK   [16]byte
	AK   [6]byte
	MACA [8]byte
	AUTN [16]byte // (SQN ⊕ AK) ‖ AMF ‖ MAC-A
	SRES [4]byte  // c2(XRES)
	Kc   [8]byte  // c3(CK, IK)
}

// Generate computes the authentication vector for RAND, SQN and AMF.
func (m *Milenage) Generate(rand *[16]byte, sqn [6]byte, amf [2]byte) Vector {
	v := Vector{RAND: *rand}
	v.MACA, _ = m.F1(rand, sqn, amf)
	v.XRES, v.CK, v.IK, v.AK = m.F2345(rand)
	subtle.XORBytes(v.AUTN[:6], sqn[:], v.AK[:])
	copy(v.AUTN[6:8], amf[:])
	copy(v.AUTN[8:], v.MACA[:])
	v.SRES, _ = C2(v.XRES[:])
	v.Kc = C3(&v.CK, &v.IK)
	return v
}

// GSM computes the SRES and Kc a USIM returns to a GSM authentication
// challenge: c2(f2) and c3(f3, f4).
func (m *Milenage) GSM(rand *[16]byte) (sres [4]byte, kc [8]byte) {
	res, ck, ik, _ := m.F2345(rand)
	sres, _ = C2(res[:])
	kc = C3(&ck, &ik)
	clear(ck[:])
	clear(ik[:])
	return sres, kc
}

// Resync recovers SQN_MS from the AUTS of an Authentication Failure with
// cause "synch failure" (3GPP TS 33.102 §6.3.3): AUTS = (SQN_MS ⊕ AK*) ‖
// MAC-S, with MAC-S = f1*(SQN_MS, RAND, AMF = 0). ok is false when MAC-S
// does not verify; the comparison is constant-time.
func (m *Milenage) Resync(rand *[16]byte, auts [14]byte) (sqn [6]byte, ok bool) {
	ak := m.F5Star(rand)
	subtle.XORBytes(sqn[:], auts[:6], ak[:])
	_, macS := m.F1(rand, sqn, [2]byte{})
	return sqn, subtle.ConstantTimeCompare(macS[:], auts[6:]) == 1
}

// C2 is the conversion function c2, 3GPP TS 33.102 §6.8.1.2: SRES is the
// XOR of the 32-bit words of RES, padded with zeros to 128 bits.
func C2(res []byte) ([4]byte, error) {
	var sres [4]byte
	if len(res) < 4 || len(res) > 16 {
		return sres, ErrRESLength
	}
	for i, b := range res {
		sres[i%4] ^= b
	}
	return sres, nil
}

// C3 is the conversion function c3, 3GPP TS 33.102 §6.8.1.2:
// Kc = CK1 ⊕ CK2 ⊕ IK1 ⊕ IK2, the 64-bit halves of CK and IK.
func C3(ck, ik *[16]byte) [8]byte {
	var kc [8]byte
	for i := range kc {
		kc[i] = ck[i] ^ ck[i+8] ^ ik[i] ^ ik[i+8]
	}
	return kc
}
