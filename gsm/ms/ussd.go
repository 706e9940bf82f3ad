package ms

import (
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/ss"
)

// ussdState is a phone's USSD (TS 24.080, TS 24.090): the codes to dial,
// the choices to make in menus, and the transaction open.
type ussdState struct {
	dial    []string
	replies []string
	open    bool
	used    bool // a transaction ran on this connection: the next needs a new one
	ti      uint8
	nsd     uint8
	// Answers holds the final answers received, in order.
	answers []string
	on      func(text string, menu bool)
}

// DialUSSD queues a USSD code (e.g. "*#100#"); replies are the choices
// to send, in order, when the network answers with a menu.
func (s *SMS) DialUSSD(code string, replies ...string) {
	s.ussd.dial = append(s.ussd.dial, code)
	s.ussd.replies = append(s.ussd.replies, replies...)
}

// USSDAnswers returns the final USSD answers received so far.
func (s *SMS) USSDAnswers() []string { return s.ussd.answers }

// OnUSSD sets a function called with every USSD text the network sends
// (menu: it asks for a choice).
func (s *SMS) OnUSSD(f func(text string, menu bool)) { s.ussd.on = f }

func (s *SMS) ussdSend(send func([]byte) error, m ss.Message) {
	b, err := ss.Marshal(m)
	if err == nil && send != nil {
		_ = send(b)
	}
}

// ussdDial opens a transaction with Register carrying
// processUnstructuredSS-Request once the MM connection is up.
func (s *SMS) ussdDial(link SAPI3Sender) {
	u := &s.ussd
	if u.open || u.used || len(u.dial) == 0 || !s.MS.Connected() || s.cur != nil {
		return
	}
	comp, err := ss.NewUSSDInvoke(1, ss.OpProcessUnstructuredSSRequest, u.dial[0])
	u.dial = u.dial[1:]
	if err != nil {
		return
	}
	u.open, u.used, u.ti = true, true, (u.ti+1)%7
	s.ussdSend(link.SendSAPI0, &ss.Register{Header: ss.Header{TI: u.ti, NSD: u.nextNSD()}, Facility: ss.Facility{comp}})
}

func (u *ussdState) nextNSD() uint8 {
	n := u.nsd
	u.nsd = (u.nsd + 1) & 1
	return n
}

// Data implements Upper: SS messages are USSD's, the rest MM's.
func (s *SMS) Data(msg []byte, send func([]byte) error) {
	if len(msg) < 2 || l3.PD(msg[0]&0x0f) != l3.PDSS {
		s.up().Data(msg, send)
		return
	}
	u := &s.ussd
	m, err := ss.Decode(msg)
	if err != nil {
		return
	}
	link := send
	switch m := m.(type) {
	case *ss.FacilityMsg:
		for _, c := range m.Facility {
			if c.Type == ss.Invoke && c.Op == ss.OpUnstructuredSSRequest {
				text, _ := c.USSDText()
				if u.on != nil {
					u.on(text, true)
				}
				choice := "1"
				if len(u.replies) > 0 {
					choice, u.replies = u.replies[0], u.replies[1:]
				}
				res, err := ss.NewUSSDResult(c.InvokeID, ss.OpUnstructuredSSRequest, choice)
				if err == nil {
					s.ussdSend(link, &ss.FacilityMsg{Header: ss.Header{TI: m.TI, TIFlag: true, NSD: u.nextNSD()}, Facility: ss.Facility{res}})
				}
			}
		}
	case *ss.Register:
		// Network-initiated: unstructuredSS-Notify, acknowledged by an
		// empty ReturnResult (TS 24.090 §5).
		for _, c := range m.Facility {
			if c.Type == ss.Invoke && c.Op == ss.OpUnstructuredSSNotify {
				text, _ := c.USSDText()
				u.answers = append(u.answers, text)
				if u.on != nil {
					u.on(text, false)
				}
				s.ussdSend(link, &ss.FacilityMsg{Header: ss.Header{TI: m.TI, TIFlag: true, NSD: u.nextNSD()},
					Facility: ss.Facility{{Type: ss.ReturnResult, InvokeID: c.InvokeID}}})
			}
		}
	case *ss.ReleaseComplete:
		u.open = false
		if m.HasFacility {
			for _, c := range m.Facility {
				if c.Type == ss.ReturnResult {
					text, err := c.USSDText()
					if err == nil {
						u.answers = append(u.answers, text)
						if u.on != nil {
							u.on(text, false)
						}
					}
				}
			}
		}
	}
}
