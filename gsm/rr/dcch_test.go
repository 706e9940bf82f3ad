package rr

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/gsmtap"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/tdma"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

// dcchMessage is a DCCH message under test with its hand-assembled bytes.
type dcchMessage struct {
	name string
	m    interface {
		Message
		MarshalTo([]byte) (int, error)
		Unmarshal([]byte) error
	}
	want []byte
}

var cm2 = l3.Classmark2{Classmark1: l3.Classmark1{Revision: 2, A51: true, RFPower: 4}, SSScreening: 1, SMCap: true, FC: true, CM3: true, UCS2: true, A53: true}

func dcchMessages() []dcchMessage {
	return []dcchMessage{
		{"paging response", &PagingResponse{CKSN: 7, Classmark: cm2, Identity: l3.TMSI(0xdeadbeef)},
			[]byte{0x06, 0x27, 0x07, 0x03, 0x44, 0x19, 0x92, 0x05, 0xf4, 0xde, 0xad, 0xbe, 0xef}},
		{"paging response imsi aup", &PagingResponse{CKSN: 1, Classmark: cm2, Identity: l3.IMSI("001010000000001"), HasAUP: true, AUP: 1},
			[]byte{0x06, 0x27, 0x01, 0x03, 0x44, 0x19, 0x92, 0x08, 0x09, 0x10, 0x10, 0x00, 0x00, 0x00, 0x00, 0x10, 0xc1}},
		{"ciphering mode command a5/1", &CipheringModeCommand{Start: true, Algorithm: 1, IMEISV: true}, []byte{0x06, 0x35, 0x11}},
		{"ciphering mode command a5/3", &CipheringModeCommand{Start: true, Algorithm: 3}, []byte{0x06, 0x35, 0x05}},
		{"ciphering mode command off", &CipheringModeCommand{}, []byte{0x06, 0x35, 0x00}},
		{"ciphering mode complete", &CipheringModeComplete{HasIdentity: true, Identity: l3.MobileIdentity{Type: l3.IdentityIMEISV, Digits: "4901542032375101"}},
			[]byte{0x06, 0x32, 0x17, 0x09, 0x43, 0x09, 0x51, 0x24, 0x30, 0x32, 0x57, 0x01, 0xf1}},
		{"ciphering mode complete bare", &CipheringModeComplete{}, []byte{0x06, 0x32}},
		{"classmark change", &ClassmarkChange{Classmark: cm2, Classmark3: []byte{0x50, 0x31, 0x54, 0x80}},
			[]byte{0x06, 0x16, 0x03, 0x44, 0x19, 0x92, 0x20, 0x04, 0x50, 0x31, 0x54, 0x80}},
		{"assignment command", &AssignmentCommand{Chan: ChannelDesc{Type: ChanTCHF, TN: 2, TSC: 5, ARFCN: 871}, PowerLevel: 5, HasMode: true, Mode: ModeSpeechV1,
			HasCipher: true, Cipher: CipheringModeCommand{Start: true, Algorithm: 1}},
			[]byte{0x06, 0x2e, 0x0a, 0xa3, 0x67, 0x05, 0x63, 0x01, 0x91}},
		{"assignment command starting time", &AssignmentCommand{Chan: ChannelDesc{Type: ChanTCHH, SubChan: 1, TN: 3, TSC: 0, ARFCN: 20}, PowerLevel: 19, FPC: true, HasStartingTime: true, StartingTime: tdma.FN(1234600).Reduced()},
			[]byte{0x06, 0x2e, 0x1b, 0x00, 0x14, 0x33, 0x7c, 0x1d, 0x70}},
		{"assignment complete", &AssignmentComplete{Cause: CauseNormal}, []byte{0x06, 0x29, 0x00}},
		{"assignment failure", &AssignmentFailure{Cause: CauseModeUnacceptable}, []byte{0x06, 0x2f, 0x09}},
		// TS 44.018 §9.1.5/§9.1.6: Channel Description 2 (TCH/F, TN2, TSC 5,
		// ARFCN 871) and Channel Mode (speech version 2).
		{"channel mode modify", &ChannelModeModify{Chan: ChannelDesc{Type: ChanTCHF, TN: 2, TSC: 5, ARFCN: 871}, Mode: ModeSpeechV2},
			[]byte{0x06, 0x10, 0x0a, 0xa3, 0x67, 0x21}},
		{"channel mode modify ack", &ChannelModeModifyAck{Chan: ChannelDesc{Type: ChanTCHF, TN: 2, TSC: 5, ARFCN: 871}, Mode: ModeSpeechV1},
			[]byte{0x06, 0x17, 0x0a, 0xa3, 0x67, 0x01}},
		{"measurement report", &MeasurementReport{Results: MeasurementResults{DTXUsed: true, RxLevFull: 40, Valid: true, RxLevSub: 41, RxQualFull: 1, RxQualSub: 2, NoNCellM: 2,
			NCell: [6]NeighbourMeas{{RxLev: 30, BCCHFreq: 3, BSIC: 21}, {RxLev: 63, BCCHFreq: 31, BSIC: 63}}}},
			// 0 1 101000 | 0 0 101001 | 0 001 010 0|10 011110 | 00011 010 | 101 11111 | 1 11111 11 | 1111 0000 ...
			[]byte{0x06, 0x15, 0x68, 0x29, 0x14, 0x9e, 0x1a, 0xbf, 0xff, 0xf0, 0, 0, 0, 0, 0, 0, 0, 0}},
		{"classmark enquiry", &ClassmarkEnquiry{}, []byte{0x06, 0x13}},
	}
}

func TestDCCHMessages(t *testing.T) {
	for _, tt := range dcchMessages() {
		t.Run(tt.name, func(t *testing.T) {
			b := make([]byte, 32)
			n, err := tt.m.MarshalTo(b)
			if err != nil || !bytes.Equal(b[:n], tt.want) {
				t.Errorf("MarshalTo(%+v) = % x, %v, want % x", tt.m, b[:n], err, tt.want)
			}
			got, err := DecodeDCCH(tt.want)
			if err != nil || fmt.Sprint(got) != fmt.Sprint(tt.m) {
				t.Errorf("DecodeDCCH(% x) = %+v, %v, want %+v", tt.want, got, err, tt.m)
			}
			for i := 2; i < len(tt.want); i++ { // every truncation fails or decodes to less
				if m, err := DecodeDCCH(tt.want[:i]); err == nil && fmt.Sprint(m) == fmt.Sprint(tt.m) {
					t.Errorf("DecodeDCCH(% x) (truncated) = %+v, nil", tt.want[:i], m)
				}
			}
		})
	}
}

func TestAssignmentCommandSkipsTVIEs(t *testing.T) {
	// With a Cell Channel Description (TV 0x62, 16 octets), a mode of
	// channel set 2 (TV 0x11) and a multi-rate configuration (TLV 0x03).
	msg := append([]byte{0x06, 0x2e, 0x0a, 0xa3, 0x67, 0x05, 0x62}, make([]byte, 16)...)
	msg = append(msg, 0x11, 0x01, 0x03, 0x02, 0x20, 0x01, 0x63, 0x21)
	var m AssignmentCommand
	if err := m.Unmarshal(msg); err != nil || !m.HasMode || m.Mode != ModeSpeechV2 {
		t.Errorf("Unmarshal = %+v, %v, want mode %#x", m, err, ModeSpeechV2)
	}
}

// TestTsharkDCCH dissects the DCCH messages with tshark, in LAPDm UI frames
// on an SDCCH (downlink for the network's commands, uplink for the MS's
// messages) and the measurement report on the uplink SACCH.
func TestTsharkDCCH(t *testing.T) {
	testtool.Short(t)
	msgs := dcchMessages()
	path := tempPath(t)
	w := newCaptureWriter(t, path)
	for i, tt := range msgs {
		b := bytes.Repeat([]byte{Padding}, BlockLen)
		uplink := true
		switch tt.m.(type) {
		case *CipheringModeCommand, *AssignmentCommand, *ClassmarkEnquiry:
			uplink = false
		}
		addr := byte(0x01) // SAPI 0, C/R 0: a command from the MS
		if !uplink {
			addr = 0x03
		}
		h := gsmtap.Um(gsmtap.ChanSDCCH8, 871, 1, tdma.FN(i), 2).ForBand(tdma.DCS1800)
		h.Uplink = uplink
		off := 0
		if _, ok := tt.m.(*MeasurementReport); ok {
			h.SubType |= uint8(gsmtap.ChanACCH)
			b[0], b[1] = 5, 1 // L1 header: power level 5, TA 1
			off = 2
		}
		b[off], b[off+1], b[off+2] = addr, 0x03, byte(len(tt.want))<<2|1
		copy(b[off+3:], tt.want)
		w(&h, b)
	}
	pkts := dissect(t, path)
	if len(pkts) != len(msgs) {
		t.Fatalf("tshark dissected %d packets, want %d", len(pkts), len(msgs))
	}
	checks := []struct {
		i    int
		want []string
	}{
		{0, []string{"Ciphering Key Sequence Number: No key is available", "TMSI/P-TMSI/M-TMSI/5G-TMSI: 3735928559", "A5/3 algorithm supported", "SM capability (MT SMS pt to pt capability): Mobile station supports mobile terminated point to point SMS"}},
		{1, []string{"IMSI (001010000000001)", ".... .001 = Ciphering Key Sequence Number: 1"}},
		{2, []string{"Start ciphering", "A5/1", "IMEISV shall be included"}},
		{3, []string{"A5/3"}},
		{4, []string{"No ciphering"}},
		{5, []string{"IMEISV (4901542032375101)"}},
		{7, []string{"Mobile Station Classmark 3"}},
		{8, []string{"TCH/F + FACCH/F and SACCH/F: 1", "Single channel ARFCN: 871", "POWER LEVEL: 5", "speech full rate or half rate version 1", "Start ciphering"}},
		{9, []string{"Subchannel: 1", "T1': 3", "T3: 43", "T2: 16"}},
		{10, []string{"Assignment Complete", "Normal event"}},
		{11, []string{"Assignment Failure", "Channel mode unacceptable"}},
		{12, []string{"Channel Mode Modify", "TCH/F + FACCH/F and SACCH/F: 1", "Timeslot: 2", "Single channel ARFCN: 871", "speech full rate or half rate version 2"}},
		{13, []string{"Channel Mode Modify Acknowledge", "speech full rate or half rate version 1"}},
		{15, []string{"Classmark Enquiry"}},
		{14, []string{"Measurement Report", "RXLEV-FULL-SERVING-CELL: -71 <= x < -70 dBm (40)", "NO-NCELL-M: 2 neighbour cell measurement result", "BSIC-NCELL: 21", "BCCH-FREQ-NCELL: 3"}},
	}
	for _, c := range checks {
		for _, s := range c.want {
			if !strings.Contains(pkts[c.i].Text, s) {
				t.Errorf("%s: tshark text lacks %q:\n%s", msgs[c.i].name, s, pkts[c.i].Text[strings.Index(pkts[c.i].Text, "GSM A-I/F DTAP"):])
			}
		}
	}
}
