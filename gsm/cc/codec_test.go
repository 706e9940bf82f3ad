package cc

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"

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
	// moHdr: TI 0 allocated by the MS, sent by it; netHdr: the network's
	// answers on that transaction (flag 1). mtHdr: TI 1 allocated by the
	// network; mtUp: the MS's answers on it.
	moHdr  = Header{TI: 0}
	netHdr = Header{TI: 0, TIFlag: true}
	mtHdr  = Header{TI: 1}
	mtUp   = Header{TI: 1, TIFlag: true}

	// bcMS is a dual-rate MS preferring full rate, listing EFR, FR, HR:
	// octet 3 = 0 11 0 0 000 = 0x60; 3a = EFR 0x02; 3b = FR 0x00; 3c =
	// last (ext 1) HR = 0x81.
	bcMS  = SpeechBearer(RadioDualFullPref, FRv2, FRv1, HRv1)
	bcNet = SpeechBearer(RadioFullRateOnly) // octet 3 only: 1 01 0 0 000 = 0xa0
	// called: ext 1, international, ISDN = 0x91; "4930123" as swapped
	// BCD with a filler.
	called  = Number{TON: TONInternational, NPI: NPIISDN, Digits: "4930123"}
	calling = Number{NPI: NPIISDN, HasPresentation: true, Screening: 3, Digits: "1001"}
	// GSM coding (3), public network serving the local user (2): 0xe2;
	// from the user (location 0): 0xe0.
	causeBusy   = NewCause(CauseUserBusy)
	causeNormal = UserCause(CauseNormalClearing)
	piInBand    = ProgressIndicator{Coding: CodingGSM, Location: LocPublicLocal, Description: ProgressInBand}
)

func withNSD(hd Header, n uint8) Header { hd.NSD = n; return hd }

// codecCases are messages with octet strings worked out by hand from TS
// 24.008 §9.3 and §10.5.4 (the comments and the vars above show how).
var codecCases = []struct {
	name string
	m    Message
	want string
}{
	{"setup-mo", &Setup{Header: withNSD(moHdr, 1), HasBearer: true, Bearer: bcMS, HasCalled: true, Called: called},
		// TI 0 flag 0 PD 3 = 0x03; N(SD) 1 | 0x05 = 0x45
		"03 45 04 04 60020081 5e 05 91 94 03 21 f3"},
	{"setup-mo-clir", &Setup{Header: moHdr, HasBearer: true, Bearer: SpeechBearer(RadioFullRateOnly, FRv1), HasCalled: true, Called: Number{NPI: NPIISDN, Digits: "*#1"}, CLIRInvoke: true},
		// FR only: 0x20 (ext 0), 3a 0x80; "*#1": * = 1010, # = 1011 → 0xba, then 1 + filler 0xf1
		"03 05 04 02 20 80 5e 03 81 ba f1 a2"},
	{"setup-mt", &Setup{Header: mtHdr, HasBearer: true, Bearer: bcNet, HasSignal: true, Signal: SignalAlertingOff, HasCalling: true, Calling: calling},
		// TI 1 = 0x13; calling: octet 3 ext 0 (0x01), 3a: ext 1, allowed, network provided = 0x83
		"13 05 04 01 a0 34 4f 5c 04 01 83 01 10"},
	{"setup-mt-two-bearers", &Setup{Header: mtHdr, HasRepeat: true, Repeat: 1, HasBearer: true, Bearer: bcNet, HasBearer2: true,
		Bearer2: BearerCapability{RadioChannel: 1, ITC: ITCUDI, RestLen: 3, Rest: [13]byte{0x88, 0xa1, 0x80}}},
		"13 05 d1 04 01 a0 04 04 a1 88a180"},
	{"emergency-setup", &EmergencySetup{Header: withNSD(moHdr, 2), HasBearer: true, Bearer: SpeechBearer(RadioDualFullPref, FRv1), HasCategory: true, Category: 1},
		"03 8e 04 02 60 80 2e 01 01"},
	{"emergency-setup-bare", &EmergencySetup{Header: moHdr}, "03 0e"},
	{"call-proceeding", &CallProceeding{Header: netHdr, HasBearer: true, Bearer: bcNet}, "83 02 04 01 a0"},
	{"call-proceeding-pi", &CallProceeding{Header: netHdr, HasProgress: true, Progress: ProgressIndicator{Coding: CodingGSM, Location: LocPublicLocal, Description: ProgressQueueing}},
		"83 02 1e 02 e2 c0"},
	{"call-confirmed", &CallConfirmed{Header: mtUp, HasBearer: true, Bearer: SpeechBearer(RadioDualFullPref, FRv2, FRv1)},
		// TI 1 flag 1 = 0x93
		"93 08 04 03 60 02 80"},
	{"call-confirmed-busy", &CallConfirmed{Header: withNSD(mtUp, 1), HasCause: true, Cause: UserCause(CauseUserBusy)},
		"93 48 08 02 e0 91"},
	{"alerting-net", &Alerting{Header: netHdr, HasProgress: true, Progress: piInBand}, "83 01 1e 02 e2 88"},
	{"alerting-ms", &Alerting{Header: withNSD(mtUp, 1)}, "93 41"},
	{"connect-net", &Connect{Header: netHdr, HasConnected: true, Connected: Number{NPI: NPIISDN, HasPresentation: true, Digits: "12"}},
		"83 07 4c 03 01 80 21"},
	{"connect-ms", &Connect{Header: withNSD(mtUp, 2)}, "93 87"},
	{"connect-ack-ms", &ConnectAck{Header: withNSD(moHdr, 2)}, "03 8f"},
	{"connect-ack-net", &ConnectAck{Header: mtHdr}, "13 0f"},
	{"progress", &Progress{Header: netHdr, Progress: ProgressIndicator{Coding: CodingGSM, Location: LocPublicLocal, Description: ProgressNotEndToEnd}},
		"83 03 02 e2 81"},
	{"disconnect-ms", &Disconnect{Header: withNSD(moHdr, 3), Cause: causeNormal}, "03 e5 02 e0 90"},
	{"disconnect-net-inband", &Disconnect{Header: mtHdr, Cause: causeBusy, HasProgress: true, Progress: piInBand},
		"13 25 02 e2 91 1e 02 e2 88"},
	{"release-net", &Release{Header: netHdr}, "83 2d"},
	{"release-t305", &Release{Header: netHdr, HasCause: true, Cause: NewCause(CauseNormalClearing), HasCause2: true, Cause2: NewCause(CauseRecoveryOnTimerExpiry)},
		// #102 = 0x66 | ext = 0xe6
		"83 2d 08 02 e2 90 08 02 e2 e6"},
	{"release-complete-ms", &ReleaseComplete{Header: withNSD(moHdr, 1)}, "03 6a"},
	{"release-complete-81", &ReleaseComplete{Header: Header{TI: 2, TIFlag: true}, HasCause: true, Cause: NewCause(CauseInvalidTransactionID)},
		// flag 1, TI 2: 1 010 0011 = 0xa3; #81 = 0x51 | 0x80
		"a3 2a 08 02 e2 d1"},
	{"status", &Status{Header: netHdr, Cause: Cause{Coding: CodingGSM, Location: LocPublicLocal, HasRecommendation: true, Recommendation: 1,
		Value: CauseResponseToStatusEnquiry, DiagLen: 1, Diag: [27]byte{5}}, CallState: CallState{Coding: CodingGSM, Value: StateActive}},
		// octet 3 ext 0 = 0x62, 3a = 0x81, #30 = 0x9e, diagnostic 05; state: 11 001010
		"83 3d 04 62 81 9e 05 ca"},
	{"status-enquiry", &StatusEnquiry{Header: netHdr}, "83 34"},
	{"start-dtmf", &StartDTMF{Header: moHdr, Key: '5'}, "03 35 2c 35"},
	{"start-dtmf-ack", &StartDTMFAck{Header: netHdr, Key: '#'}, "83 36 2c 23"},
	{"start-dtmf-reject", &StartDTMFReject{Header: netHdr, Cause: NewCause(CauseServiceNotAvailable)}, "83 37 02 e2 bf"},
	{"stop-dtmf", &StopDTMF{Header: withNSD(moHdr, 1)}, "03 71"},
	{"stop-dtmf-ack", &StopDTMFAck{Header: netHdr}, "83 32"},
	{"modify", &Modify{Header: netHdr, Bearer: bcNet, ReverseDir: true}, "83 17 01 a0 a3"},
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
		name  string
		in    string
		want  error
		cause CauseValue // 0: ignored
	}{
		{"empty", "", l3.ErrShort, 0},
		{"mm pd", "05 08", ErrPD, 0},
		{"extended ti", "73 05", ErrTI, 0},
		{"unknown type", "03 3f", ErrUnknownType, CauseMsgTypeNonExistent},
		{"notify not implemented", "83 3e 01", ErrUnknownType, CauseMsgTypeNonExistent},
		{"disconnect no cause", "03 25", ErrMandatory, CauseInvalidMandatoryInfo},
		{"disconnect short cause", "03 25 01 e0", ErrMandatory, CauseInvalidMandatoryInfo},
		{"disconnect truncated", "03 25 02 e0", ErrMandatory, CauseInvalidMandatoryInfo},
		{"setup comprehension required", "03 05 0a 01 00", ErrComprehension, CauseInvalidMandatoryInfo},
		{"status no call state", "83 3d 02 e2 9e", ErrMandatory, CauseInvalidMandatoryInfo},
		{"start dtmf no key", "03 35", ErrMandatory, CauseInvalidMandatoryInfo},
		{"start dtmf wrong iei", "03 35 2d 35", ErrMandatory, CauseInvalidMandatoryInfo},
		{"progress short", "83 03 01 e2", ErrMandatory, CauseInvalidMandatoryInfo},
		{"bearer too long", "03 05 04 0f 60 00000000000000000000000000 80", l3.ErrLength, CauseSemanticallyIncorrect},
		{"bearer 3a missing", "03 05 04 01 60", l3.ErrShort, CauseSemanticallyIncorrect},
		{"number 3a missing", "13 05 5c 01 01", l3.ErrLength, CauseSemanticallyIncorrect},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(h(tt.in))
			if !errors.Is(err, tt.want) {
				t.Errorf("Decode(%s) error = %v, want %v", tt.in, err, tt.want)
			}
			c, ok := CauseFor(err)
			if ok != (tt.cause != 0) || c != tt.cause {
				t.Errorf("CauseFor(%v) = %v, %v, want %v", err, c, ok, tt.cause)
			}
		})
	}
}

// An unknown IE that is not comprehension required is skipped (TS 24.008
// §8.6.1), and the message re-encodes without it.
func TestUnknownIESkipped(t *testing.T) {
	m, err := Decode(h("83 01 55 02 aabb 1e 02 e2 88 fe"))
	if err != nil {
		t.Fatal(err)
	}
	want := &Alerting{Header: netHdr, HasProgress: true, Progress: piInBand}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("Decode = %+v, want %+v", m, want)
	}
}

func TestSetupCheckMO(t *testing.T) {
	var s Setup
	if err := s.Unmarshal(h("03 05 04 01 a0")); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckMO(); !errors.Is(err, ErrMandatory) {
		t.Errorf("CheckMO() without called number = %v, want %v", err, ErrMandatory)
	}
	if err := s.Unmarshal(h(codecCases[0].want)); err != nil || s.CheckMO() != nil {
		t.Errorf("CheckMO() of a full MO Setup = %v, %v", err, s.CheckMO())
	}
}

func TestMarshalErrors(t *testing.T) {
	for _, m := range []Message{
		&Setup{HasCalled: true, Called: Number{Digits: "12x"}},
		&Setup{HasCalling: true, Calling: Number{Digits: strings.Repeat("1", 23)}},
		&Disconnect{Header: Header{TI: 7}, Cause: causeNormal},
		&Disconnect{Cause: Cause{Value: 200}},
		&Release{HasCause2: true},
		&StartDTMF{Key: 0x80},
		&Setup{HasBearer: true, Bearer: BearerCapability{NVersions: 9}},
		&Alerting{UserUser: make([]byte, 130)},
	} {
		b := make([]byte, 300)
		if _, err := m.MarshalTo(b); !errors.Is(err, ErrValue) {
			t.Errorf("MarshalTo(%+v) error = %v, want %v", m, err, ErrValue)
		}
	}
	m := codecCases[0].m
	if _, err := m.MarshalTo(make([]byte, m.MarshalSize()-1)); !errors.Is(err, l3.ErrBuffer) {
		t.Errorf("MarshalTo(short buffer) error = %v, want %v", err, l3.ErrBuffer)
	}
}

func TestSpeechVersions(t *testing.T) {
	if got := bcNet.SpeechVersions(); !reflect.DeepEqual(got, []SpeechVersion{FRv1}) {
		t.Errorf("SpeechVersions() of a bearer without octet 3a = %v, want [FR]", got)
	}
	efrOnly := SpeechBearer(RadioFullRateOnly, FRv2)
	tests := []struct {
		a, b  BearerCapability
		prefs []SpeechVersion
		want  SpeechVersion
		ok    bool
	}{
		{bcMS, bcMS, nil, FRv2, true},
		{bcMS, bcNet, nil, FRv1, true},
		{bcMS, bcMS, []SpeechVersion{FRv1, FRv2}, FRv1, true},
		{efrOnly, bcNet, nil, 0, false},
		{bcMS, SpeechBearer(RadioDualHalfPref, HRv1, FRv1), []SpeechVersion{FRv2, FRv1, HRv1}, FRv1, true},
	}
	for _, tt := range tests {
		got, ok := CommonSpeech(&tt.a, &tt.b, tt.prefs)
		if got != tt.want || ok != tt.ok {
			t.Errorf("CommonSpeech(%v, %v, %v) = %v, %v, want %v, %v", tt.a.SpeechVersions(), tt.b.SpeechVersions(), tt.prefs, got, ok, tt.want, tt.ok)
		}
	}
}
