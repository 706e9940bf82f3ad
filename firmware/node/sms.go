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
