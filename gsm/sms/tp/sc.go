package tp

// DeliverFor returns the SMS-DELIVER that carries s to its recipient
// (TS 23.040 §3.1: the SC keeps TP-PID, TP-DCS and the user data as
// submitted, and sets TP-SRI when the originator asked for a status
// report). oa is the originator's address as the recipient should see it,
// scts the time the SC received s, more the TP-MMS meaning.
func DeliverFor(s *Submit, oa Address, scts Timestamp, more bool) *Deliver {
	return &Deliver{
		MoreMessages:           more,
		StatusReportIndication: s.StatusReportRequest,
		ReplyPath:              s.ReplyPath,
		OA:                     oa,
		PID:                    s.PID,
		DCS:                    s.DCS,
		SCTS:                   scts,
		UD:                     s.UD,
	}
}

// StatusReportFor returns the SMS-STATUS-REPORT about s (TS 23.040
// §9.2.2.3): TP-MR of the submit, the recipient's address, when the SC
// received it (scts) and when it reached the final status st or this
// temporary one (dt).
func StatusReportFor(s *Submit, scts, dt Timestamp, st Status) *StatusReport {
	return &StatusReport{MR: s.MR, RA: s.DA, SCTS: scts, DT: dt, ST: st}
}
