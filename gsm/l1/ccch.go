package l1

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// CCCH is the CCCH block layout of a cell: which blocks of the
// 51-multiframe are reserved for AGCH, which are paging blocks, and how the
// paging blocks are divided into paging groups (3GPP TS 45.002 §6.5.1 to
// §6.5.3). It is plain data; build it with NewCCCH.
type CCCH struct {
	// Blocks is the number of CCCH blocks per 51-multiframe: 9 on a
	// combination IV timeslot, 3 on combination V.
	Blocks int
	// AGBlksRes is BS_AG_BLKS_RES, the number of blocks (counted from block
	// 0) reserved for access grants.
	AGBlksRes int
	// PAMfrms is BS_PA_MFRMS, the number of 51-multiframes between
	// transmissions of paging messages to the same paging group (2..9).
	PAMfrms int
	// CCChans is BS_CC_CHANS, the number of basic physical channels that
	// carry CCCH (1: only TN0 of C0).
	CCChans int
}

// NewCCCH checks and returns the CCCH layout for a timeslot-0 combination.
// The limits are those of the Control Channel Description IE (TS 44.018
// §10.5.2.11): BS_AG_BLKS_RES 0..7 (0..2 with combination V, leaving at
// least one paging block) and BS_PA_MFRMS 2..9.
func NewCCCH(c Combination, agBlksRes, paMfrms int) (CCCH, error) {
	n := ccchBlocks(c)
	if n == 0 {
		return CCCH{}, fmt.Errorf("%w: combination %v carries no CCCH", ErrConfig, c)
	}
	if agBlksRes < 0 || agBlksRes >= n || agBlksRes > 7 {
		return CCCH{}, fmt.Errorf("%w: BS_AG_BLKS_RES %d with combination %v (want 0..%d)", ErrConfig, agBlksRes, c, min(n-1, 7))
	}
	if paMfrms < 2 || paMfrms > 9 {
		return CCCH{}, fmt.Errorf("%w: BS_PA_MFRMS %d (want 2..9)", ErrConfig, paMfrms)
	}
	return CCCH{Blocks: n, AGBlksRes: agBlksRes, PAMfrms: paMfrms, CCChans: 1}, nil
}

// PagingBlocksPerMF is the number of paging blocks in one 51-multiframe,
// N div BS_PA_MFRMS in the notation of TS 45.002 §6.5.2.
func (c CCCH) PagingBlocksPerMF() int { return c.Blocks - c.AGBlksRes }

// N is the number of paging groups per CCCH (TS 45.002 §6.5.2): the paging
// blocks of BS_PA_MFRMS consecutive 51-multiframes.
func (c CCCH) N() int { return c.PagingBlocksPerMF() * c.PAMfrms }

// IMSIMod1000 returns the last three digits of an IMSI as a number, the
// "IMSI mod 1000" of TS 45.002 §6.5.2. The IMSI must be 6 to 15 decimal
// digits (TS 23.003 §2.2).
func IMSIMod1000(imsi string) (int, error) {
	if len(imsi) < 6 || len(imsi) > 15 {
		return 0, fmt.Errorf("%w: %q has %d digits, want 6..15", ErrIMSI, imsi, len(imsi))
	}
	for i := 0; i < len(imsi); i++ {
		if imsi[i] < '0' || imsi[i] > '9' {
			return 0, fmt.Errorf("%w: %q has a non-digit at %d", ErrIMSI, imsi, i)
		}
	}
	d := imsi[len(imsi)-3:]
	return int(d[0]-'0')*100 + int(d[1]-'0')*10 + int(d[2]-'0'), nil
}

// Groups returns the CCCH_GROUP and PAGING_GROUP of an IMSI (TS 45.002
// §6.5.2):
//
//	CCCH_GROUP   = ((IMSI mod 1000) mod (BS_CC_CHANS × N)) div N
//	PAGING_GROUP = ((IMSI mod 1000) mod (BS_CC_CHANS × N)) mod N
func (c CCCH) Groups(imsi string) (ccchGroup, pagingGroup int, err error) {
	m, err := IMSIMod1000(imsi)
	if err != nil {
		return 0, 0, err
	}
	n := c.N()
	if n <= 0 {
		return 0, 0, fmt.Errorf("%w: no paging blocks", ErrConfig)
	}
	v := m % (c.CCChans * n)
	return v / n, v % n, nil
}

// PagingGroupAt returns the paging group whose paging block is CCCH block
// `block` of the 51-multiframe containing fn, and false when that block is
// not a paging block (it is reserved for AGCH). TS 45.002 §6.5.3: the
// group's multiframe is the one with (FN div 51) mod BS_PA_MFRMS =
// PAGING_GROUP div (N div BS_PA_MFRMS), and its block is paging block index
// PAGING_GROUP mod (N div BS_PA_MFRMS), the paging blocks being the CCCH
// blocks after the BS_AG_BLKS_RES reserved ones.
func (c CCCH) PagingGroupAt(fn tdma.FN, block int) (int, bool) {
	if block < c.AGBlksRes || block >= c.Blocks || c.PAMfrms <= 0 {
		return 0, false
	}
	mf := (int(fn) / 51) % c.PAMfrms
	return mf*c.PagingBlocksPerMF() + block - c.AGBlksRes, true
}

// PagingBlock returns the 51-multiframe index ((FN div 51) mod BS_PA_MFRMS)
// and the CCCH block number that carry paging group pg.
func (c CCCH) PagingBlock(pg int) (mf, block int) {
	per := c.PagingBlocksPerMF()
	return pg / per, c.AGBlksRes + pg%per
}

// NextPagingFN returns the first frame number at or after fn at which a
// paging block of group pg starts. It returns false when pg is out of range.
func (c CCCH) NextPagingFN(pg int, fn tdma.FN) (tdma.FN, bool) {
	if pg < 0 || pg >= c.N() {
		return 0, false
	}
	mf, block := c.PagingBlock(pg)
	// Start of the current 51-multiframe, then step whole multiframes.
	base := tdma.FN(int(fn) - int(fn)%51)
	for i := 0; i <= c.PAMfrms; i++ {
		m := base.Add(51 * i)
		if (int(m)/51)%c.PAMfrms != mf {
			continue
		}
		start := m.Add(ccchFirstFrame[block])
		if start.Sub(fn) >= 0 {
			return start, true
		}
	}
	// BS_PA_MFRMS does not divide the hyperframe's 53248 multiframes when
	// it is 3, 5, 6, 7 or 9; the search above always finds a block within
	// BS_PA_MFRMS+1 multiframes anyway, so this is unreachable.
	return 0, false
}
