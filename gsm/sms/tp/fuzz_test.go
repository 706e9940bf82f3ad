package tp

import (
	"bytes"
	"testing"
)

// fuzzTPDU checks one decoder: no panic, and a successful decode
// re-encodes to exactly the input octets.
func fuzzTPDU(t *testing.T, b []byte, dec func([]byte, Carrier) (TPDU, error)) {
	if len(b) < 1 {
		return
	}
	in, body := Carrier(b[0]%3), b[1:]
	m, err := dec(body, in)
	if err != nil {
		return
	}
	out, err := Marshal(m)
	if err != nil {
		t.Fatalf("Marshal(%+v) after decoding % x: %v", m, body, err)
	}
	if !bytes.Equal(out, body) {
		t.Fatalf("% x decoded to %+v, re-encoded as % x", body, m, out)
	}
	if n := m.MarshalSize(); n != len(out) {
		t.Fatalf("MarshalSize %d, wrote %d", n, len(out))
	}
	// The user data decodes or fails cleanly.
	switch m := m.(type) {
	case *Submit:
		m.UD.Decode(m.DCS)
	case *Deliver:
		m.UD.Decode(m.DCS)
	}
}

// FuzzDecodeMS fuzzes SMS-SUBMIT and SMS-DELIVER-REPORT; the first octet
// picks the carrier.
func FuzzDecodeMS(f *testing.F) {
	for _, c := range codecCases {
		if c.ms {
			f.Add(append([]byte{byte(c.in)}, h(c.want)...))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) { fuzzTPDU(t, b, DecodeMS) })
}

// FuzzDecodeSC fuzzes SMS-DELIVER, SMS-STATUS-REPORT and
// SMS-SUBMIT-REPORT.
func FuzzDecodeSC(f *testing.F) {
	for _, c := range codecCases {
		if !c.ms {
			f.Add(append([]byte{byte(c.in)}, h(c.want)...))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) { fuzzTPDU(t, b, DecodeSC) })
}

// FuzzUserData fuzzes the user data interpretation (header, fill bits,
// 7-bit unpacking, UCS2): input is DCS, UDHI, UDL, octets. Decoded text
// in the GSM 7-bit or UCS2 alphabet re-encodes to the same octets when
// the input was canonical.
func FuzzUserData(f *testing.F) {
	f.Add([]byte{0x00, 1, 10, 5, 0, 3, 1, 2, 1, 0x80, 0x80, 0x80, 0x01})
	f.Add([]byte{0x08, 0, 4, 0xd8, 0x3d, 0xde, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 3 {
			return
		}
		u := UserData{HeaderIndicator: b[1]&1 != 0, Length: b[2], Octets: b[3:]}
		dcs := DCS(b[0])
		c, err := u.Decode(dcs)
		if err != nil {
			return
		}
		back, err := EncodeUserData(c.Alphabet, c.Header, c.Text, c.Data)
		if err != nil {
			return // e.g. text with lone escapes decodes to characters needing more septets
		}
		c2, err := back.Decode(dcs)
		if err != nil {
			t.Fatalf("re-encoded user data %+v does not decode: %v", back, err)
		}
		if c2.Text != c.Text || !bytes.Equal(c2.Data, c.Data) {
			t.Fatalf("%+v → %+v → %+v", c, back, c2)
		}
	})
}
