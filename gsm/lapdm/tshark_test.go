package lapdm

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/gsmtap"
	"github.com/gsmbox/gsmbox/gsm/tdma"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

// airFrame is one frame of the captured exchange.
type airFrame struct {
	uplink bool
	sacch  bool
	fn     tdma.FN
	blk    [BlockLen]byte
	f      Frame
}

// gsm7 packs ASCII capitals and spaces (the same in the GSM default
// alphabet) into septets, TS 23.038 §6.1.2.1.1.
func gsm7(s string) []byte {
	var out []byte
	var acc uint32
	n := 0
	for i := 0; i < len(s); i++ {
		acc |= uint32(s[i]&0x7f) << n
		n += 7
		for n >= 8 {
			out = append(out, byte(acc))
			acc >>= 8
			n -= 8
		}
	}
	if n > 0 {
		out = append(out, byte(acc))
	}
	return out
}

// exchange runs a location-update-like dialogue between a network and an
// MS Link on an SDCCH/8 with its SACCH, without loss, and returns every
// frame sent on the air (fill frames excluded).
func exchange(t *testing.T) (frames []airFrame, mmInfo []byte) {
	t.Helper()
	net, err := NewLink(Network, SDCCH)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := NewLink(MS, SDCCH)
	if err != nil {
		t.Fatal(err)
	}
	// L3 messages (TS 24.008 §9.2): Location Updating Request for IMSI
	// 001010123456789 in LAI 001-01-1, Identity Request/Response, a
	// 200-octet MM Information with a long network name (segmented), and
	// on SAPI 3 an SMS CP-ACK (TS 24.011 §7.2.2).
	luReq := []byte{0x05, 0x08, 0x70, 0x00, 0xf1, 0x10, 0x00, 0x01, 0x33,
		0x08, 0x09, 0x10, 0x10, 0x10, 0x32, 0x54, 0x76, 0x98}
	idReq := []byte{0x05, 0x18, 0x01}
	idResp := []byte{0x05, 0x19, 0x08, 0x09, 0x10, 0x10, 0x10, 0x32, 0x54, 0x76, 0x98}
	name := gsm7(strings.Repeat("GSMBOX LAPDM ", 18)[:222])
	mmInfo = append([]byte{0x05, 0x32, 0x43, byte(1 + len(name)), 0x80 | byte(len(name)*8-222*7)}, name...)
	cpAck := []byte{0x89, 0x04}
	// On the SACCH, format B4: System Information 5 with its L2 pseudo
	// length (TS 44.018 §9.1.37, empty BA list) and a Measurement Report
	// (TS 44.018 §9.1.21, no neighbours, measurement invalid).
	si5 := []byte{0x49, 0x06, 0x1d, 0x8f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	measRep := []byte{0x06, 0x15, 0x3f, 0x3f, 0x40, 0x07, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

	type step struct {
		at   tdma.FN
		what func()
	}
	script := map[tdma.FN]func(){
		0:   func() { ms.Entity(0).Establish(luReq) },
		60:  func() { net.Entity(0).Send(idReq) },
		120: func() { ms.Entity(0).Send(idResp) },
		200: func() { net.Entity(0).Send(mmInfo) },
		220: func() { net.Entity(3).Establish(nil) },
		900: func() { net.Entity(3).Send(cpAck) },
		30:  func() { net.SACCH().SendUnitData(si5) },
		40:  func() { ms.SACCH().SendUnitData(measRep) },
		1500: func() {
			net.Entity(0).Release()
			net.Entity(3).Release()
		},
	}
	var toMS, toNet []airFrame
	for fn := tdma.FN(0); fn < 3000; fn++ {
		if s := script[fn]; s != nil {
			s()
		}
		net.Tick(fn)
		ms.Tick(fn)
		for len(toMS) > 0 && toMS[0].fn.Add(4) == fn {
			a := toMS[0]
			if a.sacch {
				ms.ReceiveSACCH(fn, a.blk[:])
			} else {
				ms.ReceiveMain(fn, a.blk[:])
			}
			toMS = toMS[1:]
		}
		for len(toNet) > 0 && toNet[0].fn.Add(4) == fn {
			a := toNet[0]
			if a.sacch {
				net.ReceiveSACCH(fn, a.blk[:])
			} else {
				net.ReceiveMain(fn, a.blk[:])
			}
			toNet = toNet[1:]
		}
		// SDCCH/8 sub-channel 0 on TN 1: downlink SDCCH at T3 0..3, its
		// SACCH at T3 32..35 of every other multiframe; the uplink 15
		// frames later (TS 45.002 §7 Table 4).
		send := func(l *Link, up, sacch bool) {
			a := airFrame{uplink: up, sacch: sacch, fn: fn}
			var ok bool
			if sacch {
				ok = l.NextSACCH(fn, &a.blk)
			} else {
				ok = l.NextMain(fn, &a.blk)
			}
			if !ok {
				return
			}
			lb := a.blk[:]
			if sacch {
				lb = lb[2:]
			}
			dec := a.f.Unmarshal
			if sacch && !up && lb[0]>>2&7 == 0 {
				dec = a.f.UnmarshalB4
			}
			if err := dec(lb); err != nil {
				t.Fatalf("own frame % x: %v", a.blk, err)
			}
			a.f.Info = bytes.Clone(a.f.Info)
			frames = append(frames, a)
			if up {
				toNet = append(toNet, a)
			} else {
				toMS = append(toMS, a)
			}
		}
		switch int(fn) % 102 {
		case 0, 51:
			send(net, false, false)
		case 15, 66:
			send(ms, true, false)
		case 32:
			send(net, false, true)
		case 47:
			send(ms, true, true)
		}
	}
	if s := net.Entity(0).State(); s != StateIdle {
		t.Fatalf("network SAPI 0 %v at the end, want idle", s)
	}
	return frames, mmInfo
}

// TestTshark writes the frames of a dialogue into a GSMTAP pcap through
// gsm/gsmtap and has tshark (Wireshark's LAPDm dissector, which we did not
// write) dissect them: SAPI, C/R, N(S), N(R), P/F, M, length and frame
// type must read as we meant them, the segmented message must reassemble
// to the 200-octet MM Information, and nothing may be malformed.
func TestTshark(t *testing.T) {
	testtool.Short(t)
	testtool.Need(t, "tshark")
	t.Run("dialogue", func(t *testing.T) {
		frames, mmInfo := exchange(t)
		types := checkTshark(t, frames, mmInfo)
		if types[TypeUI] != 2 {
			t.Errorf("%d UI frames on the SACCH, want 2", types[TypeUI])
		}
	})
	// Frames of a lossy link: retransmissions with P=1, RR and REJ with
	// F=1, segments, as the pipe sent them.
	t.Run("lossy", func(t *testing.T) {
		p := newPipe(t, SDCCH, 8, 0.3)
		p.capture = true
		p.ms.Establish(luReqTest)
		p.run(100*51, func() bool { return p.ms.State() == StateEstablished })
		const rounds = 4
		for range rounds {
			p.net.Send([]byte{0x05, 0x18, 0x01}) // Identity Request
			p.ms.Send([]byte{0x05, 0x19, 0x08, 0x09, 0x10, 0x10, 0x10, 0x32, 0x54, 0x76, 0x98})
		}
		if !p.run(2000*51, func() bool { return len(p.netGot) == rounds && len(p.msGot) == rounds }) {
			t.Fatalf("delivered %d up, %d down, want %d", len(p.netGot), len(p.msGot), rounds)
		}
		types := checkTshark(t, p.captured, nil)
		if types[TypeI] < 2 {
			t.Errorf("%d I frames, want at least 2", types[TypeI])
		}
		if types[TypeREJ] == 0 {
			t.Errorf("no REJ in the lossy capture")
		}
		if p.polls == 0 {
			t.Errorf("no retransmission with P=1 in the lossy capture; pick another seed")
		}
	})
}

var luReqTest = []byte{0x05, 0x08, 0x70, 0x00, 0xf1, 0x10, 0x00, 0x01, 0x33,
	0x08, 0x09, 0x10, 0x10, 0x10, 0x32, 0x54, 0x76, 0x98}

func checkTshark(t *testing.T, frames []airFrame, mmInfo []byte) map[Type]int {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lapdm.pcap")
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := gsmtap.NewPcapWriter(fh)
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range frames {
		ch := gsmtap.ChanSDCCH8
		if a.sacch {
			ch |= gsmtap.ChanACCH
		}
		h := gsmtap.Um(ch, 10, 1, a.fn, 0)
		h.Uplink = a.uplink
		h.SubSlot = 0
		if err := w.WritePacket(time.Unix(1700000000, int64(i)*1e7), &h, a.blk[:]); err != nil {
			t.Fatal(err)
		}
	}
	if err := fh.Close(); err != nil {
		t.Fatal(err)
	}
	if testing.Verbose() {
		keep := filepath.Join(os.TempDir(), "gsmbox-lapdm.pcap")
		if b, err := os.ReadFile(path); err == nil {
			os.WriteFile(keep, b, 0o644)
			t.Logf("capture kept in %s", keep)
		}
	}
	pkts := testtool.Dissect(t, path)
	if len(pkts) != len(frames) {
		t.Fatalf("tshark read %d packets, wrote %d", len(pkts), len(frames))
	}
	types := map[Type]int{}
	reassembled := false
	for i, p := range pkts {
		a := frames[i]
		f := a.f
		types[f.Type]++
		name := fmt.Sprintf("packet %d (%v %v)", i+1, map[bool]string{false: "down", true: "up"}[a.uplink], f)
		for _, b := range p.Problems() {
			t.Errorf("%s: %s", name, b)
		}
		get := func(k string) string {
			if v := p.Values(k); len(v) > 0 {
				return v[0]
			}
			return ""
		}
		check := func(k, want string) {
			t.Helper()
			if got := get(k); got != want {
				t.Errorf("%s: tshark %s = %q, want %q", name, k, got, want)
			}
		}
		b2i := func(b bool) string { return map[bool]string{false: "0", true: "1"}[b] }
		check("lapdm.sapi", strconv.Itoa(int(f.SAPI)))
		check("lapdm.cr", b2i(f.CR))
		if f.Format == FormatB {
			check("lapdm.length", strconv.Itoa(len(f.Info)))
			check("lapdm.m", b2i(f.M))
			check("lapdm.el", "1")
		}
		switch f.Type {
		case TypeI:
			check("lapdm.control.n_s", strconv.Itoa(int(f.NS)))
			check("lapdm.control.n_r", strconv.Itoa(int(f.NR)))
		case TypeRR, TypeRNR, TypeREJ:
			check("lapdm.control.n_r", strconv.Itoa(int(f.NR)))
		}
		// Wireshark names the P/F bit Poll in commands and Final in
		// responses, which it tells from C/R and the direction.
		cmd := f.CR == !a.uplink
		pf := "lapdm.control.f"
		if cmd {
			pf = "lapdm.control.p"
		}
		if got := get(pf); got != b2i(f.PF) && (f.PF || got != "") {
			t.Errorf("%s: tshark %s = %q, want %q", name, pf, got, b2i(f.PF))
		}
		info := get("_ws.col.info")
		if info == "" {
			info = strings.Join(p.Values("lapdm.control_field"), " ")
		}
		if v := p.Values("lapdm.reassembled.length"); len(v) > 0 {
			if v[0] != strconv.Itoa(len(mmInfo)) {
				t.Errorf("%s: reassembled length %s, want %d", name, v[0], len(mmInfo))
			}
			if got := get("gsm_a.dtap.msg_mm_type"); got != "0x32" {
				t.Errorf("%s: reassembled message type %q, want MM Information 0x32", name, got)
			}
			reassembled = true
		}
		if f.Type == TypeUI && a.sacch {
			want := "0x1d" // System Information Type 5
			if a.uplink {
				want = "0x15" // Measurement Report
			}
			if got := get("gsm_a.dtap.msg_rr_type"); got != want {
				t.Errorf("%s: SACCH UI carries RR message type %q, want %s", name, got, want)
			}
		}
		if f.Type == TypeSABM && f.SAPI == 0 {
			if got := get("gsm_a.dtap.msg_mm_type"); got != "0x08" {
				t.Errorf("%s: SABM carries MM message type %q, want Location Updating Request 0x08", name, got)
			}
		}
	}
	if mmInfo != nil {
		if !reassembled {
			t.Error("tshark reassembled no segmented message")
		}
		for _, ty := range []Type{TypeSABM, TypeUA, TypeI, TypeRR, TypeDISC} {
			if types[ty] == 0 {
				t.Errorf("no %v frame in the exchange", ty)
			}
		}
	}
	t.Logf("%d frames: %v", len(frames), types)
	return types
}
