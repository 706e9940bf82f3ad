package rr

import (
	"errors"
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// CellConfig is what a cell broadcasts about itself. DefaultCellConfig
// gives sensible values for everything but the identities and radio
// channel.
type CellConfig struct {
	PLMN  l3.PLMN
	LAC   uint16
	CI    uint16
	BSIC  tdma.BSIC
	Band  tdma.Band
	ARFCN tdma.ARFCN // the BCCH carrier
	// CellARFCNs are further carriers of the cell (the cell allocation
	// includes ARFCN in any case).
	CellARFCNs []tdma.ARFCN
	// Neighbours are the BCCH carriers of neighbour cells (the BA list of
	// SI2 and SI5).
	Neighbours []tdma.ARFCN

	CombinedCCCH bool  // TS0 is FCCH+SCH+BCCH+CCCH+SDCCH/4 (CCCH_CONF 1)
	BSAGBlksRes  uint8 // CCCH blocks reserved for AGCH, 0..2 combined, 0..7 otherwise
	BSPAMfrms    uint8 // 2..9
	T3212        uint8 // periodic location updating, deci-hours; 0 = off
	ATT          bool  // IMSI attach/detach used

	MaxMSTxPowerDBm   int   // highest MS power allowed on CCCH (MS-TXPWR-MAX-CCH)
	RxLevAccessMinDBm int   // weakest level at which MSs may access, −110..−48 dBm
	CellReselectHyst  uint8 // 0..7 (2 dB steps)
	NECI              bool

	CellBarred     bool
	ReestAllowed   bool   // call re-establishment allowed
	MaxRetrans     uint8  // RACH retransmissions: 1, 2, 4 or 7
	TxIntegerSlots int    // RACH spread: 3..12, 14, 16, 20, 25, 32 or 50
	BarredClasses  uint16 // access classes barred (bit n = class n, bit 10 = EC)

	// EarlyClassmark asks MSs to send Classmark Change (with Classmark 3,
	// e.g. the A5/3 support) right after access (SI3 rest octets ECSC).
	EarlyClassmark bool

	NCCPermitted     uint8 // bit n: report neighbours with NCC n; 0 means all
	DTX              DTX
	PWRC             bool
	RadioLinkTimeout uint8 // 4..64 SACCH blocks
}

// DefaultCellConfig returns a configuration with the usual values of a
// small standalone cell: combined CCCH, 1 AGCH block, BS_PA_MFRMS 2, T3212
// 1 hour, MS power 33 dBm (GSM) or 30 dBm (DCS/PCS), RXLEV_ACCESS_MIN −110
// dBm, 7 RACH retransmissions spread over 14 slots, uplink DTX off, radio
// link timeout 32 SACCH blocks.
func DefaultCellConfig() CellConfig {
	return CellConfig{
		CombinedCCCH:      true,
		BSAGBlksRes:       1,
		BSPAMfrms:         2,
		T3212:             10,
		ATT:               true,
		MaxMSTxPowerDBm:   33,
		RxLevAccessMinDBm: -110,
		CellReselectHyst:  2,
		NECI:              true,
		ReestAllowed:      false,
		MaxRetrans:        7,
		TxIntegerSlots:    14,
		NCCPermitted:      0xff,
		DTX:               DTXShallNot,
		RadioLinkTimeout:  32,
	}
}

// Validate reports every problem of c at once.
func (c *CellConfig) Validate() error {
	var errs []error
	bad := func(f string, a ...any) { errs = append(errs, fmt.Errorf("%w: "+f, append([]any{ErrConfig}, a...)...)) }
	if err := c.PLMN.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("%w: plmn: %w", ErrConfig, err))
	}
	if !c.BSIC.Valid() {
		bad("bsic %v", c.BSIC)
	}
	if !c.Band.Contains(c.ARFCN) {
		bad("arfcn %d is not in band %v", c.ARFCN, c.Band)
	}
	for _, a := range c.CellARFCNs {
		if !c.Band.Contains(a) {
			bad("cell arfcn %d is not in band %v", a, c.Band)
		}
	}
	for _, a := range c.Neighbours {
		if a > 1023 {
			bad("neighbour arfcn %d above 1023", a)
		}
	}
	maxAG := uint8(7)
	if c.CombinedCCCH {
		maxAG = 2
	}
	if c.BSAGBlksRes > maxAG {
		bad("bs_ag_blks_res %d (max %d with combined=%v)", c.BSAGBlksRes, maxAG, c.CombinedCCCH)
	}
	if c.BSPAMfrms < 2 || c.BSPAMfrms > 9 {
		bad("bs_pa_mfrms %d (want 2..9)", c.BSPAMfrms)
	}
	if c.RxLevAccessMinDBm < -110 || c.RxLevAccessMinDBm > -48 {
		bad("rxlev_access_min %d dBm (want -110..-48)", c.RxLevAccessMinDBm)
	}
	if c.CellReselectHyst > 7 {
		bad("cell_reselect_hysteresis %d (want 0..7)", c.CellReselectHyst)
	}
	switch c.MaxRetrans {
	case 1, 2, 4, 7:
	default:
		bad("max_retrans %d (want 1, 2, 4 or 7)", c.MaxRetrans)
	}
	if _, ok := TxIntegerCode(c.TxIntegerSlots); !ok {
		bad("tx_integer %d (want one of %v)", c.TxIntegerSlots, txIntegerSlots)
	}
	if c.RadioLinkTimeout < 4 || c.RadioLinkTimeout > 64 || c.RadioLinkTimeout%4 != 0 {
		bad("radio_link_timeout %d (want 4..64 in steps of 4)", c.RadioLinkTimeout)
	}
	if c.DTX > DTXShallNot {
		bad("dtx %d", c.DTX)
	}
	return errors.Join(errs...)
}

// SIBlocks holds the System Information blocks of a cell, ready to send.
// BCCH blocks are 23-octet L2 blocks with pseudo length; SI5 and SI6 are
// complete SACCH blocks (L1 header with power 0 and TA 0, to be set per MS
// with PutSACCHL1Header, then the LAPDm B4 UI frame), and SI5Info/SI6Info
// their messages as carried in that frame (pseudo length first).
type SIBlocks struct {
	SI1, SI2, SI3, SI4 [BlockLen]byte
	SI5, SI6           [BlockLen]byte
	SI5Info, SI6Info   [SACCHInfoLen]byte
	// SI2bis and SI5bis carry the part of the BA list that does not fit
	// SI2 and SI5; they are valid when HasSI2bis.
	HasSI2bis  bool
	SI2bis     [BlockLen]byte
	SI5bis     [BlockLen]byte
	SI5bisInfo [SACCHInfoLen]byte
}

// fillFrame is the L2 fill frame sent on the BCCH when no SI is scheduled:
// a LAPDm UI command on SAPI 0 with an empty information field (address
// 03, control 03, length indicator 01), padded with 0x2B (TS 44.006).
var fillFrame = [BlockLen]byte{0x03, 0x03, 0x01, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b, 0x2b}

// ForTC returns the BCCH Norm block for TC = (FN div 51) mod 8 following
// TS 45.002 §6.3.1.3: TC 0 SI1, 1 SI2, 2 and 6 SI3, 3 and 7 SI4, 5 SI2bis
// when the cell has one. TC 4 and 5 otherwise carry optional SIs (SI2ter,
// SI2quater, SI7, SI8, SI13) that this package does not build, so they get
// the L2 fill frame.
func (s *SIBlocks) ForTC(tc int) *[BlockLen]byte {
	switch tc & 7 {
	case 5:
		if s.HasSI2bis {
			return &s.SI2bis
		}
	case 0:
		return &s.SI1
	case 1:
		return &s.SI2
	case 2, 6:
		return &s.SI3
	case 3, 7:
		return &s.SI4
	}
	return &fillFrame
}

// SystemInformation returns the SI messages cfg describes, for callers
// that want to change a field before encoding (then call Encode).
func SystemInformation(c *CellConfig) (*SI1, *SI2, *SI3, *SI4, *SI5, *SI6, error) {
	if err := c.Validate(); err != nil {
		return nil, nil, nil, nil, nil, nil, err
	}
	lai := l3.LAI{PLMN: c.PLMN, LAC: c.LAC}
	tx, _ := TxIntegerCode(c.TxIntegerSlots)
	rach := RACHControl{MaxRetrans: c.MaxRetrans, TxInteger: tx, CellBarred: c.CellBarred, RE: !c.ReestAllowed, Barred: c.BarredClasses}
	cellSel := CellSelParams{
		CellReselectHyst: c.CellReselectHyst,
		MSTxPwrMaxCCH:    PowerLevel(c.Band, c.MaxMSTxPowerDBm),
		NECI:             c.NECI,
		RxLevAccessMin:   RxLev(c.RxLevAccessMinDBm),
	}
	ncc := c.NCCPermitted
	if ncc == 0 {
		ncc = 0xff
	}
	conf := CCCH1NonCombined
	if c.CombinedCCCH {
		conf = CCCH1Combined
	}
	opts := CellOptions{PWRC: c.PWRC, DTX: c.DTX, RadioLinkTimeout: c.RadioLinkTimeout}
	si1 := &SI1{CellChannels: NewFreqSet(append([]tdma.ARFCN{c.ARFCN}, c.CellARFCNs...)...), RACH: rach, PCS1900: c.Band == tdma.PCS1900}
	nb := NewFreqSet(c.Neighbours...)
	si2 := &SI2{Neighbours: nb, NCCPermitted: ncc, RACH: rach}
	si3 := &SI3{
		CI: c.CI, LAI: lai,
		Control: ControlChannelDesc{MSCR: true, ATT: c.ATT, BSAGBlksRes: c.BSAGBlksRes, CCCHConf: conf, BSPAMfrms: c.BSPAMfrms, T3212: c.T3212},
		Options: opts, CellSel: cellSel, RACH: rach,
		Rest: SI3Rest{EarlyClassmark: c.EarlyClassmark},
	}
	si4 := &SI4{LAI: lai, CellSel: cellSel, RACH: rach}
	si5 := &SI5{Neighbours: nb}
	si6 := &SI6{CI: c.CI, LAI: lai, Options: opts, NCCPermitted: ncc, PCS1900: c.Band == tdma.PCS1900}
	return si1, si2, si3, si4, si5, si6, nil
}

// BuildSystemInformation validates cfg and encodes its System Information.
// A BA list that no single frequency list format can hold is split between
// SI2 and SI2bis (TS 44.018 §3.2.2.1, EXT-IND), and likewise between SI5
// and SI5bis.
func BuildSystemInformation(cfg CellConfig) (SIBlocks, error) {
	var s SIBlocks
	si1, si2, si3, si4, si5, si6, err := SystemInformation(&cfg)
	if err != nil {
		return s, err
	}
	var probe [FreqListLen]byte
	if _, err := EncodeFreqList(&probe, &si2.Neighbours, 0); err != nil {
		first, rest, ok := splitBA(si2.Neighbours)
		if !ok {
			return s, fmt.Errorf("%w: neighbours %v fit neither SI2 nor SI2 and SI2bis: %w", ErrConfig, si2.Neighbours, err)
		}
		si2.Neighbours, si2.ExtInd = first, true
		si5.Neighbours, si5.ExtInd = first, true
		bis := SI2bis{Neighbours: rest, ExtInd: true, RACH: si2.RACH}
		if err := bis.MarshalTo(&s.SI2bis); err != nil {
			return s, err
		}
		si5bis := SI5{Neighbours: rest, ExtInd: true, Bis: true}
		if err := si5bis.MarshalTo(&s.SI5bisInfo); err != nil {
			return s, err
		}
		SACCHBlock(&s.SI5bis, s.SI5bisInfo[:])
		s.HasSI2bis = true
	}
	err = errors.Join(si1.MarshalTo(&s.SI1), si2.MarshalTo(&s.SI2), si3.MarshalTo(&s.SI3), si4.MarshalTo(&s.SI4),
		si5.MarshalTo(&s.SI5Info), si6.MarshalTo(&s.SI6Info))
	if err != nil {
		return s, err
	}
	SACCHBlock(&s.SI5, s.SI5Info[:])
	SACCHBlock(&s.SI6, s.SI6Info[:])
	return s, nil
}
