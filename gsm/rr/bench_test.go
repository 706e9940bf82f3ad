package rr

import (
	"testing"

	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

func BenchmarkBuildSystemInformation(b *testing.B) {
	c := siConfigs[0]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := BuildSystemInformation(c); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSI3MarshalTo(b *testing.B) {
	_, _, si3, _, _, _, err := SystemInformation(&siConfigs[0])
	if err != nil {
		b.Fatal(err)
	}
	var out [BlockLen]byte
	b.ReportAllocs()
	for b.Loop() {
		si3.MarshalTo(&out)
	}
}

func BenchmarkPagingRequest1MarshalTo(b *testing.B) {
	m := PagingRequest1{Count: 2, Identity: [2]l3.MobileIdentity{l3.IMSI("001010123456789"), l3.TMSI(0xdeadbeef)}}
	var out [BlockLen]byte
	b.ReportAllocs()
	for b.Loop() {
		if err := m.MarshalTo(&out); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEmptyPaging(b *testing.B) {
	var out [BlockLen]byte
	b.ReportAllocs()
	for b.Loop() {
		EmptyPaging(&out)
	}
}

func BenchmarkImmediateAssignmentMarshalTo(b *testing.B) {
	m := ImmediateAssignment{Chan: ChannelDesc{Type: ChanSDCCH4, SubChan: 2, TSC: 7, ARFCN: 1023}, Ref: NewRequestRef(0x0b, 1234567), TA: 1}
	var out [BlockLen]byte
	b.ReportAllocs()
	for b.Loop() {
		if err := m.MarshalTo(&out); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeFreqList(b *testing.B) {
	sets := map[string]FreqSet{
		"range1024_16": NewFreqSet(0, 3, 50, 100, 124, 975, 980, 990, 1000, 1010, 1020, 1023, 10, 20, 30, 40, 60),
		"range128_29": func() (s FreqSet) {
			for i := 0; i < 29; i++ {
				s.Add(tdma.ARFCN(600 + 4*i))
			}
			return s
		}(),
	}
	for name, s := range sets {
		b.Run(name, func(b *testing.B) {
			var out [FreqListLen]byte
			b.ReportAllocs()
			for b.Loop() {
				if _, err := EncodeFreqList(&out, &s, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkPagingRequest1Unmarshal(b *testing.B) {
	blk := pad(0x4d, 0x06, 0x21, 0x90, 0x08, 0x09, 0x10, 0x10, 0x10, 0x32, 0x54, 0x76, 0x98, 0x17, 0x05, 0xf4, 0xde, 0xad, 0xbe, 0xef)
	var m PagingRequest1
	b.ReportAllocs()
	for b.Loop() {
		if err := m.Unmarshal(blk); err != nil {
			b.Fatal(err)
		}
	}
}

func TestPagingEncodeNoAlloc(t *testing.T) {
	m := PagingRequest1{Count: 2, Identity: [2]l3.MobileIdentity{l3.IMSI("001010123456789"), l3.TMSI(0xdeadbeef)}}
	var out [BlockLen]byte
	if a := testing.AllocsPerRun(100, func() { m.MarshalTo(&out) }); a != 0 {
		t.Errorf("PagingRequest1.MarshalTo allocs = %v, want 0", a)
	}
	ia := ImmediateAssignment{Chan: ChannelDesc{Type: ChanSDCCH4, TSC: 7, ARFCN: 1}, Ref: NewRequestRef(1, 1)}
	if a := testing.AllocsPerRun(100, func() { ia.MarshalTo(&out) }); a != 0 {
		t.Errorf("ImmediateAssignment.MarshalTo allocs = %v, want 0", a)
	}
}
