package trxproto

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// MsgType is the kind of a TRXC message.
type MsgType uint8

// TRXC message types: a command (L1 → TRX), its response (TRX → L1), and
// an indication (TRX → L1, "IND CLOCK" on the clock socket).
const (
	CMD MsgType = iota + 1
	RSP
	IND
)

func (t MsgType) String() string {
	switch t {
	case CMD:
		return "CMD"
	case RSP:
		return "RSP"
	case IND:
		return "IND"
	}
	return "?"
}

// maxControlLen bounds a TRXC message; osmo-bts-trx keeps 50 bytes of verb
// and 100 of parameters.
const maxControlLen = 1500

// Message is one TRXC text message:
//
//	CMD <VERB> [param ...]
//	RSP <VERB> <status> [param ...]
//	IND <VERB> [param ...]            (IND CLOCK <fn>)
//
// A response echoes its command's parameters after the status (osmo-bts-trx
// matches SETSLOT and SETFORMAT responses to commands by them); status 0 is
// success. A transceiver that does not know a command answers "RSP ERR 1".
type Message struct {
	Type   MsgType
	Verb   string
	Status int
	Params []string
}

// ParseMessage decodes a TRXC message. Trailing NUL bytes and white space
// (osmo-trx sends the C string's terminator) are ignored.
func ParseMessage(b []byte) (Message, error) {
	if len(b) > maxControlLen {
		return Message{}, fmt.Errorf("%w: %d bytes", ErrSyntax, len(b))
	}
	b = bytes.TrimRight(b, "\x00 \t\r\n")
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return Message{}, fmt.Errorf("%w: %q", ErrSyntax, b)
	}
	var m Message
	switch f[0] {
	case "CMD":
		m.Type = CMD
	case "RSP":
		m.Type = RSP
	case "IND":
		m.Type = IND
	default:
		return Message{}, fmt.Errorf("%w: %q is not CMD, RSP or IND", ErrSyntax, f[0])
	}
	m.Verb = f[1]
	if !validVerb(m.Verb) {
		return Message{}, fmt.Errorf("%w: verb %q", ErrSyntax, m.Verb)
	}
	rest := f[2:]
	if m.Type == RSP {
		if len(rest) == 0 {
			return Message{}, fmt.Errorf("%w: response %s without status", ErrSyntax, m.Verb)
		}
		s, err := strconv.Atoi(rest[0])
		if err != nil || s < -1<<31 || s > 1<<31-1 {
			return Message{}, fmt.Errorf("%w: status %q", ErrSyntax, rest[0])
		}
		m.Status = s
		rest = rest[1:]
	}
	if len(rest) > 0 {
		m.Params = rest
	}
	return m, nil
}

func validVerb(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return v != ""
}

// AppendTo appends the message's text (without a terminator) to b.
func (m *Message) AppendTo(b []byte) []byte {
	b = append(b, m.Type.String()...)
	b = append(b, ' ')
	b = append(b, m.Verb...)
	if m.Type == RSP {
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(m.Status), 10)
	}
	for _, p := range m.Params {
		b = append(b, ' ')
		b = append(b, p...)
	}
	return b
}

func (m Message) String() string { return string(m.AppendTo(nil)) }

// Command builds "CMD verb params...".
func Command(verb string, params ...string) Message {
	return Message{Type: CMD, Verb: verb, Params: params}
}

// Response builds the response to cmd with status and params.
func Response(cmd Message, status int, params ...string) Message {
	return Message{Type: RSP, Verb: cmd.Verb, Status: status, Params: params}
}

// ClockIndication builds "IND CLOCK fn".
func ClockIndication(fn uint32) Message {
	return Message{Type: IND, Verb: "CLOCK", Params: []string{strconv.FormatUint(uint64(fn), 10)}}
}

// Int returns parameter i as an integer.
func (m *Message) Int(i int) (int, bool) {
	if i >= len(m.Params) {
		return 0, false
	}
	v, err := strconv.Atoi(m.Params[i])
	if err != nil || v < -1<<31 || v > 1<<31-1 {
		return 0, false
	}
	return v, true
}

// Matches reports whether response r answers command c, as osmo-bts-trx
// decides: same verb and, for SETSLOT and SETFORMAT, the same parameters.
func Matches(c, r Message) bool {
	if c.Verb != r.Verb {
		return false
	}
	if c.Verb == "SETSLOT" || c.Verb == "SETFORMAT" {
		return strings.Join(c.Params, " ") == strings.Join(r.Params, " ")
	}
	return true
}
