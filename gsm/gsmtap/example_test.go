package gsmtap_test

import (
	"bytes"
	"fmt"
	"time"

	"github.com/gsmbox/gsmbox/gsm/gsmtap"
)

func ExamplePcapWriter() {
	var capture bytes.Buffer // an *os.File in practice
	w, err := gsmtap.NewPcapWriter(&capture)
	if err != nil {
		fmt.Println(err)
		return
	}
	h := gsmtap.Um(gsmtap.ChanPCH, 871, 0, 6, 0)
	paging := []byte{0x15, 0x06, 0x21, 0x00, 0x01, 0xf0}
	if err := w.WritePacket(time.Unix(1700000000, 0), &h, paging); err != nil {
		fmt.Println(err)
		return
	}
	r, _ := gsmtap.NewPcapReader(&capture)
	_, got, payload, _ := r.Next()
	fmt.Printf("FN %d ARFCN %d sub_type %d: % x\n", got.FN, got.ARFCN, got.SubType, payload)
	// Output:
	// FN 6 ARFCN 871 sub_type 5: 15 06 21 00 01 f0
}
