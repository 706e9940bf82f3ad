package rr

import (
	"fmt"

	"github.com/gsmbox/gsmbox/gsm/internal/bitio"
)

// NeighbourMeas is one neighbour cell entry of the Measurement Results.
type NeighbourMeas struct {
	RxLev    uint8 // RXLEV-NCELL, 0..63
	BCCHFreq uint8 // BCCH-FREQ-NCELL: index into the BA list (SI2/SI5), 0..31
	BSIC     uint8 // BSIC-NCELL, 0..63
}

// MeasurementResults is the Measurement Results IE (TS 44.018 §10.5.2.20),
// 16 octets of bit fields, MSB first:
//
//	BA-USED(1) DTX-USED(1) RXLEV-FULL-SERVING-CELL(6)
//	3G-BA-USED(1) MEAS-VALID(1) RXLEV-SUB-SERVING-CELL(6)
//	spare(1) RXQUAL-FULL-SERVING-CELL(3) RXQUAL-SUB-SERVING-CELL(3) NO-NCELL-M(3)
//	6 × { RXLEV-NCELL(6) BCCH-FREQ-NCELL(5) BSIC-NCELL(6) }
//
// MEAS-VALID is coded 0 for valid; Valid here has the plain meaning.
// NO-NCELL-M 7 means neighbour information is not available.
type MeasurementResults struct {
	BAUsed, DTXUsed bool
	RxLevFull       uint8
	BA3GUsed        bool
	Valid           bool
	RxLevSub        uint8
	RxQualFull      uint8
	RxQualSub       uint8
	NoNCellM        uint8 // number of neighbour entries 0..6, or 7
	NCell           [6]NeighbourMeas
}

// MeasurementReport is the Measurement Report (TS 44.018 §9.1.21), sent by
// the MS on the SACCH every 480 ms in dedicated mode:
//
//	octets 1–2    RR header, message type 0x15
//	octets 3–18   Measurement Results (§10.5.2.20)
type MeasurementReport struct {
	Results MeasurementResults
}

// MeasurementReportLen is the length of the encoded message.
const MeasurementReportLen = 18

// MarshalTo writes the message into b and returns its length. Neighbour
// entries beyond NoNCellM are written as zero.
func (m *MeasurementReport) MarshalTo(b []byte) (int, error) {
	r := &m.Results
	if len(b) < MeasurementReportLen {
		return 0, fmt.Errorf("%w: measurement report needs %d octets", ErrBuffer, MeasurementReportLen)
	}
	if r.RxLevFull > 63 || r.RxLevSub > 63 || r.RxQualFull > 7 || r.RxQualSub > 7 || r.NoNCellM > 7 {
		return 0, fmt.Errorf("%w: measurement results %+v", ErrRange, *r)
	}
	b[0], b[1] = 0x06, byte(MsgMeasurementReport)
	w := bitio.NewWriter(b[2:MeasurementReportLen])
	w.Bool(r.BAUsed)
	w.Bool(r.DTXUsed)
	w.Bits(uint64(r.RxLevFull), 6)
	w.Bool(r.BA3GUsed)
	w.Bool(!r.Valid)
	w.Bits(uint64(r.RxLevSub), 6)
	w.Bit(0)
	w.Bits(uint64(r.RxQualFull), 3)
	w.Bits(uint64(r.RxQualSub), 3)
	w.Bits(uint64(r.NoNCellM), 3)
	for i, n := range r.NCell {
		if i >= int(r.NoNCellM) || r.NoNCellM == 7 {
			n = NeighbourMeas{}
		}
		if n.RxLev > 63 || n.BCCHFreq > 31 || n.BSIC > 63 {
			return 0, fmt.Errorf("%w: neighbour measurement %+v", ErrRange, n)
		}
		w.Bits(uint64(n.RxLev), 6)
		w.Bits(uint64(n.BCCHFreq), 5)
		w.Bits(uint64(n.BSIC), 6)
	}
	if err := w.Err(); err != nil {
		return 0, fmt.Errorf("measurement report: %w", err)
	}
	return MeasurementReportLen, nil
}

// Unmarshal parses the message. Neighbour entries beyond NO-NCELL-M are
// left zero.
func (m *MeasurementReport) Unmarshal(b []byte) error {
	if err := checkRR(b, MsgMeasurementReport); err != nil {
		return fmt.Errorf("measurement report: %w", err)
	}
	if len(b) < MeasurementReportLen {
		return fmt.Errorf("%w: measurement report of %d octets", ErrShort, len(b))
	}
	var res MeasurementResults
	r := bitio.NewReader(b[2:MeasurementReportLen])
	res.BAUsed, res.DTXUsed = r.Bool(), r.Bool()
	res.RxLevFull = uint8(r.Bits(6))
	res.BA3GUsed, res.Valid = r.Bool(), !r.Bool()
	res.RxLevSub = uint8(r.Bits(6))
	r.Skip(1)
	res.RxQualFull = uint8(r.Bits(3))
	res.RxQualSub = uint8(r.Bits(3))
	res.NoNCellM = uint8(r.Bits(3))
	for i := range res.NCell {
		n := NeighbourMeas{RxLev: uint8(r.Bits(6)), BCCHFreq: uint8(r.Bits(5)), BSIC: uint8(r.Bits(6))}
		if i < int(res.NoNCellM) && res.NoNCellM != 7 {
			res.NCell[i] = n
		}
	}
	if err := r.Err(); err != nil {
		return fmt.Errorf("measurement report: %w", err)
	}
	m.Results = res
	return nil
}
