package bcd

import (
	"bytes"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	for _, c := range []struct {
		s    string
		want []byte
	}{
		{"", nil}, {"1", []byte{0xf1}}, {"12", []byte{0x21}}, {"*#100#", []byte{0xba, 0x01, 0xb0}},
		{"49171234567", []byte{0x94, 0x71, 0x21, 0x43, 0x65, 0xf7}}, {"abc", []byte{0xdc, 0xfe}},
	} {
		got, err := Append(nil, c.s)
		if err != nil || !bytes.Equal(got, c.want) {
			t.Errorf("Append(%q) = % x, %v, want % x", c.s, got, err, c.want)
		}
		back, err := Decode(got, -1)
		if err != nil || back != c.s {
			t.Errorf("Decode(% x) = %q, %v, want %q", got, back, err, c.s)
		}
	}
	for _, bad := range [][]byte{{0xff}, {0x1f, 0x21}, {0xf1, 0x21}} {
		if s, err := Decode(bad, 2*len(bad)); err == nil {
			t.Errorf("Decode(% x) = %q, want error", bad, s)
		}
	}
	if _, err := Append(nil, "12x"); err == nil {
		t.Error("Append(12x) succeeded")
	}
}
