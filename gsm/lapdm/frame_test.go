package lapdm

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// block returns hex h padded with fill to n octets.
func block(t *testing.T, h string, n int) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(h, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	for len(b) < n {
		b = append(b, Fill)
	}
	return b
}

// Known frames, worked out bit by bit from TS 44.006 §3.2–§3.6 (and, for
// each, dissected the same by tshark in TestTshark).
var frameVectors = []struct {
	name string
	hex  string
	f    Frame
}{
	{"MS SABM SAPI0 P=1 with contention resolution info", "01 3f 0d 05 24 11",
		Frame{Format: FormatB, SAPI: 0, CR: false, Type: TypeSABM, PF: true, Info: []byte{0x05, 0x24, 0x11}}},
	{"network UA F=1 echoing it", "01 73 0d 05 24 11",
		Frame{Format: FormatB, Type: TypeUA, PF: true, Info: []byte{0x05, 0x24, 0x11}}},
	{"network I N(S)=2 N(R)=1 M=1 L=20", "03 24 53 0102030405060708090a0b0c0d0e0f1011121314",
		Frame{Format: FormatB, CR: true, Type: TypeI, NS: 2, NR: 1, M: true,
			Info: []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}}},
	{"MS RR response N(R)=3 F=1", "03 71 01", Frame{Format: FormatB, CR: true, Type: TypeRR, NR: 3, PF: true, Info: []byte{}}},
	{"REJ N(R)=5", "01 a9 01", Frame{Format: FormatB, Type: TypeREJ, NR: 5, Info: []byte{}}},
	{"RNR N(R)=0", "01 05 01", Frame{Format: FormatB, Type: TypeRNR, Info: []byte{}}},
	{"network DISC P=1 SAPI3", "0f 53 01", Frame{Format: FormatB, SAPI: 3, CR: true, Type: TypeDISC, PF: true, Info: []byte{}}},
	{"DM F=1", "01 1f 01", Frame{Format: FormatB, Type: TypeDM, PF: true, Info: []byte{}}},
	{"fill frame: network UI L=0", "03 03 01", Frame{Format: FormatB, CR: true, Type: TypeUI, Info: []byte{}}},
	{"I N(S)=7 N(R)=7 P=1", "01 fe 09 0509", Frame{Format: FormatB, Type: TypeI, NS: 7, NR: 7, PF: true, Info: []byte{5, 9}}},
}

func TestFrameVectors(t *testing.T) {
	for _, v := range frameVectors {
		t.Run(v.name, func(t *testing.T) {
			b := block(t, v.hex, BlockLen)
			var f Frame
			if err := f.Unmarshal(b); err != nil {
				t.Fatalf("Unmarshal(% x) = %v", b, err)
			}
			if f.String() != v.f.String() || !bytes.Equal(f.Info, v.f.Info) || f.Format != v.f.Format || f.LPD != 0 {
				t.Fatalf("Unmarshal(% x) = %v % x, want %v % x", b, f, f.Info, v.f, v.f.Info)
			}
			var out [BlockLen]byte
			n, err := v.f.MarshalTo(out[:])
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out[:], b) || n != v.f.MarshalSize() {
				t.Fatalf("MarshalTo(%v) = % x (%d), want % x", v.f, out, n, b)
			}
		})
	}
}

func TestFrameFormats(t *testing.T) {
	// B4 on SACCH: SI5 as a network UI command, no length octet.
	b4 := block(t, "03 03 49 06 1d", 21)
	var f Frame
	if err := f.UnmarshalB4(b4); err != nil {
		t.Fatal(err)
	}
	if f.Format != FormatB4 || f.Type != TypeUI || !f.CR || len(f.Info) != 19 || f.Info[0] != 0x49 {
		t.Fatalf("UnmarshalB4(% x) = %v % x", b4, f, f.Info)
	}
	out := make([]byte, 21)
	if _, err := f.MarshalTo(out); err != nil || !bytes.Equal(out, b4) {
		t.Fatalf("MarshalTo = % x, %v; want % x", out, err, b4)
	}
	// Bter: short L2 header, the whole block is L3.
	bter := block(t, "0c 12 34", 23)
	if err := f.Unmarshal(bter); err != nil || f.Format != FormatBter || len(f.Info) != 23 {
		t.Fatalf("Unmarshal(Bter % x) = %v, %v", bter, f, err)
	}
	// Bbis carries the information only.
	bbis := Frame{Format: FormatBbis, Info: []byte{0x01, 0x06, 0x3f}}
	out = make([]byte, 23)
	if _, err := bbis.MarshalTo(out); err != nil || !bytes.Equal(out, block(t, "01 06 3f", 23)) {
		t.Fatalf("MarshalTo(Bbis) = % x, %v", out, err)
	}
}

func TestFrameErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    []byte
		b4   bool
		err  error
	}{
		{"empty", nil, false, ErrShort},
		{"two octets", []byte{0x01, 0x03}, false, ErrShort},
		{"EA 0", []byte{0x02, 0x03, 0x01}, false, ErrAddress},
		{"EL 0", []byte{0x01, 0x03, 0x00}, false, ErrLength},
		{"length past block", []byte{0x01, 0x03, 0x0d, 0x01}, false, ErrLength},
		{"S frame 11", []byte{0x01, 0x0d, 0x01}, false, ErrControl},
		{"unknown U frame", []byte{0x01, 0xe3, 0x01}, false, ErrControl},
		{"B4 short", []byte{0x03}, true, ErrShort},
		{"B4 EA 0", []byte{0x00, 0x03}, true, ErrAddress},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f Frame
			var err error
			if tc.b4 {
				err = f.UnmarshalB4(tc.b)
			} else {
				err = f.Unmarshal(tc.b)
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("Unmarshal(% x) = %v, want %v", tc.b, err, tc.err)
			}
		})
	}
	var f Frame
	for _, tc := range []struct {
		name string
		f    Frame
		n    int
		err  error
	}{
		{"buffer", Frame{Format: FormatB, Type: TypeUI, Info: make([]byte, 21)}, 23, ErrBuffer},
		{"info > 63", Frame{Format: FormatB, Type: TypeUI, Info: make([]byte, 64)}, 80, ErrLength},
		{"SAPI 8", Frame{Format: FormatB, SAPI: 8, Type: TypeUI}, 23, ErrAddress},
		{"no type", Frame{Format: FormatB}, 23, ErrControl},
		{"no format", Frame{Type: TypeUI}, 23, ErrControl},
		{"Bter without short header", Frame{Format: FormatBter, Info: []byte{0x01}}, 23, ErrAddress},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f = tc.f
			if _, err := f.MarshalTo(make([]byte, tc.n)); !errors.Is(err, tc.err) {
				t.Fatalf("MarshalTo(%v) = %v, want %v", tc.f, err, tc.err)
			}
		})
	}
}
