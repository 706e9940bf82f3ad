package node

import (
	"context"
	"fmt"

	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/gsm/core"
	"github.com/gsmbox/gsmbox/gsm/core/smsc"
)

// openSMS opens the SMS queue file of [sms] (beside the registry unless
// set), when SMS is enabled.
func (n *Node) openSMS() error {
	c := n.cfg.Config
	if !c.SMS.Enabled {
		return nil
	}
	st, err := smsc.Open(c.SMSDB(), nil)
	if err != nil {
		return err
	}
	n.sms = st
	return nil
}

func (n *Node) closeSMS() {
	if n.sms != nil {
		n.sms.Close()
		n.sms = nil
	}
}

// smsConfig is the core's SMSC configuration from [sms].
func (n *Node) smsConfig() core.SMSConfig {
	if n.sms == nil {
		return core.SMSConfig{}
	}
	s := n.cfg.Config.SMS
	return core.SMSConfig{Store: n.sms, SCAddress: s.SCAddress, Sender: s.Sender,
		MaxQueued: s.MaxQueued, MaxPerRecipient: s.MaxPerRecipient,
		Validity: s.Validity.Duration, MaxValidity: s.MaxValidity.Duration,
		Retry: n.cfg.Config.SMSRetry(), PageRetry: s.PageRetry.Duration}
}

// SMSStore returns the SMS queue's file, or nil without SMS.
func (n *Node) SMSStore() *smsc.Store { return n.sms }

// SMSStats returns the SMSC's counters (safe from any goroutine).
func (n *Node) SMSStats() core.SMSStats { return n.core.SMSStats() }

// ussdService is the core's USSD service from [ussd], or nil when off.
func ussdService(c *config.Config) core.USSDService {
	if !c.USSD.Enabled {
		return nil
	}
	u := &core.USSDConfig{Codes: map[string]string{}, Menus: map[string]core.USSDMenu{}}
	for _, k := range c.USSD.Codes {
		u.Codes[k.Code] = k.Answer
	}
	for _, m := range c.USSD.Menus {
		menu := core.USSDMenu{Title: m.Title}
		for _, o := range m.Options {
			menu.Options = append(menu.Options, core.USSDOption{Label: o.Label, Answer: o.Answer})
		}
		u.Menus[m.Code] = menu
	}
	return u
}

// SendSMS queues an operator's text for the numbers in to (every
// subscriber's for a broadcast) on the running network: the console's
// hook. done, when not nil, is called from the network's goroutine with
// the message IDs once durable. Safe from any goroutine; never blocks.
func (n *Node) SendSMS(to []string, text string, done func(ids []uint64, err error)) error {
	return n.core.SendText(to, text, done)
}

// CancelSMS deletes a queued message on the running network.
func (n *Node) CancelSMS(id uint64, done func(error)) error { return n.core.CancelSMS(id, done) }

// SMSQueue lists the messages queued on the running network.
func (n *Node) SMSQueue() []smsc.Record { return n.core.SMSQueue() }

// NotifyUSSD sends a network-initiated USSD text to a subscriber.
func (n *Node) NotifyUSSD(imsi, text string) error { return n.core.NotifyUSSD(imsi, text) }

// The operator's SMS calls that wait for their answer: what the console
// serves to `gsmbox sms` and the Messages page. They run on the caller's
// goroutine and wait for the core's; ctx bounds the wait (a node whose
// loop is not running never answers).

// SendSMSWait queues text for the numbers in to, from [sms] sender, and
// returns the message IDs once they are durable on disk.
func (n *Node) SendSMSWait(ctx context.Context, to []string, text string) ([]uint64, error) {
	type result struct {
		ids []uint64
		err error
	}
	ch := make(chan result, 2)
	if err := n.core.SendText(to, text, func(ids []uint64, err error) { ch <- result{ids, err} }); err != nil {
		return nil, err
	}
	select {
	case r := <-ch:
		return r.ids, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: the network did not answer (is the cell running?)", ctx.Err())
	}
}

// CancelSMSWait cancels a queued message and returns once its final state
// is durable; smsc.ErrNotFound for a message that is not queued.
func (n *Node) CancelSMSWait(ctx context.Context, id uint64) error {
	ch := make(chan error, 2)
	if err := n.core.CancelSMS(id, func(err error) { ch <- err }); err != nil {
		return err
	}
	select {
	case err := <-ch:
		return err
	case <-ctx.Done():
		return fmt.Errorf("%w: the network did not answer (is the cell running?)", ctx.Err())
	}
}

// SMSRecord returns one record of the queue's file, in any state.
func (n *Node) SMSRecord(id uint64) (smsc.Record, error) {
	if n.sms == nil {
		return smsc.Record{}, core.ErrNoSMS
	}
	return n.sms.Get(id)
}

// SMSRecords returns every record of the queue's file (delivered,
// expired, cancelled and failed ones too), in ID order, and how many did
// not decode.
func (n *Node) SMSRecords() ([]smsc.Record, int, error) {
	if n.sms == nil {
		return nil, 0, core.ErrNoSMS
	}
	recs, _, bad, err := n.sms.Load()
	return recs, bad, err
}
