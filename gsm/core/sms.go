package core

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/gsmbox/gsmbox/gsm/core/smsc"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/rsl"
	"github.com/gsmbox/gsmbox/gsm/sms/cp"
	"github.com/gsmbox/gsmbox/gsm/sms/rp"
	"github.com/gsmbox/gsmbox/gsm/sms/tp"
)

// SMS defaults.
const (
	DefaultSMSMaxQueued       = 10000
	DefaultSMSMaxPerRecipient = 100
	DefaultSMSValidity        = 72 * time.Hour
	DefaultSMSMaxValidity     = 7 * 24 * time.Hour
	DefaultSMSPageRetry       = 2 * time.Second
	DefaultSMSGuard           = 4 * time.Second
	DefaultSMSMaxHold         = 15 * time.Second
	DefaultSMSSCAddress       = "100"
	DefaultSMSSender          = "gsmbox"
	// smsScanEvery is how often the queue is scanned for expiry and due
	// retries.
	smsScanEvery = time.Second
	// smsDedupWindow is how long a submission is remembered to recognise
	// a sender's retransmission (same TPDU: the MS did not see our RP-ACK).
	smsDedupWindow = 10 * time.Minute
	// smsQueue is the length of the SMSC worker's job queue.
	smsQueue = 256
)

// DefaultSMSRetry is the default back-off after failed delivery attempts;
// the last step repeats.
var DefaultSMSRetry = []time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute, time.Hour}

// SMSConfig sets up the SMSC, the store and forward of short messages
// (TS 23.040 §3.1, TS 24.011). With no Store the core serves no SMS:
// SAPI 3 gets CP-ERROR #97.
type SMSConfig struct {
	// Store is the durable queue. A message is acknowledged to its
	// sender (RP-ACK) only once Store.Put has returned.
	Store *smsc.Store
	// Directory resolves numbers; nil means the HLR if it implements
	// SMSDirectory.
	Directory SMSDirectory
	// SCAddress is the service centre's number in downlink RP-DATA
	// (RP-Originator Address, TS 24.011 §7.3.1.1).
	SCAddress string
	// Sender is the alphanumeric TP-OA of the operator's messages.
	Sender string
	// MaxQueued bounds the messages waiting: more get RP-ERROR #47
	// (resources unavailable). MaxPerRecipient bounds one recipient's.
	MaxQueued, MaxPerRecipient int
	// Validity applies when a submit has no TP-VP; MaxValidity caps
	// any TP-VP.
	Validity, MaxValidity time.Duration
	// Retry is the back-off after failed delivery attempts (the last
	// step repeats). A location update, IMSI attach or RP-SMMA tries at
	// once regardless.
	Retry []time.Duration
	// PageRetry is how often paging for SMS is repeated until the
	// paging response (within Config.PageTimeout, the network's T3113).
	PageRetry time.Duration
	// Guard is how long an SMS connection stays up with nothing to do
	// before the channel is released (the MS may send its next message).
	Guard time.Duration
	// MaxHold is how long an SMS connection is kept while the MS keeps
	// sending: past it the channel is released between two messages
	// (the MS asks again), so that one phone cannot hold an SDCCH others
	// wait for.
	MaxHold time.Duration
	// CP sets TC1* and the CP-DATA retransmissions.
	CP cp.Config
}

func (c SMSConfig) withDefaults() SMSConfig {
	if c.SCAddress == "" {
		c.SCAddress = DefaultSMSSCAddress
	}
	if c.Sender == "" {
		c.Sender = DefaultSMSSender
	}
	c.MaxQueued = orInt(c.MaxQueued, DefaultSMSMaxQueued)
	c.MaxPerRecipient = orInt(c.MaxPerRecipient, DefaultSMSMaxPerRecipient)
	if c.Validity <= 0 {
		c.Validity = DefaultSMSValidity
	}
	if c.MaxValidity <= 0 {
		c.MaxValidity = DefaultSMSMaxValidity
	}
	if len(c.Retry) == 0 {
		c.Retry = DefaultSMSRetry
	}
	if c.PageRetry <= 0 {
		c.PageRetry = DefaultSMSPageRetry
	}
	if c.Guard <= 0 {
		c.Guard = DefaultSMSGuard
	}
	if c.MaxHold <= 0 {
		c.MaxHold = DefaultSMSMaxHold
	}
	return c
}

// SMSStats counts the SMSC's work.
type SMSStats struct {
	Received        uint64 // SMS-SUBMITs that arrived (before any check)
	Accepted        uint64 // stored durably and acknowledged with RP-ACK
	Duplicates      uint64 // retransmitted submits acknowledged again, stored once
	Rejected        uint64 // answered with RP-ERROR
	Delivered       uint64 // RP-ACK from the recipient
	Attempts        uint64 // delivery attempts started (paging or on a connection)
	AttemptsFailed  uint64
	Expired         uint64
	Cancelled       uint64
	StatusReports   uint64 // status reports queued for senders
	SMMA            uint64
	CPErrors        uint64 // CP-ERROR sent
	RPErrors        uint64 // RP-ERROR sent
	StoreWrites     uint64 // durable writes asked of the worker
	StoreFailures   uint64
	JobsDropped     uint64 // worker queue full
	Queued          int    // messages waiting now
	LoadedAtStart   int
	DamagedAtStart  int
	LastStoreErr    string
	DeliveredByKind [2]uint64
}

// smsJob is work for the SMSC worker: run on the worker (it may block on
// the disk), then done on the core's goroutine.
type smsJob struct {
	run  func()
	done func()
}

// smsRcpt is the delivery state of one recipient number.
type smsRcpt struct {
	msisdn    string
	user      SMSUser
	busy      bool // a lookup, paging or delivery is under way
	paging    bool
	pageUntil time.Time
	pageNext  time.Time
	conn      *conn // delivering on it
}

// smsCentre is the core's SMSC: the queue in memory, mirrored in the
// store through the worker.
type smsCentre struct {
	cfg   SMSConfig
	dir   SMSDirectory
	jobs  chan smsJob
	dones chan func()

	msgs     map[uint64]*smsc.Record // queued only
	byTo     map[string][]uint64     // recipient MSISDN → queued IDs, ascending
	rcpts    map[string]*smsRcpt     // by MSISDN
	byIMSI   map[string]string       // IMSI → MSISDN, as learnt
	recent   map[string]recentSubmit // dedup of retransmitted submits
	nextID   uint64
	nextScan time.Time
	stats    SMSStats
}

type recentSubmit struct {
	id uint64
	at time.Time
}

// initSMS sets the SMSC up from cfg.SMS; called by New.
func (n *Network) initSMS() error {
	c := n.cfg.SMS
	if c.Store == nil {
		return nil
	}
	c = c.withDefaults()
	dir := c.Directory
	if dir == nil {
		d, ok := n.cfg.HLR.(SMSDirectory)
		if !ok {
			return nil
		}
		dir = d
	}
	s := &smsCentre{cfg: c, dir: dir, jobs: make(chan smsJob, smsQueue), dones: make(chan func(), smsQueue),
		msgs: map[uint64]*smsc.Record{}, byTo: map[string][]uint64{}, rcpts: map[string]*smsRcpt{},
		byIMSI: map[string]string{}, recent: map[string]recentSubmit{}}
	recs, next, bad, err := c.Store.Load()
	if err != nil {
		return err
	}
	s.nextID, s.stats.DamagedAtStart = next, bad
	// A sender whose RP-ACK was lost to the restart sends again: the
	// recent submissions are remembered across it.
	var newest time.Time
	for i := range recs {
		if recs[i].Received.After(newest) {
			newest = recs[i].Received
		}
	}
	for i := range recs {
		r := &recs[i]
		if r.Kind == smsc.KindSubmit && r.FromIMSI != "" && newest.Sub(r.Received) < smsDedupWindow {
			s.recent[r.FromIMSI+"\x00"+string(r.TPDU)] = recentSubmit{id: r.ID, at: r.Received}
		}
	}
	for i := range recs {
		if recs[i].State == smsc.Queued {
			r := recs[i]
			r.NextAttempt = time.Time{} // try everything once after a restart
			s.add(&r)
			s.stats.LoadedAtStart++
		}
	}
	n.sms = s
	return nil
}

func (s *smsCentre) add(r *smsc.Record) {
	s.msgs[r.ID] = r
	ids := s.byTo[r.To]
	i, _ := slices.BinarySearch(ids, r.ID)
	s.byTo[r.To] = slices.Insert(ids, i, r.ID)
	if r.ToIMSI != "" {
		s.byIMSI[r.ToIMSI] = r.To
	}
}

func (s *smsCentre) remove(r *smsc.Record) {
	delete(s.msgs, r.ID)
	ids := s.byTo[r.To]
	if i, ok := slices.BinarySearch(ids, r.ID); ok {
		ids = slices.Delete(ids, i, i+1)
	}
	if len(ids) == 0 {
		delete(s.byTo, r.To)
	} else {
		s.byTo[r.To] = ids
	}
}

func (s *smsCentre) rcpt(msisdn string) *smsRcpt {
	r := s.rcpts[msisdn]
	if r == nil {
		r = &smsRcpt{msisdn: msisdn}
		s.rcpts[msisdn] = r
	}
	return r
}

// job queues work for the worker; false when the queue is full.
func (n *Network) smsJob(run, done func()) bool {
	select {
	case n.sms.jobs <- smsJob{run: run, done: done}:
		return true
	default:
		n.sms.stats.JobsDropped++
		return false
	}
}

// write makes records durable through the worker, then calls done with
// the result on the core's goroutine.
func (n *Network) smsWrite(recs []smsc.Record, done func(error)) bool {
	s := n.sms
	var err error
	s.stats.StoreWrites++
	return n.smsJob(func() { err = s.cfg.Store.Put(recs...) }, func() {
		if err != nil {
			s.stats.StoreFailures++
			s.stats.LastStoreErr = err.Error()
			n.log.Error("SMS store write failed", "err", err)
		}
		if done != nil {
			done(err)
		}
	})
}

// smsSync runs the worker's jobs inline (SyncHLR: virtual time).
func (n *Network) smsSync() {
	if n.sms == nil {
		return
	}
	for {
		select {
		case j := <-n.sms.jobs:
			j.run()
			j.done()
		default:
			return
		}
	}
}

// serveSMS is the SMSC worker: the store's writes and the directory's
// lookups, off the core's goroutine. At shutdown the jobs still queued
// run (their writes are made), their answers dropped.
func (n *Network) serveSMS(ctx context.Context) {
	s := n.sms
	defer func() {
		for {
			select {
			case j := <-s.jobs:
				j.run()
			default:
				return
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-s.jobs:
			j.run()
			select {
			case s.dones <- j.done:
			case <-ctx.Done():
				return
			}
		}
	}
}

// smsDones runs the worker's answers that have arrived.
func (n *Network) smsDones() {
	if n.sms == nil {
		return
	}
	for {
		select {
		case f := <-n.sms.dones:
			f()
		default:
			return
		}
	}
}

// smsDone is Serve's channel of answers (nil without SMS: never ready).
func (n *Network) smsDone() chan func() {
	if n.sms == nil {
		return nil
	}
	return n.sms.dones
}

// SMSStats returns the SMSC's counters; safe from any goroutine.
func (n *Network) SMSStats() SMSStats {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.sms == nil {
		return SMSStats{}
	}
	st := n.sms.stats
	st.Queued = len(n.sms.msgs)
	return st
}

// backoff returns the wait after the attempts-th failed attempt.
func (s *smsCentre) backoff(attempts int) time.Duration {
	r := s.cfg.Retry
	return r[min(max(attempts-1, 0), len(r)-1)]
}

// ---- Triggers --------------------------------------------------------

// smsAttempt starts a delivery attempt to msisdn unless one runs or
// nothing is due; force ignores the back-off (the MS just showed up).
func (n *Network) smsAttempt(msisdn string, force bool) {
	s := n.sms
	ids := s.byTo[msisdn]
	if len(ids) == 0 {
		return
	}
	rc := s.rcpt(msisdn)
	if rc.busy {
		return
	}
	if !force {
		due := false
		for _, id := range ids {
			if !n.now.Before(s.msgs[id].NextAttempt) {
				due = true
				break
			}
		}
		if !due {
			return
		}
	}
	rc.busy = true
	var u SMSUser
	var err error
	ok := n.smsJob(func() { u, err = s.dir.SMSByMSISDN(msisdn) }, func() { n.smsResolved(rc, u, err) })
	if !ok {
		rc.busy = false
	}
}

// smsResolved continues an attempt with the recipient's registry entry.
func (n *Network) smsResolved(rc *smsRcpt, u SMSUser, err error) {
	s := n.sms
	if err != nil {
		rc.busy = false
		if err == ErrUnknownSubscriber {
			// The number was removed since: the messages cannot go.
			n.smsFailAll(rc.msisdn, rp.CauseUnassignedNumber, tp.StatusNotObtainable)
		}
		return
	}
	rc.user = u
	s.byIMSI[u.IMSI] = rc.msisdn
	if !u.Attached {
		// Detached: wait for the IMSI attach.
		rc.busy = false
		return
	}
	s.stats.Attempts++
	if ss := n.sessions[u.IMSI]; ss != nil && ss.conn != nil {
		c := ss.conn
		if c.mm.State() == "connected" && !c.releasing {
			n.smsStartMT(c, rc)
			return
		}
		// Busy with something else (a location update): the end of
		// that connection triggers the attempt again.
		rc.busy = false
		return
	}
	rc.paging, rc.pageUntil = true, n.now.Add(n.pageTimeout())
	rc.pageNext = n.now.Add(s.cfg.PageRetry)
	n.command(command{page: MTRequest{IMSI: u.IMSI, TMSI: u.TMSI, What: "sms", At: n.now}})
}

func (n *Network) pageTimeout() time.Duration {
	if n.cfg.PageTimeout > 0 {
		return n.cfg.PageTimeout
	}
	return DefaultPageTimeout
}

// smsRepage repeats the paging command on every cell (TS 44.018 §3.3.2.1:
// the network may repeat the paging while T3113 runs).
func (n *Network) smsRepage(u SMSUser) {
	id := l3.IMSI(u.IMSI)
	if u.TMSI != mm.NoTMSI && u.TMSI != 0 {
		id = l3.TMSI(u.TMSI)
	}
	buf := make([]byte, id.MarshalSize())
	k, err := id.MarshalTo(buf)
	if err != nil {
		return
	}
	for cell := range n.cells {
		n.down(rsl.Down{Kind: rsl.PagingCmd, Cell: cell, Msg: buf[:k], IMSI: u.IMSI, Cause: uint8(rr.NeedSDCCH)})
		n.stats.Pages++
	}
}

// smsFailed ends an attempt that did not deliver everything: the
// messages still queued wait for the back-off.
func (n *Network) smsFailed(rc *smsRcpt, cause uint8) {
	s := n.sms
	rc.busy, rc.paging, rc.conn = false, false, nil
	s.stats.AttemptsFailed++
	var recs []smsc.Record
	for _, id := range s.byTo[rc.msisdn] {
		r := s.msgs[id]
		r.Attempts++
		r.NextAttempt = n.now.Add(s.backoff(r.Attempts))
		r.Cause = cause
		recs = append(recs, *r)
	}
	if len(recs) > 0 {
		n.smsWrite(recs, nil)
	}
}

// smsFailAll gives up on every message queued for msisdn.
func (n *Network) smsFailAll(msisdn string, cause rp.Cause, st tp.Status) {
	s := n.sms
	var recs []smsc.Record
	for _, id := range slices.Clone(s.byTo[msisdn]) {
		r := s.msgs[id]
		recs = append(recs, n.smsFinal(r, smsc.Failed, uint8(cause), st)...)
	}
	if len(recs) > 0 {
		n.smsWrite(recs, nil)
	}
}

// smsFinal retires a queued message with state st and returns the records
// to write: the message and, if its sender asked, a status report.
func (n *Network) smsFinal(r *smsc.Record, state smsc.State, cause uint8, st tp.Status) []smsc.Record {
	s := n.sms
	s.remove(r)
	r.State, r.Done, r.Cause = state, n.now, cause
	out := []smsc.Record{*r}
	switch state {
	case smsc.Delivered:
		s.stats.Delivered++
		s.stats.DeliveredByKind[r.Kind&1]++
	case smsc.Expired:
		s.stats.Expired++
	case smsc.Cancelled:
		s.stats.Cancelled++
	}
	if r.Kind == smsc.KindSubmit && r.SRR && r.FromIMSI != "" {
		if rep, ok := n.smsReport(r, st); ok {
			out = append(out, *rep)
		}
	}
	return out
}

// smsReport queues the SMS-STATUS-REPORT about r for its sender (TS
// 23.040 §9.2.2.3).
func (n *Network) smsReport(r *smsc.Record, st tp.Status) (*smsc.Record, bool) {
	s := n.sms
	var sub tp.Submit
	if sub.Unmarshal(r.TPDU) != nil {
		return nil, false
	}
	rep := tp.StatusReportFor(&sub, tp.TimestampOf(r.Received), tp.TimestampOf(n.now), st)
	b, err := tp.Marshal(rep)
	if err != nil {
		return nil, false
	}
	out := &smsc.Record{ID: s.nextID, Kind: smsc.KindStatusReport, State: smsc.Queued,
		From: s.cfg.Sender, To: r.From, ToIMSI: r.FromIMSI, MR: sub.MR, TPDU: b, About: r.ID,
		Received: n.now, Expiry: n.now.Add(s.cfg.Validity)}
	s.nextID++
	s.add(out)
	s.stats.StatusReports++
	from := r.From
	defer func() { n.smsAttempt(from, true) }()
	return out, true
}

// smsScan expires messages, repeats paging, gives up paging at T3113 and
// starts due retries; at most once a second.
func (n *Network) smsScan() {
	s := n.sms
	if n.now.Before(s.nextScan) {
		return
	}
	s.nextScan = n.now.Add(smsScanEvery)
	var recs []smsc.Record
	for _, id := range slices.Sorted(maps.Keys(s.msgs)) {
		r := s.msgs[id]
		if !r.Expiry.IsZero() && !n.now.Before(r.Expiry) {
			if rc := s.rcpts[r.To]; rc != nil && rc.conn != nil {
				continue // being delivered: let it finish
			}
			recs = append(recs, n.smsFinal(r, smsc.Expired, 0, tp.StatusValidityExpired)...)
		}
	}
	if len(recs) > 0 {
		n.smsWrite(recs, nil)
	}
	for k, v := range s.recent {
		if n.now.Sub(v.at) > smsDedupWindow {
			delete(s.recent, k)
		}
	}
	for _, msisdn := range slices.Sorted(maps.Keys(s.rcpts)) {
		rc := s.rcpts[msisdn]
		if rc.paging {
			switch {
			case !n.now.Before(rc.pageUntil):
				n.log.Info("SMS recipient did not answer paging", "msisdn", msisdn)
				n.smsFailed(rc, uint8(rp.CauseDestinationOutOfOrder))
			case !n.now.Before(rc.pageNext):
				rc.pageNext = n.now.Add(s.cfg.PageRetry)
				n.smsRepage(rc.user)
			}
			continue
		}
		if !rc.busy && len(s.byTo[msisdn]) == 0 {
			delete(s.rcpts, msisdn)
		}
	}
	for _, msisdn := range slices.Sorted(maps.Keys(s.byTo)) {
		n.smsAttempt(msisdn, false)
	}
}

func mapsKeys[K comparable, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// smsEnded is told of every connection that ended: a delivery on it
// failed; a location update or IMSI attach triggers delivery.
func (n *Network) smsEnded(c *conn, r mm.Result) {
	s := n.sms
	if s == nil {
		return
	}
	if c.sms != nil && c.sms.rcpt != nil && c.sms.rcpt.conn == c {
		n.smsFailed(c.sms.rcpt, uint8(rp.CauseDestinationOutOfOrder))
	}
	if c.sms != nil {
		for _, tx := range c.sms.tx {
			if tx.mo && tx.waitStore {
				tx.lost = true
			}
		}
	}
	if r.Procedure != mm.ProcLocationUpdate || r.Outcome != mm.OutcomeAccepted || len(s.byTo) == 0 {
		// The subscriber was busy when its messages came: try now.
		if msisdn, ok := s.byIMSI[c.imsi]; ok && r.Outcome == mm.OutcomeAccepted {
			n.smsAttempt(msisdn, false)
		}
		return
	}
	if msisdn, ok := s.byIMSI[r.IMSI]; ok {
		n.smsAttempt(msisdn, true)
		return
	}
	imsi := r.IMSI
	var u SMSUser
	var err error
	n.smsJob(func() { u, err = s.dir.SMSByIMSI(imsi) }, func() {
		if err == nil && u.MSISDN != "" {
			s.byIMSI[imsi] = u.MSISDN
			n.smsAttempt(u.MSISDN, true)
		}
	})
}

// serveMT hands mobile-terminated work to the connection of the MS that
// answered paging; false when nothing here takes it (the channel is then
// released).
func (c *conn) serveMT(pending []MTRequest) bool {
	took := c.ussdNotify()
	s := c.net.sms
	if s == nil {
		return took
	}
	msisdn, ok := s.byIMSI[c.imsi]
	if !ok {
		return took
	}
	rc := s.rcpt(msisdn)
	if len(s.byTo[msisdn]) == 0 || rc.busy && !rc.paging {
		return took
	}
	rc.busy, rc.paging = true, false
	c.net.smsStartMT(c, rc)
	return true
}
