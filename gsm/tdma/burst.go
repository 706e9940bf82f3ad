package tdma

// Burst geometry, 3GPP TS 45.002 §5.2. A timeslot lasts 156.25 symbol
// periods; every burst type carries 148 bits (88 for an access burst)
// followed by a guard period.
const (
	// SymbolRate is the GSM modulation rate in symbols per second, 1625000/6.
	SymbolRateNum = 1_625_000
	SymbolRateDen = 6
	// QuarterSymbolsPerSlot is the timeslot length in quarter symbols.
	QuarterSymbolsPerSlot = 625
	// QuarterSymbolsPerFrame is the TDMA frame length in quarter symbols.
	QuarterSymbolsPerFrame = 8 * QuarterSymbolsPerSlot

	// BurstBits is the number of bits in a normal, frequency correction,
	// synchronisation or dummy burst.
	BurstBits = 148
	// AccessBurstBits is the number of bits in an access burst.
	AccessBurstBits = 88
	// TailBits is the length of the tail at each end of a normal burst.
	TailBits = 3
	// TSCBits is the length of a normal-burst training sequence.
	TSCBits = 26
	// SyncBits is the length of the SCH extended training sequence.
	SyncBits = 64
	// AccessSyncBits is the length of the access-burst synchronisation sequence.
	AccessSyncBits = 41
	// NormalDataBits is the payload of a normal burst, both halves together
	// with their stealing flags (2 × 58).
	NormalDataBits = 116
	// SCHDataBits is the payload of a synchronisation burst (2 × 39).
	SCHDataBits = 78
	// AccessDataBits is the payload of an access burst.
	AccessDataBits = 36

	// Offsets into a normal burst.
	NormalTSCStart = TailBits + 58
	// Offsets into a synchronisation burst.
	SCHSyncStart = TailBits + 39
	// Offsets into an access burst: 8 extended tail bits precede the sync.
	AccessSyncStart = 8
	AccessDataStart = AccessSyncStart + AccessSyncBits
)

// Burst is one burst's 148 hard bits (each 0 or 1), in transmission order.
type Burst [BurstBits]byte

// SoftBurst is one burst's 148 soft bits: positive means 0 is likely,
// negative means 1 is likely, magnitude is confidence (−127..127).
// This follows the convention of the TRX protocol's soft bits.
type SoftBurst [BurstBits]int8

// TSC holds the eight normal-burst training sequences of TS 45.002 §5.2.3
// (set 1), in transmission order.
var TSC = [8][TSCBits]byte{
	bits26(0x0970897),
	bits26(0x0B778B7),
	bits26(0x10EE90E),
	bits26(0x11ED11E),
	bits26(0x06B906B),
	bits26(0x13AC13A),
	bits26(0x29F629F),
	bits26(0x3BC4BBC),
}

// SCHSync is the extended training sequence of the synchronisation burst,
// TS 45.002 §5.2.5.
var SCHSync = bitsN[[SyncBits]byte](0xB962040F2D45761B, SyncBits)

// AccessSync is the synchronisation sequence of an access burst using
// training sequence TS0, TS 45.002 §5.2.7.
var AccessSync = bitsN[[AccessSyncBits]byte](0x096FF335478, AccessSyncBits)

// dummyBits is the dummy burst's 148-bit pattern, TS 45.002 §5.2.6, written
// as the spec lists it.
const dummyBits = "000" +
	"1111101101110110000010100100111000001" +
	"0010001000000011111000111000101110001" +
	"0111000101011101001010001100110011100" +
	"1111010011111000100101111101010000"

// Dummy is the dummy burst.
var Dummy = func() (b Burst) {
	s := dummyBits
	for i := range b {
		b[i] = s[i] - '0'
	}
	return b
}()

// FCCH is the frequency correction burst: 148 zero bits, which GMSK turns
// into a pure tone a quarter of the symbol rate above the carrier.
var FCCH Burst

// Normal fills dst with a normal burst: tail, the first 58 payload bits
// (57 data and the stealing flag hl), the training sequence tsc, the last
// 58 payload bits (hu and 57 data), tail. TS 45.002 §5.2.3.
func Normal(dst *Burst, data *[NormalDataBits]byte, tsc uint8) {
	dst[0], dst[1], dst[2] = 0, 0, 0
	copy(dst[TailBits:], data[:58])
	copy(dst[NormalTSCStart:], TSC[tsc&7][:])
	copy(dst[NormalTSCStart+TSCBits:], data[58:])
	dst[145], dst[146], dst[147] = 0, 0, 0
}

// NormalData extracts the 116 payload bits from a normal burst; the inverse
// of Normal. It works on hard bits and on soft bits alike.
func NormalData[T byte | int8](dst *[NormalDataBits]T, b *[BurstBits]T) {
	copy(dst[:58], b[TailBits:TailBits+58])
	copy(dst[58:], b[NormalTSCStart+TSCBits:NormalTSCStart+TSCBits+58])
}

// SCH fills dst with a synchronisation burst carrying the 78 coded bits data
// (TS 45.002 §5.2.5).
func SCH(dst *Burst, data *[SCHDataBits]byte) {
	dst[0], dst[1], dst[2] = 0, 0, 0
	copy(dst[TailBits:], data[:39])
	copy(dst[SCHSyncStart:], SCHSync[:])
	copy(dst[SCHSyncStart+SyncBits:], data[39:])
	dst[145], dst[146], dst[147] = 0, 0, 0
}

// SCHData extracts the 78 coded bits from a synchronisation burst.
func SCHData[T byte | int8](dst *[SCHDataBits]T, b *[BurstBits]T) {
	copy(dst[:39], b[TailBits:TailBits+39])
	copy(dst[39:], b[SCHSyncStart+SyncBits:SCHSyncStart+SyncBits+39])
}

// Access fills the first 88 bits of dst with an access burst carrying the
// 36 coded bits data (TS 45.002 §5.2.7); the remaining bits are guard time
// and set to zero.
func Access(dst *Burst, data *[AccessDataBits]byte) {
	// Extended tail bits: 0,0,1,1,1,0,1,0.
	copy(dst[:8], []byte{0, 0, 1, 1, 1, 0, 1, 0})
	copy(dst[AccessSyncStart:], AccessSync[:])
	copy(dst[AccessDataStart:], data[:])
	dst[85], dst[86], dst[87] = 0, 0, 0
	clear(dst[AccessBurstBits:])
}

// AccessData extracts the 36 coded bits from an access burst.
func AccessData[T byte | int8](dst *[AccessDataBits]T, b *[BurstBits]T) {
	copy(dst[:], b[AccessDataStart:AccessDataStart+AccessDataBits])
}

func bits26(v uint32) (out [TSCBits]byte) {
	for i := range out {
		out[i] = byte(v>>(TSCBits-1-i)) & 1
	}
	return out
}

func bitsN[A [SyncBits]byte | [AccessSyncBits]byte](v uint64, n int) (out A) {
	for i := 0; i < n; i++ {
		out[i] = byte(v>>(n-1-i)) & 1
	}
	return out
}
