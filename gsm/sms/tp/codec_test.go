package tp

import (
	"bytes"
	"encoding/hex"
	"reflect"
	"strings"
	"testing"
	"time"
)

func h(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

func mustText(t testing.TB, u UserData, dcs DCS) string {
	t.Helper()
	c, err := u.Decode(dcs)
	if err != nil {
		t.Fatalf("UserData.Decode: %v", err)
	}
	return c.Text
}

// TestPublishedPDUs decodes SMS PDUs published with a field-by-field
// breakdown (provenance in testdata/README.md) and checks every field and
// that they re-encode to the same octets.
func TestPublishedPDUs(t *testing.T) {
	t.Run("deliver", func(t *testing.T) {
		b := h("04 0B C8 7238880900F1 00 00 99309251619580 0A E8329BFD4697D9EC37")
		m, err := DecodeSC(b, InRPData)
		if err != nil {
			t.Fatal(err)
		}
		d := m.(*Deliver)
		want := Address{TON: TONSubscriber, NPI: NPINational, Digits: "27838890001"}
		if d.OA != want || d.MoreMessages || d.PID != 0 || d.DCS != 0 {
			t.Errorf("Deliver = %+v", d)
		}
		if ts := (Timestamp{99, 3, 29, 15, 16, 59, 8}); d.SCTS != ts {
			t.Errorf("SCTS = %+v, want %+v", d.SCTS, ts)
		}
		if got := mustText(t, d.UD, d.DCS); got != "hellohello" {
			t.Errorf("text = %q", got)
		}
		checkReencode(t, m, b)
	})
	t.Run("submit", func(t *testing.T) {
		b := h("11 00 0B 91 6407281553F8 00 00 AA 0A E8329BFD4697D9EC37")
		m, err := DecodeMS(b, InRPData)
		if err != nil {
			t.Fatal(err)
		}
		s := m.(*Submit)
		if s.DA.String() != "+46708251358" || s.VP.Format != VPFRelative || RelativeDuration(s.VP.Relative) != 4*24*time.Hour {
			t.Errorf("Submit = %+v", s)
		}
		if got := mustText(t, s.UD, s.DCS); got != "hellohello" {
			t.Errorf("text = %q", got)
		}
		checkReencode(t, m, b)
	})
	t.Run("submit2", func(t *testing.T) {
		b := h("11 51 04 81 8116 00 00 FF 16 C8329BFD66B5F320B8BC4CA7E741F7B79C4D0E01")
		m, err := DecodeMS(b, InRPData)
		if err != nil {
			t.Fatal(err)
		}
		s := m.(*Submit)
		if s.MR != 0x51 || s.DA != (Address{TON: TONUnknown, NPI: NPIISDN, Digits: "1861"}) || RelativeDuration(s.VP.Relative) != 63*7*24*time.Hour {
			t.Errorf("Submit = %+v", s)
		}
		if got := mustText(t, s.UD, s.DCS); got != "Hello,my pretty world!" {
			t.Errorf("text = %q", got)
		}
		checkReencode(t, m, b)
	})
}

func checkReencode(t *testing.T, m TPDU, want []byte) {
	t.Helper()
	got, err := Marshal(m)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("Marshal(%T) = % x, %v, want % x", m, got, err, want)
	}
}

// codecCases are hand-worked encodings (TS 23.040 §9.2.2, §9.2.3).
var codecCases = []struct {
	name string
	ms   bool // sent by the MS
	in   Carrier
	m    TPDU
	want string
}{
	{"submit-srr-enhanced", true, InRPData, &Submit{
		StatusReportRequest: true, RejectDuplicates: true, MR: 7,
		DA: Address{TON: TONNational, NPI: NPIISDN, Digits: "1234"}, DCS: 0x08,
		VP: VP{Format: VPFEnhanced, Enhanced: [7]byte{0x42, 0x1e}},
		UD: UserData{Length: 4, Octets: []byte{0, 'h', 0, 'i'}},
	}, "2d 07 04a1 2143 00 08 421e0000000000 04 00680069"},
	// absolute VP 26-12-07 17:30:00 -04:00 (16 quarters west: 0x61|8=0x69)
	{"submit-absolute", true, InRPData, &Submit{
		MR: 255, DA: Number("+4917"), VP: VP{Format: VPFAbsolute, Absolute: Timestamp{26, 12, 7, 17, 30, 0, -16}},
		UD: UserData{Length: 2, Octets: h("c834")},
	}, "19 ff 04 91 9471 00 00 62217071030069 02 c834"},
	{"deliver-alnum", false, InRPData, &Deliver{
		MoreMessages: true, OA: Alphanumeric("gsmbox"), DCS: 0x00, SCTS: Timestamp{26, 12, 7, 17, 30, 5, 4},
		UD: UserData{Length: 2, Octets: h("c834")},
	}, "00 0b d0 e7795bfcc603 00 00 62217071035040 02 c834"},
	{"status-report", false, InRPData, &StatusReport{
		MR: 7, RA: Number("+4917"), SCTS: Timestamp{26, 12, 7, 17, 30, 0, 4}, DT: Timestamp{26, 12, 7, 17, 30, 9, 4}, ST: StatusReceived,
	}, "06 07 04 91 9471 62217071030040 62217071039040 00"},
	{"status-report-pi", false, InRPData, &StatusReport{
		MoreMessages: true, MR: 1, RA: Number("1"), SCTS: Timestamp{1, 1, 1, 0, 0, 0, 0}, DT: Timestamp{1, 1, 1, 0, 0, 0, 0}, ST: StatusValidityExpired,
		HasPI: true, Optional: Optional{PI: PIPID | PIDCS | PIUDL, DCS: 0x04, UD: UserData{Length: 1, Octets: []byte{0xaa}}},
	}, "02 01 01 81 f1 10101000000000 10101000000000 46 07 00 04 01 aa"},
	{"deliver-report-ack", true, InRPAck, &DeliverReport{}, "00 00"},
	{"deliver-report-error", true, InRPError, &DeliverReport{Error: true, FCS: FCSMemoryExceeded}, "00 d3 00"},
	{"submit-report-ack", false, InRPAck, &SubmitReport{SCTS: Timestamp{26, 12, 7, 17, 30, 0, 4}}, "01 00 62217071030040"},
	{"submit-report-error", false, InRPError, &SubmitReport{
		Error: true, FCS: FCSInvalidSMEAddress, SCTS: Timestamp{26, 12, 7, 17, 30, 0, 4},
		Optional: Optional{PI: PIUDL, UD: UserData{Length: 2, Octets: h("c834")}},
	}, "01 c3 04 62217071030040 02 c834"},
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
			dec := DecodeSC
			if c.ms {
				dec = DecodeMS
			}
			back, err := dec(got, c.in)
			if err != nil || !reflect.DeepEqual(back, c.m) {
				t.Errorf("Decode = %+v, %v, want %+v", back, err, c.m)
			}
			// Every shorter prefix fails cleanly (except where a status
			// report's optional TP-PI tail starts).
			_, optionalTail := c.m.(*StatusReport)
			for i := range got {
				if optionalTail && i == 2+c.m.(*StatusReport).RA.MarshalSize()+15 {
					continue
				}
				if _, err := dec(got[:i], c.in); err == nil {
					t.Errorf("Decode of %d-octet prefix succeeded", i)
				}
			}
			if _, err := dec(append(got, 0), c.in); err == nil && !optionalTail {
				t.Error("Decode with a trailing octet succeeded")
			}
		})
	}
}

func TestHostile(t *testing.T) {
	for _, c := range []struct {
		name string
		b    string
	}{
		{"udl-too-long", "01 00 01 81 f1 00 00 a1 " + strings.Repeat("00", 141)},
		{"udl-mismatch", "01 00 01 81 f1 00 00 05 c834"},
		{"reserved-dcs", "01 00 01 81 f1 00 80 02 c834"},
		{"reserved-alphabet", "01 00 01 81 f1 00 0c 02 c834"},
		{"bad-udh", "41 00 01 81 f1 00 04 04 07 00 03 01"},
		{"udh-longer-than-udl", "41 00 01 81 f1 00 00 02 05 00"},
		{"bad-concat-ie", "41 00 01 81 f1 00 04 05 04 00 02 01 02"},
		{"bad-digits", "01 00 02 81 ff 00 00 00"},
		{"no-ext-bit", "01 00 01 01 f1 00 00 00"},
		{"unused-bits", "03 00 01 81 f1 00 00 00"},
		{"command", "02 00 00 00 00 00"},
	} {
		if m, err := DecodeMS(h(c.b), InRPData); err == nil {
			t.Errorf("%s: DecodeMS(%s) = %+v, want error", c.name, c.b, m)
		}
	}
	// Bad packing: spare bits of the last octet set.
	u := UserData{Length: 1, Octets: []byte{0x81}}
	if _, err := u.Decode(0); err == nil {
		t.Error("Decode of 7-bit text with spare bits set succeeded")
	}
	u = UserData{Length: 3, Octets: []byte{0, 'h', 0}}
	if _, err := u.Decode(0x08); err == nil {
		t.Error("Decode of odd-length UCS2 succeeded")
	}
}

func TestRelativeVP(t *testing.T) {
	for _, c := range []struct {
		v uint8
		d time.Duration
	}{
		{0, 5 * time.Minute}, {143, 12 * time.Hour}, {144, 12*time.Hour + 30*time.Minute}, {167, 24 * time.Hour},
		{168, 2 * 24 * time.Hour}, {196, 30 * 24 * time.Hour}, {197, 5 * 7 * 24 * time.Hour}, {255, 63 * 7 * 24 * time.Hour},
	} {
		if got := RelativeDuration(c.v); got != c.d {
			t.Errorf("RelativeDuration(%d) = %v, want %v", c.v, got, c.d)
		}
		if got := RelativeVP(c.d); got != c.v {
			t.Errorf("RelativeVP(%v) = %d, want %d", c.d, got, c.v)
		}
	}
}

func TestEnhancedVP(t *testing.T) {
	for _, e := range []EnhancedVP{
		{}, {SingleShot: true}, {Kind: EnhancedRelative, Relative: 167}, {Kind: EnhancedSeconds, Seconds: 90},
		{Kind: EnhancedHMS, HMS: 25*time.Hour + 3*time.Minute + 59*time.Second},
	} {
		b, err := e.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseEnhancedVP(b)
		if err != nil || back != e {
			t.Errorf("ParseEnhancedVP(% x) = %+v, %v, want %+v", b, back, err, e)
		}
	}
	if b, _ := (EnhancedVP{Kind: EnhancedHMS, HMS: 12*time.Hour + 34*time.Minute + 56*time.Second}).Marshal(); !bytes.Equal(b[:4], h("03 21 43 65")) {
		t.Errorf("HMS 12:34:56 = % x", b)
	}
	for _, bad := range [][7]byte{{0x80}, {0x04}, {0x08}, {0x01, 1, 1}, {0x03, 0x0a}} {
		if _, err := ParseEnhancedVP(bad); err == nil {
			t.Errorf("ParseEnhancedVP(% x) succeeded", bad)
		}
	}
	scts := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		vp   VP
		want time.Duration
	}{
		{VP{Format: VPFRelative, Relative: 11}, time.Hour},
		{VP{Format: VPFEnhanced, Enhanced: [7]byte{2, 30}}, 30 * time.Second},
		{VP{Format: VPFAbsolute, Absolute: Timestamp{26, 12, 7, 2, 0, 0, 4}}, time.Hour},
	} {
		exp, ok, err := c.vp.Expiry(scts)
		if err != nil || !ok || exp.Sub(scts) != c.want {
			t.Errorf("Expiry(%+v) = %v, %v, %v, want +%v", c.vp, exp, ok, err, c.want)
		}
	}
	if _, ok, _ := (VP{}).Expiry(scts); ok {
		t.Error("no VP has an expiry")
	}
}

func TestTimestamp(t *testing.T) {
	loc := time.FixedZone("", -(3*3600 + 30*60))
	tm := time.Date(2026, 11, 22, 3, 4, 5, 0, loc)
	ts := TimestampOf(tm)
	var b [7]byte
	if _, err := ts.MarshalTo(b[:]); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b[:], h("62 11 22 30 40 50 49")) { // -14 quarters: units 4, sign, tens 1
		t.Errorf("MarshalTo = % x", b)
	}
	var back Timestamp
	if err := back.Unmarshal(b[:]); err != nil || back != ts {
		t.Fatalf("Unmarshal = %+v, %v", back, err)
	}
	if got, err := back.Time(); err != nil || !got.Equal(tm) {
		t.Errorf("Time = %v, %v, want %v", got, err, tm)
	}
	for _, bad := range []string{"6a 11 22 30 40 50 49", "62 11 22 30 40 50 a0", "62 11 22 30 40 50 08"} {
		if err := back.Unmarshal(h(bad)); err == nil {
			t.Errorf("Unmarshal(%s) succeeded", bad)
		}
	}
}

func TestDCS(t *testing.T) {
	n := 0
	for v := range 256 {
		d := DCS(v)
		i, err := d.Info()
		if err != nil {
			if !(v>>4 >= 8 && v>>4 <= 0xb) && v>>2&3 != 3 && !(v>>4 >= 0xc && v&4 != 0) && !(v>>4 == 0xf && v&8 != 0) {
				t.Errorf("DCS(%#02x).Info: %v", v, err)
			}
			continue
		}
		n++
		back, err := MakeDCS(i)
		if err != nil {
			t.Errorf("MakeDCS(%+v) from %#02x: %v", i, v, err)
			continue
		}
		// Canonical octets come back unchanged; others mean the same.
		again, _ := back.Info()
		if again != i {
			t.Errorf("DCS %#02x: %+v re-encodes to %#02x = %+v", v, i, back, again)
		}
	}
	for _, c := range []struct {
		v    DCS
		want DCSInfo
	}{
		{0x00, DCSInfo{Alphabet: GSM7, Class: NoClass}},
		{0x08, DCSInfo{Alphabet: UCS2, Class: NoClass}},
		{0x10, DCSInfo{Alphabet: GSM7, Class: 0}},
		{0xf6, DCSInfo{Group: GroupDataClass, Alphabet: Data8, Class: 2}},
		{0xc8, DCSInfo{Group: GroupMWIDiscard, Class: NoClass, MWIActive: true}},
		{0xe3, DCSInfo{Group: GroupMWIStoreUCS2, Alphabet: UCS2, Class: NoClass, MWIType: MWIOther}},
		{0x60, DCSInfo{Group: GroupAutoDelete, Alphabet: GSM7, Class: NoClass, Compressed: true}},
	} {
		if got, err := c.v.Info(); err != nil || got != c.want {
			t.Errorf("DCS(%#02x).Info() = %+v, %v, want %+v", c.v, got, err, c.want)
		}
		if got, err := MakeDCS(c.want); err != nil || got != c.v {
			t.Errorf("MakeDCS(%+v) = %#02x, %v, want %#02x", c.want, got, err, c.v)
		}
	}
	if n == 0 {
		t.Fatal("no DCS decoded")
	}
	if _, err := DCS(0x20).Alphabet(); err == nil {
		t.Error("compressed DCS has an alphabet")
	}
}

func TestFailureCause(t *testing.T) {
	for _, c := range []struct {
		b    string
		want FCS
	}{
		{"01 00 02 81 ff 00 00 00", FCSInvalidSMEAddress},
		{"01 00 01 81 f1 00 80 00", FCSDCSNotSupported},
		{"02 00 00 00 00 00", FCSTPDUNotSupported},
		{"19 00 01 81 f1 00 00 ffffffffffffff 00", FCSVPNotSupported},
		{"01 00 01 81 f1 00 00 05 c834", FCSUnspecified},
	} {
		_, err := DecodeMS(h(c.b), InRPData)
		if got := FailureCause(err); err == nil || got != c.want {
			t.Errorf("FailureCause(DecodeMS(%s) = %v) = %#02x, want %#02x", c.b, err, got, c.want)
		}
	}
}

func TestDeliverFor(t *testing.T) {
	parts, err := EncodeText("Привет", TextOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := &Submit{MR: 9, StatusReportRequest: true, DA: Number("+4917"), PID: 0x41, DCS: parts[0].DCS, UD: parts[0].UD}
	scts := Timestamp{26, 12, 7, 1, 2, 3, 4}
	d := DeliverFor(s, Number("+4918"), scts, false)
	b, err := Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	back, err := DecodeSC(b, InRPData)
	if err != nil {
		t.Fatal(err)
	}
	got := back.(*Deliver)
	if !got.StatusReportIndication || got.PID != 0x41 || got.OA.String() != "+4918" || mustText(t, got.UD, got.DCS) != "Привет" {
		t.Errorf("DeliverFor = %+v", got)
	}
	sr := StatusReportFor(s, scts, scts, StatusReceived)
	if sr.MR != 9 || sr.RA != s.DA || !sr.ST.Final() || StatusCongestion.Final() {
		t.Errorf("StatusReportFor = %+v", sr)
	}
}
