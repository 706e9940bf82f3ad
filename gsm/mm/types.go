package mm

import "fmt"

// LUType is the location updating type (TS 24.008 §10.5.3.5), bits 2–1 of
// the Location Updating Type IE.
type LUType uint8

// Location updating types.
const (
	LUNormal     LUType = 0 // normal location updating (new LA, or first use)
	LUPeriodic   LUType = 1 // periodic updating (T3212 expiry)
	LUIMSIAttach LUType = 2 // IMSI attach (power on in the same LA)
)

func (t LUType) String() string {
	switch t {
	case LUNormal:
		return "normal"
	case LUPeriodic:
		return "periodic"
	case LUIMSIAttach:
		return "IMSI attach"
	}
	return fmt.Sprintf("LUType(%d)", uint8(t))
}

// CKSNNone is the ciphering key sequence number value "no key is
// available" (TS 24.008 §10.5.1.2); 0..6 name a stored Kc.
const CKSNNone = 7

// IdentityType is the type requested by an Identity Request (TS 24.008
// §10.5.3.4, Identity type 2).
type IdentityType uint8

// Requested identity types.
const (
	IdentityIMSI   IdentityType = 1
	IdentityIMEI   IdentityType = 2
	IdentityIMEISV IdentityType = 3
	IdentityTMSI   IdentityType = 4
)

func (t IdentityType) String() string {
	switch t {
	case IdentityIMSI:
		return "IMSI"
	case IdentityIMEI:
		return "IMEI"
	case IdentityIMEISV:
		return "IMEISV"
	case IdentityTMSI:
		return "TMSI"
	}
	return fmt.Sprintf("IdentityType(%d)", uint8(t))
}

// ServiceType is the CM service type of a CM Service Request (TS 24.008
// §10.5.3.3).
type ServiceType uint8

// CM service types.
const (
	ServiceMOCall          ServiceType = 1 // mobile originating call or packet mode connection
	ServiceEmergencyCall   ServiceType = 2
	ServiceSMS             ServiceType = 4 // short message service
	ServiceSS              ServiceType = 8 // supplementary service activation
	ServiceVoiceGroupCall  ServiceType = 9
	ServiceVoiceBroadcast  ServiceType = 10
	ServiceLocationService ServiceType = 11
)

func (t ServiceType) String() string {
	switch t {
	case ServiceMOCall:
		return "MO call"
	case ServiceEmergencyCall:
		return "emergency call"
	case ServiceSMS:
		return "SMS"
	case ServiceSS:
		return "SS activation"
	case ServiceVoiceGroupCall:
		return "voice group call"
	case ServiceVoiceBroadcast:
		return "voice broadcast call"
	case ServiceLocationService:
		return "location service"
	}
	return fmt.Sprintf("service type %d", uint8(t))
}
