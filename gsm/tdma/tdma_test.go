package tdma

import (
	"strings"
	"testing"
)

func bitString(b []byte) string {
	var sb strings.Builder
	for _, v := range b {
		sb.WriteByte('0' + v)
	}
	return sb.String()
}

// The sequences as printed in TS 45.002 §5.2.3, §5.2.5, §5.2.7.
func TestSequences(t *testing.T) {
	tsc := []string{
		"00100101110000100010010111",
		"00101101110111100010110111",
		"01000011101110100100001110",
		"01000111101101000100011110",
		"00011010111001000001101011",
		"01001110101100000100111010",
		"10100111110110001010011111",
		"11101111000100101110111100",
	}
	for i, want := range tsc {
		if got := bitString(TSC[i][:]); got != want {
			t.Errorf("TSC[%d] = %s, want %s", i, got, want)
		}
		// Each TSC is a 16-bit core with 5 bits of cyclic extension either side.
		s := TSC[i]
		for k := 0; k < 5; k++ {
			if s[k] != s[16+k] || s[21+k] != s[5+k] {
				t.Errorf("TSC[%d] lacks cyclic extension at %d", i, k)
			}
		}
	}
	if got, want := bitString(SCHSync[:]), "1011100101100010000001000000111100101101010001010111011000011011"; got != want {
		t.Errorf("SCHSync = %s, want %s", got, want)
	}
	if got, want := bitString(AccessSync[:]), "01001011011111111001100110101010001111000"; got != want {
		t.Errorf("AccessSync = %s, want %s", got, want)
	}
	if len(dummyBits) != BurstBits {
		t.Fatalf("dummy burst has %d bits", len(dummyBits))
	}
	if Dummy[0]|Dummy[1]|Dummy[2]|Dummy[145]|Dummy[146]|Dummy[147] != 0 {
		t.Error("dummy burst tails not zero")
	}
}

func TestFN(t *testing.T) {
	for _, fn := range []FN{0, 1, 50, 51, 1325, 1326, 100000, HyperFrame - 1} {
		if got := FromT(fn.T1(), fn.T2(), fn.T3()); got != fn {
			t.Errorf("FromT(%d,%d,%d) = %d, want %d", fn.T1(), fn.T2(), fn.T3(), got, fn)
		}
	}
	if got := FN(HyperFrame - 1).Add(2); got != 1 {
		t.Errorf("Add across wrap = %d, want 1", got)
	}
	if got := FN(1).Sub(HyperFrame - 1); got != 2 {
		t.Errorf("Sub across wrap = %d, want 2", got)
	}
	if !FN(HyperFrame - 1).Before(3) {
		t.Error("wrap: HyperFrame-1 should be before 3")
	}
	if got := FN(0).Add(-1); got != HyperFrame-1 {
		t.Errorf("Add(-1) = %d", got)
	}
}

func TestARFCN(t *testing.T) {
	cases := []struct {
		band     Band
		n        ARFCN
		up, down int64
	}{
		{GSM900, 1, 890_200_000, 935_200_000},
		{GSM900, 62, 902_400_000, 947_400_000},
		{GSM900, 124, 914_800_000, 959_800_000},
		{GSM900, 0, 890_000_000, 935_000_000},
		{GSM900, 975, 880_200_000, 925_200_000},
		{GSM900, 1023, 889_800_000, 934_800_000},
		{GSM850, 128, 824_200_000, 869_200_000},
		{GSM850, 251, 848_800_000, 893_800_000},
		{DCS1800, 512, 1_710_200_000, 1_805_200_000},
		{DCS1800, 885, 1_784_800_000, 1_879_800_000},
		{PCS1900, 512, 1_850_200_000, 1_930_200_000},
		{PCS1900, 810, 1_909_800_000, 1_989_800_000},
	}
	for _, c := range cases {
		up, ok := c.band.UplinkHz(c.n)
		down, _ := c.band.DownlinkHz(c.n)
		if !ok || up != c.up || down != c.down {
			t.Errorf("%v ARFCN %d = %d/%d %v, want %d/%d", c.band, c.n, up, down, ok, c.up, c.down)
		}
	}
	for _, bad := range []struct {
		b Band
		n ARFCN
	}{{GSM900, 125}, {GSM900, 974}, {GSM850, 127}, {DCS1800, 886}, {PCS1900, 811}, {GSM850, 252}} {
		if _, ok := bad.b.UplinkHz(bad.n); ok {
			t.Errorf("%v contains %d", bad.b, bad.n)
		}
	}
	if n := len(GSM900.Channels()); n != 174 {
		t.Errorf("GSM900 has %d channels, want 174", n)
	}
	if ch := GSM900.Channels(); ch[0] != 975 || ch[len(ch)-1] != 124 {
		t.Errorf("GSM900 channel order = %d..%d", ch[0], ch[len(ch)-1])
	}
	lo, hi := DCS1800.Edges(true)
	if lo != 1_805_200_000 || hi != 1_879_800_000 {
		t.Errorf("DCS1800 downlink edges %d..%d", lo, hi)
	}
}

func TestBurstRoundTrip(t *testing.T) {
	var data [NormalDataBits]byte
	for i := range data {
		data[i] = byte(i*7) & 1
	}
	var b Burst
	Normal(&b, &data, 5)
	if bitString(b[NormalTSCStart:NormalTSCStart+TSCBits]) != bitString(TSC[5][:]) {
		t.Fatal("TSC not at its place")
	}
	var back [NormalDataBits]byte
	NormalData(&back, (*[BurstBits]byte)(&b))
	if back != data {
		t.Fatal("NormalData does not invert Normal")
	}
	var sch [SCHDataBits]byte
	for i := range sch {
		sch[i] = byte(i) & 1
	}
	SCH(&b, &sch)
	var sback [SCHDataBits]byte
	SCHData(&sback, (*[BurstBits]byte)(&b))
	if sback != sch {
		t.Fatal("SCHData does not invert SCH")
	}
	var ab [AccessDataBits]byte
	ab[0], ab[35] = 1, 1
	Access(&b, &ab)
	var aback [AccessDataBits]byte
	AccessData(&aback, (*[BurstBits]byte)(&b))
	if aback != ab {
		t.Fatal("AccessData does not invert Access")
	}
}

func TestParseBand(t *testing.T) {
	for in, want := range map[string]Band{"GSM900": GSM900, "e-gsm900": GSM900, "DCS1800": DCS1800, "GSM850": GSM850, "PCS1900": PCS1900} {
		if got, err := ParseBand(in); err != nil || got != want {
			t.Errorf("ParseBand(%q) = %v, %v, want %v", in, got, err, want)
		}
	}
	if _, err := ParseBand("LTE"); err == nil {
		t.Error("ParseBand(LTE) succeeded")
	}
}
