package coding

import (
	"testing"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Benchmarks per block. bursts/s = blocks/s × bursts per block (4 for
// xCCH and, on average, for TCH/F; 1 for SCH and RACH).

// perBurst reports throughput in bursts per second, n bursts per block.
func perBurst(b *testing.B, n int) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N*n)/s, "bursts/s")
	}
}

func BenchmarkEncodeXCCH(b *testing.B) {
	var msg [23]byte
	var dst [4][116]byte
	b.ReportAllocs()
	for b.Loop() {
		EncodeXCCH(&dst, &msg)
	}
	perBurst(b, 4)
}

func BenchmarkDecodeXCCH(b *testing.B) {
	var msg [23]byte
	var c [4][116]byte
	EncodeXCCH(&c, &msg)
	s := softBursts(&c)
	b.ReportAllocs()
	for b.Loop() {
		DecodeXCCH(&msg, &s)
	}
	perBurst(b, 4)
}

func BenchmarkEncodeSCH(b *testing.B) {
	var info [25]byte
	var dst [78]byte
	b.ReportAllocs()
	for b.Loop() {
		PackSCHInfo(&info, tdma.BSIC{NCC: 1, BCC: 2}, 1)
		EncodeSCH(&dst, &info)
	}
	perBurst(b, 1)
}

func BenchmarkDecodeSCH(b *testing.B) {
	var info [25]byte
	var c [78]byte
	EncodeSCH(&c, &info)
	var s [78]int8
	toSoft(s[:], c[:])
	b.ReportAllocs()
	for b.Loop() {
		DecodeSCH(&info, &s)
		UnpackSCHInfo(&info)
	}
	perBurst(b, 1)
}

func BenchmarkEncodeRACH(b *testing.B) {
	var dst [36]byte
	b.ReportAllocs()
	for b.Loop() {
		EncodeRACH(&dst, 0x23, tdma.BSIC{NCC: 1, BCC: 2})
	}
	perBurst(b, 1)
}

func BenchmarkDecodeRACH(b *testing.B) {
	bsic := tdma.BSIC{NCC: 1, BCC: 2}
	var c [36]byte
	EncodeRACH(&c, 0x23, bsic)
	var s [36]int8
	toSoft(s[:], c[:])
	b.ReportAllocs()
	for b.Loop() {
		DecodeRACH(&s, bsic)
	}
	perBurst(b, 1)
}

func BenchmarkDecodeRACH11(b *testing.B) {
	bsic := tdma.BSIC{NCC: 1, BCC: 2}
	var c [36]byte
	EncodeRACH11(&c, 0x423, bsic)
	var s [36]int8
	toSoft(s[:], c[:])
	b.ReportAllocs()
	for b.Loop() {
		DecodeRACH11(&s, bsic)
	}
	perBurst(b, 1)
}

func BenchmarkTCHFEncodeSpeech(b *testing.B) {
	var e TCHFEncoder
	var d [260]byte
	var dst [4][116]byte
	b.ReportAllocs()
	for b.Loop() {
		e.EncodeSpeech(&dst, &d)
	}
	perBurst(b, 4)
}

func BenchmarkTCHFDecodeSpeech(b *testing.B) {
	var e TCHFEncoder
	var d [260]byte
	var c [4][116]byte
	e.EncodeSpeech(&c, &d)
	s := softBursts(&c)
	var dec TCHFDecoder
	var sp [260]byte
	var m [23]byte
	b.ReportAllocs()
	for b.Loop() {
		dec.Decode(&sp, &m, &s)
	}
	perBurst(b, 4)
}

func BenchmarkTCHFDecodeFACCH(b *testing.B) {
	var e TCHFEncoder
	var msg [23]byte
	var c [4][116]byte
	e.EncodeFACCH(&c, &msg)
	s := softBursts(&c)
	var dec TCHFDecoder
	var sp [260]byte
	b.ReportAllocs()
	for b.Loop() {
		dec.Decode(&sp, &msg, &s)
	}
	perBurst(b, 4)
}

func BenchmarkFRFromRTP(b *testing.B) {
	f := [33]byte{0xD0}
	var d [260]byte
	b.ReportAllocs()
	for b.Loop() {
		FRFromRTP(&d, f[:])
	}
}
