package ss_test

import (
	"flag"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/ss"
	"github.com/gsmbox/gsmbox/tools/testtool"
	"github.com/gsmbox/gsmbox/tools/testtool/capture"
)

var keepPcap = flag.String("ss.pcap", "", "also write the tshark test's capture to this file")

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

type want struct{ field, value string }

// TestTshark writes USSD dialogues (a *#100# query and its answer, a
// network-initiated request and notify with their results, a UCS2
// answer, an error and a reject) into a GSMTAP capture on SAPI 0 of an
// SDCCH, and has tshark (gsm_a.dtap, gsm_ss, gsm_map) decode every USSD
// string as the text we sent, with nothing malformed.
func TestTshark(t *testing.T) {
	testtool.Need(t, "tshark")
	testtool.Short(t)
	type msg struct {
		uplink bool
		m      ss.Message
		want   []want
	}
	inv := func(id int8, op ss.Opcode, text string) ss.Facility {
		return ss.Facility{must(ss.NewUSSDInvoke(id, op, text))}
	}
	res := func(id int8, op ss.Opcode, text string) ss.Facility {
		return ss.Facility{must(ss.NewUSSDResult(id, op, text))}
	}
	answer := "Your number is +4917012345"
	menu := "1 Balance\n2 Bundles\n3 Help [€5]"
	ucs := "Баланс: 5 € ∑"                   // tshark 4.0 decodes USSD UCS2 without surrogate pairs
	long := strings.Repeat("0123456789", 18) // 180 septets, 158 octets: segmented
	msgs := []msg{
		{true, &ss.Register{Header: ss.Header{NSD: 0}, Facility: inv(1, ss.OpProcessUnstructuredSSRequest, "*#100#"), HasVersion: true, Version: []byte{0}},
			[]want{{"gsm_a.dtap.msg_ss_type", "0x3b"}, {"gsm_map.ussd_string", "*#100#"}, {"gsm_old.localValue", "59"}}},
		{false, &ss.ReleaseComplete{Header: ss.Header{TIFlag: true}, HasFacility: true, Facility: res(1, ss.OpProcessUnstructuredSSRequest, answer)},
			[]want{{"gsm_a.dtap.msg_ss_type", "0x2a"}, {"gsm_map.ussd_string", answer}}},
		// Network-initiated: unstructuredSS-Request, the MS's answer,
		// then a notify and its empty result.
		{false, &ss.Register{Facility: inv(2, ss.OpUnstructuredSSRequest, menu)},
			[]want{{"gsm_map.ussd_string", menu}, {"gsm_old.localValue", "60"}}},
		{true, &ss.FacilityMsg{Header: ss.Header{TIFlag: true, NSD: 1}, Facility: res(2, ss.OpUnstructuredSSRequest, "1")},
			[]want{{"gsm_a.dtap.msg_ss_type", "0x3a"}, {"gsm_map.ussd_string", "1"}}},
		{false, &ss.FacilityMsg{Facility: inv(3, ss.OpUnstructuredSSNotify, ucs)},
			[]want{{"gsm_map.ussd_string", ucs}, {"gsm_old.localValue", "61"}}},
		{true, &ss.FacilityMsg{Header: ss.Header{TIFlag: true, NSD: 2}, Facility: ss.Facility{{Type: ss.ReturnResult, InvokeID: 3}}},
			[]want{{"gsm_a.dtap.msg_ss_type", "0x3a"}}},
		{false, &ss.FacilityMsg{Facility: inv(4, ss.OpUnstructuredSSNotify, long)},
			[]want{{"gsm_map.ussd_string", long}}},
		{true, &ss.ReleaseComplete{Header: ss.Header{TIFlag: true, NSD: 3}, HasCause: true, Cause: ss.Cause{Coding: 3, Location: 0, Value: 16}},
			[]want{{"gsm_a.dtap.msg_ss_type", "0x2a"}, {"gsm_a.dtap.cause", "0x10"}, {"gsm_a.dtap.coding_standard", "3"}}},
		// An unknown alphabet error, and a reject of a badly structured
		// component.
		{true, &ss.Register{Header: ss.Header{TI: 1}, Facility: inv(5, ss.OpProcessUnstructuredSSRequest, "*123#")},
			[]want{{"gsm_map.ussd_string", "*123#"}}},
		{false, &ss.ReleaseComplete{Header: ss.Header{TIFlag: true, TI: 1}, HasFacility: true,
			Facility: ss.Facility{{Type: ss.ReturnError, InvokeID: 5, ErrorCode: ss.ErrorUnknownAlphabet}}},
			[]want{{"gsm_old.localValue", "71"}, {"gsm_old.invokeID", "5"}}},
		{false, &ss.ReleaseComplete{Header: ss.Header{TI: 2}, HasFacility: true,
			Facility: ss.Facility{{Type: ss.Reject, NoInvokeID: true, Problem: ss.Problem{Tag: ss.ProblemGeneral, Code: 2}}}},
			[]want{{"gsm_a.dtap.msg_ss_type", "0x2a"}, {"gsm_old.generalProblem", "2"}}},
	}

	path := filepath.Join(t.TempDir(), "ss.pcap")
	if *keepPcap != "" {
		path = *keepPcap
	}
	var frames []capture.DCCHMessage
	for _, m := range msgs {
		frames = append(frames, capture.DCCHMessage{Uplink: m.uplink, L3: must(ss.Marshal(m.m))})
	}
	last, n := capture.WriteDCCH(t, path, frames)
	pk := capture.DissectClean(t, path, n)
	for i, m := range msgs {
		p := pk[last[i]]
		for _, w := range m.want {
			if !slices.Contains(p.Values(w.field), w.value) {
				t.Errorf("message %d (packet %d): %s = %q, want %q", i, last[i]+1, w.field, p.Values(w.field), w.value)
			}
		}
	}
	if t.Failed() {
		for i := range msgs {
			for _, f := range pk[last[i]].Fields {
				if strings.HasPrefix(f.Name, "gsm_ss") || strings.HasPrefix(f.Name, "gsm_map") || strings.HasPrefix(f.Name, "gsm_old") || strings.HasPrefix(f.Name, "gsm_a.dtap") {
					t.Logf("message %d: %s = %q", i, f.Name, f.Show)
				}
			}
		}
	}
}
