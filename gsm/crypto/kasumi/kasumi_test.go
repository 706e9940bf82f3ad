package kasumi

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"testing"
)

func key16(t testing.TB, s string) *[16]byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 16 {
		t.Fatalf("bad key %q", s)
	}
	return (*[16]byte)(b)
}

// TestKASUMI checks the KASUMI test sets of 3GPP TS 35.203 (Implementors'
// test data), provenance in testdata/README.md.
func TestKASUMI(t *testing.T) {
	tests := []struct {
		name     string
		key      string
		in, want uint64
		iter     int
	}{
		{"set1", "2BD6459F82C5B300952C49104881FF48", 0xEA024714AD5C4D84, 0xDF1F9B251C0BF45F, 1},
		{"set2", "8CE33E2CC3C0B5FC1F3DE8A6DC66B1F3", 0xD3C5D592327FB11C, 0xDE551988CEB2F9B7, 1},
		{"set3", "4035C6680AF8C6D1A8FF8667B1714013", 0x62A540981BA6F9B7, 0x4592B0E78690F71B, 1},
		{"set4-x50", "3A3B39B5C3F2376D69F7D546E5F85D43", 0xCA49C1C75771AB0B, 0x738BAD4C4A690802, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(key16(t, tt.key))
			x := tt.in
			for range tt.iter {
				x = c.Encrypt(x)
			}
			if x != tt.want {
				t.Errorf("Encrypt^%d(%016X) = %016X, want %016X", tt.iter, tt.in, x, tt.want)
			}
		})
	}
}

// TestKeySchedule checks the round subkeys of TS 35.203 test set 1.
func TestKeySchedule(t *testing.T) {
	c := New(key16(t, "2BD6459F82C5B300952C49104881FF48"))
	want := map[string][8]uint16{
		"KL1": {0x57AC, 0x8B3E, 0x058B, 0x6601, 0x2A59, 0x9220, 0x9102, 0xFE91},
		"KL2": {0x0B6E, 0x7EEF, 0x6BF0, 0xF388, 0x3ED5, 0xCD58, 0x2AF5, 0x00F8},
		"KO1": {0xB3E8, 0x58B0, 0x6016, 0xA592, 0x2209, 0x1029, 0xE91F, 0x7AC5},
		"KO2": {0x1049, 0x8148, 0x48FF, 0xD62B, 0x9F45, 0xC582, 0x00B3, 0x2C95},
		"KO3": {0x2910, 0x1FE9, 0xC57A, 0xE8B3, 0xB058, 0x1660, 0x92A5, 0x0922},
		"KI1": {0x6BF0, 0xF388, 0x3ED5, 0xCD58, 0x2AF5, 0x00F8, 0x0B6E, 0x7EEF},
		"KI2": {0x7EEF, 0x6BF0, 0xF388, 0x3ED5, 0xCD58, 0x2AF5, 0x00F8, 0x0B6E},
		"KI3": {0xCD58, 0x2AF5, 0x00F8, 0x0B6E, 0x7EEF, 0x6BF0, 0xF388, 0x3ED5},
	}
	got := map[string][8]uint16{"KL1": c.kl1, "KL2": c.kl2, "KO1": c.ko1, "KO2": c.ko2, "KO3": c.ko3, "KI1": c.ki1, "KI2": c.ki2, "KI3": c.ki3}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("Init(set1).%s = %04X, want %04X", k, got[k], w)
		}
	}
}

// TestKGCore checks KGCORE in its A5/3 use (CA=0x0F, CB=0, CD=0, CE=0,
// CK=Kc‖Kc, 228 bits) against the test data of 3GPP TS 55.217 §4.
func TestKGCore(t *testing.T) {
	tests := []struct {
		ck    string
		count uint32
		want  string
	}{
		{"2BD6459F82C5BC002BD6459F82C5BC00", 0x0024F20F, "889EEAAF9ED1BA1ABBD8436232E45728D01AA89133DA73C11EAB68B7D89BC841"},
		{"952C49104881FF48952C49104881FF48", 0x00061272, "FB4D5FBCEE13A33389285686E9A5C94240DE38150115F15F8D9D98B91A94B296"},
		{"EFA8B2229E720C2AEFA8B2229E720C2A", 0x0033FD3F, "0E4015755A336469C3DD8680E3035BC419A78AD3862C1090C68A391FE8A6ADEB"},
		{"5ACB1D644C0D51204EA55ACB1D644C0D", 0x00156B26, "E095306AD5086E2EAC7F3107DE4FA22DC1DFC97D5BC5661DD6096F476AEDC64B"},
		{"D3C5D592327FB11C4035C6680AF8C6D1", 0x000A59B4, "DCE64362AB5F89C11EF0B305166570F4889D5511E9E3575D062B5CED6039506A"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%06X", tt.count), func(t *testing.T) {
			want, err := hex.DecodeString(tt.want)
			if err != nil {
				t.Fatal(err)
			}
			// 228 bits: the last octet keeps its 4 leading bits.
			want[28] &= 0xF0
			want = want[:29]
			got := make([]byte, 29)
			if err := KGCore(got, 228, key16(t, tt.ck), KGCoreInput{CA: 0x0F, CC: tt.count}); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("KGCore(%s, %06X) = %X, want %X", tt.ck, tt.count, got, want)
			}
		})
	}
}

func TestKGCoreShortBuffer(t *testing.T) {
	var g Generator
	g.Init(new([16]byte))
	if err := g.Keystream(make([]byte, 28), 228, KGCoreInput{}); err == nil {
		t.Errorf("Keystream(28 octets, 228 bits) = nil error, want ErrLength")
	}
}

func BenchmarkEncrypt(b *testing.B) {
	c := New(new([16]byte))
	b.ReportAllocs()
	x := uint64(0)
	for b.Loop() {
		x = c.Encrypt(x)
	}
}

func BenchmarkInit(b *testing.B) {
	var c Cipher
	k := new([16]byte)
	b.ReportAllocs()
	for b.Loop() {
		c.Init(k)
	}
}
