package mm_test

import (
	"flag"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/mm/mmtest"
	"github.com/gsmbox/gsmbox/tools/testtool"
	"github.com/gsmbox/gsmbox/tools/testtool/capture"
)

var keepPcap = flag.String("mm.pcap", "", "also write the tshark test's capture to this file")

func TestTshark(t *testing.T) {
	testtool.Need(t, "tshark")
	v := loadVector(t, crypto.COMP128v1)
	reg := mmtest.New()
	reg.Add(mmtest.Subscriber{IMSI: testIMSI, Algorithm: v.alg, Ki: v.ki})
	cfg := baseConfig()
	cfg.RequestIMEI = true
	cfg.FullName, cfg.ShortName = "gsmbox €uro [test]", "Δ-net"
	cfg.HasDST, cfg.DST = true, 1
	sim := mm.NewSIM(testIMSI, v.alg, v.ki, crypto.OPc{})
	sim.TMSI, sim.LAI = 0x0badcafe, cellLAI
	phone := phoneA53()
	phone.SendClassmark2 = true
	h := newHarness(t, cfg, reg, phone, sim)
	rand := fixedRand(v.rand)
	h.connect(h.ms.LocationUpdate(h.now, cellLAI, mm.LUNormal), &rand)
	if r := h.net.Result(); r.Outcome != mm.OutcomeAccepted {
		t.Fatalf("LU result %+v", r)
	}

	// The rest of the message set, each as a downlink or uplink frame.
	extra := []struct {
		uplink bool
		m      mm.Message
	}{
		{false, &mm.LocationUpdatingReject{Cause: mm.CauseRoamingNotAllowedInLA}},
		{true, &mm.CMServiceRequest{NSD: 1, Service: mm.ServiceSMS, CKSN: 2, Classmark2: phone.Classmark2, Identity: l3.TMSI(0x10000001)}},
		{false, &mm.CMServiceReject{Cause: mm.CauseIMSIUnknownInVLR}},
		{false, &mm.CMServiceAccept{}},
		{true, &mm.CMServiceAbort{NSD: 2}},
		{true, &mm.IMSIDetachIndication{Classmark1: phone.Classmark1, Identity: l3.IMSI(testIMSI)}},
		{false, &mm.AuthenticationReject{}},
		{true, &mm.AuthenticationFailure{Cause: mm.CauseSynchFailure, HasAUTS: true, AUTS: [14]byte{0: 0x11, 13: 0x22}}},
		{false, &mm.TMSIReallocationCommand{LAI: cellLAI, Identity: l3.TMSI(0x10000002)}},
		{true, &mm.MMStatus{Cause: mm.CauseMsgTypeNotCompatible}},
		{false, &mm.MMInformation{HasTimeZone: true, TimeZone: -14}},
	}
	frames := h.frames
	for _, e := range extra {
		frames = append(frames, frame{e.uplink, h.encode(e.m)})
	}

	path := filepath.Join(t.TempDir(), "mm.pcap")
	if *keepPcap != "" {
		path = *keepPcap
	}
	var msgs []capture.DCCHMessage
	for _, fr := range frames {
		msgs = append(msgs, capture.DCCHMessage{Uplink: fr.uplink, L3: fr.b})
	}
	// firsts[i] is the packet on which tshark shows frames[i] (its last
	// segment).
	firsts, n := capture.WriteDCCH(t, path, msgs)
	pk := capture.DissectClean(t, path, n)
	colons := func(b []byte) string {
		p := make([]string, len(b))
		for i, x := range b {
			p[i] = strconv.FormatUint(uint64(x)|0x100, 16)[1:]
		}
		return strings.Join(p, ":")
	}
	type want struct{ field, value string }
	lai := []want{{"e212.lai.mcc", "1"}, {"e212.lai.mnc", "1"}, {"gsm_a.lac", "0x0017"}}
	expect := [][]want{
		append([]want{{"gsm_a.dtap.msg_mm_type", "0x08"}, {"gsm_a.dtap.updating_type", "0"}, {"gsm_a.dtap.ciphering_key_sequence_number", "7"},
			{"3gpp.tmsi", "195939070"}, {"gsm_a.A5_3_algorithm_sup", "1"}, {"gsm_a.MSC_rev", "2"}, {"gsm_a.dtap.seq_no", "0"}}, lai...),
		{{"gsm_a.dtap.msg_mm_type", "0x18"}, {"gsm_a.dtap.type_of_identity", "1"}},
		{{"gsm_a.dtap.msg_mm_type", "0x19"}, {"e212.imsi", testIMSI}, {"gsm_a.dtap.seq_no", "1"}},
		{{"gsm_a.dtap.msg_mm_type", "0x12"}, {"gsm_a.dtap.rand", colons(v.rand[:])}, {"gsm_a.dtap.ciphering_key_sequence_number", "0"}},
		{{"gsm_a.dtap.msg_mm_type", "0x14"}, {"gsm_a.dtap.sres", colons(v.sres[:])}, {"gsm_a.dtap.seq_no", "2"}},
		{{"gsm_a.rr.algorithm_identifier", "2"}},
		{},
		{{"gsm_a.dtap.msg_mm_type", "0x18"}, {"gsm_a.dtap.type_of_identity", "2"}},
		{{"gsm_a.dtap.msg_mm_type", "0x19"}, {"gsm_a.imei", phone.IMEI}, {"gsm_a.dtap.seq_no", "3"}},
		append([]want{{"gsm_a.dtap.msg_mm_type", "0x02"}, {"3gpp.tmsi", strconv.Itoa(int(h.net.Result().TMSI))}}, lai...),
		{{"gsm_a.dtap.msg_mm_type", "0x32"}, {"gsm_a.dtap.text_string", cfg.FullName}, {"gsm_a.dtap.text_string", cfg.ShortName},
			{"text", "Timezone: GMT + 1 hours 0 minutes"}, {"gsm_a.dtap.time_zone_time", "Nov 22, 2026 03:00:00"}, {"gsm_a.dtap.dst_adjustment", "1"}},
		{{"gsm_a.dtap.msg_mm_type", "0x1b"}, {"gsm_a.dtap.seq_no", "0"}}, // N(SD) wraps modulo 4
		{{"gsm_a.dtap.msg_mm_type", "0x04"}, {"gsm_a.dtap.rej_cause", "13"}},
		{{"gsm_a.dtap.msg_mm_type", "0x24"}, {"gsm_a.dtap.service_type", "4"}, {"gsm_a.dtap.ciphering_key_sequence_number", "2"},
			{"3gpp.tmsi", "268435457"}, {"gsm_a.dtap.seq_no", "1"}},
		{{"gsm_a.dtap.msg_mm_type", "0x22"}, {"gsm_a.dtap.rej_cause", "4"}},
		{{"gsm_a.dtap.msg_mm_type", "0x21"}},
		{{"gsm_a.dtap.msg_mm_type", "0x23"}, {"gsm_a.dtap.seq_no", "2"}},
		{{"gsm_a.dtap.msg_mm_type", "0x01"}, {"e212.imsi", testIMSI}},
		{{"gsm_a.dtap.msg_mm_type", "0x11"}},
		{{"gsm_a.dtap.msg_mm_type", "0x1c"}, {"gsm_a.dtap.rej_cause", "21"}, {"gsm_a.dtap.auts", "11:00:00:00:00:00:00:00:00:00:00:00:00:22"}},
		append([]want{{"gsm_a.dtap.msg_mm_type", "0x1a"}, {"3gpp.tmsi", "268435458"}}, lai...),
		{{"gsm_a.dtap.msg_mm_type", "0x31"}, {"gsm_a.dtap.rej_cause", "98"}},
		{{"gsm_a.dtap.msg_mm_type", "0x32"}, {"text", "Timezone: GMT - 3 hours 30 minutes"}},
	}
	if len(expect) != len(frames) {
		t.Fatalf("%d expectations for %d L3 messages:\n%s", len(expect), len(frames), h.trace())
	}
	for i, ws := range expect {
		p := pk[firsts[i]]
		for _, w := range ws {
			if w.field == "text" {
				if !strings.Contains(p.Text, w.value) {
					t.Errorf("L3 message %d (packet %d): no %q in the dissection:\n%s", i, firsts[i]+1, w.value, p.Text)
				}
				continue
			}
			got := p.Values(w.field)
			ok := false
			for _, g := range got {
				ok = ok || strings.HasPrefix(g, w.value)
			}
			if !ok {
				t.Errorf("L3 message %d (packet %d): tshark %s = %q, want %q", i, firsts[i]+1, w.field, got, w.value)
			}
		}
	}
}
