package mm

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/l3"
)

// UpdateStatus is the MS's location update status (TS 24.008 §4.1.2.2).
type UpdateStatus uint8

// Update statuses.
const (
	U2NotUpdated        UpdateStatus = iota // the zero value: no successful update yet
	U1Updated                               // the last update succeeded, in SIM.LAI
	U3RoamingNotAllowed                     // rejected (LA/PLMN not allowed, or SIM invalid)
)

func (u UpdateStatus) String() string {
	return [...]string{"U2 not updated", "U1 updated", "U3 roaming not allowed"}[min(int(u), 2)]
}

// SIM is the subscriber identity module of a virtual phone: the
// provisioned identity and key, and the data the MS stores on it between
// registrations (TS 31.102 EF_LOCI and EF_Kc: TMSI, LAI, update status,
// CKSN and Kc).
type SIM struct {
	IMSI      string
	Algorithm crypto.Algorithm
	Ki        crypto.Ki
	OPc       crypto.OPc // Milenage only

	TMSI   uint32 // NoTMSI if none
	LAI    l3.LAI // the LAI of TMSI and Status; zero if none
	Status UpdateStatus
	CKSN   uint8 // CKSNNone if no key
	Kc     crypto.Kc

	// Invalid is set by an authentication reject or a reject cause that
	// bars the SIM until power off (TS 24.008 §4.4.4.7).
	Invalid bool
}

// NewSIM returns a SIM with no stored TMSI, LAI or key.
func NewSIM(imsi string, alg crypto.Algorithm, ki crypto.Ki, opc crypto.OPc) *SIM {
	return &SIM{IMSI: imsi, Algorithm: alg, Ki: ki, OPc: opc, TMSI: NoTMSI, CKSN: CKSNNone}
}

// RunGSM runs A3/A8 on rand (TS 51.011 RUN GSM ALGORITHM), stores Kc
// under cksn, and returns SRES.
func (s *SIM) RunGSM(rand crypto.RAND, cksn uint8) (crypto.SRES, error) {
	sres, kc, err := crypto.Authenticate(s.Algorithm, s.Ki, s.OPc, rand)
	if err != nil {
		return crypto.SRES{}, fmt.Errorf("sim %s: %w", s.IMSI, err)
	}
	s.Kc, s.CKSN = kc, cksn&7
	return sres, nil
}

// forget deletes TMSI, LAI and CKSN (TS 24.008 §4.4.4.7).
func (s *SIM) forget() {
	s.TMSI, s.LAI, s.CKSN = NoTMSI, l3.LAI{}, CKSNNone
	s.Kc.Zero()
}

// Identity returns the identity the MS presents: the TMSI if it holds one
// valid in lai, else the IMSI (TS 24.008 §4.4.4.1).
func (s *SIM) Identity(lai l3.LAI) l3.MobileIdentity {
	if s.TMSI != NoTMSI && s.LAI == lai {
		return l3.TMSI(s.TMSI)
	}
	return l3.IMSI(s.IMSI)
}
