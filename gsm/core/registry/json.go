package registry

import "time"

// SubscriberJSON is the JSON form of a subscriber for scripts ("gsmbox
// subscribers list --json") and status pages. Keys are present only when
// asked for.
type SubscriberJSON struct {
	IMSI       string     `json:"imsi"`
	MSISDN     string     `json:"msisdn,omitempty"`
	Algorithm  string     `json:"algorithm,omitempty"`
	Ki         string     `json:"ki,omitempty"`
	OPc        string     `json:"opc,omitempty"`
	IMEI       string     `json:"imei,omitempty"`
	Authorized bool       `json:"authorized"`
	Name       string     `json:"name,omitempty"`
	SQN        uint64     `json:"sqn,omitempty"`
	TMSI       string     `json:"tmsi,omitempty"`
	NewTMSI    string     `json:"new_tmsi,omitempty"`
	MCC        string     `json:"mcc,omitempty"`
	MNC        string     `json:"mnc,omitempty"`
	LAC        *uint16    `json:"lac,omitempty"`
	Attached   bool       `json:"attached"`
	LastSeen   *time.Time `json:"last_seen,omitempty"`
	Created    *time.Time `json:"created,omitempty"`
}

// ToJSON returns the JSON form of s, with Ki and OPc in hex only when
// withKeys is set.
func ToJSON(s *Subscriber, withKeys bool) SubscriberJSON {
	j := SubscriberJSON{
		IMSI: s.IMSI, MSISDN: s.MSISDN, IMEI: s.IMEI.String(), Authorized: !s.Barred,
		Name: s.Name, SQN: s.SQN, Attached: s.Attached,
	}
	if s.Algorithm.Valid() {
		j.Algorithm = s.Algorithm.String()
		if withKeys {
			j.Ki = s.Ki.HexSecret()
			if s.Algorithm.UsesOPc() {
				j.OPc = s.OPc.HexSecret()
			}
		}
	}
	if s.TMSI != NoTMSI {
		j.TMSI = s.TMSI.String()
	}
	if s.NewTMSI != NoTMSI {
		j.NewTMSI = s.NewTMSI.String()
	}
	if !s.LAI.IsZero() {
		lac := s.LAI.LAC
		j.MCC, j.MNC, j.LAC = s.LAI.PLMN.MCC, s.LAI.PLMN.MNC, &lac
	}
	if !s.LastSeen.IsZero() {
		t := s.LastSeen
		j.LastSeen = &t
	}
	if !s.Created.IsZero() {
		t := s.Created
		j.Created = &t
	}
	return j
}
