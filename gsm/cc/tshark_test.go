package cc_test

import (
	"flag"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/cc"
	"github.com/gsmbox/gsmbox/tools/testtool"
	"github.com/gsmbox/gsmbox/tools/testtool/capture"
)

var keepPcap = flag.String("cc.pcap", "", "also write the tshark test's capture to this file")

type want struct{ field, value string }

// TestTshark writes every CC message, as the state machines produce them in
// a mobile-originated and a mobile-terminated call plus the rest of the
// message set, into a GSMTAP capture on an SDCCH and has tshark
// (Wireshark's gsm_a.dtap dissector) check key fields and that nothing is
// malformed.
func TestTshark(t *testing.T) {
	testtool.Need(t, "tshark")
	hMO := cc.Header{TI: 0}
	hNet := cc.Header{TI: 0, TIFlag: true}
	hMT := cc.Header{TI: 1}
	hMTUp := cc.Header{TI: 1, TIFlag: true}
	nsd := func(h cc.Header, n uint8) cc.Header { h.NSD = n; return h }
	bcMS := cc.SpeechBearer(cc.RadioDualFullPref, cc.FRv2, cc.FRv1, cc.HRv1)
	bcNet := cc.SpeechBearer(cc.RadioFullRateOnly)
	pi := cc.ProgressIndicator{Coding: cc.CodingGSM, Location: cc.LocPublicLocal, Description: cc.ProgressInBand}
	msgs := []struct {
		uplink bool
		m      cc.Message
		want   []want
	}{
		{true, &cc.Setup{Header: nsd(hMO, 1), HasBearer: true, Bearer: bcMS, HasCalled: true,
			Called: cc.Number{TON: cc.TONInternational, NPI: cc.NPIISDN, Digits: "4930123*#"}, CLIRInvoke: true},
			[]want{{"gsm_a.dtap.msg_cc_type", "0x05"}, {"gsm_a.dtap.cld_party_bcd_num", "4930123*#"}, {"gsm_a.dtap.seq_no", "1"},
				{"gsm_a.dtap.speech_vers_ind", "2"}, {"gsm_a.dtap.speech_vers_ind", "0"}, {"gsm_a.dtap.speech_vers_ind", "1"}}},
		{false, &cc.CallProceeding{Header: hNet, HasBearer: true, Bearer: bcNet}, []want{{"gsm_a.dtap.msg_cc_type", "0x02"}}},
		{false, &cc.Progress{Header: hNet, Progress: cc.ProgressIndicator{Coding: cc.CodingGSM, Location: cc.LocPublicLocal, Description: cc.ProgressNotEndToEnd}},
			[]want{{"gsm_a.dtap.msg_cc_type", "0x03"}, {"gsm_a.dtap.progress_description", "1"}}},
		{false, &cc.Alerting{Header: hNet, HasProgress: true, Progress: pi}, []want{{"gsm_a.dtap.msg_cc_type", "0x01"}, {"gsm_a.dtap.progress_description", "8"}}},
		{false, &cc.Connect{Header: hNet, HasConnected: true, Connected: cc.Number{NPI: cc.NPIISDN, HasPresentation: true, Digits: "5551"}},
			[]want{{"gsm_a.dtap.msg_cc_type", "0x07"}, {"text", "5551"}}},
		{true, &cc.ConnectAck{Header: nsd(hMO, 2)}, []want{{"gsm_a.dtap.msg_cc_type", "0x0f"}, {"gsm_a.dtap.seq_no", "2"}}},
		{true, &cc.StartDTMF{Header: nsd(hMO, 3), Key: '7'}, []want{{"gsm_a.dtap.msg_cc_type", "0x35"}, {"text", "7"}}},
		{false, &cc.StartDTMFAck{Header: hNet, Key: '7'}, []want{{"gsm_a.dtap.msg_cc_type", "0x36"}}},
		{true, &cc.StopDTMF{Header: nsd(hMO, 0)}, []want{{"gsm_a.dtap.msg_cc_type", "0x31"}}},
		{false, &cc.StopDTMFAck{Header: hNet}, []want{{"gsm_a.dtap.msg_cc_type", "0x32"}}},
		{false, &cc.StartDTMFReject{Header: hNet, Cause: cc.NewCause(cc.CauseServiceNotAvailable)}, []want{{"gsm_a.dtap.msg_cc_type", "0x37"}, {"gsm_a.dtap.cause", "63"}}},
		{false, &cc.StatusEnquiry{Header: hNet}, []want{{"gsm_a.dtap.msg_cc_type", "0x34"}}},
		{true, &cc.Status{Header: nsd(hMO, 1), Cause: cc.UserCause(cc.CauseResponseToStatusEnquiry), CallState: cc.CallState{Coding: cc.CodingGSM, Value: cc.StateActive}},
			[]want{{"gsm_a.dtap.msg_cc_type", "0x3d"}, {"gsm_a.dtap.cause", "30"}, {"gsm_a.dtap.call_state", "10"}}},
		{true, &cc.Disconnect{Header: nsd(hMO, 2), Cause: cc.UserCause(cc.CauseNormalClearing)}, []want{{"gsm_a.dtap.msg_cc_type", "0x25"}, {"gsm_a.dtap.cause", "16"}}},
		{false, &cc.Release{Header: hNet}, []want{{"gsm_a.dtap.msg_cc_type", "0x2d"}}},
		{true, &cc.ReleaseComplete{Header: nsd(hMO, 3)}, []want{{"gsm_a.dtap.msg_cc_type", "0x2a"}}},
		// Mobile-terminated.
		{false, &cc.Setup{Header: hMT, HasBearer: true, Bearer: bcNet, HasSignal: true, Signal: cc.SignalAlertingOff,
			HasCalling: true, Calling: cc.Number{NPI: cc.NPIISDN, HasPresentation: true, Screening: 3, Digits: "1001"}},
			[]want{{"gsm_a.dtap.msg_cc_type", "0x05"}, {"gsm_a.dtap.clg_party_bcd_num", "1001"}}},
		{true, &cc.CallConfirmed{Header: hMTUp, HasBearer: true, Bearer: cc.SpeechBearer(cc.RadioDualFullPref, cc.FRv2, cc.FRv1)},
			[]want{{"gsm_a.dtap.msg_cc_type", "0x08"}, {"gsm_a.dtap.speech_vers_ind", "2"}}},
		{true, &cc.Alerting{Header: nsd(hMTUp, 1)}, []want{{"gsm_a.dtap.msg_cc_type", "0x01"}}},
		{true, &cc.Connect{Header: nsd(hMTUp, 2)}, []want{{"gsm_a.dtap.msg_cc_type", "0x07"}}},
		{false, &cc.ConnectAck{Header: hMT}, []want{{"gsm_a.dtap.msg_cc_type", "0x0f"}}},
		{false, &cc.Disconnect{Header: hMT, Cause: cc.NewCause(cc.CauseUserBusy), HasProgress: true, Progress: pi},
			[]want{{"gsm_a.dtap.msg_cc_type", "0x25"}, {"gsm_a.dtap.cause", "17"}}},
		{true, &cc.Release{Header: nsd(hMTUp, 3)}, []want{{"gsm_a.dtap.msg_cc_type", "0x2d"}}},
		{false, &cc.ReleaseComplete{Header: hMT}, []want{{"gsm_a.dtap.msg_cc_type", "0x2a"}}},
		// The rest.
		{true, &cc.EmergencySetup{Header: hMO, HasBearer: true, Bearer: cc.SpeechBearer(cc.RadioDualFullPref, cc.FRv1), HasCategory: true, Category: 1},
			[]want{{"gsm_a.dtap.msg_cc_type", "0x0e"}, {"gsm_a.dtap.speech_vers_ind", "0"}}},
		{false, &cc.Release{Header: hNet, HasCause: true, Cause: cc.NewCause(cc.CauseNormalClearing), HasCause2: true, Cause2: cc.NewCause(cc.CauseRecoveryOnTimerExpiry)},
			[]want{{"gsm_a.dtap.msg_cc_type", "0x2d"}, {"gsm_a.dtap.cause", "16"}, {"gsm_a.dtap.cause", "102"}}},
		{false, &cc.ReleaseComplete{Header: cc.Header{TI: 2, TIFlag: true}, HasCause: true, Cause: cc.NewCause(cc.CauseInvalidTransactionID)},
			[]want{{"gsm_a.dtap.msg_cc_type", "0x2a"}, {"gsm_a.dtap.cause", "81"}}},
		{false, &cc.ReleaseComplete{Header: hNet, HasCause: true, Cause: cc.NewCause(cc.CauseUnassignedNumber)},
			[]want{{"gsm_a.dtap.msg_cc_type", "0x2a"}, {"gsm_a.dtap.cause", "1"}}},
		{false, &cc.Disconnect{Header: hNet, Cause: cc.NewCause(cc.CauseNoChannelAvailable)}, []want{{"gsm_a.dtap.cause", "34"}}},
		{false, &cc.Modify{Header: hNet, Bearer: bcNet}, []want{{"gsm_a.dtap.msg_cc_type", "0x17"}}},
	}

	path := filepath.Join(t.TempDir(), "cc.pcap")
	if *keepPcap != "" {
		path = *keepPcap
	}
	var frames []capture.DCCHMessage
	for _, m := range msgs {
		b, err := cc.Marshal(m.m)
		if err != nil {
			t.Fatal(err)
		}
		frames = append(frames, capture.DCCHMessage{Uplink: m.uplink, L3: b})
	}
	lasts, n := capture.WriteDCCH(t, path, frames)
	pk := capture.DissectClean(t, path, n)
	for i, m := range msgs {
		p := pk[lasts[i]]
		for _, w := range m.want {
			if w.field == "text" {
				if !strings.Contains(p.Text, w.value) {
					t.Errorf("%v (packet %d): no %q in the dissection:\n%s", m.m.MsgType(), lasts[i]+1, w.value, p.Text)
				}
				continue
			}
			got := p.Values(w.field)
			ok := false
			for _, g := range got {
				ok = ok || sameValue(g, w.value)
			}
			if !ok {
				t.Errorf("%v (packet %d): tshark %s = %q, want %q\n%s", m.m.MsgType(), lasts[i]+1, w.field, got, w.value, p.Text)
			}
		}
	}
}

// sameValue compares tshark's value with want, numerically when both are
// numbers (tshark shows some fields in hex).
func sameValue(got, want string) bool {
	if got == want {
		return true
	}
	g, err1 := strconv.ParseInt(got, 0, 64)
	w, err2 := strconv.ParseInt(want, 0, 64)
	return err1 == nil && err2 == nil && g == w
}
