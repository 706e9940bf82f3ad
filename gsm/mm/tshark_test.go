package mm_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/gsmtap"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/mm/mmtest"
	"github.com/gsmbox/gsmbox/gsm/tdma"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

var keepPcap = flag.String("mm.pcap", "", "also write the tshark test's capture to this file")

// n201 is the LAPDm information field length on an SDCCH (TS 44.006
// §5.8.3).
const n201 = 20

// lapdmFrames wraps an L3 message in LAPDm I frames for SAPI 0 (TS 44.006
// §3.2–3.6): address (SAPI 0, C/R: 1 for a network command, 0 for an MS
// command, EA 1), control (N(R), P 0, N(S), I frame), length indicator
// (L, M for "more segments", EL 1), the information field and 0x2B fill
// to 23 octets. Messages longer than N201 are segmented.
func lapdmFrames(l3msg []byte, uplink bool, ns *int) [][]byte {
	var out [][]byte
	for len(l3msg) > 0 {
		n := min(len(l3msg), n201)
		more := len(l3msg) > n
		f := bytes.Repeat([]byte{0x2b}, 23)
		f[0] = 0x01
		if !uplink {
			f[0] |= 0x02
		}
		f[1] = byte(*ns&7) << 1
		f[2] = byte(n)<<2 | 1
		if more {
			f[2] |= 2
		}
		copy(f[3:], l3msg[:n])
		out = append(out, f)
		l3msg = l3msg[n:]
		*ns++
	}
	return out
}

// TestTshark writes a location update with identification,
// authentication, ciphering, IMEI request, TMSI allocation and MM
// Information, then other MM messages, into a GSMTAP capture on an SDCCH
// and has tshark (Wireshark's gsm_a.dtap dissector) check every field
// value and that nothing is malformed.
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
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := gsmtap.NewPcapWriter(f)
	if err != nil {
		t.Fatal(err)
	}
	// One L3 message per packet number: firsts[i] is the first packet of
	// frames[i] (segments follow it).
	var firsts []int
	pkt, nsUp, nsDown := 0, 0, 0
	for i, fr := range frames {
		ns := &nsDown
		if fr.uplink {
			ns = &nsUp
		}
		segs := lapdmFrames(fr.b, fr.uplink, ns)
		firsts = append(firsts, pkt+len(segs)-1) // tshark shows the L3 on the last segment
		for _, s := range segs {
			hd := gsmtap.Um(gsmtap.ChanSDCCH, 10, 0, tdma.FN(102*i+pkt), 0)
			hd.Uplink = fr.uplink
			if err := w.WritePacket(time.Unix(1763784000, int64(pkt)*1e6), &hd, s); err != nil {
				t.Fatal(err)
			}
			pkt++
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	pk := testtool.Dissect(t, path)
	if len(pk) != pkt {
		t.Fatalf("tshark read %d packets, want %d", len(pk), pkt)
	}
	for i, p := range pk {
		for _, pr := range p.Problems() {
			t.Errorf("packet %d: %s:\n%s", i+1, pr, p.Text)
		}
	}
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
