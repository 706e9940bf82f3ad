package trunk

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/gsmbox/gsmbox/gsm/cc"
	"github.com/gsmbox/gsmbox/gsm/core"
	"github.com/gsmbox/gsmbox/gsm/core/media"
	"github.com/gsmbox/gsmbox/gsm/rsl"
)

// Calls. Each call has one goroutine (sipgo's for an incoming INVITE, the
// group's for an outgoing one) that owns its dialog and its media, and
// waits for the switch's requests on the call's channels; it closes the
// media (its RTP ports) on every way out.

// outgoing places call r out of this trunk and runs it to its end. next
// reports a failure of the trunk itself before the far end was reached
// (the group then tries the next trunk), with the cause to give if none
// is left; otherwise the call's events, its end included, went to the
// core.
func (t *Trunk) outgoing(r *callRec, from, to string) (cause cc.CauseValue, next bool) {
	if int(t.active.Add(1)) > t.cfg.MaxCalls {
		t.active.Add(-1)
		return cc.CauseSwitchingCongestion, true
	}
	defer t.active.Add(-1)
	t.update(func(s *Status) { s.CallsOut++ })
	m, err := t.cfg.NewMedia()
	if err != nil {
		t.lim.warn(t.log, "no media for an outgoing call", "err", err)
		return cc.CauseResourcesUnavailable, true
	}
	defer m.Close()
	offer, err := m.Offer()
	if err != nil {
		return cc.CauseResourcesUnavailable, true
	}
	uri := sip.Uri{Scheme: "sip", User: to, Host: t.domain}
	req := sip.NewRequest(sip.INVITE, uri)
	req.SetDestination(t.proxyAddr)
	req.SetTransport(strings.ToUpper(t.cfg.Transport))
	user := t.cfg.Username
	if user == "" {
		user = from
	}
	fh := &sip.FromHeader{DisplayName: from, Address: sip.Uri{Scheme: "sip", User: user, Host: t.domain}, Params: sip.NewParams()}
	fh.Params.Add("tag", sip.GenerateTagN(16))
	req.AppendHeader(fh)
	req.AppendHeader(&sip.ToHeader{Address: uri, Params: sip.NewParams()})
	ct := t.contact()
	req.AppendHeader(&ct)
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(offer)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dlg, err := t.dcc.WriteInvite(ctx, req)
	if err != nil {
		t.lim.warn(t.log, "INVITE not sent", "err", err)
		return cc.CauseNetworkOutOfOrder, true
	}
	defer dlg.Close()
	port := rsl.NewSpeechPort()
	started, accepted, reached := false, false, false
	start := func(sdp []byte) error {
		if !accepted {
			if err := m.Accept(sdp); err != nil {
				return err
			}
			accepted = true
		}
		if !started {
			if err := m.Start(port); err != nil {
				return err
			}
			started = true
		}
		return nil
	}
	done := make(chan error, 1)
	go func() {
		done <- dlg.WaitAnswer(ctx, sipgo.AnswerOptions{
			Username: t.cfg.Username, Password: t.cfg.Password,
			OnResponse: func(res *sip.Response) error {
				switch {
				case res.StatusCode == 180:
					reached = true
					t.emit(core.TrunkEvent{Kind: core.TrunkRinging, Call: r.id})
				case res.StatusCode == 183 && len(res.Body()) > 0:
					reached = true
					if err := start(res.Body()); err != nil {
						t.lim.warn(t.log, "early media refused", "err", err)
						return nil
					}
					t.emit(core.TrunkEvent{Kind: core.TrunkEarlyMedia, Call: r.id, Port: port})
				case res.StatusCode > 100 && res.StatusCode < 200:
					reached = true
				}
				return nil
			}})
	}()
	var werr error
	select {
	case werr = <-done:
	case c := <-r.hang:
		// The phone hung up first: CANCEL (sipgo sends it when the
		// context ends; before any provisional it waits for one).
		cancel()
		<-done
		t.byeIfAnswered(dlg, c)
		return 0, false
	}
	if werr != nil {
		var de *sipgo.ErrDialogResponse
		if errors.As(werr, &de) {
			status := de.Res.StatusCode
			c := CauseOfStatus(status, headerValue(de.Res, "Reason"))
			t.log.Info("outgoing call refused", "to", to, "status", status, "reason", de.Res.Reason, "cause", int(c))
			if !reached && (status >= 500 || status == 408) {
				return c, true
			}
			t.emit(core.TrunkEvent{Kind: core.TrunkEnded, Call: r.id, Cause: c})
			return 0, false
		}
		t.lim.warn(t.log, "outgoing call failed", "err", werr)
		if !reached {
			return cc.CauseRecoveryOnTimerExpiry, true
		}
		t.emit(core.TrunkEvent{Kind: core.TrunkEnded, Call: r.id, Cause: cc.CauseRecoveryOnTimerExpiry})
		return 0, false
	}
	if err := dlg.Ack(ctx); err != nil {
		t.lim.warn(t.log, "ACK not sent", "err", err)
	}
	if body := dlg.InviteResponse.Body(); len(body) > 0 && !accepted {
		if err := start(body); err != nil {
			t.log.Warn("answer SDP refused", "err", err)
			t.bye(&dlg.Dialog, uacBye(dlg, cc.CauseBearerNotImplemented), cc.CauseBearerNotImplemented)
			t.emit(core.TrunkEvent{Kind: core.TrunkEnded, Call: r.id, Cause: cc.CauseBearerNotImplemented})
			return 0, false
		}
	} else if err := start(nil); !started && err != nil {
		t.bye(&dlg.Dialog, uacBye(dlg, cc.CauseBearerNotImplemented), cc.CauseBearerNotImplemented)
		t.emit(core.TrunkEvent{Kind: core.TrunkEnded, Call: r.id, Cause: cc.CauseBearerNotImplemented})
		return 0, false
	}
	t.emit(core.TrunkEvent{Kind: core.TrunkAnswered, Call: r.id, Port: port})
	t.established(r, m, &dlg.Dialog, func(ctx context.Context) error { return uacBye(dlg, r.cause)(ctx) })
	return 0, false
}

// uacBye is the BYE of a call we placed as sipgo's Bye builds it (it
// fills From, To, Call-ID, CSeq and the route set in WriteBye), with the
// cause in a Reason header (RFC 3326, TS 29.163 §7.2.3.2.2).
func uacBye(dlg *sipgo.DialogClientSession, c cc.CauseValue) func(context.Context) error {
	return func(ctx context.Context) error {
		if dlg.InviteResponse == nil {
			return errors.New("bye: no response to the INVITE")
		}
		to := dlg.InviteRequest.Recipient
		if ct := dlg.InviteResponse.Contact(); ct != nil {
			to = ct.Address
		}
		bye := sip.NewRequest(sip.BYE, *to.Clone())
		bye.SetTransport(dlg.InviteRequest.Transport())
		if c != 0 {
			bye.AppendHeader(sip.NewHeader("Reason", reasonHeader(c)))
		}
		return dlg.WriteBye(ctx, bye)
	}
}

// byeIfAnswered ends a dialog the far end answered just as we cancelled.
func (t *Trunk) byeIfAnswered(dlg *sipgo.DialogClientSession, c cc.CauseValue) {
	if dlg.LoadState() >= sip.DialogStateEstablished && dlg.LoadState() != sip.DialogStateEnded {
		dlg.Ack(context.Background())
		t.bye(&dlg.Dialog, uacBye(dlg, c), c)
	}
}

// established runs an answered call until either side ends it.
func (t *Trunk) established(r *callRec, m Media, d *sipgo.Dialog, bye func(context.Context) error) {
	dm, _ := m.(DTMFMedia)
	var digits <-chan media.DTMF
	if dm != nil {
		digits = dm.DTMF()
	}
	for {
		select {
		case <-d.Context().Done():
			// The far end's BYE.
			t.emit(core.TrunkEvent{Kind: core.TrunkEnded, Call: r.id, Cause: cc.CauseNormalClearing})
			return
		case c := <-r.hang:
			r.cause = c
			t.bye(d, bye, c)
			return
		case k := <-r.dtmf:
			if dm == nil {
				continue
			}
			if !k.start {
				dm.StopDTMF()
			} else if err := dm.StartDTMF(k.key); err == nil {
				t.update(func(s *Status) { s.DTMFOut++ })
			}
		case k, ok := <-digits:
			if !ok {
				digits = nil
				continue
			}
			// GSM has no network-to-MS DTMF message (TS 24.008 §5.5.7
			// is MS to network only): the media plays the tones in
			// band; here the events are counted.
			if !k.End {
				t.update(func(s *Status) { s.DTMFIn++ })
				t.log.Debug("DTMF from the far end", "key", string(k.Digit))
			}
		}
	}
}

// bye sends BYE with the cause in a Reason header (RFC 3326).
func (t *Trunk) bye(d *sipgo.Dialog, bye func(context.Context) error, c cc.CauseValue) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := bye(ctx); err != nil && d.LoadState() != sip.DialogStateEnded {
		t.lim.warn(t.log, "BYE failed", "err", err)
	}
}

func headerValue(m interface{ GetHeader(string) sip.Header }, name string) string {
	if h := m.GetHeader(name); h != nil {
		return h.Value()
	}
	return ""
}

// --- incoming ---

// onInvite answers an INVITE from the provider: the DID (the To user,
// or the Request-URI's) maps to an MSISDN; the switch pages the phone and
// answers through the call's channels.
func (t *Trunk) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	respond := func(code int, reason string, c cc.CauseValue) {
		res := sip.NewResponseFromRequest(req, code, reason, nil)
		if c != 0 {
			res.AppendHeader(sip.NewHeader("Reason", reasonHeader(c)))
		}
		_ = tx.Respond(res)
	}
	if t.group == nil || t.group.events == nil {
		respond(503, "Service Unavailable", 0)
		return
	}
	if req.To() != nil && req.To().Params != nil {
		if _, ok := req.To().Params.Get("tag"); ok {
			// A re-INVITE: the media stays as negotiated.
			respond(488, "Not Acceptable Here", 0)
			return
		}
	}
	did := ""
	if to := req.To(); to != nil {
		did = strings.TrimPrefix(to.Address.User, "+")
	}
	msisdn, ok := t.cfg.DIDs[did]
	if !ok {
		// Some providers put the DID in the Request-URI only.
		if m, found := t.cfg.DIDs[strings.TrimPrefix(req.Recipient.User, "+")]; found {
			msisdn, ok = m, true
		}
	}
	if !ok {
		t.update(func(s *Status) { s.Refused++ })
		t.lim.warn(t.log, "INVITE to an unknown DID", "did", truncate(did, 32))
		respond(404, "Not Found", cc.CauseUnassignedNumber)
		return
	}
	if int(t.active.Add(1)) > t.cfg.MaxCalls {
		t.active.Add(-1)
		t.update(func(s *Status) { s.Refused++ })
		respond(503, "Service Unavailable", cc.CauseSwitchingCongestion)
		return
	}
	defer t.active.Add(-1)
	t.update(func(s *Status) { s.CallsIn++ })
	dlg, err := t.dsc.ReadInvite(req, tx)
	if err != nil {
		respond(400, "Bad Request", 0)
		return
	}
	defer dlg.Close()
	dlg.Respond(100, "Trying", nil)
	m, err := t.cfg.NewMedia()
	if err != nil {
		t.lim.warn(t.log, "no media for an incoming call", "err", err)
		dlg.Respond(503, "Service Unavailable", nil, sip.NewHeader("Reason", reasonHeader(cc.CauseResourcesUnavailable)))
		return
	}
	defer m.Close()
	answer, err := m.Answer(req.Body())
	if err != nil {
		t.lim.warn(t.log, "incoming offer refused", "err", err)
		dlg.Respond(488, "Not Acceptable Here", nil)
		return
	}
	from := ""
	if f := req.From(); f != nil {
		from = f.Address.User
	}
	r := t.group.newIncoming()
	defer t.group.drop(r.id)
	port := rsl.NewSpeechPort()
	if !t.emit(core.TrunkEvent{Kind: core.TrunkIncoming, Call: r.id, From: truncate(from, 32), To: msisdn, Port: port}) {
		dlg.Respond(503, "Service Unavailable", nil)
		return
	}
	for {
		select {
		case <-dlg.Context().Done():
			// CANCEL (or the transaction died) before the answer.
			t.emit(core.TrunkEvent{Kind: core.TrunkEnded, Call: r.id, Cause: cc.CauseNormalClearing})
			return
		case c := <-r.hang:
			code, reason := StatusOfCause(c)
			dlg.Respond(code, reason, nil, sip.NewHeader("Reason", reasonHeader(c)))
			return
		case <-r.ring:
			dlg.Respond(180, "Ringing", nil)
		case <-r.answer:
			if err := m.Start(port); err != nil {
				t.log.Warn("media not started", "err", err)
				dlg.Respond(500, "Server Internal Error", nil)
				t.emit(core.TrunkEvent{Kind: core.TrunkEnded, Call: r.id, Cause: cc.CauseResourcesUnavailable})
				return
			}
			if err := dlg.RespondSDP(answer); err != nil {
				t.emit(core.TrunkEvent{Kind: core.TrunkEnded, Call: r.id, Cause: cc.CauseTemporaryFailure})
				return
			}
			t.established(r, m, &dlg.Dialog, func(ctx context.Context) error {
				// Bye as sipgo builds it, with the cause (RFC 3326).
				bye := sip.NewRequest(sip.BYE, dlg.InviteRequest.Contact().Address)
				bye.SetTransport(dlg.InviteRequest.Transport())
				bye.AppendHeader(sip.NewHeader("Reason", reasonHeader(r.cause)))
				return dlg.WriteBye(ctx, bye)
			})
			return
		}
	}
}

func (t *Trunk) onAck(req *sip.Request, tx sip.ServerTransaction) {
	_ = t.dsc.ReadAck(req, tx)
}

func (t *Trunk) onBye(req *sip.Request, tx sip.ServerTransaction) {
	if err := t.dsc.ReadBye(req, tx); err == nil {
		return
	}
	if err := t.dcc.ReadBye(req, tx); err == nil {
		return
	}
	_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
