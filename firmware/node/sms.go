package node

import (
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
