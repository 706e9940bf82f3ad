package ms

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/crypto"
)

// SIM is the subscriber identity module of a phone: the IMSI and the
// authentication key with its algorithm (TS 43.020 §3.3, A3/A8; TS
// 35.206 for Milenage, with OPc).
type SIM struct {
	IMSI string
	Ki   crypto.Ki
	OPc  crypto.OPc
	Alg  crypto.Algorithm
}

// Authenticate runs the SIM's A3/A8 on a RAND from the network (TS
// 43.020 §3.3.1): the signed response SRES and the cipher key Kc.
func (s SIM) Authenticate(rand crypto.RAND) (crypto.SRES, crypto.Kc, error) {
	sres, kc, err := crypto.Authenticate(s.Alg, s.Ki, s.OPc, rand)
	if err != nil {
		return sres, kc, fmt.Errorf("ms: SIM %s: %w", s.IMSI, err)
	}
	return sres, kc, nil
}
