package gsm7

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"
)

func h(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// TestKnownPackings checks packings worked by hand from TS 23.038
// §6.1.2.1.1 and the widely published "hellohello" example.
func TestKnownPackings(t *testing.T) {
	for _, c := range []struct {
		text string
		fill int
		want string
	}{
		{"hellohello", 0, "e8329bfd4697d9ec37"},
		{"Hi", 0, "c834"},
		{"@", 0, "00"},
		{"A", 1, "82"},                    // one fill bit: 0x41<<1
		{"[]", 0, "1bde c607"},            // escape 0x3C, escape 0x3E
		{"€", 0, "9b32"},                  // escape 0x65
		{"ABCDEFGH", 0, "41e19058341e91"}, // 8 septets in 7 octets
	} {
		s, err := Encode(nil, c.text)
		if err != nil {
			t.Fatal(err)
		}
		got := Pack(nil, s, c.fill)
		if !bytes.Equal(got, h(c.want)) {
			t.Errorf("Pack(Encode(%q), %d) = % x, want %s", c.text, c.fill, got, c.want)
		}
		back, err := Unpack(nil, got, len(s), c.fill)
		if err != nil || Decode(back) != c.text {
			t.Errorf("Decode(Unpack(% x)) = %q, %v, want %q", got, Decode(back), err, c.text)
		}
	}
}

func TestCount(t *testing.T) {
	for _, c := range []struct {
		s    string
		n    int
		fail bool
	}{
		{"", 0, false}, {"abc", 3, false}, {"a€", 3, false}, {"{}", 4, false},
		{"ÄÖÜ§", 4, false}, {"Ж", 0, true}, {"a\x1b", 0, true}, {"😀", 0, true},
	} {
		n, err := Count(c.s)
		if (err != nil) != c.fail || n != c.n {
			t.Errorf("Count(%q) = %d, %v, want %d (fail %v)", c.s, n, err, c.n, c.fail)
		}
	}
}

func TestDecodeLenient(t *testing.T) {
	// Escape + 'A' (no extension character): 'A'. Escape escape: space.
	// Trailing escape dropped.
	if got := Decode([]byte{Escape, 'A', Escape, Escape, 'b', Escape}); got != "A b" {
		t.Errorf("Decode = %q, want %q", got, "A b")
	}
}

func TestUnpackShort(t *testing.T) {
	if _, err := Unpack(nil, []byte{1, 2}, 3, 0); err == nil {
		t.Error("Unpack of 3 septets from 2 octets succeeded")
	}
	if _, err := Unpack(nil, []byte{1, 2, 3}, 3, 7); err == nil {
		t.Error("Unpack of 3 septets after 7 fill bits from 3 octets succeeded")
	}
}

// randText returns a random string over the alphabet and its extension.
func randText(r *rand.Rand, n int) string {
	var chars []rune
	for i, c := range basic {
		if i != Escape {
			chars = append(chars, c)
		}
	}
	for _, e := range ext {
		chars = append(chars, e.r)
	}
	var b strings.Builder
	for range n {
		b.WriteRune(chars[r.IntN(len(chars))])
	}
	return b.String()
}

func TestRoundTripProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		text := randText(r, r.IntN(200))
		fill := r.IntN(7)
		s, err := Encode(nil, text)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := Count(text); n != len(s) {
			t.Fatalf("Count(%q) = %d, Encode gave %d septets", text, n, len(s))
		}
		p := Pack([]byte{0xaa}, s, fill)[1:]
		if len(p) != PackedLen(len(s), fill) || !SpareBitsZero(p, len(s), fill) {
			t.Fatalf("Pack(%q, %d) = % x: bad length or spare bits", text, fill, p)
		}
		back, err := Unpack(nil, p, len(s), fill)
		if err != nil || !bytes.Equal(back, s) || Decode(back) != text {
			t.Fatalf("round trip of %q (fill %d): %q, %v", text, fill, Decode(back), err)
		}
		u := PackUSSD(nil, s)
		got := Decode(UnpackUSSD(nil, u))
		want := text
		if len(s)%8 == 0 && len(s) > 0 && s[len(s)-1] == CR {
			want += "\r" // §6.1.2.3.1: the receiver sees CR CR
		}
		if got != want {
			t.Fatalf("USSD round trip of %q = %q, want %q (% x)", text, got, want, u)
		}
	}
}

func TestUSSDPadding(t *testing.T) {
	// 7 septets: a CR fills the last 7 bits (TS 23.038 §6.1.2.3.1).
	s, _ := Encode(nil, "1234567")
	p := PackUSSD(nil, s)
	if len(p) != 7 || p[6]>>1 != CR {
		t.Errorf("PackUSSD(1234567) = % x, want 7 octets ending in CR<<1", p)
	}
	if got := Decode(UnpackUSSD(nil, p)); got != "1234567" {
		t.Errorf("UnpackUSSD = %q", got)
	}
	// *#100#: 6 septets, 6 octets, no padding.
	s, _ = Encode(nil, "*#100#")
	if p := PackUSSD(nil, s); !bytes.Equal(p, h("aa 51 0c 06 1b 01")) {
		t.Errorf("PackUSSD(*#100#) = % x", p)
	}
}

func FuzzUnpack(f *testing.F) {
	f.Add([]byte("hellohello"), uint8(3))
	f.Add(h("e8329bfd4697d9ec37"), uint8(0))
	f.Fuzz(func(t *testing.T, b []byte, fill uint8) {
		fl := int(fill % 7)
		n := max(len(b)*8-fl, 0) / 7
		s, err := Unpack(nil, b, n, fl)
		if err != nil {
			t.Fatalf("Unpack(% x, %d, %d): %v", b, n, fl, err)
		}
		p := Pack(nil, s, fl)
		if SpareBitsZero(b, n, fl) && fl == 0 && !bytes.Equal(p, b[:len(p)]) {
			t.Fatalf("Pack(Unpack(% x)) = % x", b, p)
		}
		_ = Decode(s)
		_ = UnpackUSSD(nil, b)
	})
}
