package trunk

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Registration (RFC 3261 §10): REGISTER with our Contact, answered
// challenges (digest, RFC 8760), re-registered at three quarters of the
// granted lifetime, and while the provider does not answer or refuses,
// retried with a doubling back-off from RetryMin to RetryMax. The state
// is in Status; a refusal names the trunk and the response.

func (t *Trunk) registerLoop(ctx context.Context) {
	callID := sip.CallIDHeader(sip.GenerateTagN(24))
	cseq := uint32(1)
	backoff := t.cfg.RetryMin
	for {
		granted, err := t.registerOnce(ctx, callID, &cseq, t.cfg.Expiry)
		if ctx.Err() != nil {
			break
		}
		var wait time.Duration
		now := time.Now()
		if err == nil {
			backoff = t.cfg.RetryMin
			wait = max(granted*3/4, time.Second)
			t.update(func(s *Status) {
				if s.State != "registered" {
					s.Since = now
					t.log.Info("registered", "registrar", t.cfg.Registrar, "expires", granted)
				}
				s.State, s.Detail, s.Expires, s.Reachable = "registered", "", now.Add(granted), true
			})
		} else {
			wait = backoff
			backoff = min(backoff*2, t.cfg.RetryMax)
			var re *RegisterError
			reachable := errors.As(err, &re) && re.Status != 0
			t.update(func(s *Status) {
				if s.State != "failed" || s.Detail != err.Error() {
					s.Since = now
					t.log.Warn("registration failed", "err", err, "retry", wait)
				}
				s.State, s.Detail, s.Reachable = "failed", err.Error(), reachable
			})
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
			continue
		case <-t.lost:
			// The keepalive found the provider gone: it has likely
			// lost our binding too (a restarted registrar), so
			// register again, backing off, rather than at ¾ of the
			// old expiry.
			continue
		}
		break
	}
	// Unregister on the way out (Expires 0), briefly.
	if t.Status().State == "registered" {
		uctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		t.registerOnce(uctx, callID, &cseq, 0)
		cancel()
	}
}

// registerOnce sends one REGISTER (and its authenticated repeat) and
// returns the lifetime granted.
func (t *Trunk) registerOnce(ctx context.Context, callID sip.CallIDHeader, cseq *uint32, expiry time.Duration) (time.Duration, error) {
	if err := t.filter.resolve(t.regAddr, t.proxyAddr); err != nil {
		return 0, &RegisterError{Trunk: t.cfg.Name, Reason: err.Error()}
	}
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	host, port := splitHostPort(t.regAddr)
	req := sip.NewRequest(sip.REGISTER, sip.Uri{Scheme: "sip", Host: host, Port: port})
	req.SetDestination(t.regAddr)
	req.SetTransport(strings.ToUpper(t.cfg.Transport))
	aor := sip.Uri{Scheme: "sip", User: t.cfg.Username, Host: t.domain}
	from := &sip.FromHeader{Address: aor, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: aor, Params: sip.NewParams()})
	id := callID
	req.AppendHeader(&id)
	*cseq++
	req.AppendHeader(&sip.CSeqHeader{SeqNo: *cseq, MethodName: sip.REGISTER})
	ct := t.contact()
	req.AppendHeader(&ct)
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(int(expiry/time.Second))))
	res, err := final(t.client.Do(ctx, req))
	if err != nil {
		return 0, &RegisterError{Trunk: t.cfg.Name, Reason: "no answer from " + t.cfg.Registrar + ": " + err.Error()}
	}
	if res.StatusCode == 401 || res.StatusCode == 407 {
		if t.cfg.Realm != "" && !challengeRealm(res, t.cfg.Realm) {
			return 0, &RegisterError{Trunk: t.cfg.Name, Status: res.StatusCode, Reason: res.Reason + " (challenge for another realm than " + t.cfg.Realm + ")"}
		}
		res, err = final(t.client.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: t.cfg.Username, Password: t.cfg.Password}))
		if err != nil {
			return 0, &RegisterError{Trunk: t.cfg.Name, Reason: "no answer from " + t.cfg.Registrar + " to the authenticated REGISTER"}
		}
		if c := req.CSeq(); c != nil {
			*cseq = c.SeqNo
		}
	}
	if res.StatusCode != 200 {
		return 0, &RegisterError{Trunk: t.cfg.Name, Status: res.StatusCode, Reason: res.Reason}
	}
	granted := expiry
	if h := res.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && n >= 0 {
			granted = time.Duration(n) * time.Second
		}
	}
	for _, h := range res.GetHeaders("Contact") {
		if c, ok := h.(*sip.ContactHeader); ok && c.Address.Host == t.contactHost && c.Address.Port == t.contactPort {
			if v, ok := c.Params.Get("expires"); ok {
				if n, err := strconv.Atoi(v); err == nil && n >= 0 {
					granted = time.Duration(n) * time.Second
				}
			}
		}
	}
	return granted, nil
}

// errNoFinal is a client transaction that ended without a final
// response and without an error: sipgo's Client.Do and DoDigestAuth
// return (nil, nil) when the transaction is terminated under them (its
// transport closing as the trunk stops, say).
var errNoFinal = errors.New("the transaction ended without a final response")

// final turns sipgo's (nil, nil) into errNoFinal, so that a response
// is never read when there is none.
func final(res *sip.Response, err error) (*sip.Response, error) {
	if err == nil && res == nil {
		return nil, errNoFinal
	}
	return res, err
}

func challengeRealm(res *sip.Response, realm string) bool {
	for _, name := range []string{"WWW-Authenticate", "Proxy-Authenticate"} {
		if h := res.GetHeader(name); h != nil && strings.Contains(h.Value(), `realm="`+realm+`"`) {
			return true
		}
	}
	return false
}

func splitHostPort(hp string) (string, int) {
	i := strings.LastIndexByte(hp, ':')
	if i < 0 {
		return hp, 0
	}
	p, _ := strconv.Atoi(hp[i+1:])
	return strings.Trim(hp[:i], "[]"), p
}

// keepalive sends OPTIONS to the proxy every Keepalive (RFC 3261 §11)
// and notes whether it answers.
func (t *Trunk) keepalive(ctx context.Context) {
	tick := time.NewTicker(t.cfg.Keepalive)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		host, port := splitHostPort(t.proxyAddr)
		req := sip.NewRequest(sip.OPTIONS, sip.Uri{Scheme: "sip", Host: host, Port: port})
		req.SetDestination(t.proxyAddr)
		req.SetTransport(strings.ToUpper(t.cfg.Transport))
		rctx, cancel := context.WithTimeout(ctx, requestTimeout)
		res, err := final(t.client.Do(rctx, req))
		cancel()
		ok := err == nil && res.StatusCode < 500
		lost := false
		t.update(func(s *Status) {
			if s.Reachable != ok {
				t.log.Info("provider reachability", "reachable", ok)
			}
			s.Reachable = ok
			if !ok && s.State == "registered" {
				// No calls out of a provider that does not answer:
				// they fail at once (#38) rather than after the
				// INVITE's 32 s (RFC 3261 Timer B).
				lost = true
				s.State, s.Since = "failed", time.Now()
				s.Detail = "trunk " + t.cfg.Name + ": no answer to OPTIONS from " + t.proxyAddr
			}
		})
		if lost {
			select {
			case t.lost <- struct{}{}:
			default:
			}
		}
	}
}
