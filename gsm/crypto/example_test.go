package crypto_test

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/crypto/a5"
)

// The core answers a location update: it draws RAND, runs the subscriber's
// A3/A8, sends RAND, checks the SRES that comes back, and hands Kc to the
// cell, which ciphers each burst with the A5 keystream.
func Example() {
	alg, _ := crypto.ParseAlgorithm("comp128v1")
	ki, _ := crypto.ParseKi("000102030405060708090a0b0c0d0e0f")
	rand, _ := crypto.ParseRAND("00112233445566778899aabbccddeeff")

	sres, kc, err := crypto.Authenticate(alg, ki, crypto.OPc{}, rand)
	if err != nil {
		panic(err)
	}
	fromMS, _ := crypto.ParseSRES("f5688422")
	fmt.Println("SRES", sres, "accepted:", crypto.VerifySRES(sres, fromMS))
	fmt.Println("Kc prints as", kc)

	var dl, ul [114]byte
	if err := a5.Keystream(a5.Alg1, &dl, &ul, [8]byte(kc), 1234); err != nil {
		panic(err)
	}
	fmt.Println("first downlink keystream bits", dl[:8])
	// Output:
	// SRES f5688422 accepted: true
	// Kc prints as Kc[redacted]
	// first downlink keystream bits [1 1 1 0 0 1 0 1]
}
