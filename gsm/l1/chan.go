package l1

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/gsmtap"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// ChanKind is a logical channel type of 3GPP TS 45.002 §3.
type ChanKind uint8

// Logical channel kinds. ChanCCCH appears only in the raw multiframe tables;
// the Downlink resolves each CCCH block into ChanAGCH, ChanPCH or ChanBCCHExt
// from the cell configuration before it asks the Source.
const (
	// ChanIdle is a timeslot position that carries no logical channel: a
	// dummy burst on the downlink of C0, nothing on the uplink.
	ChanIdle ChanKind = iota
	ChanFCCH
	ChanSCH
	// ChanBCCH is BCCH Norm; Chan.Sub is TC = (FN div 51) mod 8.
	ChanBCCH
	// ChanBCCHExt is BCCH Ext, sent in CCCH block 0 (TS 45.002 §6.3.1.3);
	// Chan.Sub is TC.
	ChanBCCHExt
	// ChanCCCH is CCCH block Chan.Sub (0..8) before it is resolved.
	ChanCCCH
	// ChanAGCH is a CCCH block reserved for access grants (one of the first
	// BS_AG_BLKS_RES blocks); Chan.Sub is the CCCH block number.
	ChanAGCH
	// ChanPCH is a CCCH block used for paging; Chan.Sub is the CCCH block
	// number. When no paging is queued for its paging group, the Source may
	// put an access grant there (TS 45.002 §6.5.1 (vi)).
	ChanPCH
	// ChanRACH is the random access channel (uplink).
	ChanRACH
	// ChanSDCCH4 is SDCCH/4 sub-channel Chan.Sub (0..3).
	ChanSDCCH4
	// ChanSACCHC4 is SACCH/C4 sub-channel Chan.Sub (0..3).
	ChanSACCHC4
	// ChanSDCCH8 is SDCCH/8 sub-channel Chan.Sub (0..7).
	ChanSDCCH8
	// ChanSACCHC8 is SACCH/C8 sub-channel Chan.Sub (0..7).
	ChanSACCHC8
	// ChanTCHF is a full-rate traffic channel (with FACCH/F).
	ChanTCHF
	// ChanSACCHTF is the SACCH of a TCH/F.
	ChanSACCHTF
	// ChanFACCHF is a FACCH/F block stolen from a TCH/F (TS 45.003 §4.2).
	ChanFACCHF
	numChanKinds
)

var chanKindNames = [...]string{"idle", "FCCH", "SCH", "BCCH", "BCCH-Ext", "CCCH", "AGCH", "PCH", "RACH",
	"SDCCH/4", "SACCH/C4", "SDCCH/8", "SACCH/C8", "TCH/F", "SACCH/TF", "FACCH/F"}

func (k ChanKind) String() string {
	if int(k) < len(chanKindNames) {
		return chanKindNames[k]
	}
	return fmt.Sprintf("ChanKind(%d)", uint8(k))
}

// Dedicated reports whether k is a dedicated control channel (SDCCH or
// SACCH), whose idle blocks carry the LAPDm fill frame.
func (k ChanKind) Dedicated() bool {
	switch k {
	case ChanSDCCH4, ChanSACCHC4, ChanSDCCH8, ChanSACCHC8, ChanSACCHTF, ChanFACCHF:
		return true
	}
	return false
}

// SACCH reports whether k is a slow associated control channel, whose
// blocks start with the two-octet L1 header (TS 44.004 §7.1).
func (k ChanKind) SACCH() bool {
	return k == ChanSACCHC4 || k == ChanSACCHC8 || k == ChanSACCHTF
}

// Chan identifies one logical channel on the carrier: its kind, the
// timeslot and the sub-channel (SDCCH/SACCH sub-channel, CCCH block number,
// or BCCH TC, depending on Kind).
type Chan struct {
	Kind ChanKind
	TN   tdma.TN
	Sub  uint8
}

func (c Chan) String() string {
	switch c.Kind {
	case ChanIdle, ChanFCCH, ChanSCH, ChanRACH, ChanTCHF, ChanSACCHTF, ChanFACCHF:
		return fmt.Sprintf("%v TN%d", c.Kind, c.TN)
	case ChanBCCH, ChanBCCHExt:
		return fmt.Sprintf("%v TN%d TC%d", c.Kind, c.TN, c.Sub)
	case ChanCCCH, ChanAGCH, ChanPCH:
		return fmt.Sprintf("%v TN%d block %d", c.Kind, c.TN, c.Sub)
	}
	return fmt.Sprintf("%v(%d) TN%d", c.Kind, c.Sub, c.TN)
}

// GSMTAP returns the GSMTAP channel type and sub-slot under which a block
// of c is mirrored (the values Wireshark's GSMTAP dissector expects).
func (c Chan) GSMTAP() (gsmtap.Channel, uint8) {
	switch c.Kind {
	case ChanBCCH, ChanBCCHExt:
		return gsmtap.ChanBCCH, 0
	case ChanCCCH:
		return gsmtap.ChanCCCH, 0
	case ChanAGCH:
		return gsmtap.ChanAGCH, 0
	case ChanPCH:
		return gsmtap.ChanPCH, 0
	case ChanRACH:
		return gsmtap.ChanRACH, 0
	case ChanSDCCH4:
		return gsmtap.ChanSDCCH4, c.Sub
	case ChanSACCHC4:
		return gsmtap.ChanSDCCH4 | gsmtap.ChanACCH, c.Sub
	case ChanSDCCH8:
		return gsmtap.ChanSDCCH8, c.Sub
	case ChanSACCHC8:
		return gsmtap.ChanSDCCH8 | gsmtap.ChanACCH, c.Sub
	case ChanTCHF, ChanFACCHF:
		return gsmtap.ChanTCHF, 0
	case ChanSACCHTF:
		return gsmtap.ChanTCHF | gsmtap.ChanACCH, 0
	}
	return gsmtap.ChanUnknown, 0
}
