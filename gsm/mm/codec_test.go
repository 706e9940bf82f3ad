package mm

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/l3"
)

// h decodes hex with spaces, for octet strings written by hand.
func h(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

var (
	testLAI = l3.LAI{PLMN: l3.PLMN{MCC: "262", MNC: "42"}, LAC: 0x1234}      // 62 f2 24 12 34
	testCM1 = l3.Classmark1{Revision: 2, ESInd: true, A51: true, RFPower: 3} // 0x53
	// testCM2 is 44 19 92: rev 2, A5/1, power 4; SS 1, SM, FC; CM3, UCS2, A5/3.
	testCM2 = l3.Classmark2{Classmark1: l3.Classmark1{Revision: 2, A51: true, RFPower: 4}, SSScreening: 1, SMCap: true, FC: true, CM3: true, UCS2: true, A53: true}
)

func seq(n int, v byte) (a [16]byte) {
	for i := range n {
		a[i] = v + byte(i)*map[bool]byte{true: 1, false: 0}[v == 0]
	}
	return a
}

// codecCases are the messages with octet strings worked out by hand from
// the coding rules of TS 24.008 §9.2 and §10.5 (the comments show how).
var codecCases = []struct {
	name string
	m    Message
	want string
}{
	{"lu-request-tmsi", &LocationUpdatingRequest{Type: LUNormal, CKSN: 7, LAI: testLAI, Classmark1: testCM1, Identity: l3.TMSI(0xdeadbeef)},
		// 05 08 | CKSN 7, type 0 | LAI | CM1 | LV TMSI
		"05 08 70 62f2241234 53 05f4deadbeef"},
	{"lu-request-imsi-attach", &LocationUpdatingRequest{NSD: 1, Type: LUIMSIAttach, FollowOn: true, CKSN: 2, LAI: testLAI, Classmark1: testCM1,
		Identity: l3.IMSI("262420123456789"), HasClassmark: true, Classmark2: testCM2},
		// N(SD) 1 in bits 8-7: 0x48; FOR|IMSI attach = 0xa, CKSN 2; IMSI odd: 2|1|001 = 0x29, then swapped digit pairs
		"05 48 2a 62f2241234 53 08 29262410325476 98 33 03 441992"},
	{"lu-request-periodic-aup", &LocationUpdatingRequest{NSD: 3, Type: LUPeriodic, CKSN: 0, LAI: testLAI, Classmark1: testCM1, Identity: l3.TMSI(1), HasAUP: true, AUP: 1, HasDevProps: true, DevProps: 1},
		"05 c8 01 62f2241234 53 05f400000001 c1 d1"},
	{"lu-accept-tmsi-fop", &LocationUpdatingAccept{LAI: testLAI, HasIdentity: true, Identity: l3.TMSI(0x10000001), FollowOn: true},
		"05 02 62f2241234 17 05 f410000001 a1"},
	{"lu-accept-imsi-cts", &LocationUpdatingAccept{LAI: testLAI, HasIdentity: true, Identity: l3.IMSI("262420123456789"), CTSPermission: true},
		"05 02 62f2241234 17 08 2926241032547698 a2"},
	{"lu-accept-plain", &LocationUpdatingAccept{LAI: testLAI}, "05 02 62f2241234"},
	{"lu-reject-13", &LocationUpdatingReject{Cause: CauseRoamingNotAllowedInLA}, "05 04 0d"},
	{"identity-request-imei", &IdentityRequest{Type: IdentityIMEI}, "05 18 02"},
	{"identity-request-imsi", &IdentityRequest{Type: IdentityIMSI}, "05 18 01"},
	{"identity-response-imeisv", &IdentityResponse{NSD: 2, Identity: l3.MobileIdentity{Type: l3.IdentityIMEISV, Digits: "4901542032375101"}},
		// 0x19 | 2<<6 = 0x99; IMEISV is even: digit 1 = 4, even, type 3 = 0x43, filler f in the last octet
		"05 99 09 43095124303257 01 f1"},
	{"identity-response-none", &IdentityResponse{Identity: l3.MobileIdentity{}}, "05 19 01 f0"},
	{"auth-request", &AuthenticationRequest{CKSN: 1, RAND: crypto.RAND(seq(16, 0x00))},
		"05 12 01 000102030405060708090a0b0c0d0e0f"},
	{"auth-request-autn", &AuthenticationRequest{CKSN: 6, RAND: crypto.RAND(seq(16, 0x00)), HasAUTN: true, AUTN: [16]byte{0: 0xaa, 15: 0x55}},
		"05 12 06 000102030405060708090a0b0c0d0e0f 20 10 aa0000000000000000000000000000 55"},
	{"auth-response", &AuthenticationResponse{NSD: 1, SRES: crypto.SRES{0x46, 0xf8, 0x41, 0x6a}}, "05 54 46f8416a"},
	{"auth-response-ext", &AuthenticationResponse{SRES: crypto.SRES{0xa5, 0x42, 0x11, 0xd5}, ExtLen: 4, Ext: [12]byte{0xe3, 0xba, 0x50, 0xbf}},
		"05 14 a54211d5 21 04 e3ba50bf"},
	{"auth-reject", &AuthenticationReject{}, "05 11"},
	{"auth-failure-synch", &AuthenticationFailure{Cause: CauseSynchFailure, HasAUTS: true, AUTS: [14]byte{0: 1, 13: 2}},
		"05 1c 15 22 0e 01000000000000000000000000 02"},
	{"auth-failure-gsm", &AuthenticationFailure{NSD: 1, Cause: CauseGSMAuthUnacceptable}, "05 5c 17"},
	{"tmsi-realloc-command", &TMSIReallocationCommand{LAI: testLAI, Identity: l3.TMSI(0x10000002)}, "05 1a 62f2241234 05 f410000002"},
	{"tmsi-realloc-complete", &TMSIReallocationComplete{NSD: 3}, "05 db"},
	{"imsi-detach", &IMSIDetachIndication{Classmark1: testCM1, Identity: l3.TMSI(0xdeadbeef)}, "05 01 53 05 f4deadbeef"},
	{"cm-service-request-sms", &CMServiceRequest{Service: ServiceSMS, CKSN: 7, Classmark2: testCM2, Identity: l3.TMSI(0xdeadbeef)},
		"05 24 74 03 441992 05 f4deadbeef"},
	{"cm-service-request-prio", &CMServiceRequest{NSD: 2, Service: ServiceEmergencyCall, CKSN: 1, Classmark2: testCM2, Identity: l3.IMSI("262420123456789"), HasPriority: true, Priority: 4},
		"05 a4 12 03 441992 08 2926241032547698 84"},
	{"cm-service-accept", &CMServiceAccept{}, "05 21"},
	{"cm-service-reject", &CMServiceReject{Cause: CauseIMSIUnknownInVLR}, "05 22 04"},
	{"cm-service-abort", &CMServiceAbort{NSD: 1}, "05 63"},
	{"mm-status", &MMStatus{Cause: CauseMsgTypeNotCompatible}, "05 31 62"},
	{"mm-information", &MMInformation{
		HasFullName: true, FullName: NetworkName{Text: "gsmbox"}, HasShortName: true, ShortName: NetworkName{Text: "GB"},
		HasTimeZone: true, TimeZone: 4,
		HasUniversalTime: true, UniversalTime: UniversalTime{Year: 26, Month: 11, Day: 22, Hour: 3, Minute: 47, Second: 5, Zone: 4},
		HasDST: true, DST: 1},
		// "gsmbox": 6 septets = 42 bits in 6 octets, 6 spare: 0x86; packed LSB first.
		// "GB": 14 bits, 2 spare: 0x82. Zone +4 quarters: units 4 high, tens 0 low = 0x40.
		// 26-11-22 03:47:05 as swapped BCD pairs.
		"05 32 43 07 86 e7795bfcc603 45 03 82 4721 46 40 47 62112230745040 49 01 01"},
	{"mm-information-ucs2-west", &MMInformation{HasFullName: true, FullName: NetworkName{Text: "Δμ", Coding: CodingUCS2, AddCI: true}, HasTimeZone: true, TimeZone: -20},
		// UCS2 with CI: 1 001 1 000 = 0x98; -5 h = -20 quarters: units 0, tens 2 | sign 8 = 0x0a
		"05 32 43 05 98 039403bc 46 0a"},
	{"mm-information-ext-char", &MMInformation{HasShortName: true, ShortName: NetworkName{Text: "a€"}},
		// a, ESC, 0x65: 21 bits, 3 spare
		"05 32 45 04 83 e14d19"},
}

func TestCodecs(t *testing.T) {
	for _, tt := range codecCases {
		t.Run(tt.name, func(t *testing.T) {
			want := h(tt.want)
			if n := tt.m.MarshalSize(); n != len(want) {
				t.Errorf("MarshalSize() = %d, want %d", n, len(want))
			}
			got, err := Marshal(tt.m)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("Marshal(%+v) = % x, %v, want % x", tt.m, got, err, want)
			}
			back, err := Decode(want)
			if err != nil || !reflect.DeepEqual(back, tt.m) {
				t.Errorf("Decode(% x) = %+v, %v, want %+v", want, back, err, tt.m)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"empty", "", l3.ErrShort},
		{"rr pd", "06 08 70", ErrPD},
		{"skip", "15 08", ErrSkip},
		{"unknown type", "05 3f", ErrUnknownType},
		{"lu request short", "05 08 70 62f224", l3.ErrShort},
		{"lu request no identity", "05 08 70 62f2241234 53", l3.ErrShort},
		{"lu request reserved type", "05 08 73 62f2241234 53 05f4deadbeef", ErrValue},
		{"lu request bad imsi digit", "05 08 70 62f2241234 53 08 29a62410325476 98", l3.ErrIdentity},
		{"lu request bad plmn", "05 08 70 6af2241234 53 05f4deadbeef", l3.ErrDigits},
		{"lu request long lv", "05 08 70 62f2241234 53 09 f4deadbeef", l3.ErrShort},
		{"lu reject short", "05 04", l3.ErrShort},
		{"identity request reserved", "05 18 07", ErrValue},
		{"auth request short rand", "05 12 00 0001", l3.ErrShort},
		{"auth response short", "05 14 46f841", l3.ErrShort},
		{"mm info bad coding", "05 32 43 02 a0 41", ErrValue},
		{"mm info bad time", "05 32 47 6a112230745040", ErrValue},
		{"mm info reserved dst", "05 32 49 01 03", ErrValue},
		{"mm info truncated tlv", "05 32 43 07 86 e779", l3.ErrShort},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Decode(h(tt.in))
			if !errors.Is(err, tt.want) {
				t.Errorf("Decode(%s) = %+v, %v, want error %v", tt.in, m, err, tt.want)
			}
		})
	}
}

// TestDecodeSkipsUnknownIEs checks TS 24.007 §11.2.4: an unknown optional
// IE (here a TLV 0x7e and a type 1 0xf-) is skipped, known ones after it
// are still read, and N(SD) bits in a downlink message are ignored.
func TestDecodeSkipsUnknownIEs(t *testing.T) {
	in := h("05 c2 62f2241234 7e 02 abcd f5 a1")
	var m LocationUpdatingAccept
	if err := m.Unmarshal(in); err != nil || !m.FollowOn || m.LAI != testLAI {
		t.Errorf("Unmarshal(% x) = %+v, %v, want LAI %v with follow-on", in, m, err, testLAI)
	}
}

func TestMarshalErrors(t *testing.T) {
	tests := []struct {
		name string
		m    Message
	}{
		{"lu reserved type", &LocationUpdatingRequest{Type: 3, LAI: testLAI, Identity: l3.TMSI(1)}},
		{"lu bad imsi", &LocationUpdatingRequest{LAI: testLAI, Identity: l3.IMSI("12")}},
		{"lu bad plmn", &LocationUpdatingRequest{Identity: l3.TMSI(1)}},
		{"identity request 0", &IdentityRequest{}},
		{"res ext too long", &AuthenticationResponse{ExtLen: 13}},
		{"name not gsm7", &MMInformation{HasFullName: true, FullName: NetworkName{Text: "Δμ"}}},
		{"name bad coding", &MMInformation{HasFullName: true, FullName: NetworkName{Text: "x", Coding: 5}}},
		{"zone range", &MMInformation{HasTimeZone: true, TimeZone: 80}},
		{"time range", &MMInformation{HasUniversalTime: true, UniversalTime: UniversalTime{Year: 100}}},
		{"dst range", &MMInformation{HasDST: true, DST: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if b, err := Marshal(tt.m); err == nil {
				t.Errorf("Marshal(%+v) = % x, nil, want error", tt.m, b)
			}
		})
	}
	// A buffer one octet short fails cleanly.
	for _, tt := range codecCases {
		b := make([]byte, tt.m.MarshalSize()-1)
		if n, err := tt.m.MarshalTo(b); err == nil {
			t.Errorf("%s: MarshalTo(short buffer) = %d, nil, want error", tt.name, n)
		}
	}
}

func TestNetworkName(t *testing.T) {
	tests := []struct {
		text string
		want string
		ucs2 bool
	}{
		{"gsmbox", "86 e7795bfcc603", false},
		{"", "80", false},
		// 7 septets = 49 bits in 7 octets, 7 spare bits: the count says
		// the last septet is not a trailing '@'.
		{"1234567", "87 31d98c56b3dd00", false},
		{"12345678", "80 31d98c56b3dd70", false},
		{"@", "81 00", false},
		{"[x]", "85 1b1e7ee303", false}, // 5 septets: ESC 3c, 78, ESC 3e
		// The well-known packing example "hellohello" (10 septets, 2 spare bits).
		{"hellohello", "82 e8329bfd4697d9ec37", false},
		{"Ελλάδα", "90 0395 03bb 03bb 03ac 03b4 03b1", true},
		{"🙂", "90 d83d de42", true},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			n := NewNetworkName(tt.text)
			if (n.Coding == CodingUCS2) != tt.ucs2 {
				t.Errorf("NewNetworkName(%q).Coding = %d, want UCS2 %v", tt.text, n.Coding, tt.ucs2)
			}
			want := h(tt.want)
			b := make([]byte, n.MarshalSize())
			if k, err := n.MarshalTo(b); err != nil || !bytes.Equal(b[:k], want) {
				t.Errorf("MarshalTo(%q) = % x, %v, want % x", tt.text, b, err, want)
			}
			var back NetworkName
			if err := back.Unmarshal(want); err != nil || back != n {
				t.Errorf("Unmarshal(% x) = %+v, %v, want %+v", want, back, err, n)
			}
		})
	}
}

// TestGSM7Alphabet round-trips every character of the default alphabet and
// the extension table.
func TestGSM7Alphabet(t *testing.T) {
	// The default alphabet (TS 23.038 §6.2.1, all but the escape) and the
	// extension table (§6.2.1.1), written out here from the spec.
	const basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	const ext = "\f^{}\\[~]|€"
	s := basic + ext
	n := NetworkName{Text: s}
	b := make([]byte, n.MarshalSize())
	if _, err := n.MarshalTo(b); err != nil {
		t.Fatalf("MarshalTo(alphabet): %v", err)
	}
	var back NetworkName
	if err := back.Unmarshal(b); err != nil || back.Text != s {
		t.Errorf("alphabet round trip = %q, %v, want %q", back.Text, err, s)
	}
	if septets, _ := gsm7Septets(s); septets != 127+2*10 {
		t.Errorf("gsm7Septets(alphabet) = %d, want %d", septets, 127+2*10)
	}
}

func TestTimeZone(t *testing.T) {
	tests := []struct {
		z    TimeZone
		b    byte
		text string
	}{
		{0, 0x00, "UTC+00:00"}, {4, 0x40, "UTC+01:00"}, {-20, 0x0a, "UTC-05:00"},
		{22, 0x22, "UTC+05:30"}, {39, 0x93, "UTC+09:45"}, {-14, 0x49, "UTC-03:30"}, {56, 0x65, "UTC+14:00"},
	}
	for _, tt := range tests {
		if b, err := tt.z.byte(); err != nil || b != tt.b {
			t.Errorf("TimeZone(%d).byte() = %#02x, %v, want %#02x", tt.z, b, err, tt.b)
		}
		if z, err := parseTimeZone(tt.b); err != nil || z != tt.z {
			t.Errorf("parseTimeZone(%#02x) = %d, %v, want %d", tt.b, z, err, tt.z)
		}
		if s := tt.z.String(); s != tt.text {
			t.Errorf("TimeZone(%d).String() = %q, want %q", tt.z, s, tt.text)
		}
	}
}

func TestPeekNSD(t *testing.T) {
	ty, nsd, err := Peek(h("05 d4 00000000"))
	if err != nil || ty != MsgAuthenticationResponse || nsd != 3 {
		t.Errorf("Peek(05 d4) = %v, %d, %v, want %v, 3", ty, nsd, err, MsgAuthenticationResponse)
	}
}
