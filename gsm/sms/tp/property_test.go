package tp

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// randText returns text over the GSM 7-bit alphabet (with extension
// characters) or, with ucs2, including characters outside it (some
// outside the BMP).
func randText(r *rand.Rand, n int, ucs2 bool) string {
	gsm := []rune("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCXYZÄÖÑÜ§¿abcxyzäöñüà^{}\\[~]|€\f")
	other := []rune("ЖжΏ中文한국어😀🎉ağ")
	var b strings.Builder
	for range n {
		if ucs2 && r.IntN(3) == 0 {
			b.WriteRune(other[r.IntN(len(other))])
		} else {
			b.WriteRune(gsm[r.IntN(len(gsm))])
		}
	}
	return b.String()
}

func randAddress(r *rand.Rand) Address {
	if r.IntN(4) == 0 {
		s := randText(r, r.IntN(6), false)
		for n, _ := Count7(s); n > MaxAlphanumeric; n, _ = Count7(s) {
			s = string([]rune(s)[1:])
		}
		return Alphanumeric(s)
	}
	digits := "0123456789*#abc"
	n := r.IntN(MaxAddressDigits + 1)
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[r.IntN(len(digits))]
	}
	ton := TON(r.IntN(8))
	if ton == TONAlphanumeric {
		ton = TONUnknown
	}
	return Address{TON: ton, NPI: NPI(r.IntN(16)), Digits: string(b)}
}

func randTimestamp(r *rand.Rand) Timestamp {
	return Timestamp{uint8(r.IntN(100)), uint8(1 + r.IntN(12)), uint8(1 + r.IntN(28)), uint8(r.IntN(24)),
		uint8(r.IntN(60)), uint8(r.IntN(60)), int8(r.IntN(159) - 79)}
}

// randUD returns a DCS and user data: text in GSM7/UCS2, or 8-bit data,
// with or without a concatenation header.
func randUD(r *rand.Rand) (DCS, UserData) {
	var h UDH
	if r.IntN(2) == 0 {
		h = UDH{Concat{Ref: uint16(r.IntN(256)), Total: 3, Seq: 2, Wide: false}.IE()}
		if r.IntN(2) == 0 {
			h = UDH{Concat{Ref: uint16(r.IntN(65536)), Total: 3, Seq: 2, Wide: true}.IE(), {ID: 0x70, Data: []byte{1, 2}}}
		}
	}
	a := Alphabet(r.IntN(3))
	dcs, _ := MakeDCS(DCSInfo{Alphabet: a, Class: Class(r.IntN(5) - 1)})
	for {
		text := randText(r, r.IntN(160), a == UCS2)
		data := []byte(text)
		if len(data) > 120 {
			data = data[:120]
		}
		ud, err := EncodeUserData(a, h, text, data)
		if err == nil {
			return dcs, ud
		}
	}
}

func randTPDU(r *rand.Rand) (TPDU, bool, Carrier) {
	dcs, ud := randUD(r)
	opt := func() Optional {
		o := Optional{PI: uint8(r.IntN(8))}
		if o.PI&PIPID != 0 {
			o.PID = uint8(r.IntN(256))
		}
		if o.PI&PIUDL != 0 {
			o.DCS, o.UD = dcs, ud
			if o.PI&PIDCS == 0 {
				o.DCS, o.UD = randUDIn(r, 0)
			}
		} else if o.PI&PIDCS != 0 {
			o.DCS = dcs
		}
		return o
	}
	switch r.IntN(7) {
	case 0:
		vp := VP{Format: VPF(r.IntN(4))}
		switch vp.Format {
		case VPFRelative:
			vp.Relative = uint8(r.IntN(256))
		case VPFAbsolute:
			vp.Absolute = randTimestamp(r)
		case VPFEnhanced:
			vp.Enhanced, _ = EnhancedVP{SingleShot: r.IntN(2) == 0, Kind: EnhancedSeconds, Seconds: uint8(r.IntN(256))}.Marshal()
		}
		return &Submit{RejectDuplicates: r.IntN(2) == 0, ReplyPath: r.IntN(2) == 0, StatusReportRequest: r.IntN(2) == 0,
			MR: uint8(r.IntN(256)), DA: randAddress(r), PID: uint8(r.IntN(256)), DCS: dcs, VP: vp, UD: ud}, true, InRPData
	case 1:
		return &Deliver{MoreMessages: r.IntN(2) == 0, LoopPrevention: r.IntN(2) == 0, StatusReportIndication: r.IntN(2) == 0,
			ReplyPath: r.IntN(2) == 0, OA: randAddress(r), PID: uint8(r.IntN(256)), DCS: dcs, SCTS: randTimestamp(r), UD: ud}, false, InRPData
	case 2:
		m := &StatusReport{MoreMessages: r.IntN(2) == 0, LoopPrevention: r.IntN(2) == 0, Qualifier: r.IntN(2) == 0,
			MR: uint8(r.IntN(256)), RA: randAddress(r), SCTS: randTimestamp(r), DT: randTimestamp(r), ST: Status(r.IntN(128))}
		if r.IntN(2) == 0 {
			m.HasPI, m.Optional = true, opt()
		}
		return m, false, InRPData
	case 3, 4:
		e := r.IntN(2) == 0
		m := &DeliverReport{Error: e, Optional: opt()}
		if e {
			m.FCS = FCS(0x80 + r.IntN(128))
		}
		return m, true, map[bool]Carrier{false: InRPAck, true: InRPError}[e]
	default:
		e := r.IntN(2) == 0
		m := &SubmitReport{Error: e, SCTS: randTimestamp(r), Optional: opt()}
		if e {
			m.FCS = FCS(0x80 + r.IntN(128))
		}
		return m, false, map[bool]Carrier{false: InRPAck, true: InRPError}[e]
	}
}

func randUDIn(r *rand.Rand, dcs DCS) (DCS, UserData) {
	a, _ := dcs.Alphabet()
	for {
		ud, err := EncodeUserData(a, nil, randText(r, r.IntN(100), false), nil)
		if err == nil {
			return dcs, ud
		}
	}
}

// Count7 is gsm7.Count for the tests' address generator.
func Count7(s string) (int, error) {
	a := Alphanumeric(s)
	_, n, err := a.lengths()
	return n * 8 / 7, err
}

// TestRoundTripProperty encodes random valid TPDUs, decodes them and
// checks they are equal, and that the user data decodes to the text put
// in.
func TestRoundTripProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 34))
	for i := range 5000 {
		m, ms, in := randTPDU(r)
		b, err := Marshal(m)
		if err != nil {
			t.Fatalf("%d: Marshal(%+v): %v", i, m, err)
		}
		dec := DecodeSC
		if ms {
			dec = DecodeMS
		}
		back, err := dec(b, in)
		if err != nil || !reflect.DeepEqual(back, m) {
			t.Fatalf("%d: Decode(% x) = %+v, %v, want %+v", i, b, back, err, m)
		}
	}
}

func TestUserDataProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 3000 {
		a := Alphabet(r.IntN(3))
		text := randText(r, r.IntN(170), a == UCS2)
		var h UDH
		if r.IntN(2) == 0 {
			h = UDH{Concat{Ref: 9, Total: 2, Seq: 1, Wide: r.IntN(2) == 0}.IE()}
		}
		ud, err := EncodeUserData(a, h, text, []byte(text))
		if err != nil {
			continue // too long
		}
		dcs, _ := MakeDCS(DCSInfo{Alphabet: a, Class: NoClass})
		c, err := ud.Decode(dcs)
		if err != nil {
			t.Fatalf("%d: Decode(%+v): %v", i, ud, err)
		}
		if (a != Data8 && c.Text != text) || (a == Data8 && string(c.Data) != text) || !reflect.DeepEqual(c.Header, h) {
			t.Fatalf("%d: %v %q with header %v came back as %+v", i, a, text, h, c)
		}
	}
}

func TestSplit(t *testing.T) {
	for _, c := range []struct {
		name      string
		text      string
		o         TextOptions
		alphabet  Alphabet
		partChars []int // characters of text per part
	}{
		{"160", strings.Repeat("a", 160), TextOptions{}, GSM7, []int{160}},
		{"161", strings.Repeat("a", 161), TextOptions{}, GSM7, []int{153, 8}},
		{"306-8bit", strings.Repeat("a", 306), TextOptions{}, GSM7, []int{153, 153}},
		{"307-16bit", strings.Repeat("a", 307), TextOptions{Wide: true}, GSM7, []int{152, 152, 3}},
		{"ext-at-edge", strings.Repeat("a", 152) + "€" + strings.Repeat("b", 10), TextOptions{}, GSM7, []int{152, 11}},
		{"ext-fits", strings.Repeat("a", 151) + "€" + strings.Repeat("b", 10), TextOptions{}, GSM7, []int{152, 10}},
		{"70", strings.Repeat("ж", 70), TextOptions{}, UCS2, []int{70}},
		{"71", strings.Repeat("ж", 71), TextOptions{}, UCS2, []int{67, 4}},
		{"71-16bit", strings.Repeat("ж", 71), TextOptions{Wide: true}, UCS2, []int{66, 5}},
		{"surrogate-at-edge", strings.Repeat("ж", 66) + "😀жжж", TextOptions{}, UCS2, []int{66, 4}},
		{"forced-ucs2", "hi", TextOptions{UCS2: true}, UCS2, []int{2}},
		{"empty", "", TextOptions{}, GSM7, []int{0}},
	} {
		t.Run(c.name, func(t *testing.T) {
			parts, err := EncodeText(c.text, c.o)
			if err != nil {
				t.Fatal(err)
			}
			if len(parts) != len(c.partChars) {
				t.Fatalf("%d parts, want %d", len(parts), len(c.partChars))
			}
			re := NewReassembler(ReassemblyConfig{})
			now := time.Unix(0, 0)
			var whole Content
			var done bool
			for i, p := range parts {
				cont, err := p.UD.Decode(p.DCS)
				if err != nil {
					t.Fatalf("part %d: %v", i, err)
				}
				if cont.Alphabet != c.alphabet || utf8.RuneCountInString(cont.Text) != c.partChars[i] {
					t.Errorf("part %d: %v %d chars, want %v %d", i, cont.Alphabet, utf8.RuneCountInString(cont.Text), c.alphabet, c.partChars[i])
				}
				if cc, ok := cont.Header.Concat(); len(parts) > 1 && (!ok || cc.Seq != uint8(i+1) || cc.Total != uint8(len(parts)) || cc.Wide != c.o.Wide) {
					t.Errorf("part %d: concat %+v, %v", i, cc, ok)
				}
				if whole, done, err = re.Add(now, "+1", cont); err != nil || done != (i == len(parts)-1) {
					t.Fatalf("part %d: Add = %v, %v", i, done, err)
				}
			}
			if whole.Text != c.text {
				t.Errorf("reassembled %q, want %q", whole.Text, c.text)
			}
		})
	}
	if _, err := EncodeText(strings.Repeat("a", 153*255+1), TextOptions{}); err == nil {
		t.Error("a text of 256 parts encoded")
	}
	if got := Capacity(GSM7, true, true); got != 152 {
		t.Errorf("Capacity(GSM7, 16-bit) = %d", got)
	}
}

func TestEncodeData(t *testing.T) {
	data := bytes.Repeat([]byte{0xa5}, 300)
	parts, err := EncodeData(data, TextOptions{Ref: 0x1234, Wide: true})
	if err != nil || len(parts) != 3 {
		t.Fatalf("EncodeData: %d parts, %v", len(parts), err)
	}
	re := NewReassembler(ReassemblyConfig{})
	var whole Content
	for i := len(parts) - 1; i >= 0; i-- { // out of order
		c, err := parts[i].UD.Decode(parts[i].DCS)
		if err != nil {
			t.Fatal(err)
		}
		whole, _, _ = re.Add(time.Unix(0, 0), "x", c)
	}
	if !bytes.Equal(whole.Data, data) {
		t.Errorf("reassembled %d octets", len(whole.Data))
	}
}

func TestReassemblerBounds(t *testing.T) {
	part := func(ref uint16, total, seq uint8, text string) Content {
		return Content{Header: UDH{Concat{Ref: ref, Total: total, Seq: seq}.IE()}, Text: text}
	}
	now := time.Unix(1000, 0)
	re := NewReassembler(ReassemblyConfig{MaxMessages: 2, MaxParts: 4, Timeout: time.Minute})
	// Duplicates ignored.
	re.Add(now, "a", part(1, 2, 1, "x"))
	if _, done, _ := re.Add(now, "a", part(1, 2, 1, "DUP")); done {
		t.Fatal("duplicate completed a message")
	}
	// Same reference from another originator is another message.
	re.Add(now, "b", part(1, 2, 2, "q"))
	if re.Pending() != 2 {
		t.Fatalf("Pending = %d", re.Pending())
	}
	if w, done, _ := re.Add(now, "a", part(1, 2, 2, "y")); !done || w.Text != "xy" {
		t.Fatalf("Add = %q, %v", w.Text, done)
	}
	// Too many parts refused.
	if _, _, err := re.Add(now, "a", part(2, 5, 1, "x")); err == nil {
		t.Error("a 5-part message was accepted with MaxParts 4")
	}
	// Eviction of the oldest at MaxMessages.
	re.Add(now, "c", part(3, 3, 1, "c"))
	re.Add(now.Add(time.Second), "d", part(4, 3, 1, "d"))
	if re.Pending() != 2 || re.Dropped() != 1 {
		t.Errorf("Pending %d Dropped %d, want 2, 1", re.Pending(), re.Dropped())
	}
	// Timeout.
	if n := re.Expire(now.Add(time.Minute)); n != 1 || re.Pending() != 1 {
		t.Errorf("Expire dropped %d, %d pending", n, re.Pending())
	}
	// Invalid concatenation IEs are single messages.
	if w, done, _ := re.Add(now, "a", part(5, 2, 0, "z")); !done || w.Text != "z" {
		t.Error("seq 0 not treated as a single message")
	}
}

var updateSeeds = os.Getenv("GSMBOX_UPDATE_SEEDS") == "1"

// writeSeeds writes Go fuzz corpus files for target.
func writeSeeds(t *testing.T, target string, inputs map[string][]byte, extra string) {
	t.Helper()
	dir := filepath.Join("testdata", "fuzz", target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range inputs {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n%s", strconv.Quote(string(b)), extra)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestUpdateSeeds regenerates testdata/fuzz from the codec tables
// (GSMBOX_UPDATE_SEEDS=1 go test -run UpdateSeeds).
func TestUpdateSeeds(t *testing.T) {
	if !updateSeeds {
		t.Skip("set GSMBOX_UPDATE_SEEDS=1 to rewrite testdata/fuzz")
	}
	ms, sc := map[string][]byte{}, map[string][]byte{}
	for _, c := range codecCases {
		if c.ms {
			ms[c.name] = append([]byte{byte(c.in)}, h(c.want)...)
		} else {
			sc[c.name] = append([]byte{byte(c.in)}, h(c.want)...)
		}
	}
	ms["published-submit"] = append([]byte{0}, h("11 00 0B 91 6407281553F8 00 00 AA 0A E8329BFD4697D9EC37")...)
	sc["published-deliver"] = append([]byte{0}, h("04 0B C8 7238880900F1 00 00 99309251619580 0A E8329BFD4697D9EC37")...)
	writeSeeds(t, "FuzzDecodeMS", ms, "")
	writeSeeds(t, "FuzzDecodeSC", sc, "")
	ud := map[string][]byte{}
	for i, p := range mustParts(t) {
		ud[fmt.Sprintf("part%d", i)] = append([]byte{byte(p.DCS), 1, p.UD.Length}, p.UD.Octets...)
	}
	writeSeeds(t, "FuzzUserData", ud, "")
}

func mustParts(t *testing.T) []Part {
	var all []Part
	for _, s := range []string{strings.Repeat("abc€", 50), strings.Repeat("жx😀", 30)} {
		p, err := EncodeText(s, TextOptions{Ref: 77})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, p...)
	}
	return all
}
