package tdma

// TxBurst is one downlink (or, on the mobile side, uplink) burst handed
// across the burst PHY seam: the layer above fills it, the transceiver
// modulates it at frame FN, timeslot TN.
type TxBurst struct {
	FN   FN
	TN   TN
	Kind BurstKind
	// Att is the attenuation below the nominal power, in dB (≥ 0).
	Att  uint8
	Bits Burst
}

// RxBurst is one received burst handed up across the seam, with the
// measurements the transceiver made on it.
type RxBurst struct {
	FN   FN
	TN   TN
	Kind BurstKind // Normal or Access, as detected
	// TSC is the training sequence the burst was detected with.
	TSC uint8
	// RSSI is the received signal strength in dBm.
	RSSI float32
	// ToA is the time of arrival relative to the slot's nominal start, in
	// symbol periods (positive is late). For access bursts it gives the
	// timing advance.
	ToA float32
	// CI is the carrier-to-interference ratio estimate in dB.
	CI float32
	// FreqOffset is the estimated frequency offset in Hz.
	FreqOffset float32
	Soft       SoftBurst
}

// BurstKind says which of the burst formats of TS 45.002 §5.2 a burst uses.
type BurstKind uint8

// Burst kinds.
const (
	KindNone BurstKind = iota // nothing (transmit nothing, or no burst detected)
	KindNormal
	KindFCCH
	KindSCH
	KindDummy
	KindAccess
)

var kindNames = [...]string{"none", "normal", "fcch", "sch", "dummy", "access"}

func (k BurstKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind?"
}
