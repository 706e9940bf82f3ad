package rr

import (
	"fmt"
	"testing"
)

// Each fuzz target checks that a successful decode re-encodes without
// error to a form that decodes to the same value (the canonical form:
// optional fields this package does not decode are dropped), and that
// decoders never panic.

func FuzzFreqList(f *testing.F) {
	f.Add([]byte{0x8c, 0x16, 0x06, 0x12, 0x41, 0x2e, 0xd6, 0x7c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		s, _, spare, err := DecodeFreqList(b)
		if err != nil {
			return
		}
		var out [FreqListLen]byte
		if _, err := EncodeFreqList(&out, &s, spare); err != nil {
			t.Fatalf("EncodeFreqList(%v) from % x: %v", s, b, err)
		}
		back, _, sp2, err := DecodeFreqList(out[:])
		if err != nil || back != s || sp2 != spare {
			t.Errorf("DecodeFreqList(EncodeFreqList(%v)) = %v, %d, %v", s, back, sp2, err)
		}
	})
}

// fuzzBlock is the shared body for the 23-octet block messages.
func fuzzBlock[M any, P interface {
	*M
	Unmarshal([]byte) error
	MarshalTo(*[BlockLen]byte) error
}](t *testing.T, b []byte) {
	var m M
	if P(&m).Unmarshal(b) != nil {
		return
	}
	var out [BlockLen]byte
	if err := P(&m).MarshalTo(&out); err != nil {
		t.Fatalf("MarshalTo(%+v) from % x: %v", m, b, err)
	}
	var back M
	if err := P(&back).Unmarshal(out[:]); err != nil || fmt.Sprint(back) != fmt.Sprint(m) {
		t.Errorf("Unmarshal(MarshalTo(%+v)) = %+v, %v", m, back, err)
	}
}

func seedSI(f *testing.F) {
	for _, c := range siConfigs[:3] {
		s, err := BuildSystemInformation(c)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(s.SI1[:])
		f.Add(s.SI2[:])
		f.Add(s.SI3[:])
		f.Add(s.SI4[:])
	}
}

func FuzzSI1(f *testing.F) { seedSI(f); f.Fuzz(fuzzBlock[SI1]) }
func FuzzSI2(f *testing.F) {
	seedSI(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzBlock[SI2](t, b)
		fuzzBlock[SI2bis](t, b)
	})
}
func FuzzSI3(f *testing.F) { seedSI(f); f.Fuzz(fuzzBlock[SI3]) }
func FuzzSI4(f *testing.F) { seedSI(f); f.Fuzz(fuzzBlock[SI4]) }

func FuzzPagingRequest1(f *testing.F) {
	f.Add(pad(0x15, 0x06, 0x21, 0x00, 0x01, 0xf0))
	f.Add(pad(0x4d, 0x06, 0x21, 0x90, 0x08, 0x09, 0x10, 0x10, 0x10, 0x32, 0x54, 0x76, 0x98, 0x17, 0x05, 0xf4, 0xde, 0xad, 0xbe, 0xef))
	f.Fuzz(fuzzBlock[PagingRequest1])
}

func FuzzImmediateAssignment(f *testing.F) {
	f.Add(pad(0x2d, 0x06, 0x3f, 0x00, 0x30, 0xe3, 0xff, 0x0b, 0x19, 0x49, 0x3f, 0x00))
	f.Add(pad(0x39, 0x06, 0x3f, 0x00, 0x69, 0xa3, 0x67, 0x8a, 0x19, 0x49, 0x03, 0x00, 0x7c, 0x1d, 0x70))
	f.Fuzz(fuzzBlock[ImmediateAssignment])
}

func FuzzImmediateAssignmentReject(f *testing.F) {
	f.Add(pad(0x4d, 0x06, 0x3a, 0x00, 0x12, 0x06, 0x36, 10, 0xe4, 0x05, 0xf2, 20, 0x12, 0x06, 0x36, 10, 0x12, 0x06, 0x36, 10, 0x0b))
	f.Fuzz(fuzzBlock[ImmediateAssignmentReject])
}

func FuzzSACCHSI(f *testing.F) {
	for _, c := range siConfigs[:3] {
		s, err := BuildSystemInformation(c)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(s.SI5[:])
		f.Add(s.SI6[:])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _, info, err := ParseSACCHBlock(b)
		if err != nil {
			return
		}
		var si5 SI5
		if si5.Unmarshal(info) == nil {
			var out [SACCHInfoLen]byte
			var back SI5
			if err := si5.MarshalTo(&out); err != nil || back.Unmarshal(out[:]) != nil || back != si5 {
				t.Errorf("SI5 canonical round trip of % x failed: %+v -> %+v (%v)", info, si5, back, err)
			}
		}
		var si6 SI6
		if si6.Unmarshal(info) == nil {
			var out [SACCHInfoLen]byte
			var back SI6
			if err := si6.MarshalTo(&out); err != nil || back.Unmarshal(out[:]) != nil || back != si6 {
				t.Errorf("SI6 canonical round trip of % x failed: %+v -> %+v (%v)", info, si6, back, err)
			}
		}
	})
}

func FuzzDCCH(f *testing.F) {
	f.Add([]byte{0x06, 0x0d, 0x41, 0x62, 0x01, 0x00, 0xc1})
	f.Add([]byte{0x06, 0x12, 0x61})
	for _, m := range dcchMessages() {
		f.Add(m.want)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, err := DecodeDCCH(b); err == nil {
			out := make([]byte, 64)
			n, err := m.(interface{ MarshalTo([]byte) (int, error) }).MarshalTo(out)
			if err != nil {
				t.Fatalf("MarshalTo(%+v) from % x: %v", m, b, err)
			}
			back, err := DecodeDCCH(out[:n])
			if err != nil || fmt.Sprint(back) != fmt.Sprint(m) {
				t.Errorf("DecodeDCCH(MarshalTo(%+v)) = %+v, %v", m, back, err)
			}
		}
		var cd ChannelDesc
		if cd.Unmarshal(b) == nil {
			var out [ChannelDescLen]byte
			var back ChannelDesc
			if _, err := cd.MarshalTo(out[:]); err != nil || back.Unmarshal(out[:]) != nil || back != cd {
				t.Errorf("ChannelDesc round trip of % x: %+v -> %+v (%v)", b, cd, back, err)
			}
		}
	})
}

func FuzzPagingRequest23(f *testing.F) {
	f.Add(pad(0x55, 0x06, 0x22, 0x60, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xfe, 0x17, 0x08, 0x09, 0x10, 0x10, 0x89, 0x67, 0x45, 0x23, 0x01, 0xeb))
	f.Add(pad(0x4d, 0x06, 0x24, 0x91, 0, 0, 0, 10, 0, 0, 0, 20, 0, 0, 0, 30, 0, 0, 0, 40, 0xeb))
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzBlock[PagingRequest2](t, b)
		fuzzBlock[PagingRequest3](t, b)
	})
}
