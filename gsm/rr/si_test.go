package rr

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/gsmtap"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/tdma"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

func testConfig(p l3.PLMN, band tdma.Band, arfcn tdma.ARFCN, nb ...tdma.ARFCN) CellConfig {
	c := DefaultCellConfig()
	c.PLMN, c.LAC, c.CI = p, 0x1234, 0x5678
	c.BSIC = tdma.BSIC{NCC: 2, BCC: 5}
	c.Band, c.ARFCN, c.Neighbours = band, arfcn, nb
	return c
}

var siConfigs = []CellConfig{
	testConfig(l3.PLMN{MCC: "001", MNC: "01"}, tdma.GSM900, 0, 1, 5, 10, 990, 1000),
	testConfig(l3.PLMN{MCC: "262", MNC: "42"}, tdma.GSM900, 62, 60, 64, 70),
	testConfig(l3.PLMN{MCC: "310", MNC: "410"}, tdma.GSM850, 190, 128, 131, 200, 251),
	testConfig(l3.PLMN{MCC: "234", MNC: "15"}, tdma.DCS1800, 871, 512, 600, 700, 885),
	testConfig(l3.PLMN{MCC: "311", MNC: "004"}, tdma.PCS1900, 661, 512, 810, 600),
	testConfig(l3.PLMN{MCC: "901", MNC: "70"}, tdma.RGSM900, 955),
}

func TestBuildSystemInformationRoundTrip(t *testing.T) {
	for _, c := range siConfigs {
		t.Run(fmt.Sprintf("%v/%d", c.Band, c.ARFCN), func(t *testing.T) {
			s, err := BuildSystemInformation(c)
			if err != nil {
				t.Fatalf("BuildSystemInformation() error %v", err)
			}
			var si1 SI1
			if err := si1.Unmarshal(s.SI1[:]); err != nil || !si1.CellChannels.Has(c.ARFCN) || si1.CellChannels.Len() != 1 || si1.PCS1900 != (c.Band == tdma.PCS1900) {
				t.Errorf("SI1 Unmarshal = %+v, %v", si1, err)
			}
			var si2 SI2
			if err := si2.Unmarshal(s.SI2[:]); err != nil || si2.Neighbours != NewFreqSet(c.Neighbours...) || si2.NCCPermitted != 0xff {
				t.Errorf("SI2 Unmarshal = %v %+v, %v, want neighbours %v", si2.Neighbours, si2, err, c.Neighbours)
			}
			var si3 SI3
			lai := l3.LAI{PLMN: c.PLMN, LAC: c.LAC}
			if err := si3.Unmarshal(s.SI3[:]); err != nil || si3.LAI != lai || si3.CI != c.CI || si3.Control.CCCHConf != CCCH1Combined || si3.Control.T3212 != 10 {
				t.Errorf("SI3 Unmarshal = %+v, %v", si3, err)
			}
			var si4 SI4
			if err := si4.Unmarshal(s.SI4[:]); err != nil || si4.LAI != lai || si4.CellSel != si3.CellSel || si4.RACH != si3.RACH {
				t.Errorf("SI4 Unmarshal = %+v, %v", si4, err)
			}
			_, _, info, err := ParseSACCHBlock(s.SI5[:])
			var si5 SI5
			if err != nil || si5.Unmarshal(info) != nil || si5.Neighbours != si2.Neighbours {
				t.Errorf("SI5 = %+v, %v", si5, err)
			}
			_, _, info, err = ParseSACCHBlock(s.SI6[:])
			var si6 SI6
			if err != nil || si6.Unmarshal(info) != nil || si6.LAI != lai || si6.CI != c.CI || si6.Options != si3.Options || si6.PCS1900 != (c.Band == tdma.PCS1900) {
				t.Errorf("SI6 = %+v, %v", si6, err)
			}
			for i, b := range [][]byte{s.SI1[:], s.SI2[:], s.SI3[:], s.SI4[:]} {
				if len(b) != 23 || b[2] != byte(MsgSI1)+byte(i) {
					t.Errorf("SI%d block = % x", i+1, b)
				}
			}
		})
	}
}

func TestBuildSystemInformationErrors(t *testing.T) {
	c := testConfig(l3.PLMN{MCC: "1", MNC: "01"}, tdma.DCS1800, 10)
	c.BSPAMfrms, c.MaxRetrans, c.TxIntegerSlots, c.RadioLinkTimeout = 1, 3, 13, 30
	_, err := BuildSystemInformation(c)
	if err == nil {
		t.Fatal("BuildSystemInformation(bad) = nil error")
	}
	for _, want := range []string{"plmn", "arfcn 10", "bs_pa_mfrms", "max_retrans", "tx_integer", "radio_link_timeout"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("BuildSystemInformation(bad) error %q does not mention %q", err, want)
		}
	}
}

func TestSIKnownAnswer(t *testing.T) {
	// Hand-assembled from TS 44.018 §9.1.35 and the IE clauses for MCC 001,
	// MNC 01, LAC 0x1234, CI 0x5678 and the DefaultCellConfig values.
	s, err := BuildSystemInformation(siConfigs[0])
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{0x49, 0x06, 0x1b, 0x56, 0x78, 0x00, 0xf1, 0x10, 0x12, 0x34,
		0xc9, 0x00, 0x0a, // MSCR ATT AG=1 CCCH_CONF=1; PA_MFRMS 2; T3212 10
		0x27,       // DTX shall not, RLT 32
		0x45, 0x40, // hyst 2, txpwr level 5 (33 dBm); NECI, rxlev 0
		0xe9, 0x00, 0x00, // 7 retrans, tx-integer 14, RE set
		0x2b, 0x2b, 0x2b, 0x2b}
	if !bytes.Equal(s.SI3[:], want) {
		t.Errorf("SI3 = % x, want % x", s.SI3, want)
	}
}

var mncRE = regexp.MustCompile(`Mobile Network Code \(MNC\): .*\((\d+)\)`)

var arfcnListRE = regexp.MustCompile(`List of ARFCNs = ([0-9 ]*)`)

// TestTsharkSystemInformation dissects SI1–SI6 of several cells with
// tshark and checks the identities and lists it reads.
func TestTsharkSystemInformation(t *testing.T) {
	testtool.Short(t)
	var pk []capture
	for _, c := range siConfigs {
		s, err := BuildSystemInformation(c)
		if err != nil {
			t.Fatal(err)
		}
		pk = append(pk, capture{gsmtap.ChanBCCH, s.SI1[:]}, capture{gsmtap.ChanBCCH, s.SI2[:]}, capture{gsmtap.ChanBCCH, s.SI3[:]},
			capture{gsmtap.ChanBCCH, s.SI4[:]}, capture{gsmtap.ChanSDCCH4 | gsmtap.ChanACCH, s.SI5[:]}, capture{gsmtap.ChanSDCCH4 | gsmtap.ChanACCH, s.SI6[:]})
	}
	pkts := dissect(t, writeCapture(t, tdma.GSM900, 1, pk))
	if len(pkts) != len(pk) {
		t.Fatalf("tshark dissected %d packets, want %d", len(pkts), len(pk))
	}
	lines := fieldLines(pkts, "gsm_a.dtap.msg_rr_type", "e212.lai.mcc", "e212.lai.mnc", "gsm_a.lac", "gsm_a.bssmap.cell_ci", "gsm_a.rr.band_indicator")
	for i, c := range siConfigs {
		// tshark prints MCC and MNC as numbers: the digit count of the MNC is
		// checked in the detailed text below.
		mcc, mnc := strings.TrimLeft(c.PLMN.MCC, "0"), strings.TrimLeft(c.PLMN.MNC, "0")
		if mnc == "" {
			mnc = "0"
		}
		ident := fmt.Sprintf("|%s|%s|%#04x|%#04x", mcc, mnc, c.LAC, c.CI)
		bi := "0"
		if c.Band == tdma.PCS1900 {
			bi = "1"
		}
		want := []string{"0x19|||||" + bi, "0x1a|||||", "0x1b" + ident + "|", "", "0x1d|||||", "0x1e" + ident + "|" + bi}
		want[3] = fmt.Sprintf("0x1c|%s|%s|%#04x||", mcc, mnc, c.LAC) // SI4 carries no CI
		for j, w := range want {
			if got := lines[6*i+j]; got != w {
				t.Errorf("%v cell, SI%d: tshark fields = %q, want %q", c.Band, j+1, got, w)
			}
		}
		for _, j := range []int{2, 3, 5} {
			m := mncRE.FindStringSubmatch(pkts[6*i+j].Text)
			if m == nil || m[1] != c.PLMN.MNC {
				t.Errorf("%v cell, SI%d: tshark MNC %q, want %q", c.Band, j+1, m, c.PLMN.MNC)
			}
		}
		nb := NewFreqSet(c.Neighbours...)
		cell := NewFreqSet(c.ARFCN)
		for j, want := range map[int]FreqSet{0: cell, 1: nb, 4: nb} {
			if got := arfcnList(pkts[6*i+j].Text); got != want {
				t.Errorf("%v cell, SI%d: tshark ARFCN list %v, want %v", c.Band, j+1, got, want)
			}
		}
	}
}

// arfcnList returns the set of "List of ARFCNs = ..." in one frame's text.
func arfcnList(frame string) FreqSet {
	var s FreqSet
	m := arfcnListRE.FindStringSubmatch(frame)
	if m == nil {
		return s
	}
	for _, f := range strings.Fields(m[1]) {
		var n int
		fmt.Sscan(f, &n)
		s.Add(tdma.ARFCN(n))
	}
	return s
}

// TestTsharkFreqListFormats puts random ARFCN sets of every band into the
// Neighbour Cell Description of SI2 in each format and checks that tshark
// reads the same list.
func TestTsharkFreqListFormats(t *testing.T) {
	testtool.Short(t)
	rng := rand.New(rand.NewPCG(7, 8))
	type tc struct {
		f    FreqFormat
		band tdma.Band
		s    FreqSet
	}
	var cases []tc
	bands := []tdma.Band{tdma.GSM900, tdma.RGSM900, tdma.GSM850, tdma.DCS1800, tdma.PCS1900}
	limits := map[FreqFormat][2]int{FormatRange1024: {16, 1024}, FormatRange512: {18, 512}, FormatRange256: {22, 256}, FormatRange128: {29, 128}, FormatVarBitmap: {40, 112}} // tshark truncates its list text at about 240 characters
	for _, f := range []FreqFormat{FormatRange1024, FormatRange512, FormatRange256, FormatRange128, FormatVarBitmap} {
		for _, b := range bands {
			for range 4 {
				l := limits[f]
				cases = append(cases, tc{f, b, randomSet(rng, b, 1+rng.IntN(l[0]), l[1])})
			}
			// The largest set, and with E-GSM ARFCN 0.
			full := randomSet(rng, b, limits[f][0], limits[f][1])
			cases = append(cases, tc{f, b, full})
		}
	}
	for range 4 {
		s := randomSet(rng, tdma.GSM900, 1+rng.IntN(100), 124)
		if !s.Has(0) && s.next(125) < 0 {
			cases = append(cases, tc{FormatBitmap0, tdma.GSM900, s})
		}
	}
	eg := NewFreqSet(0, 1, 124, 975, 1023)
	cases = append(cases, tc{FormatRange1024, tdma.GSM900, eg}, tc{FormatRange512, tdma.GSM900, eg}, tc{FormatRange256, tdma.GSM900, eg}, tc{FormatRange128, tdma.GSM900, NewFreqSet(0, 1023, 975, 50)})
	var pk []capture
	for _, c := range cases {
		si2 := SI2{Neighbours: FreqSet{}, NCCPermitted: 0xff, RACH: RACHControl{MaxRetrans: 1}}
		var b [BlockLen]byte
		if err := si2.MarshalTo(&b); err != nil {
			t.Fatal(err)
		}
		if err := EncodeFreqListFormat((*[FreqListLen]byte)(b[3:19]), &c.s, 0, c.f); err != nil {
			t.Fatalf("EncodeFreqListFormat(%v, %v) = %v", c.s, c.f, err)
		}
		pk = append(pk, capture{gsmtap.ChanBCCH, b[:]})
	}
	pkts := dissect(t, writeCapture(t, tdma.GSM900, 1, pk))
	if len(pkts) != len(cases) {
		t.Fatalf("tshark dissected %d packets, want %d", len(pkts), len(cases))
	}
	for i, c := range cases {
		if got := arfcnList(pkts[i].Text); got != c.s {
			t.Errorf("%v %v: tshark reads %v, want %v", c.f, c.band, got, c.s)
		}
	}
}

func TestEarlyClassmark(t *testing.T) {
	c := siConfigs[1]
	c.EarlyClassmark = true
	s, err := BuildSystemInformation(c)
	if err != nil {
		t.Fatal(err)
	}
	var si3 SI3
	if err := si3.Unmarshal(s.SI3[:]); err != nil || !si3.Rest.EarlyClassmark {
		t.Errorf("SI3 rest = %+v, %v, want early classmark sending", si3.Rest, err)
	}
	// Bit 4 of the first rest octet is H: 0x2B with bit 4 (from the left) flipped.
	if s.SI3[19] != 0x3b {
		t.Errorf("SI3 rest octet 1 = %#02x, want 0x3b", s.SI3[19])
	}
}

func TestForTC(t *testing.T) {
	s, err := BuildSystemInformation(siConfigs[1])
	if err != nil {
		t.Fatal(err)
	}
	want := []MsgType{MsgSI1, MsgSI2, MsgSI3, MsgSI4, 0, 0, MsgSI3, MsgSI4}
	for tc, w := range want {
		b := s.ForTC(tc)
		got, err := MessageType(b[:])
		if w == 0 {
			if err == nil {
				t.Errorf("ForTC(%d) = % x, want the L2 fill frame", tc, b[:4])
			}
			continue
		}
		if err != nil || got != w {
			t.Errorf("ForTC(%d) type = %#x, %v, want %#x", tc, got, err, w)
		}
	}
}

func TestPowerLevel(t *testing.T) {
	tests := []struct {
		band tdma.Band
		dBm  int
		want uint8
	}{
		{tdma.GSM900, 39, 2}, {tdma.GSM900, 43, 2}, {tdma.GSM900, 33, 5}, {tdma.GSM900, 34, 5}, {tdma.GSM900, 5, 19}, {tdma.GSM900, 0, 19},
		{tdma.GSM850, 37, 3},
		{tdma.DCS1800, 30, 0}, {tdma.DCS1800, 36, 29}, {tdma.DCS1800, 35, 30}, {tdma.DCS1800, 32, 31}, {tdma.DCS1800, 29, 1}, {tdma.DCS1800, 0, 15},
		{tdma.PCS1900, 33, 30}, {tdma.PCS1900, 40, 30}, {tdma.PCS1900, 32, 31}, {tdma.PCS1900, 30, 0}, {tdma.PCS1900, 1, 15},
	}
	for _, tt := range tests {
		got := PowerLevel(tt.band, tt.dBm)
		if got != tt.want {
			t.Errorf("PowerLevel(%v, %d) = %d, want %d", tt.band, tt.dBm, got, tt.want)
		}
		if p := PowerDBm(tt.band, got); p > tt.dBm && tt.dBm >= PowerDBm(tt.band, 15) && tt.band != tdma.GSM900 {
			t.Errorf("PowerDBm(%v, %d) = %d above requested %d", tt.band, got, p, tt.dBm)
		}
	}
}

func TestBuildSystemInformationSI2bis(t *testing.T) {
	var nb []tdma.ARFCN
	for i := 0; i < 30; i++ {
		nb = append(nb, tdma.ARFCN(512+12*i)) // 30 channels over 348: no single format holds them
	}
	c := testConfig(l3.PLMN{MCC: "001", MNC: "01"}, tdma.DCS1800, 700, nb...)
	s, err := BuildSystemInformation(c)
	if err != nil {
		t.Fatalf("BuildSystemInformation() error %v", err)
	}
	if !s.HasSI2bis || s.ForTC(5) != &s.SI2bis {
		t.Fatal("BuildSystemInformation() built no SI2bis")
	}
	var si2 SI2
	var bis SI2bis
	if err := si2.Unmarshal(s.SI2[:]); err != nil || !si2.ExtInd {
		t.Errorf("SI2 = %+v, %v, want EXT-IND", si2, err)
	}
	if err := bis.Unmarshal(s.SI2bis[:]); err != nil || !bis.ExtInd {
		t.Errorf("SI2bis = %+v, %v, want EXT-IND", bis, err)
	}
	var union FreqSet
	for i := range union {
		union[i] = si2.Neighbours[i] | bis.Neighbours[i]
		if si2.Neighbours[i]&bis.Neighbours[i] != 0 {
			t.Errorf("SI2 and SI2bis share channels")
		}
	}
	if union != NewFreqSet(nb...) {
		t.Errorf("SI2 ∪ SI2bis = %v, want %v", union, nb)
	}
	var s5, s5bis SI5
	_, _, info5, _ := ParseSACCHBlock(s.SI5[:])
	_, _, info5bis, _ := ParseSACCHBlock(s.SI5bis[:])
	if s5.Unmarshal(info5) != nil || s5bis.Unmarshal(info5bis) != nil || s5.Neighbours != si2.Neighbours || s5bis.Neighbours != bis.Neighbours || !s5bis.Bis || !s5.ExtInd {
		t.Errorf("SI5 %+v, SI5bis %+v do not match SI2/SI2bis", s5, s5bis)
	}
	// tshark reads both halves and the EXT-IND bits.
	if _, err := exec.LookPath("tshark"); err != nil && !testtool.Required() {
		return
	}
	pkts := dissect(t, writeCapture(t, tdma.DCS1800, 700, []capture{{gsmtap.ChanBCCH, s.SI2[:]}, {gsmtap.ChanBCCH, s.SI2bis[:]},
		{gsmtap.ChanSDCCH4 | gsmtap.ChanACCH, s.SI5[:]}, {gsmtap.ChanSDCCH4 | gsmtap.ChanACCH, s.SI5bis[:]}}))
	for i, want := range []FreqSet{si2.Neighbours, bis.Neighbours, si2.Neighbours, bis.Neighbours} {
		if got := arfcnList(pkts[i].Text); got != want {
			t.Errorf("tshark list %d = %v, want %v", i, got, want)
		}
		if !strings.Contains(pkts[i].Text, "EXT-IND: The information element carries only a part of the BA") {
			t.Errorf("tshark packet %d lacks EXT-IND = part of the BA", i)
		}
	}
	// Too many for two lists.
	var many []tdma.ARFCN
	for i := 0; i < 120; i++ {
		many = append(many, tdma.ARFCN(512+3*i))
	}
	c.Neighbours = many
	if _, err := BuildSystemInformation(c); err == nil {
		t.Error("BuildSystemInformation(120 scattered neighbours) = nil error")
	}
}
