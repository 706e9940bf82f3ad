package registry

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/l3"
)

func fullSubscriber() Subscriber {
	m, _ := ParseIMEI("49015420323751")
	s := Subscriber{
		IMSI: "001010123456789", MSISDN: "+4915112345678", Algorithm: crypto.Milenage,
		IMEI: m, Name: "Zoë", SQN: 0xabcdef012345, TMSI: 0x01020304, NewTMSI: 0x3fffffff,
		LAI:      LAI{PLMN: l3.PLMN{MCC: "001", MNC: "001"}, LAC: 65535},
		Attached: true, Barred: true,
		LastSeen: time.Date(2026, 3, 4, 5, 6, 7, 8, time.UTC),
		Created:  time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for i := range s.Ki {
		s.Ki[i], s.OPc[i] = byte(i), byte(0xf0+i)
	}
	return s
}

func TestRecordRoundTrip(t *testing.T) {
	for name, s := range map[string]Subscriber{
		"full":    fullSubscriber(),
		"minimal": {IMSI: "001010000000001"},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := s.MarshalBinary()
			if err != nil {
				t.Fatalf("MarshalBinary = %v", err)
			}
			var got Subscriber
			if err := got.UnmarshalBinary(b); err != nil {
				t.Fatalf("UnmarshalBinary = %v", err)
			}
			if got != s {
				t.Errorf("round trip = %+v, want %+v", got, s)
			}
		})
	}
}

// TestRecordGolden pins the version-1 layout: a change to it must come
// with a new version number and a decoder for the old one.
func TestRecordGolden(t *testing.T) {
	s := Subscriber{IMSI: "001010000000001", MSISDN: "1001", Algorithm: crypto.COMP128v1, TMSI: 0x11223344}
	s.Ki[15] = 1
	b, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{1, 0, 1,
		15, '0', '0', '1', '0', '1', '0', '0', '0', '0', '0', '0', '0', '0', '0', '1',
		4, '1', '0', '0', '1',
		0,
	}
	want = append(want, make([]byte, 14)...)    // IMEI
	want = append(want, make([]byte, 15)...)    // Ki
	want = append(want, 1)                      // Ki[15]
	want = append(want, make([]byte, 16+6)...)  // OPc, SQN
	want = append(want, 0x11, 0x22, 0x33, 0x44) // TMSI
	want = append(want, 0, 0, 0, 0, 0, 0, 0, 0) // NewTMSI, MCC len, MNC len, LAC
	want = append(want, make([]byte, 16)...)    // LastSeen, Created
	if got := b[:len(b)-4]; !bytes.Equal(got, want) {
		t.Errorf("MarshalBinary = % x\nwant            % x", got, want)
	}
}

func TestRecordCorrupt(t *testing.T) {
	good, _ := func() ([]byte, error) { s := fullSubscriber(); return s.MarshalBinary() }()
	flip := bytes.Clone(good)
	flip[20] ^= 1
	trunc := good[:len(good)-5]
	ver := bytes.Clone(good)
	ver[0] = 9
	for name, b := range map[string][]byte{"empty": nil, "bitflip": flip, "truncated": trunc, "version": ver, "short": {1, 2}} {
		t.Run(name, func(t *testing.T) {
			var s Subscriber
			if err := s.UnmarshalBinary(b); !errors.Is(err, ErrCorrupt) {
				t.Errorf("UnmarshalBinary(%s) = %v, want ErrCorrupt", name, err)
			}
		})
	}
}

func TestSecretsRedacted(t *testing.T) {
	s := fullSubscriber()
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		out := sprintf(f, s)
		if bytes.Contains([]byte(out), []byte("000102030405")) || bytes.Contains([]byte(out), []byte("f0f1f2")) {
			t.Errorf("Sprintf(%q, subscriber) = %s: leaks a key", f, out)
		}
	}
}

func sprintf(f string, a ...any) string { return fmt.Sprintf(f, a...) }
