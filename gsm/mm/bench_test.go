package mm

import (
	"testing"
)

// BenchmarkMarshal encodes each message into a reused buffer.
func BenchmarkMarshal(b *testing.B) {
	for _, c := range []string{"lu-request-imsi-attach", "lu-accept-tmsi-fop", "auth-request", "mm-information", "cm-service-request-sms"} {
		m := codecCase(c)
		buf := make([]byte, 256)
		b.Run(c, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.MarshalTo(buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkUnmarshal decodes into a reused message value. Messages with
// digit identities or names allocate their strings.
func BenchmarkUnmarshal(b *testing.B) {
	for _, c := range []string{"lu-request-tmsi", "lu-request-imsi-attach", "auth-response", "identity-response-imeisv", "mm-information"} {
		in := h(codecCaseWant(c))
		m := newMessage(codecCase(c).MsgType())
		b.Run(c, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := m.Unmarshal(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func codecCase(name string) Message {
	for _, c := range codecCases {
		if c.name == name {
			return c.m
		}
	}
	panic(name)
}

func codecCaseWant(name string) string {
	for _, c := range codecCases {
		if c.name == name {
			return c.want
		}
	}
	panic(name)
}
