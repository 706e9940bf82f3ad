package smsc

import (
	"fmt"
	"time"

	"github.com/gsmbox/gsmbox/gsm/sms/tp"
)

// TextRecords builds the records of an operator's text to one recipient:
// one SMS-SUBMIT per part (GSM 7-bit, or UCS2 when the text needs it),
// chained by a concatenation header with reference ref when the text
// needs more than one (TS 23.040 §9.2.3.24.1). IDs are left 0 (Put or
// the core assigns them).
func TextRecords(from, to, text string, now time.Time, validity time.Duration, ref uint16) ([]Record, error) {
	if to == "" {
		return nil, fmt.Errorf("smsc: no recipient")
	}
	parts, err := tp.EncodeText(text, tp.TextOptions{Ref: ref})
	if err != nil {
		return nil, err
	}
	out := make([]Record, 0, len(parts))
	for i, p := range parts {
		sub := tp.Submit{MR: uint8(i), DA: tp.Number(to), DCS: p.DCS, UD: p.UD}
		b, err := tp.Marshal(&sub)
		if err != nil {
			return nil, err
		}
		out = append(out, Record{Kind: KindSubmit, State: Queued, From: from, To: to, MR: sub.MR, TPDU: b,
			Received: now, Expiry: now.Add(validity)})
	}
	return out, nil
}

// Text returns the text of a record's message (the whole of its part),
// for listings; "" with an error when it does not decode.
func (r *Record) Text() (string, error) {
	switch r.Kind {
	case KindStatusReport:
		var s tp.StatusReport
		if err := s.Unmarshal(r.TPDU); err != nil {
			return "", err
		}
		return fmt.Sprintf("status report: message %d to %s: status %#02x", r.About, s.RA.String(), uint8(s.ST)), nil
	}
	var s tp.Submit
	if err := s.Unmarshal(r.TPDU); err != nil {
		return "", err
	}
	c, err := s.UD.Decode(s.DCS)
	if err != nil {
		return "", err
	}
	if cc, ok := c.Header.Concat(); ok {
		return fmt.Sprintf("[%d/%d] %s", cc.Seq, cc.Total, c.Text), nil
	}
	return c.Text, nil
}
