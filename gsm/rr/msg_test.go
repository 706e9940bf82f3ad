package rr

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/gsmtap"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/tdma"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

func pad(b ...byte) []byte {
	out := bytes.Repeat([]byte{Padding}, BlockLen)
	copy(out, b)
	return out
}

func TestEmptyPaging(t *testing.T) {
	var b [BlockLen]byte
	EmptyPaging(&b)
	// TS 44.018 §9.1.22 with Mobile Identity 1 = "No identity" (TS 24.008
	// §10.5.1.4): pseudo length 5, RR, type 0x21, page mode 0, LV 01 f0.
	want := pad(0x15, 0x06, 0x21, 0x00, 0x01, 0xf0)
	if !bytes.Equal(b[:], want) {
		t.Errorf("EmptyPaging() = % x, want % x", b, want)
	}
	var m PagingRequest1
	if err := m.Unmarshal(b[:]); err != nil || m.Count != 0 {
		t.Errorf("Unmarshal(empty paging) = %+v, %v, want Count 0", m, err)
	}
}

func TestPagingRequest1(t *testing.T) {
	tests := []struct {
		name string
		m    PagingRequest1
		want []byte
	}{
		{"tmsi", PagingRequest1{Count: 1, Identity: [2]l3.MobileIdentity{l3.TMSI(0x01020304)}},
			pad(0x25, 0x06, 0x21, 0x00, 0x05, 0xf4, 1, 2, 3, 4)},
		{"imsi+tmsi", PagingRequest1{Count: 2, ChanNeeded: [2]ChanNeeded{NeedSDCCH, NeedTCHF}, Identity: [2]l3.MobileIdentity{l3.IMSI("001010123456789"), l3.TMSI(0xdeadbeef)}},
			pad(0x4d, 0x06, 0x21, 0x90, 0x08, 0x09, 0x10, 0x10, 0x10, 0x32, 0x54, 0x76, 0x98, 0x17, 0x05, 0xf4, 0xde, 0xad, 0xbe, 0xef)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b [BlockLen]byte
			if err := tt.m.MarshalTo(&b); err != nil || !bytes.Equal(b[:], tt.want) {
				t.Errorf("MarshalTo(%+v) = % x, %v, want % x", tt.m, b, err, tt.want)
			}
			var got PagingRequest1
			if err := got.Unmarshal(tt.want); err != nil || got != tt.m {
				t.Errorf("Unmarshal(% x) = %+v, %v, want %+v", tt.want, got, err, tt.m)
			}
		})
	}
	bad := PagingRequest1{Count: 1, Identity: [2]l3.MobileIdentity{l3.IMSI("12")}}
	var b [BlockLen]byte
	if err := bad.MarshalTo(&b); err == nil {
		t.Error("MarshalTo(2-digit IMSI) = nil error")
	}
}

func TestImmediateAssignment(t *testing.T) {
	m := ImmediateAssignment{
		Chan: ChannelDesc{Type: ChanSDCCH4, SubChan: 2, TN: 0, TSC: 7, ARFCN: 1023},
		Ref:  NewRequestRef(0x0b, 1234567), TA: 63,
	}
	// FN 1234567: T1 = 931 → T1' = 3, T3 = 1234567 mod 51 = 10, T2 = 1234567 mod 26 = 9.
	want := pad(0x2d, 0x06, 0x3f, 0x00, 0x30, 0xe3, 0xff, 0x0b, 0x19, 0x49, 0x3f, 0x00)
	var b [BlockLen]byte
	if err := m.MarshalTo(&b); err != nil || !bytes.Equal(b[:], want) {
		t.Errorf("MarshalTo = % x, %v, want % x", b, err, want)
	}
	var got ImmediateAssignment
	if err := got.Unmarshal(want); err != nil || fmt.Sprint(got) != fmt.Sprint(m) {
		t.Errorf("Unmarshal = %+v, %v, want %+v", got, err, m)
	}
	if !got.Ref.Matches(0x0b, 1234567) || got.Ref.Matches(0x0b, 1234568) || got.Ref.Matches(0x0c, 1234567) {
		t.Error("RequestRef.Matches gives wrong answers")
	}
	m.HasStartingTime, m.StartingTime = true, tdma.FN(1234600).Reduced()
	m.Chan = ChannelDesc{Type: ChanTCHF, TN: 3, TSC: 1, Hopping: true, MAIO: 33, HSN: 17}
	m.MobileAlloc = []byte{0x05}
	if err := m.MarshalTo(&b); err != nil {
		t.Fatal(err)
	}
	if err := got.Unmarshal(b[:]); err != nil || fmt.Sprint(got) != fmt.Sprint(m) {
		t.Errorf("round trip = %+v, %v, want %+v", got, err, m)
	}
	tbf := bytes.Clone(want)
	tbf[3] = 0x10
	if err := got.Unmarshal(tbf); err == nil {
		t.Error("Unmarshal(TBF assignment) = nil error")
	}
}

func TestImmediateAssignmentReject(t *testing.T) {
	m := ImmediateAssignmentReject{Count: 2, Ref: [4]RequestRef{NewRequestRef(0x12, 100), NewRequestRef(0xe4, 200)}, Wait: [4]uint8{10, 20}}
	var b [BlockLen]byte
	if err := m.MarshalTo(&b); err != nil {
		t.Fatal(err)
	}
	r1 := []byte{0x12, 0x06, 0x36, 10}
	want := append(append(append(append([]byte{0x4d, 0x06, 0x3a, 0x00}, r1...), 0xe4, 0x05, 0xf2, 20), r1...), r1...)
	want = append(want, 0x0b, 0x2b, 0x2b)
	if !bytes.Equal(b[:], want) {
		t.Errorf("MarshalTo = % x, want % x", b, want)
	}
	var got ImmediateAssignmentReject
	if err := got.Unmarshal(b[:]); err != nil || got != m {
		t.Errorf("Unmarshal = %+v, %v, want %+v", got, err, m)
	}
}

func TestPagingRequest23(t *testing.T) {
	p2 := PagingRequest2{ChanNeeded: [3]ChanNeeded{NeedTCHF, NeedSDCCH, NeedTCHHF}, TMSI: [2]uint32{1, 0xfffffffe}, HasIdentity3: true, Identity3: l3.IMSI("001019876543210")}
	var b [BlockLen]byte
	if err := p2.MarshalTo(&b); err != nil {
		t.Fatal(err)
	}
	want := pad(0x55, 0x06, 0x22, 0x60, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe, 0x17, 0x08, 0x09, 0x10, 0x10, 0x89, 0x67, 0x45, 0x23, 0x01, 0xeb)
	if !bytes.Equal(b[:], want) {
		t.Errorf("PagingRequest2.MarshalTo = % x, want % x", b, want)
	}
	var g2 PagingRequest2
	if err := g2.Unmarshal(b[:]); err != nil || g2 != p2 {
		t.Errorf("PagingRequest2.Unmarshal = %+v, %v, want %+v", g2, err, p2)
	}
	p3 := PagingRequest3{PageMode: PageExtended, ChanNeeded: [4]ChanNeeded{1, 2, 3, 1}, TMSI: [4]uint32{10, 20, 30, 40}}
	if err := p3.MarshalTo(&b); err != nil {
		t.Fatal(err)
	}
	// P3 rest octets: H (bit 0 of 0x2B is 0, so H = 1), CN3 11, CN4 01, then padding bits 1011.
	want = pad(0x4d, 0x06, 0x24, 0x91, 0, 0, 0, 10, 0, 0, 0, 20, 0, 0, 0, 30, 0, 0, 0, 40, 0xeb)
	if !bytes.Equal(b[:], want) {
		t.Errorf("PagingRequest3.MarshalTo = % x, want % x", b, want)
	}
	var g3 PagingRequest3
	if err := g3.Unmarshal(b[:]); err != nil || g3 != p3 {
		t.Errorf("PagingRequest3.Unmarshal = %+v, %v, want %+v", g3, err, p3)
	}
}

func TestChannelReleaseAndStatus(t *testing.T) {
	var b [8]byte
	n, _ := (&ChannelRelease{Cause: CauseNormal}).MarshalTo(b[:])
	if !bytes.Equal(b[:n], []byte{0x06, 0x0d, 0x00}) {
		t.Errorf("ChannelRelease.MarshalTo = % x", b[:n])
	}
	var cr ChannelRelease
	// With a Cell Selection Indicator-like TLV and a GPRS Resumption type 1 IE.
	if err := cr.Unmarshal([]byte{0x06, 0x0d, 0x41, 0x62, 0x01, 0x00, 0xc1}); err != nil || cr.Cause != CauseCallAlreadyCleared {
		t.Errorf("ChannelRelease.Unmarshal = %+v, %v", cr, err)
	}
	if err := cr.Unmarshal([]byte{0x06, 0x0d, 0x41, 0x62, 0x05}); err == nil {
		t.Error("ChannelRelease.Unmarshal(truncated IE) = nil error")
	}
	n, _ = (&RRStatus{Cause: CauseUnknownMessageType}).MarshalTo(b[:])
	var st RRStatus
	if err := st.Unmarshal(b[:n]); err != nil || st.Cause != CauseUnknownMessageType || !bytes.Equal(b[:n], []byte{0x06, 0x12, 0x61}) {
		t.Errorf("RRStatus round trip = % x, %+v, %v", b[:n], st, err)
	}
}

func TestParseChannelRequest(t *testing.T) {
	tests := []struct {
		ra   uint8
		neci bool
		want EstCause
		need ChanNeeded
		bits int
	}{
		{0b1010_0001, true, EstEmergency, NeedTCHF, 5},
		{0b1101_1111, true, EstReestablish, NeedTCHF, 5},
		{0b0110_1001, true, EstReestablish, NeedTCHHF, 2},
		{0b0110_1101, true, EstReestablish, NeedTCHHF, 2},
		{0b1000_0011, true, EstPaging, NeedAny, 5},
		{0b0010_0011, true, EstPaging, NeedTCHF, 4},
		{0b0011_0011, false, EstPaging, NeedTCHHF, 4},
		{0b1110_0000, true, EstOriginating, NeedTCHF, 5},
		{0b0100_0001, true, EstOriginating, NeedTCHHF, 4},
		{0b0101_0001, true, EstOriginating, NeedTCHHF, 4},
		{0b0000_0101, true, EstLocationUpdate, NeedSDCCH, 4},
		{0b0001_0101, false, EstLocationUpdate, NeedSDCCH, 5},
		{0b0001_0101, true, EstSDCCHProcedure, NeedSDCCH, 4},
		{0b0111_1000, true, EstPacket, NeedAny, 3},
		{0b0110_0001, true, EstReserved, NeedAny, 3},
	}
	for _, tt := range tests {
		got := ParseChannelRequest(tt.ra, tt.neci)
		if got.Cause != tt.want || got.Need != tt.need || got.RefBits != tt.bits || got.RandomRef != tt.ra&(1<<tt.bits-1) {
			t.Errorf("ParseChannelRequest(%08b, %v) = %+v, want %v/%v/%d bits", tt.ra, tt.neci, got, tt.want, tt.need, tt.bits)
		}
	}
	for ra := 0; ra < 256; ra++ { // every code has an interpretation
		if c := ParseChannelRequest(uint8(ra), true); c.RefBits < 2 || c.RefBits > 5 {
			t.Errorf("ParseChannelRequest(%08b) = %+v", ra, c)
		}
	}
}

func TestChannelDesc(t *testing.T) {
	for _, c := range []ChannelDesc{
		{Type: ChanTCHF, TN: 7, TSC: 0, ARFCN: 512},
		{Type: ChanTCHH, SubChan: 1, TN: 2, TSC: 3, ARFCN: 0},
		{Type: ChanSDCCH4, SubChan: 3, TN: 0, TSC: 4, ARFCN: 975},
		{Type: ChanSDCCH8, SubChan: 7, TN: 1, TSC: 6, Hopping: true, MAIO: 63, HSN: 63},
	} {
		var b [3]byte
		if _, err := c.MarshalTo(b[:]); err != nil {
			t.Fatal(err)
		}
		var got ChannelDesc
		if err := got.Unmarshal(b[:]); err != nil || got != c {
			t.Errorf("ChannelDesc round trip %+v -> % x -> %+v, %v", c, b, got, err)
		}
	}
	if _, err := (&ChannelDesc{Type: ChanSDCCH4, SubChan: 4}).MarshalTo(make([]byte, 3)); err == nil {
		t.Error("MarshalTo(SDCCH/4 sub-channel 4) = nil error")
	}
}

// TestTsharkCCCH dissects paging, immediate assignment (reject) and a
// channel release with tshark.
func TestTsharkCCCH(t *testing.T) {
	testtool.Short(t)
	var empty, p1, ia, iar [BlockLen]byte
	EmptyPaging(&empty)
	p := PagingRequest1{Count: 2, ChanNeeded: [2]ChanNeeded{NeedSDCCH, NeedTCHF}, Identity: [2]l3.MobileIdentity{l3.IMSI("262420123456789"), l3.TMSI(0xdeadbeef)}}
	if err := p.MarshalTo(&p1); err != nil {
		t.Fatal(err)
	}
	a := ImmediateAssignment{Chan: ChannelDesc{Type: ChanSDCCH8, SubChan: 5, TN: 1, TSC: 5, ARFCN: 871}, Ref: NewRequestRef(0x8a, 1234567), TA: 3,
		HasStartingTime: true, StartingTime: tdma.FN(1234600).Reduced()}
	if err := a.MarshalTo(&ia); err != nil {
		t.Fatal(err)
	}
	r := ImmediateAssignmentReject{Count: 2, Ref: [4]RequestRef{NewRequestRef(0x12, 100), NewRequestRef(0xe4, 200)}, Wait: [4]uint8{10, 20}}
	if err := r.MarshalTo(&iar); err != nil {
		t.Fatal(err)
	}
	// Channel Release in a LAPDm UI frame (address 03, control 03, length 3).
	var rel [BlockLen]byte
	fillBlock(rel[:])
	rel[0], rel[1], rel[2] = 0x03, 0x03, 3<<2|1
	(&ChannelRelease{Cause: CauseCallAlreadyCleared}).MarshalTo(rel[3:])
	var p2b, p3b [BlockLen]byte
	p2 := PagingRequest2{ChanNeeded: [3]ChanNeeded{NeedTCHF, NeedSDCCH, NeedTCHHF}, TMSI: [2]uint32{1, 0xfffffffe}, HasIdentity3: true, Identity3: l3.IMSI("001019876543210")}
	if err := p2.MarshalTo(&p2b); err != nil {
		t.Fatal(err)
	}
	p3 := PagingRequest3{ChanNeeded: [4]ChanNeeded{1, 2, 3, 1}, TMSI: [4]uint32{10, 20, 30, 40}}
	if err := p3.MarshalTo(&p3b); err != nil {
		t.Fatal(err)
	}
	path := writeCapture(t, tdma.DCS1800, 871, []capture{{gsmtap.ChanPCH, empty[:]}, {gsmtap.ChanPCH, p1[:]}, {gsmtap.ChanAGCH, ia[:]}, {gsmtap.ChanAGCH, iar[:]}, {gsmtap.ChanSDCCH8, rel[:]},
		{gsmtap.ChanPCH, p2b[:]}, {gsmtap.ChanPCH, p3b[:]}})
	pkts := dissect(t, path)
	got := fieldLines(pkts, "gsm_a.dtap.msg_rr_type", "gsm_a.ie.mobileid.type", "e212.imsi", "3gpp.tmsi", "gsm_a.rr.chnl_needed_ch1", "gsm_a.rr.chnl_needed_ch2",
		"gsm_a.rr.sdcch8_sdcchc8_cbch", "gsm_a.rr.timeslot", "gsm_a.rr.training_sequence", "gsm_a.rr.single_channel_arfcn",
		"gsm_a.rr.ra", "gsm_a.rr.rfn", "gsm_a.rr.timing_adv", "gsm_a.rr.wait_indication", "gsm_a.rr.RRcause", "gsm_a.tmsi")
	text := pkts[5].Text + pkts[6].Text
	for _, s := range []string{"Channel 3: TCH/H or TCH/F (Dual rate) (3)", "Channel 4: SDCCH (1)", "Channel Needed 3: Present"} {
		if !strings.Contains(text, s) {
			t.Errorf("tshark -V lacks %q", s)
		}
	}
	rfn := func(fn tdma.FN) int { return int(fn) % 42432 } // tshark shows RFN = FN mod 42432
	want := []string{
		"0x21|0|||0|0||||||||||",
		"0x21|1,4|262420123456789|3735928559|1|2||||||||||",
		fmt.Sprintf("0x3f||||||13|1|5|871|138|%d,%d|3|||", rfn(1234567), rfn(1234600)),
		fmt.Sprintf("0x3a||||||||||18,228,18,18|%d,%d,%d,%d||10,20,10,10||", rfn(100), rfn(200), rfn(100), rfn(100)),
		"0x0d||||||||||||||65|",
		"0x22|1|001019876543210||2|1||||||||||1,4294967294",
		"0x24||||1|2||||||||||10,20,30,40",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("tshark fields:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestTsharkSACCHHeader checks the L1 header PutSACCHL1Header writes.
func TestTsharkSACCHHeader(t *testing.T) {
	testtool.Short(t)
	s, err := BuildSystemInformation(siConfigs[3])
	if err != nil {
		t.Fatal(err)
	}
	b := s.SI6
	PutSACCHL1Header(&b, 7, true, 42)
	if p, ta, _, err := ParseSACCHBlock(b[:]); err != nil || p != 7 || ta != 42 {
		t.Errorf("ParseSACCHBlock = %d, %d, %v, want 7, 42", p, ta, err)
	}
	path := writeCapture(t, tdma.DCS1800, 871, []capture{{gsmtap.ChanSDCCH8 | gsmtap.ChanACCH, b[:]}})
	got := fieldLines(dissect(t, path), "gsmtap.sacch_l1.power_lev", "gsmtap.sacch_l1.fpc", "gsmtap.sacch_l1.ta", "lapdm.sapi", "gsm_a.dtap.msg_rr_type")
	if want := "7|1|42|0|0x1e"; len(got) != 1 || got[0] != want {
		t.Errorf("tshark fields = %q, want %q", got, want)
	}
}

func TestDecode(t *testing.T) {
	s, err := BuildSystemInformation(siConfigs[0])
	if err != nil {
		t.Fatal(err)
	}
	var empty [BlockLen]byte
	EmptyPaging(&empty)
	for i, b := range [][]byte{s.SI1[:], s.SI2[:], s.SI3[:], s.SI4[:], empty[:]} {
		m, err := DecodeCCCH(b)
		want := []MsgType{MsgSI1, MsgSI2, MsgSI3, MsgSI4, MsgPagingRequest1}[i]
		if err != nil || m.MsgType() != want {
			t.Errorf("DecodeCCCH(% x) = %v, %v, want type %#x", b[:3], m, err, want)
		}
	}
	for _, blk := range [][BlockLen]byte{s.SI5, s.SI6} {
		_, _, info, err := ParseSACCHBlock(blk[:])
		if err != nil {
			t.Fatal(err)
		}
		if m, err := DecodeSACCH(info); err != nil || m.MsgType() != MsgType(info[2]) {
			t.Errorf("DecodeSACCH(% x) = %v, %v", info[:3], m, err)
		}
	}
	if m, err := DecodeDCCH([]byte{0x06, 0x0d, 0x00}); err != nil || m.(*ChannelRelease).Cause != CauseNormal {
		t.Errorf("DecodeDCCH(channel release) = %v, %v", m, err)
	}
	if _, err := DecodeCCCH(pad(0x01, 0x06, 0x00)); !errors.Is(err, ErrUnsupported) {
		t.Errorf("DecodeCCCH(SI13-like) error = %v, want ErrUnsupported", err)
	}
	if _, err := DecodeCCCH(fillFrame[:]); err == nil {
		t.Error("DecodeCCCH(fill frame) = nil error")
	}
}
