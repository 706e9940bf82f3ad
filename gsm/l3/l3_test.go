package l3

import (
	"bytes"
	"errors"
	"testing"
)

func TestPLMN(t *testing.T) {
	tests := []struct {
		p    PLMN
		want []byte
	}{
		{PLMN{"262", "01"}, []byte{0x62, 0xf2, 0x10}},
		{PLMN{"001", "01"}, []byte{0x00, 0xf1, 0x10}},
		{PLMN{"310", "410"}, []byte{0x13, 0x00, 0x14}},
		{PLMN{"901", "70"}, []byte{0x09, 0xf1, 0x07}},
		{PLMN{"310", "004"}, []byte{0x13, 0x40, 0x00}},
	}
	for _, tt := range tests {
		t.Run(tt.p.String(), func(t *testing.T) {
			var b [3]byte
			if _, err := tt.p.MarshalTo(b[:]); err != nil || !bytes.Equal(b[:], tt.want) {
				t.Errorf("MarshalTo(%v) = % x, %v, want % x", tt.p, b, err, tt.want)
			}
			var got PLMN
			if err := got.Unmarshal(tt.want); err != nil || got != tt.p {
				t.Errorf("Unmarshal(% x) = %v, %v, want %v", tt.want, got, err, tt.p)
			}
		})
	}
	for _, bad := range []PLMN{{"26", "01"}, {"262", "1"}, {"262", "0123"}, {"2a2", "01"}} {
		if _, err := bad.MarshalTo(make([]byte, 3)); !errors.Is(err, ErrDigits) {
			t.Errorf("MarshalTo(%v) error = %v, want ErrDigits", bad, err)
		}
	}
	var p PLMN
	if err := p.Unmarshal([]byte{0x6a, 0xf2, 0x10}); !errors.Is(err, ErrDigits) {
		t.Errorf("Unmarshal(6a f2 10) error = %v, want ErrDigits", err)
	}
}

func TestLAI(t *testing.T) {
	l := LAI{PLMN{"001", "01"}, 0x1234}
	var b [5]byte
	if _, err := l.MarshalTo(b[:]); err != nil || !bytes.Equal(b[:], []byte{0, 0xf1, 0x10, 0x12, 0x34}) {
		t.Fatalf("MarshalTo = % x, %v", b, err)
	}
	var got LAI
	if err := got.Unmarshal(b[:]); err != nil || got != l {
		t.Errorf("Unmarshal(% x) = %v, %v, want %v", b, got, err, l)
	}
}

func TestMobileIdentity(t *testing.T) {
	tests := []struct {
		name string
		m    MobileIdentity
		want []byte
	}{
		{"imsi15", IMSI("262420000000001"), []byte{0x29, 0x26, 0x24, 0x00, 0x00, 0x00, 0x00, 0x10}},
		{"imsi14", IMSI("00101123456789"), []byte{0x01, 0x10, 0x10, 0x21, 0x43, 0x65, 0x87, 0xf9}},
		{"tmsi", TMSI(0xdeadbeef), []byte{0xf4, 0xde, 0xad, 0xbe, 0xef}},
		{"imei", MobileIdentity{Type: IdentityIMEI, Digits: "490154203237518"}, []byte{0x4a, 0x09, 0x51, 0x24, 0x30, 0x32, 0x57, 0x81}},
		{"imeisv", MobileIdentity{Type: IdentityIMEISV, Digits: "4901542032375101"}, []byte{0x43, 0x09, 0x51, 0x24, 0x30, 0x32, 0x57, 0x01, 0xf1}},
		{"none", MobileIdentity{}, []byte{0xf0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := make([]byte, 16)
			n, err := tt.m.MarshalTo(b)
			if err != nil || !bytes.Equal(b[:n], tt.want) || n != tt.m.MarshalSize() {
				t.Errorf("MarshalTo(%v) = % x, %v, want % x", tt.m, b[:n], err, tt.want)
			}
			var got MobileIdentity
			if err := got.Unmarshal(tt.want); err != nil || got != tt.m {
				t.Errorf("Unmarshal(% x) = %v, %v, want %v", tt.want, got, err, tt.m)
			}
		})
	}
	bad := [][]byte{{}, {0xf4, 1, 2}, {0x29, 0x26}, {0x21, 0x26, 0x24, 0x00, 0x00, 0x00, 0x00, 0x10}, {0x29, 0x2a, 0x24, 0x00, 0x00, 0x00, 0x00, 0x10}, {0x06}}
	for _, b := range bad {
		var m MobileIdentity
		if err := m.Unmarshal(b); err == nil {
			t.Errorf("Unmarshal(% x) = %v, nil, want error", b, m)
		}
	}
}

func TestHeader(t *testing.T) {
	tests := []struct {
		name string
		h    Header
		want []byte
	}{
		{"rr paging", Header{PD: PDRR, Type: 0x21}, []byte{0x06, 0x21}},
		{"mm lu request nsd", Header{PD: PDMM, Type: 0x08, NSD: 1}, []byte{0x05, 0x48}},
		{"cc setup ti", Header{PD: PDCC, TIFlag: true, TI: 3, Type: 0x05}, []byte{0xb3, 0x05}},
		{"cc ext ti", Header{PD: PDCC, TI: 9, Type: 0x05, NSD: 2}, []byte{0x73, 0x89, 0x85}},
		{"sms", Header{PD: PDSMS, TI: 2, Type: 0x01}, []byte{0x29, 0x01}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := make([]byte, 3)
			n, err := tt.h.MarshalTo(b)
			if err != nil || !bytes.Equal(b[:n], tt.want) {
				t.Errorf("MarshalTo(%+v) = % x, %v, want % x", tt.h, b[:n], err, tt.want)
			}
			var got Header
			if m, err := got.Unmarshal(tt.want); err != nil || got != tt.h || m != len(tt.want) {
				t.Errorf("Unmarshal(% x) = %+v, %d, %v, want %+v", tt.want, got, m, err, tt.h)
			}
		})
	}
}

func TestDecoder(t *testing.T) {
	// V(2), LV, optional TV 0x13 (5), missing TLV 0x17, half 0xA-, T 0xA1? no: TLV 0x30, unknown TLV 0x44 skipped, TLVE 0x78.
	msg := []byte{0xaa, 0xbb, 0x02, 1, 2, 0x13, 1, 2, 3, 4, 5, 0x95, 0xa1, 0x30, 0x01, 0x09, 0x44, 0x02, 7, 7, 0x78, 0x00, 0x01, 0x42}
	d := NewDecoder(msg)
	if v := d.V(2); !bytes.Equal(v, []byte{0xaa, 0xbb}) {
		t.Errorf("V(2) = % x", v)
	}
	if v := d.LV(1, 2); !bytes.Equal(v, []byte{1, 2}) {
		t.Errorf("LV = % x", v)
	}
	if v, ok := d.TV(0x13, 5); !ok || len(v) != 5 {
		t.Errorf("TV(0x13) = % x, %v", v, ok)
	}
	if _, ok := d.TLV(0x17, 0, 10); ok {
		t.Error("TLV(0x17) present, want absent")
	}
	if v, ok := d.TVHalf(0x9); !ok || v != 5 {
		t.Errorf("TVHalf(9) = %d, %v, want 5, true", v, ok)
	}
	if !d.T(0xa1) {
		t.Error("T(0xa1) = false")
	}
	if v, ok := d.TLV(0x30, 1, 1); !ok || v[0] != 9 {
		t.Errorf("TLV(0x30) = % x, %v", v, ok)
	}
	if iei := d.SkipIE(); iei != 0x44 {
		t.Errorf("SkipIE() = %#x, want 0x44", iei)
	}
	if v, ok := d.TLVE(0x78, 1, 1); !ok || v[0] != 0x42 {
		t.Errorf("TLVE(0x78) = % x, %v", v, ok)
	}
	if d.Err() != nil || d.Left() != 0 {
		t.Errorf("Err, Left = %v, %d, want nil, 0", d.Err(), d.Left())
	}
	if d.Byte(); !errors.Is(d.Err(), ErrShort) {
		t.Errorf("Byte past end err = %v, want ErrShort", d.Err())
	}
	for _, tc := range []struct {
		b    []byte
		want error
	}{{[]byte{2, 1}, ErrShort}, {[]byte{3, 1, 2, 3}, ErrLength}, {[]byte{}, ErrShort}} {
		d := NewDecoder(tc.b)
		d.LV(0, 2)
		if !errors.Is(d.Err(), tc.want) {
			t.Errorf("LV(% x) err = %v, want %v", tc.b, d.Err(), tc.want)
		}
	}
}

func TestEncoder(t *testing.T) {
	b := make([]byte, 16)
	e := NewEncoder(b)
	e.V([]byte{0xaa})
	e.LV([]byte{1, 2})
	e.TV(0x13, []byte{5})
	e.TVHalf(0x9, 5)
	e.T(0xa1)
	m := e.BeginLV()
	e.Byte(7)
	e.Byte(8)
	e.EndLV(m)
	e.TLVE(0x78, []byte{0x42})
	want := []byte{0xaa, 2, 1, 2, 0x13, 5, 0x95, 0xa1, 2, 7, 8, 0x78, 0, 1, 0x42}
	if e.Err() != nil || !bytes.Equal(e.Bytes(), want) {
		t.Errorf("Encoder wrote % x (%v), want % x", e.Bytes(), e.Err(), want)
	}
	e.V(make([]byte, 2))
	if !errors.Is(e.Err(), ErrBuffer) {
		t.Errorf("overflow err = %v, want ErrBuffer", e.Err())
	}
}

func TestClassmarks(t *testing.T) {
	c1 := Classmark1{Revision: 2, ESInd: true, A51: true, RFPower: 1}
	if c1.Byte() != 0x51 || ParseClassmark1(0x51) != c1 {
		t.Errorf("Classmark1 %+v Byte() = %#x, want 0x51", c1, c1.Byte())
	}
	c2 := Classmark2{Classmark1: Classmark1{Revision: 2, A51: true, RFPower: 4}, SSScreening: 1, SMCap: true, FC: true, CM3: true, UCS2: true, A53: true}
	b := make([]byte, 3)
	c2.MarshalTo(b)
	// 0x54 = rev 2, ES 0, A5/1 available, power 4; 0x19; 0x92.
	if !bytes.Equal(b, []byte{0x44, 0x19, 0x92}) {
		t.Errorf("Classmark2 MarshalTo = % x, want 44 19 92", b)
	}
	var g2 Classmark2
	if err := g2.Unmarshal(b); err != nil || g2 != c2 {
		t.Errorf("Classmark2 Unmarshal = %+v, %v, want %+v", g2, err, c2)
	}
	// A typical dual-band classmark 3: multiband 101 (E-GSM+DCS), A5/4..7 off,
	// radio caps 3 and 1, no R-GSM, multislot class 10, then more fields.
	cm3 := []byte{0x50, 0x31, 0x54, 0x80}
	var c3 Classmark3
	if err := c3.Unmarshal(cm3); err != nil {
		t.Fatal(err)
	}
	want3 := Classmark3{Multiband: 5, RadioCap2: 3, RadioCap1: 1, MultiSlot: true, MultiSlotClass: 10, UCS2: false, ExtMeasCap: true}
	if c3 != want3 {
		t.Errorf("Classmark3 Unmarshal(% x) = %+v, want %+v", cm3, c3, want3)
	}
	c3.A54, c3.A57 = true, true
	b = make([]byte, 8)
	n, err := c3.MarshalTo(b)
	var back Classmark3
	if err != nil || back.Unmarshal(b[:n]) != nil || back != c3 {
		t.Errorf("Classmark3 round trip %+v -> % x -> %+v", c3, b[:n], back)
	}
}

func FuzzMobileIdentity(f *testing.F) {
	f.Add([]byte{0x29, 0x26, 0x24, 0x00, 0x00, 0x00, 0x00, 0x10})
	f.Add([]byte{0xf4, 0xde, 0xad, 0xbe, 0xef})
	f.Fuzz(func(t *testing.T, b []byte) {
		var m MobileIdentity
		if m.Unmarshal(b) != nil {
			return
		}
		out := make([]byte, 16)
		n, err := m.MarshalTo(out)
		if err != nil {
			t.Fatalf("MarshalTo(%v) after Unmarshal(% x): %v", m, b, err)
		}
		var back MobileIdentity
		if err := back.Unmarshal(out[:n]); err != nil || back != m {
			t.Errorf("Unmarshal(MarshalTo(%v)) = %v, %v", m, back, err)
		}
	})
}

func FuzzClassmark3(f *testing.F) {
	f.Add([]byte{0x50, 0x31, 0x2a, 0x4c, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		var c Classmark3
		if c.Unmarshal(b) != nil {
			return
		}
		out := make([]byte, 8)
		n, err := c.MarshalTo(out)
		var back Classmark3
		if err != nil || back.Unmarshal(out[:n]) != nil || back != c {
			t.Errorf("Classmark3 canonical round trip of % x: %+v -> % x -> %+v (%v)", b, c, out[:n], back, err)
		}
	})
}

func FuzzDecoder(f *testing.F) {
	f.Add([]byte{0x02, 1, 2, 0x13, 1, 0x95, 0x30, 0x01, 0x09})
	f.Fuzz(func(t *testing.T, b []byte) {
		d := NewDecoder(b)
		for d.Err() == nil && d.Left() > 0 {
			d.SkipIE()
		}
		if d.Offset() > len(b) {
			t.Errorf("Offset %d beyond %d", d.Offset(), len(b))
		}
	})
}

func TestHalves(t *testing.T) {
	b := make([]byte, 1)
	e := NewEncoder(b)
	e.Halves(0x3, 0xa)
	if b[0] != 0xa3 {
		t.Errorf("Halves(3, a) wrote %#x, want 0xa3", b[0])
	}
	d := NewDecoder(b)
	if lo, hi := d.Halves(); lo != 3 || hi != 0xa {
		t.Errorf("Halves() = %#x, %#x, want 3, a", lo, hi)
	}
}

func FuzzHeader(f *testing.F) {
	f.Add([]byte{0x73, 0x89, 0x85})
	f.Add([]byte{0x05, 0x48})
	f.Fuzz(func(t *testing.T, b []byte) {
		var h Header
		n, err := h.Unmarshal(b)
		if err != nil {
			return
		}
		out := make([]byte, 3)
		m, err := h.MarshalTo(out)
		if err != nil {
			t.Fatalf("MarshalTo(%+v): %v", h, err)
		}
		var back Header
		if _, err := back.Unmarshal(out[:m]); err != nil || back != h || m > n {
			t.Errorf("Header round trip of % x: %+v -> % x -> %+v", b[:n], h, out[:m], back)
		}
	})
}

func FuzzLAI(f *testing.F) {
	f.Add([]byte{0x00, 0xf1, 0x10, 0x12, 0x34})
	f.Add([]byte{0x13, 0x00, 0x14, 0xff, 0xfe})
	f.Fuzz(func(t *testing.T, b []byte) {
		var l LAI
		if l.Unmarshal(b) != nil {
			return
		}
		var out [LAILen]byte
		if _, err := l.MarshalTo(out[:]); err != nil {
			t.Fatalf("MarshalTo(%v) from % x: %v", l, b, err)
		}
		var back LAI
		if err := back.Unmarshal(out[:]); err != nil || back != l {
			t.Errorf("LAI round trip of % x: %v -> % x -> %v", b, l, out, back)
		}
		// Every digit is checked, so the encoding is unique.
		if string(out[:]) != string(b[:LAILen]) {
			t.Errorf("LAI % x re-encodes to % x", b[:LAILen], out)
		}
	})
}

func FuzzClassmark2(f *testing.F) {
	f.Add([]byte{0x44, 0x19, 0x92})
	f.Fuzz(func(t *testing.T, b []byte) {
		var c Classmark2
		if c.Unmarshal(b) != nil {
			return
		}
		var out [Classmark2Len]byte
		c.MarshalTo(out[:])
		var back Classmark2
		if err := back.Unmarshal(out[:]); err != nil || back != c {
			t.Errorf("Classmark2 round trip of % x: %+v -> %+v", b, c, back)
		}
		// Only the spare bits (octet 3 bit 8, octet 4 bit 8, octet 5 bit 7) may differ.
		if out[0] != b[0]&0x7f || out[1] != b[1]&0x7f || out[2] != b[2]&0xbf {
			t.Errorf("Classmark2 % x re-encodes to % x", b[:3], out)
		}
	})
}
