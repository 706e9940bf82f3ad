package core

import (
	"sort"
	"strings"
	"time"

	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/ss"
)

// USSD (TS 24.080, TS 24.090): the MS opens a transaction with Register
// carrying processUnstructuredSS-Request; the network answers at once
// with Release Complete carrying the ReturnResult, or first asks the user
// for a choice with unstructuredSS-Request in a Facility (a menu) and
// answers the choice. The network may also open a transaction itself
// with unstructuredSS-Notify (NotifyUSSD).

// USSDRequest is what a subscriber dialled, or chose in a menu.
type USSDRequest struct {
	IMSI, MSISDN string
	// Code is the string the user dialled (e.g. "*#100#"); Choice is
	// the answer to a menu ("" for the first request).
	Code, Choice string
}

// USSDReply is the network's answer: Text, and Menu when the text asks
// for a choice that comes back as USSDRequest.Choice.
type USSDReply struct {
	Text string
	Menu bool
}

// USSDService answers USSD requests. It is called on the core's
// goroutine and must not block: a balance query against a billing
// system keeps its figures at hand (or answers "try again").
type USSDService interface {
	USSD(r USSDRequest) USSDReply
}

// USSDFunc adapts a function to USSDService.
type USSDFunc func(r USSDRequest) USSDReply

// USSD implements USSDService.
func (f USSDFunc) USSD(r USSDRequest) USSDReply { return f(r) }

// USSDMenu is a static menu: Title and the numbered Options, each with
// its answer.
type USSDMenu struct {
	Title   string
	Options []USSDOption
}

// USSDOption is one menu entry.
type USSDOption struct {
	Label, Answer string
}

// USSDConfig is the built-in service: "*#100#" answers the subscriber's
// own number; Codes are static answers, Menus static menus; Balance, when
// set, answers BalanceCode ("*#123#" by default).
type USSDConfig struct {
	Codes       map[string]string
	Menus       map[string]USSDMenu
	Balance     func(imsi, msisdn string) string
	BalanceCode string
	// Service, when set, is asked first; an empty reply falls through
	// to the built-in answers.
	Service USSDService
}

// Built-in codes.
const (
	USSDOwnNumber      = "*#100#"
	DefaultBalanceCode = "*#123#"
)

// USSD implements USSDService for the configuration.
func (c *USSDConfig) USSD(r USSDRequest) USSDReply {
	if c.Service != nil {
		if rep := c.Service.USSD(r); rep.Text != "" {
			return rep
		}
	}
	code := strings.TrimSpace(r.Code)
	switch {
	case code == USSDOwnNumber:
		if r.MSISDN == "" {
			return USSDReply{Text: "This SIM has no number on this network."}
		}
		return USSDReply{Text: "Your number is " + r.MSISDN}
	case c.Balance != nil && code == orString(c.BalanceCode, DefaultBalanceCode):
		return USSDReply{Text: c.Balance(r.IMSI, r.MSISDN)}
	}
	if t, ok := c.Codes[code]; ok {
		return USSDReply{Text: t}
	}
	if m, ok := c.Menus[code]; ok {
		if r.Choice == "" {
			var b strings.Builder
			b.WriteString(m.Title)
			for i, o := range m.Options {
				b.WriteString("\n")
				b.WriteString(string(rune('1' + i)))
				b.WriteString(". ")
				b.WriteString(o.Label)
			}
			return USSDReply{Text: b.String(), Menu: true}
		}
		for i, o := range m.Options {
			if strings.TrimSpace(r.Choice) == string(rune('1'+i)) {
				return USSDReply{Text: o.Answer}
			}
		}
		return USSDReply{Text: "Unknown choice."}
	}
	known := make([]string, 0, len(c.Codes)+len(c.Menus)+1)
	known = append(known, USSDOwnNumber)
	for k := range c.Codes {
		known = append(known, k)
	}
	for k := range c.Menus {
		known = append(known, k)
	}
	sort.Strings(known)
	return USSDReply{Text: "Unknown code. Try " + strings.Join(known, " ")}
}

func orString(s, d string) string {
	if s != "" {
		return s
	}
	return d
}

// ussdTx is one USSD transaction on a connection.
type ussdTx struct {
	ti       uint8
	flag     bool // TI flag of our messages (true: the MS opened it)
	invoke   int8 // the MS's processUnstructuredSS-Request invoke ID
	asked    int8 // our unstructuredSS-Request's invoke ID, when waiting
	code     string
	deadline time.Time
	notify   bool // network-initiated notify
}

// ussdTimeout bounds a transaction waiting for the user (TS 24.080 has no
// timer of its own for this; the MSC's is minutes, a village's is short).
const ussdTimeout = 60 * time.Second

// ussd handles an uplink SS message (PD 0x0B) on SAPI 0.
func (c *conn) ussd(msg []byte) {
	n := c.net
	svc := n.cfg.USSD
	m, err := ss.Decode(msg)
	if err != nil || svc == nil || c.mm.State() != "connected" {
		// Not served, or not understood: end the transaction (TS 24.080
		// §3.7.5: Release Complete, cause #79 or #96... the cause is
		// optional; we send none).
		if len(msg) > 0 && msg[0]>>4&7 != 7 {
			rc := ss.ReleaseComplete{Header: ss.Header{TI: msg[0] >> 4 & 7, TIFlag: msg[0]&0x80 == 0}}
			c.ussdSend(&rc)
		}
		c.ussdDone()
		return
	}
	switch m := m.(type) {
	case *ss.Register:
		if m.TIFlag {
			return
		}
		for _, comp := range m.Facility {
			if comp.Type != ss.Invoke || comp.Op != ss.OpProcessUnstructuredSSRequest {
				continue
			}
			text, err := comp.USSDText()
			tx := &ussdTx{ti: m.TI, flag: true, invoke: comp.InvokeID, code: text}
			c.ussdTx = tx
			if err != nil {
				c.ussdEnd(tx, ss.Component{Type: ss.ReturnError, InvokeID: comp.InvokeID, ErrorCode: ss.ErrorUnknownAlphabet})
				return
			}
			c.ussdAnswer(tx, svc.USSD(USSDRequest{IMSI: c.imsi, MSISDN: c.mm.Result().MSISDN, Code: text}))
			return
		}
		rc := ss.ReleaseComplete{Header: ss.Header{TI: m.TI, TIFlag: true}}
		c.ussdSend(&rc)
		c.ussdDone()
	case *ss.FacilityMsg:
		tx := c.ussdTx
		if tx == nil || m.TI != tx.ti {
			return
		}
		for _, comp := range m.Facility {
			if comp.Type == ss.ReturnResult && comp.InvokeID == tx.asked && !tx.notify {
				choice, _ := comp.USSDText()
				c.ussdAnswer(tx, svc.USSD(USSDRequest{IMSI: c.imsi, MSISDN: c.mm.Result().MSISDN, Code: tx.code, Choice: choice}))
				return
			}
			if tx.notify && (comp.Type == ss.ReturnResult || comp.Type == ss.ReturnError) {
				rc := ss.ReleaseComplete{Header: ss.Header{TI: tx.ti, TIFlag: tx.flag}}
				c.ussdSend(&rc)
				c.ussdTx = nil
				c.ussdDone()
				return
			}
		}
	case *ss.ReleaseComplete:
		c.ussdTx = nil
		c.ussdDone()
	}
}

// ussdAnswer sends the service's reply: a menu in a Facility, or the
// final answer in Release Complete.
func (c *conn) ussdAnswer(tx *ussdTx, rep USSDReply) {
	if rep.Menu {
		tx.asked = tx.invoke + 1
		comp, err := ss.NewUSSDInvoke(tx.asked, ss.OpUnstructuredSSRequest, rep.Text)
		if err == nil {
			tx.deadline = c.net.now.Add(ussdTimeout)
			c.ussdSend(&ss.FacilityMsg{Header: ss.Header{TI: tx.ti, TIFlag: tx.flag}, Facility: ss.Facility{comp}})
			return
		}
	}
	comp, err := ss.NewUSSDResult(tx.invoke, ss.OpProcessUnstructuredSSRequest, rep.Text)
	if err != nil {
		comp = ss.Component{Type: ss.ReturnError, InvokeID: tx.invoke, ErrorCode: ss.ErrorSystemFailure}
	}
	c.ussdEnd(tx, comp)
}

func (c *conn) ussdEnd(tx *ussdTx, comp ss.Component) {
	c.ussdSend(&ss.ReleaseComplete{Header: ss.Header{TI: tx.ti, TIFlag: tx.flag}, HasFacility: true, Facility: ss.Facility{comp}})
	c.ussdTx = nil
	c.ussdDone()
}

func (c *conn) ussdSend(m ss.Message) {
	b, err := ss.Marshal(m)
	if err != nil {
		c.log.Debug("cannot encode SS message", "err", err)
		return
	}
	c.send(0, b)
}

// ussdDone releases a connection that was only for USSD once nothing else
// uses it.
func (c *conn) ussdDone() {
	if c.ussdTx != nil || c.releasing {
		return
	}
	if c.sms != nil && (len(c.sms.tx) > 0 || c.sms.rcpt != nil) {
		return
	}
	if r := c.mm.Result(); r.Procedure == mm.ProcCMService && r.Service == mm.ServiceSS || r.Procedure == mm.ProcPaging {
		c.release()
	}
}

// ussdTimers ends USSD transactions the user never answered.
func (n *Network) ussdTimers() {
	for i := 0; i < len(n.order); i++ {
		c := n.order[i]
		if tx := c.ussdTx; tx != nil && !tx.deadline.IsZero() && !n.now.Before(tx.deadline) {
			c.ussdEnd(tx, ss.Component{Type: ss.ReturnError, InvokeID: tx.invoke, ErrorCode: ss.ErrorSystemFailure})
		}
	}
}

// NotifyUSSD sends text to a subscriber as a network-initiated USSD
// notification (unstructuredSS-Notify, TS 24.090 §4.3): the MS is paged
// by its IMSI and, when it answers, gets a Register carrying the notify;
// its acknowledgement ends the transaction. Safe from any goroutine;
// never blocks (ErrInboxFull).
func (n *Network) NotifyUSSD(imsi, text string) error {
	if _, err := ss.EncodeUSSD(text); err != nil {
		return err
	}
	return n.do(func() {
		if n.ussdNotes == nil {
			n.ussdNotes = map[string][]string{}
		}
		n.ussdNotes[imsi] = append(n.ussdNotes[imsi], text)
		if s := n.sessions[imsi]; s != nil && s.conn != nil && s.conn.mm.State() == "connected" && !s.conn.releasing {
			s.conn.ussdNotify()
			return
		}
		n.command(command{page: MTRequest{IMSI: imsi, TMSI: mm.NoTMSI, What: "ussd", At: n.now}})
	})
}

// ussdNotify starts the next notification waiting for the connection's
// subscriber; false when none waits or a transaction is open.
func (c *conn) ussdNotify() bool {
	n := c.net
	texts := n.ussdNotes[c.imsi]
	if len(texts) == 0 || c.ussdTx != nil {
		return false
	}
	text := texts[0]
	if len(texts) == 1 {
		delete(n.ussdNotes, c.imsi)
	} else {
		n.ussdNotes[c.imsi] = texts[1:]
	}
	comp, err := ss.NewUSSDInvoke(1, ss.OpUnstructuredSSNotify, text)
	if err != nil {
		return false
	}
	tx := &ussdTx{ti: 0, flag: false, invoke: 1, notify: true, deadline: n.now.Add(ussdTimeout)}
	c.ussdTx = tx
	c.ussdSend(&ss.Register{Header: ss.Header{TI: tx.ti}, Facility: ss.Facility{comp}})
	return true
}
