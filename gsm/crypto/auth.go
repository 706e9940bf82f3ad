package crypto

import (
	"crypto/subtle"
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/crypto/comp128"
	"github.com/gsmbox/gsmbox/gsm/crypto/milenage"
)

// Authenticate runs the A3/A8 algorithm alg of a SIM with key ki on the
// challenge rand and returns SRES and Kc, as the SIM would (3GPP TS 43.020
// §3.2.2, §4.6; for "milenage" a USIM's GSM context, TS 33.102 §6.8.1.2).
// opc is used by Milenage only; an all-zero OPc is a valid value, so the
// caller checks that a Milenage subscriber has one configured. It fails
// only for an invalid alg.
func Authenticate(alg Algorithm, ki Ki, opc OPc, rand RAND) (SRES, Kc, error) {
	k := (*[16]byte)(&ki)
	r := (*[16]byte)(&rand)
	var sres [4]byte
	var kc [8]byte
	switch alg {
	case COMP128v1:
		sres, kc = comp128.V1(k, r)
	case COMP128v2:
		sres, kc = comp128.V2(k, r)
	case COMP128v3:
		sres, kc = comp128.V3(k, r)
	case Milenage:
		m := milenage.New(k, (*[16]byte)(&opc))
		sres, kc = m.GSM(r)
		m.Zero()
	case XOR:
		sres, kc = xor2G(k, r)
	default:
		return SRES{}, Kc{}, fmt.Errorf("%w: %v", ErrAlgorithm, alg)
	}
	return SRES(sres), Kc(kc), nil
}

// xor2G is the XOR-2G test algorithm, 3GPP TS 51.010-1 Annex 4 §A.4.1.2:
// RES1 = Ki ⊕ RAND; SRES is its first 32 bits and Kc the next 64.
func xor2G(ki, rand *[16]byte) (sres [4]byte, kc [8]byte) {
	var res1 [16]byte
	subtle.XORBytes(res1[:], ki[:], rand[:])
	copy(sres[:], res1[:4])
	copy(kc[:], res1[4:12])
	clear(res1[:])
	return sres, kc
}

// DeriveOPc computes OPc from OP and K (3GPP TS 35.206 §4.1), for
// subscriber records that hold OP.
func DeriveOPc(ki Ki, op OP) OPc {
	return OPc(milenage.OPc((*[16]byte)(&ki), (*[16]byte)(&op)))
}

// VerifySRES reports whether the SRES a mobile sent equals the expected
// one, in constant time.
func VerifySRES(expected, received SRES) bool {
	return subtle.ConstantTimeCompare(expected[:], received[:]) == 1
}

// VerifyRES reports whether a UMTS RES (4 to 16 octets) equals XRES, in time
// independent of the contents (a length mismatch returns false at once).
func VerifyRES(xres, res []byte) bool {
	return len(xres) >= 4 && subtle.ConstantTimeCompare(xres, res) == 1
}
