package ss

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
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

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// codecCases are worked by hand from TS 24.080 §2–3.6 and the BER of
// X.690. The *#100# string packs to aa 51 0c 06 1b 01 (TS 23.038
// §6.1.2.3.1, 6 septets in 6 octets).
var codecCases = []struct {
	name string
	m    Message
	want string
}{
	{"register-ussd", &Register{Header: Header{NSD: 1},
		Facility:   Facility{{Type: Invoke, InvokeID: 1, Op: OpProcessUnstructuredSSRequest, Param: h("30 0b 04 01 0f 04 06 aa510c061b01")}},
		HasVersion: true, Version: []byte{0}},
		"0b 7b 1c 15 a1 13 02 01 01 02 01 3b 30 0b 04 01 0f 04 06 aa510c061b01 7f 01 00"},
	{"release-result", &ReleaseComplete{Header: Header{TIFlag: true}, HasFacility: true,
		Facility: Facility{{Type: ReturnResult, InvokeID: 1, HasResult: true, Op: OpProcessUnstructuredSSRequest, Param: h("30 08 04 01 0f 04 03 31d90c")}}},
		"8b 2a 1c 14 a2 12 02 01 01 30 0d 02 01 3b 30 08 04 01 0f 04 03 31d90c"},
	{"facility-request", &FacilityMsg{Header: Header{TIFlag: true, TI: 2},
		Facility: Facility{{Type: Invoke, InvokeID: 2, HasLinked: true, LinkedID: 1, Op: OpUnstructuredSSRequest, Param: h("30 06 04 01 0f 04 01 31")}}},
		"ab 3a 13 a1 11 02 01 02 80 01 01 02 01 3c 30 06 04 01 0f 04 01 31"},
	{"facility-empty-result", &FacilityMsg{Header: Header{TI: 2, NSD: 2},
		Facility: Facility{{Type: ReturnResult, InvokeID: -1}}},
		"2b ba 05 a2 03 02 01 ff"},
	{"release-error", &ReleaseComplete{HasCause: true, Cause: Cause{Coding: 3, Location: 10, Value: 127}, HasFacility: true,
		Facility: Facility{{Type: ReturnError, InvokeID: 1, ErrorCode: ErrorUnknownAlphabet}}},
		"0b 2a 08 02 ea ff 1c 08 a3 06 02 01 01 02 01 47"},
	{"release-reject", &ReleaseComplete{HasFacility: true, Facility: Facility{{Type: Reject, NoInvokeID: true, Problem: Problem{ProblemGeneral, 2}}}},
		"0b 2a 1c 07 a4 05 05 00 80 01 02"},
	{"release-cause-rec", &ReleaseComplete{HasCause: true, Cause: Cause{Location: 1, HasRecommendation: true, Recommendation: 2, Value: 16, Diagnostic: []byte{1, 2}}},
		"0b 2a 08 05 01 82 90 01 02"},
	{"release-bare", &ReleaseComplete{Header: Header{TIFlag: true, TI: 6}}, "eb 2a"},
}

func TestCodec(t *testing.T) {
	for _, c := range codecCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Marshal(c.m)
			if err != nil || !bytes.Equal(got, h(c.want)) {
				t.Fatalf("Marshal = % x, %v, want %s", got, err, c.want)
			}
			if n := c.m.MarshalSize(); n != len(got) {
				t.Errorf("MarshalSize = %d, wrote %d", n, len(got))
			}
			back, err := Decode(got)
			if err != nil || !reflect.DeepEqual(back, c.m) {
				t.Errorf("Decode = %+v, %v, want %+v", back, err, c.m)
			}
		})
	}
}

func TestUSSDText(t *testing.T) {
	var r Register
	if err := r.Unmarshal(h(codecCases[0].want)); err != nil {
		t.Fatal(err)
	}
	if got, err := r.Facility[0].USSDText(); err != nil || got != "*#100#" {
		t.Errorf("USSDText = %q, %v", got, err)
	}
	for _, text := range []string{"*#100#", "1234567", "Your number is +4917012345", "Баланс: 5 €", "😀", strings.Repeat("x", 182)} {
		for _, op := range []Opcode{OpProcessUnstructuredSSRequest, OpUnstructuredSSRequest, OpUnstructuredSSNotify} {
			inv := must(NewUSSDInvoke(3, op, text))
			res := must(NewUSSDResult(3, op, text))
			for _, c := range []Component{inv, res} {
				f := Facility{c}
				b := must(f.AppendTo(nil))
				back, err := ParseFacility(b)
				if err != nil {
					t.Fatalf("%q: ParseFacility(% x): %v", text, b, err)
				}
				if got, err := back[0].USSDText(); err != nil || got != text {
					t.Errorf("%v %q: USSDText = %q, %v", c.Type, text, got, err)
				}
			}
		}
	}
	if _, err := EncodeUSSD(strings.Repeat("x", 183)); err == nil {
		t.Error("183 septets encoded")
	}
	if u := must(EncodeUSSD("1234567")); len(u.String) != 7 || u.String[6]>>1 != 0x0d {
		t.Errorf("7 septets not padded with CR: % x", u.String)
	}
	for _, c := range []struct {
		dcs  uint8
		s    string
		want string
	}{
		{0x00, "31d90c", "123"}, {0x44, "414243", "ABC"}, {0x11, "", ""}, {0x48, "00410042", "AB"}, {0xf4, "7a", "z"},
	} {
		got, err := (USSD{DCS: c.dcs, String: h(c.s)}).Text()
		if (c.dcs == 0x11) != (err != nil) || got != c.want {
			t.Errorf("USSD{%#02x, %s}.Text() = %q, %v, want %q", c.dcs, c.s, got, err, c.want)
		}
	}
}

func TestHostile(t *testing.T) {
	for _, c := range []string{
		"0b 3b 1c 04 a1 80 02 01",                // indefinite length
		"0b 3b 1c 06 a1 81 03 02 01 01",          // non-minimal length
		"0b 3b 1c 05 a1 05 02 01 01 02",          // length past the end
		"0b 3b 1c 05 a5 03 02 01 01",             // unknown component
		"0b 3b 1c 05 a1 03 02 02 00 01",          // two-octet invoke ID... and no opcode
		"0b 3b 1c 09 a1 07 02 01 01 02 01 3b 00", // garbage inside a component
		"0b 3b",                                  // no facility
		"0b 3b 1c 00",                            // empty facility
		"0b 2a 08 02 e0 7f",                      // cause value without ext bit
		"7b 3b 1c 05 a1 03 02 01 01",             // TI 7
		"0b 3f",                                  // unknown type
		"05 3b 1c 05 a1 03 02 01 01",             // MM PD
	} {
		if m, err := Decode(h(c)); err == nil {
			t.Errorf("Decode(%s) = %+v, want error", c, m)
		}
	}
	// Deep nesting in a parameter is refused.
	p := []byte{0x04, 0x00}
	for range 12 {
		p = append([]byte{0x30, byte(len(p))}, p...)
	}
	f := append([]byte{0xa1, byte(6 + len(p)), 2, 1, 1, 2, 1, 59}, p...)
	if _, err := ParseFacility(f); err == nil {
		t.Error("a parameter nested 12 deep was accepted")
	}
	var a USSDArg
	if err := a.Unmarshal(h("30 06 04 01 0f 04 01")); err == nil {
		t.Error("a truncated USSD-Arg decoded")
	}
}

func randComponent(r *rand.Rand) Component {
	c := Component{Type: ComponentType(1 + r.IntN(4)), InvokeID: int8(r.IntN(256) - 128)}
	param := func() []byte {
		if r.IntN(3) == 0 {
			return nil
		}
		text := []string{"*#100#", "1", "Привет", strings.Repeat("ab", r.IntN(80))}[r.IntN(4)]
		if text == "" {
			text = "x"
		}
		u := must(EncodeUSSD(text))
		if r.IntN(2) == 0 {
			a := USSDArg{USSD: u, HasAlertingPattern: r.IntN(2) == 0, AlertingPattern: uint8(r.IntN(256))}
			if r.IntN(2) == 0 {
				a.MSISDN = []byte{0x91, 0x94, 0x71}
			}
			return must(a.Marshal())
		}
		res := USSDRes{USSD: u}
		return must(res.Marshal())
	}
	switch c.Type {
	case Invoke:
		c.HasLinked, c.LinkedID = r.IntN(2) == 0, int8(r.IntN(256)-128)
		if !c.HasLinked {
			c.LinkedID = 0
		}
		c.Op, c.Param = Opcode(r.IntN(128)), param()
	case ReturnResult:
		if r.IntN(3) > 0 {
			c.HasResult, c.Op, c.Param = true, Opcode(r.IntN(128)), param()
		}
	case ReturnError:
		c.ErrorCode, c.Param = uint8(r.IntN(128)), param()
	case Reject:
		c.Problem = Problem{ProblemTag(r.IntN(4)), uint8(r.IntN(256))}
		if r.IntN(3) == 0 {
			c.NoInvokeID, c.InvokeID = true, 0
		}
	}
	return c
}

func TestRoundTripProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for i := range 3000 {
		f := Facility{randComponent(r)}
		if r.IntN(4) == 0 {
			f = append(f, randComponent(r))
		}
		if f.MarshalSize() > 255 {
			continue
		}
		hd := Header{TIFlag: r.IntN(2) == 0, TI: uint8(r.IntN(7)), NSD: uint8(r.IntN(4))}
		var m Message
		switch r.IntN(3) {
		case 0:
			m = &Register{Header: hd, Facility: f, HasVersion: r.IntN(2) == 0}
			if m.(*Register).HasVersion {
				m.(*Register).Version = []byte{byte(r.IntN(2))}
			}
		case 1:
			m = &FacilityMsg{Header: hd, Facility: f}
		default:
			rc := &ReleaseComplete{Header: hd}
			if r.IntN(2) == 0 {
				rc.HasCause, rc.Cause = true, Cause{Coding: 3, Location: uint8(r.IntN(16)), Value: uint8(r.IntN(128))}
			}
			if r.IntN(2) == 0 {
				rc.HasFacility, rc.Facility = true, f
			}
			m = rc
		}
		b, err := Marshal(m)
		if err != nil {
			t.Fatalf("%d: Marshal(%+v): %v", i, m, err)
		}
		back, err := Decode(b)
		if err != nil || !reflect.DeepEqual(back, m) {
			t.Fatalf("%d: Decode(% x) = %+v, %v, want %+v", i, b, back, err, m)
		}
	}
}

// FuzzDecode: no panic; a successful decode re-encodes to a message that
// decodes the same, and to the input itself unless optional IEs were
// skipped (which only shortens it).
func FuzzDecode(f *testing.F) {
	for _, c := range codecCases {
		f.Add(h(c.want))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			return
		}
		out, err := Marshal(m)
		if err != nil {
			t.Fatalf("Marshal(%+v) after decoding % x: %v", m, b, err)
		}
		if len(out) == len(b) && !bytes.Equal(out, b) || len(out) > len(b) {
			t.Fatalf("% x decoded to %+v, re-encoded as % x", b, m, out)
		}
		back, err := Decode(out)
		if err != nil || !reflect.DeepEqual(back, m) {
			t.Fatalf("Decode(Marshal) = %+v, %v, want %+v", back, err, m)
		}
		for _, c := range facilityOf(m) {
			c.USSDText() // fails or succeeds, never panics
		}
	})
}

func facilityOf(m Message) Facility {
	switch m := m.(type) {
	case *Register:
		return m.Facility
	case *FacilityMsg:
		return m.Facility
	case *ReleaseComplete:
		return m.Facility
	}
	return nil
}

// FuzzUSSD fuzzes the USSD-Arg decoder and the text decoding: a decoded
// argument re-encodes to the input.
func FuzzUSSD(f *testing.F) {
	f.Add(h("30 0b 04 01 0f 04 06 aa510c061b01"))
	f.Add(h("30 0e 04 01 48 04 04 00410042 04 01 07 80 00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var a USSDArg
		if a.Unmarshal(b) != nil {
			return
		}
		out, err := a.Marshal()
		if err != nil || !bytes.Equal(out, b) {
			t.Fatalf("% x decoded to %+v, re-encoded as % x, %v", b, a, out, err)
		}
		a.Text()
	})
}

// TestUpdateSeeds rewrites testdata/fuzz (GSMBOX_UPDATE_SEEDS=1).
func TestUpdateSeeds(t *testing.T) {
	if os.Getenv("GSMBOX_UPDATE_SEEDS") != "1" {
		t.Skip("set GSMBOX_UPDATE_SEEDS=1 to rewrite testdata/fuzz")
	}
	write := func(target, name string, b []byte) {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(b)))
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range codecCases {
		write("FuzzDecode", c.name, h(c.want))
	}
	write("FuzzUSSD", "star-hash-100", h("30 0b 04 01 0f 04 06 aa510c061b01"))
	write("FuzzUSSD", "ucs2-alerting-msisdn", h("30 0e 04 01 48 04 04 00410042 04 01 07 80 00"))
}
