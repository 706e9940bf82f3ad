package rp

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

// codecCases are hand-worked from TS 24.011 §7.3 and §8.2.
var codecCases = []struct {
	name string
	m    Message
	want string
}{
	{"data-up", &Data{MR: 0x2a, Destination: Number("+4917"), UserData: h("01 00 01 81 f1 00 00 00")},
		"00 2a 00 03 91 9471 08 0100 0181f1 000000"},
	{"data-down", &Data{Downlink: true, MR: 1, Originator: Number("123"), UserData: []byte{0x04}},
		"01 01 03 81 21f3 00 01 04"},
	{"ack-up", &Ack{MR: 7}, "02 07"},
	{"ack-down-ud", &Ack{Downlink: true, MR: 7, UserData: h("01 00 62217071030040")}, "03 07 41 09 01 00 62217071030040"},
	{"error-up", &Error{MR: 9, Cause: CauseMemoryExceeded, UserData: h("00 d3 00")}, "04 09 01 16 41 03 00d300"},
	{"error-down-diag", &Error{Downlink: true, MR: 9, Cause: CauseUnassignedNumber, HasDiagnostic: true, Diagnostic: 3}, "05 09 02 01 03"},
	{"smma", &SMMA{MR: 200}, "06 c8"},
}

func TestCodec(t *testing.T) {
	for _, c := range codecCases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Marshal(c.m)
			if err != nil || !bytes.Equal(got, h(c.want)) {
				t.Fatalf("Marshal = % x, %v, want %s", got, err, c.want)
			}
			back, err := Decode(got)
			if err != nil || !reflect.DeepEqual(back, c.m) {
				t.Errorf("Decode = %+v, %v, want %+v", back, err, c.m)
			}
			optional := -1 // the prefix without the optional user data is valid
			switch m := c.m.(type) {
			case *Ack:
				optional = len(got) - udSize(m.UserData)
			case *Error:
				optional = len(got) - udSize(m.UserData)
			}
			for i := range got {
				if m, err := Decode(got[:i]); err == nil && i != optional {
					t.Errorf("Decode of %d-octet prefix = %+v", i, m)
				}
			}
			if _, err := Decode(append(got, 0x41)); err == nil {
				t.Error("Decode with a trailing octet succeeded")
			}
		})
	}
}

func TestHostile(t *testing.T) {
	for _, c := range []string{
		"07 00",                         // MTI 7
		"08 00",                         // spare bit
		"00 01 00 00 01 04",             // MS→N without destination
		"00 01 02 91 f1 02 91 f1 01 04", // MS→N with originator
		"01 01 01 80 00 01 04",          // a present address without digits or type
		"00 01 00 02 11 f1 01 04",       // type octet without bit 8
		"00 01 00 02 91 1f 01 04",       // 0xF inside the digits
		"00 01 00 0c 91 0000000000000000000000 01 04", // address too long
		"00 01 00 02 91 f1 00",                        // empty user data
		"04 01 01 81",                                 // cause with extension bit
		"04 01 03 01 02 03",                           // cause too long
		"02 01 42 01 00",                              // unknown IE
	} {
		if m, err := Decode(h(c)); err == nil {
			t.Errorf("Decode(%s) = %+v, want error", c, m)
		}
	}
}

func randAddr(r *rand.Rand) Address {
	n := r.IntN(21)
	d := make([]byte, n)
	for i := range d {
		d[i] = "0123456789*#abc"[r.IntN(15)]
	}
	a := Address{TON: uint8(r.IntN(8)), NPI: uint8(r.IntN(16)), Digits: string(d)}
	if a.IsZero() {
		a.NPI = 1
	}
	return a
}

func randMessage(r *rand.Rand) Message {
	ud := func(optional bool) []byte {
		if optional && r.IntN(2) == 0 {
			return nil
		}
		b := make([]byte, 1+r.IntN(MaxUserData))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return b
	}
	switch r.IntN(4) {
	case 0:
		m := &Data{Downlink: r.IntN(2) == 0, MR: uint8(r.IntN(256)), UserData: ud(false)}
		if m.Downlink {
			m.Originator = randAddr(r)
		} else {
			m.Destination = randAddr(r)
		}
		return m
	case 1:
		return &Ack{Downlink: r.IntN(2) == 0, MR: uint8(r.IntN(256)), UserData: ud(true)}
	case 2:
		m := &Error{Downlink: r.IntN(2) == 0, MR: uint8(r.IntN(256)), Cause: Cause(r.IntN(128)), UserData: ud(true)}
		if r.IntN(2) == 0 {
			m.HasDiagnostic, m.Diagnostic = true, uint8(r.IntN(256))
		}
		return m
	}
	return &SMMA{MR: uint8(r.IntN(256))}
}

func TestRoundTripProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 5000 {
		m := randMessage(r)
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

// FuzzDecode checks Decode: no panic, and a successful decode re-encodes
// to the same octets.
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
		if err != nil || !bytes.Equal(out, b) {
			t.Fatalf("% x decoded to %+v, re-encoded as % x, %v", b, m, out, err)
		}
		if m.MarshalSize() != len(out) {
			t.Fatalf("MarshalSize %d, wrote %d", m.MarshalSize(), len(out))
		}
	})
}

// TestUpdateSeeds rewrites testdata/fuzz (GSMBOX_UPDATE_SEEDS=1).
func TestUpdateSeeds(t *testing.T) {
	if os.Getenv("GSMBOX_UPDATE_SEEDS") != "1" {
		t.Skip("set GSMBOX_UPDATE_SEEDS=1 to rewrite testdata/fuzz")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range codecCases {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(h(c.want))))
		if err := os.WriteFile(filepath.Join(dir, c.name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCauseFor(t *testing.T) {
	for _, c := range []struct {
		b    string
		want Cause
	}{
		{"07 00", CauseMessageTypeNonExistent},
		{"02 01 42 01 00", CauseIENonExistent},
		{"00 01 00 00 01 04", CauseInvalidMandatoryInfo},
		{"04 01", CauseInvalidMandatoryInfo},
	} {
		_, err := Decode(h(c.b))
		if got := CauseFor(err); err == nil || got != c.want {
			t.Errorf("CauseFor(Decode(%s) = %v) = %v, want %v", c.b, err, got, c.want)
		}
	}
}
