package trx_test

import (
	"bytes"
	"fmt"

	"github.com/gsmbox/gsmbox/dsp/radio/iqfile"
	"github.com/gsmbox/gsmbox/dsp/trx"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// A base station's TX loop: render each TDMA frame's bursts and write them
// to a stream, here an IQ file at 1 MS/s.
func Example() {
	var file bytes.Buffer
	sink, err := iqfile.NewSink(&file, iqfile.Config{FileRate: 1e6})
	if err != nil {
		panic(err)
	}
	tx, err := trx.NewTransmitter(trx.TxConfig{}) // 4 samples per symbol
	if err != nil {
		panic(err)
	}
	var bursts [tdma.Slots]tdma.TxBurst
	for fn := tdma.FN(0); fn < 51; fn++ {
		for tn := range bursts {
			bursts[tn] = tdma.TxBurst{FN: fn, TN: tdma.TN(tn), Kind: tdma.KindDummy}
		}
		if fn%10 == 0 {
			bursts[0].Kind = tdma.KindFCCH // TS 45.002 §7 table 3: FCCH on TN0
		}
		if _, err := tx.WriteFrame(sink, fn, &bursts); err != nil {
			panic(err)
		}
	}
	sink.Close()
	fmt.Printf("%d samples per frame, %d samples at 1 MS/s\n", tx.FrameLen(), file.Len()/8)
	// Output: 5000 samples per frame, 235385 samples at 1 MS/s
}
