package rr

import (
	"fmt"
	"testing"
)

// FuzzDecodeCCCH drives the mobile's CCCH/BCCH entry point directly: any
// 23 octets (or any other length) either decode into a message whose type
// is the block's, which re-encodes to a block that decodes to the same
// value, or give an error. Never a panic.
func FuzzDecodeCCCH(f *testing.F) {
	seedSI(f)
	for _, c := range siConfigs[:1] {
		s, _ := BuildSystemInformation(c)
		f.Add(s.SI2[:5]) // short
	}
	f.Add(make([]byte, BlockLen))
	f.Add([]byte{0x01, 0x06, 0x21, 0x00}) // paging type 1, truncated
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeCCCH(b)
		if err != nil {
			if m != nil {
				t.Fatalf("DecodeCCCH(% x) = %v with error %v", b, m, err)
			}
			return
		}
		if mt, _ := MessageType(b); m.MsgType() != mt {
			t.Fatalf("DecodeCCCH(% x) gave a %T for message type %#x", b, m, uint8(mt))
		}
		enc, ok := m.(interface{ MarshalTo(*[BlockLen]byte) error })
		if !ok {
			return
		}
		var out [BlockLen]byte
		if err := enc.MarshalTo(&out); err != nil {
			t.Fatalf("MarshalTo(%+v) from % x: %v", m, b, err)
		}
		back, err := DecodeCCCH(out[:])
		if err != nil || fmt.Sprint(back) != fmt.Sprint(m) {
			t.Errorf("DecodeCCCH(MarshalTo(%+v)) = %+v, %v", m, back, err)
		}
	})
}

// FuzzDecodeSACCH drives the SACCH entry point directly with the
// information field (what ParseSACCHBlock returns), not a whole block.
func FuzzDecodeSACCH(f *testing.F) {
	for _, c := range siConfigs[:3] {
		s, err := BuildSystemInformation(c)
		if err != nil {
			f.Fatal(err)
		}
		for _, blk := range [][]byte{s.SI5[:], s.SI6[:]} {
			if _, _, info, err := ParseSACCHBlock(blk); err == nil {
				f.Add(info)
				f.Add(info[:len(info)/2])
			}
		}
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeSACCH(b)
		if err != nil {
			return
		}
		var out [SACCHInfoLen]byte
		switch v := m.(type) {
		case *SI5:
			if err := v.MarshalTo(&out); err != nil {
				t.Fatalf("SI5 MarshalTo(%+v) from % x: %v", v, b, err)
			}
		case *SI6:
			if err := v.MarshalTo(&out); err != nil {
				t.Fatalf("SI6 MarshalTo(%+v) from % x: %v", v, b, err)
			}
		default:
			t.Fatalf("DecodeSACCH(% x) = %T", b, m)
		}
		back, err := DecodeSACCH(out[:])
		if err != nil || fmt.Sprint(back) != fmt.Sprint(m) {
			t.Errorf("DecodeSACCH(MarshalTo(%+v)) = %+v, %v", m, back, err)
		}
	})
}
