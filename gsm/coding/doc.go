// Package coding implements the GSM channel coding of 3GPP TS 45.003 for the
// channels a single-carrier base station needs: the synchronisation channel
// (SCH, §4.7), the common and dedicated control channels with the
// 184-bit xCCH block format (BCCH, PCH, AGCH, SDCCH, SACCH; §4.1), the random
// access channel (RACH, §4.6, and the 11-bit extended format of §5.3.2), the
// full-rate speech traffic channels (TCH/FS, §3.1, and TCH/EFS with the
// enhanced full-rate preliminary coding of §3.1.1) and the fast associated
// control channel stolen from them (FACCH/F, §4.2).
//
// Bits are unpacked: hard bits are bytes holding 0 or 1, soft bits are int8
// in −127..127 where a positive value means 0 and a negative value means 1,
// the magnitude being the confidence (the convention of tdma.SoftBurst and of
// the TRX protocol). Zero is an erasure.
//
// The building blocks are the rate 1/2, constraint length 5 convolutional
// code of §3.1.2.2 (G0 = 1+D³+D⁴, G1 = 1+D+D³+D⁴) with a soft-decision
// Viterbi decoder, the systematic cyclic codes (the Fire code of §4.1.2, the
// SCH, RACH and TCH/FS parity codes), and the block-rectangular (xCCH) and
// block-diagonal (TCH/FS, FACCH/F) interleavers of §4.1.4 and §3.1.3.
//
// Every decoder returns a Quality: the number of received hard decisions that
// differ from the re-encoded decoded block, out of the number of coded bits.
// This is the bit error figure that L1 measurement reporting (TS 45.008
// §8.2, RXQUAL) is built on.
//
// TCH/F is stateful: TCHFEncoder and TCHFDecoder carry the half-blocks that
// the diagonal interleaver spreads across block boundaries, and the decoder
// tells speech from FACCH by a soft vote over the stealing flags. GSM 06.10
// frames in the RTP payload format are converted to and from the class order
// of TS 45.003 Table 2 by FRFromRTP and FRToRTP. EFR frames (TS 46.060) in
// the RTP payload format go through the EFR preliminary coding (8-bit CRC,
// repetition bits) by EFRFromRTP and EFRToRTP, or EncodeEFR and DecodeEFR
// directly; a TCH/EFS bad frame is one failing either CRC.
//
// The cyclic codes are used for detection only (the Fire code's burst-error
// correction is not attempted), as in common practice.
//
// Every entry point is allocation-free and keeps its scratch space on the
// stack or in a caller-owned value (TCHFEncoder, TCHFDecoder); the package
// is pure (no goroutines, I/O or clock).
//
// Place in the dependency order: a pure package above gsm/tdma, which it
// imports for BSIC and FN; gsm/l1 imports it.
package coding
