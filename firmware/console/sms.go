package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/core/smsc"
	"github.com/gsmbox/gsmbox/gsm/l3"
)

// SMSService is the running network's SMS queue as the operator works
// it: node.Node implements it. The console calls it from its request
// goroutines; the waiting calls are bounded by ctx (a network whose loop
// has stopped never answers).
type SMSService interface {
	// SMSQueue lists the messages waiting now, in ID order.
	SMSQueue() []smsc.Record
	// SMSRecords lists every record of the queue's file (delivered,
	// expired, cancelled, failed too), and how many did not decode.
	SMSRecords() ([]smsc.Record, int, error)
	// SMSRecord returns one record in any state (smsc.ErrNotFound).
	SMSRecord(id uint64) (smsc.Record, error)
	// SendSMSWait queues text for each number, from the configured
	// sender name, and returns the IDs once durable.
	SendSMSWait(ctx context.Context, to []string, text string) ([]uint64, error)
	// CancelSMSWait cancels a queued message and returns once durable
	// (smsc.ErrNotFound: not queued).
	CancelSMSWait(ctx context.Context, id uint64) error
}

// SMSMessage is one message as the API and `gsmbox sms` show it (both
// against the running network and against a stopped one's file).
type SMSMessage struct {
	ID          uint64    `json:"id"`
	State       string    `json:"state"`
	StatusFor   uint64    `json:"status_report_for,omitempty"` // a status report: the message it reports on
	From        string    `json:"from"`
	FromIMSI    string    `json:"from_imsi,omitempty"`
	To          string    `json:"to"`
	ToIMSI      string    `json:"to_imsi,omitempty"`
	Received    time.Time `json:"received"`
	Expiry      time.Time `json:"expiry"`
	Attempts    int       `json:"attempts"`
	NextAttempt time.Time `json:"next_attempt,omitzero"`
	Cause       uint8     `json:"cause,omitempty"` // RP cause of the last failure
	Report      bool      `json:"status_report_requested,omitempty"`
	Done        time.Time `json:"done,omitzero"`
	Text        string    `json:"text"`
	TextError   string    `json:"text_error,omitempty"`
}

// SMSView is r as the API shows it, its text decoded.
func SMSView(r *smsc.Record) SMSMessage {
	m := SMSMessage{ID: r.ID, State: r.State.String(), From: r.From, FromIMSI: r.FromIMSI, To: r.To, ToIMSI: r.ToIMSI,
		Received: r.Received, Expiry: r.Expiry, Attempts: r.Attempts, NextAttempt: r.NextAttempt, Cause: r.Cause,
		Report: r.SRR, Done: r.Done}
	if r.Kind == smsc.KindStatusReport {
		m.StatusFor = r.About
	}
	if t, err := r.Text(); err != nil {
		m.TextError = err.Error()
	} else {
		m.Text = t
	}
	return m
}

// SMSList is GET /api/sms.
type SMSList struct {
	Messages []SMSMessage `json:"messages"`
	// Damaged counts records of the file that did not decode (with
	// ?all=1).
	Damaged int `json:"damaged,omitempty"`
}

// SMSSend is the body of POST /api/sms: text for the numbers in To, or
// for every subscriber with a number who is not barred (Broadcast).
type SMSSend struct {
	To        []string `json:"to,omitempty"`
	Broadcast bool     `json:"broadcast,omitempty"`
	Text      string   `json:"text"`
}

// SMSSent is the answer to POST /api/sms.
type SMSSent struct {
	IDs        []uint64 `json:"ids"`
	Recipients int      `json:"recipients"`
}

// maxSMSText bounds an operator's text (a broadcast of it is split into
// parts per recipient); maxSMSTo bounds an explicit recipient list.
const (
	// maxNumberDigits bounds a recipient's number.
	maxNumberDigits = 20
	maxSMSText      = 2000
	maxSMSTo        = 1000
)

// smsWait bounds how long a request waits for the network to make a
// message durable.
const smsWait = 15 * time.Second

func (s *Server) sms(w http.ResponseWriter) SMSService {
	if s.cfg.Host.SMS == nil {
		apiError(w, http.StatusNotImplemented, "SMS is not available in this build")
		return nil
	}
	svc := s.cfg.Host.SMS()
	if svc == nil {
		apiError(w, http.StatusServiceUnavailable, "the network is not running (or has SMS off in [sms])")
		return nil
	}
	return svc
}

func (s *Server) apiSMSList(w http.ResponseWriter, r *http.Request) {
	svc := s.sms(w)
	if svc == nil {
		return
	}
	var out SMSList
	recs := svc.SMSQueue()
	if v := r.URL.Query().Get("all"); v == "1" || v == "true" {
		var err error
		if recs, out.Damaged, err = svc.SMSRecords(); err != nil {
			apiError(w, http.StatusInternalServerError, err.Error())
			return
		}
	}
	out.Messages = make([]SMSMessage, 0, len(recs))
	for i := range recs {
		out.Messages = append(out.Messages, SMSView(&recs[i]))
	}
	writeJSON(w, http.StatusOK, out)
}

func smsID(w http.ResponseWriter, r *http.Request) (uint64, bool) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil || id == 0 {
		apiError(w, http.StatusBadRequest, fmt.Sprintf("%q is not a message ID", r.PathValue("id")))
		return 0, false
	}
	return id, true
}

func (s *Server) apiSMSShow(w http.ResponseWriter, r *http.Request) {
	svc := s.sms(w)
	if svc == nil {
		return
	}
	id, ok := smsID(w, r)
	if !ok {
		return
	}
	rec, err := svc.SMSRecord(id)
	if errors.Is(err, smsc.ErrNotFound) {
		apiError(w, http.StatusNotFound, fmt.Sprintf("no message %d", id))
		return
	}
	if err != nil {
		apiError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, SMSView(&rec))
}

func (s *Server) apiSMSSend(w http.ResponseWriter, r *http.Request) {
	svc := s.sms(w)
	if svc == nil {
		return
	}
	var in SMSSend
	if !readJSON(w, r, &in) {
		return
	}
	target := fmt.Sprint(in.To)
	if in.Broadcast {
		target = "all"
	}
	fail := func(code int, msg string) {
		s.record(r, "sms.send", target, msg, errors.New(msg))
		apiError(w, code, msg)
	}
	switch {
	case in.Text == "":
		fail(http.StatusBadRequest, "no text")
		return
	case len([]rune(in.Text)) > maxSMSText:
		fail(http.StatusBadRequest, fmt.Sprintf("text of %d characters: at most %d", len([]rune(in.Text)), maxSMSText))
		return
	case in.Broadcast == (len(in.To) > 0):
		fail(http.StatusBadRequest, "give either numbers (to) or broadcast")
		return
	case len(in.To) > maxSMSTo:
		fail(http.StatusBadRequest, fmt.Sprintf("%d numbers: at most %d (broadcast reaches everyone)", len(in.To), maxSMSTo))
		return
	}
	for _, n := range in.To {
		if !l3.Digits(n, 1, maxNumberDigits) {
			fail(http.StatusBadRequest, fmt.Sprintf("%q is not a number", n))
			return
		}
	}
	to := in.To
	if in.Broadcast {
		var reg = s.cfg.Host.Registry
		if reg == nil || reg() == nil {
			fail(http.StatusServiceUnavailable, "the subscriber registry is not open")
			return
		}
		var err error
		if to, err = BroadcastNumbers(reg()); err != nil {
			fail(http.StatusInternalServerError, err.Error())
			return
		}
		if len(to) == 0 {
			s.record(r, "sms.broadcast", "all", "no subscriber has a number", nil)
			writeJSON(w, http.StatusOK, SMSSent{IDs: []uint64{}})
			return
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), smsWait)
	defer cancel()
	ids, err := svc.SendSMSWait(ctx, to, in.Text)
	action := "sms.send"
	if in.Broadcast {
		action = "sms.broadcast"
	}
	s.record(r, action, target, fmt.Sprintf("%d messages, %d characters", len(ids), len([]rune(in.Text))), err)
	if err != nil {
		apiError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, SMSSent{IDs: ids, Recipients: len(to)})
}

func (s *Server) apiSMSCancel(w http.ResponseWriter, r *http.Request) {
	svc := s.sms(w)
	if svc == nil {
		return
	}
	id, ok := smsID(w, r)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), smsWait)
	defer cancel()
	err := svc.CancelSMSWait(ctx, id)
	s.record(r, "sms.cancel", strconv.FormatUint(id, 10), "", err)
	switch {
	case errors.Is(err, smsc.ErrNotFound):
		apiError(w, http.StatusNotFound, fmt.Sprintf("message %d is not queued", id))
	case err != nil:
		apiError(w, http.StatusConflict, err.Error())
	default:
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	}
}

// BroadcastNumbers returns the number of every subscriber who has one
// and is not barred: the recipients of an operator's broadcast.
func BroadcastNumbers(reg *registry.Registry) ([]string, error) {
	var to []string
	after := ""
	for {
		page, err := reg.List(after, 500)
		if err != nil {
			return nil, err
		}
		for _, s := range page.Subscribers {
			if s.MSISDN != "" && !s.Barred {
				to = append(to, s.MSISDN)
			}
		}
		if page.Next == "" {
			return to, nil
		}
		after = page.Next
	}
}
