package sms_test

import (
	"flag"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/sms/cp"
	"github.com/gsmbox/gsmbox/gsm/sms/rp"
	"github.com/gsmbox/gsmbox/gsm/sms/tp"
	"github.com/gsmbox/gsmbox/tools/testtool"
	"github.com/gsmbox/gsmbox/tools/testtool/capture"
)

var keepPcap = flag.String("sms.pcap", "", "also write the tshark test's capture to this file")

// writePcap writes the L3 messages, on SAPI 3, as GSMTAP SDCCH frames
// and returns the capture's path and, per message, the index of the
// packet on which tshark shows it (the last segment).
func writePcap(t *testing.T, frames []capture.DCCHMessage) (string, []int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sms.pcap")
	if *keepPcap != "" {
		path = *keepPcap
	}
	last, _ := capture.WriteDCCH(t, path, frames)
	return path, last
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// wrap builds CP-DATA(RP-DATA(tpdu)).
func wrap(t *testing.T, uplink bool, ti uint8, mr uint8, tpdu tp.TPDU) []byte {
	t.Helper()
	ud, err := tp.Marshal(tpdu)
	if err != nil {
		t.Fatal(err)
	}
	d := &rp.Data{Downlink: !uplink, MR: mr, UserData: ud}
	if uplink {
		d.Destination = rp.Number("+491700000001")
	} else {
		d.Originator = rp.Number("+491700000001")
	}
	rpdu, err := rp.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	// The network opens MT transactions (TI flag 0 downlink); the MS
	// opens MO ones (flag 0 uplink).
	b, err := cp.Marshal(&cp.Message{Type: cp.MsgData, TI: ti, UserData: rpdu})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rpdu builds CP-DATA(rp message).
func cpData(t *testing.T, ti uint8, flag bool, m rp.Message) []byte {
	t.Helper()
	b := must(cp.Marshal(&cp.Message{Type: cp.MsgData, TI: ti, TIFlag: flag, UserData: must(rp.Marshal(m))}))
	return b
}

func tpdu(m tp.TPDU) []byte { return must(tp.Marshal(m)) }

type want struct{ field, value string }

// TestTshark writes MO and MT transfers in every alphabet, concatenated
// messages with 8- and 16-bit references, a status report, the report
// forms in RP-ACK and RP-ERROR, RP-SMMA and the CP acknowledgements into
// a GSMTAP capture on SAPI 3 of an SDCCH, and has tshark (gsm_a.dtap,
// gsm_a.rp, gsm_sms) decode the text we sent and every field listed,
// with nothing malformed.
func TestTshark(t *testing.T) {
	testtool.Need(t, "tshark")
	testtool.Short(t)
	scts := tp.Timestamp{Year: 26, Month: 12, Day: 7, Hour: 17, Minute: 30, Second: 5, TZ: 4}
	west := tp.TimestampOf(time.Date(2026, 12, 7, 17, 30, 5, 0, time.FixedZone("", -(3*3600+30*60))))
	type msg struct {
		uplink bool
		l3     []byte
		want   []want
	}
	var msgs []msg
	add := func(up bool, l3 []byte, w ...want) { msgs = append(msgs, msg{up, l3, w}) }

	// MO, GSM 7-bit with extension characters, status report requested.
	text7 := "Hello €uro [test] {x} ~|^\\ @£$ ÄÖÜ"
	p := must(tp.EncodeText(text7, tp.TextOptions{}))
	add(true, cpData(t, 0, false, &rp.Data{MR: 1, Destination: rp.Number("+491700000001"), UserData: tpdu(&tp.Submit{
		MR: 7, StatusReportRequest: true, DA: tp.Number("+4917012345"), DCS: p[0].DCS, UD: p[0].UD,
		VP: tp.VP{Format: tp.VPFRelative, Relative: 167}})}),
		want{"gsm_sms.sms_text", text7}, want{"gsm_sms.tp-mti", "1"}, want{"gsm_sms.tp-srr", "1"}, want{"gsm_sms.tp-mr", "7"},
		want{"gsm_sms.tp-da", "4917012345"}, want{"gsm_sms.vp.validity_period", "167"}, want{"gsm_a.rp.msg_type", "0x00"},
		want{"gsm_a.dtap.cld_party_bcd_num", "491700000001"}, want{"gsm_a.dtap.msg_sms_type", "0x01"})
	add(false, must(cp.Marshal(&cp.Message{Type: cp.MsgAck, TIFlag: true})), want{"gsm_a.dtap.msg_sms_type", "0x04"}, want{"gsm_a.dtap.ti_flag", "1"})
	// RP-ACK with an SMS-SUBMIT-REPORT.
	add(false, cpData(t, 0, true, &rp.Ack{Downlink: true, MR: 1, UserData: tpdu(&tp.SubmitReport{SCTS: scts})}),
		want{"gsm_a.rp.msg_type", "0x03"}, want{"gsm_sms.tp-mti", "1"})
	add(true, must(cp.Marshal(&cp.Message{Type: cp.MsgAck})), want{"gsm_a.dtap.msg_sms_type", "0x04"})

	// MT, UCS2 with a character outside the BMP, alphanumeric sender.
	textU := "Привет, мир! 😀 ∑"
	p = must(tp.EncodeText(textU, tp.TextOptions{}))
	add(false, cpData(t, 1, false, &rp.Data{Downlink: true, MR: 2, Originator: rp.Number("+491700000001"), UserData: tpdu(&tp.Deliver{
		OA: tp.Alphanumeric("gsmbox"), DCS: p[0].DCS, SCTS: west, UD: p[0].UD})}),
		want{"gsm_sms.sms_text", textU}, want{"text", "Timezone: GMT - 3 hours 30 minutes"}, want{"gsm_sms.scts.hour", "17"}, want{"gsm_sms.tp-mti", "0"}, want{"gsm_sms.tp-oa", "gsmbox"}, want{"gsm_a.rp.msg_type", "0x01"})
	// The phone's memory is full: RP-ERROR with an SMS-DELIVER-REPORT.
	add(true, cpData(t, 1, true, &rp.Error{MR: 2, Cause: rp.CauseMemoryExceeded, UserData: tpdu(&tp.DeliverReport{Error: true, FCS: tp.FCSMemoryExceeded})}),
		want{"gsm_a.rp.msg_type", "0x04"}, want{"gsm_sms.tp-fcs", "0xd3"})
	// RP-SMMA and its RP-ACK with a delivery report.
	add(true, cpData(t, 2, false, &rp.SMMA{MR: 3}), want{"gsm_a.rp.msg_type", "0x06"})
	add(false, cpData(t, 2, true, &rp.Ack{Downlink: true, MR: 3}), want{"gsm_a.rp.msg_type", "0x03"})
	// MT 8-bit data, then its RP-ACK with an SMS-DELIVER-REPORT.
	p = must(tp.EncodeData([]byte{0xca, 0xfe, 0x00, 0x01}, tp.TextOptions{}))
	add(false, cpData(t, 3, false, &rp.Data{Downlink: true, MR: 4, Originator: rp.Number("+491700000001"), UserData: tpdu(&tp.Deliver{
		OA: tp.Number("+4917012345"), DCS: p[0].DCS, SCTS: scts, UD: p[0].UD})}),
		want{"gsm_sms.tp.user_data_length", "4"}, want{"gsm_sms.tp-dcs", "4"})
	add(true, cpData(t, 3, true, &rp.Ack{MR: 4, UserData: tpdu(&tp.DeliverReport{})}), want{"gsm_a.rp.msg_type", "0x02"}, want{"gsm_sms.tp-mti", "0"})

	// A status report.
	add(false, cpData(t, 4, false, &rp.Data{Downlink: true, MR: 5, Originator: rp.Number("+491700000001"), UserData: tpdu(&tp.StatusReport{
		MR: 7, RA: tp.Number("+4917012345"), SCTS: scts, DT: scts, ST: tp.StatusReceived})}),
		want{"gsm_sms.tp-mti", "2"}, want{"gsm_sms.tp-mr", "7"}, want{"gsm_sms.tp-ra", "4917012345"}, want{"gsm_sms.dis.field_st_reason", "0"})

	// Absolute and enhanced validity periods.
	p = must(tp.EncodeText("vp", tp.TextOptions{}))
	add(true, cpData(t, 5, false, &rp.Data{MR: 6, Destination: rp.Number("+491700000001"), UserData: tpdu(&tp.Submit{
		MR: 8, DA: tp.Number("123"), DCS: p[0].DCS, UD: p[0].UD, VP: tp.VP{Format: tp.VPFAbsolute, Absolute: scts}})}),
		want{"gsm_sms.sms_text", "vp"}, want{"gsm_sms.tp-vpf", "3"})
	evp := must(tp.EnhancedVP{Kind: tp.EnhancedHMS, HMS: 12*time.Hour + 34*time.Minute}.Marshal())
	add(true, cpData(t, 6, false, &rp.Data{MR: 9, Destination: rp.Number("+491700000001"), UserData: tpdu(&tp.Submit{
		MR: 9, DA: tp.Number("123"), DCS: p[0].DCS, UD: p[0].UD, VP: tp.VP{Format: tp.VPFEnhanced, Enhanced: evp}})}),
		want{"gsm_sms.sms_text", "vp"}, want{"gsm_sms.tp-vpf", "1"}, want{"gsm_sms.vp.validity_period.hour", "12"}, want{"gsm_sms.vp.validity_period.minutes", "34"})

	// Concatenated: 3 GSM 7-bit parts with an 8-bit reference, 2 UCS2
	// parts with a 16-bit reference.
	long7 := strings.Repeat("The quick brown fox jumps over the lazy dog {€}. ", 8)
	longU := strings.Repeat("Съешь же ещё этих мягких французских булок. ", 2)
	var lastParts []int
	for _, c := range []struct {
		text string
		o    tp.TextOptions
		n    int
		ref  string
	}{{long7, tp.TextOptions{Ref: 0x42}, 3, "66"}, {longU, tp.TextOptions{Ref: 0xbeef, Wide: true}, 2, "48879"}} {
		parts := must(tp.EncodeText(c.text, c.o))
		if len(parts) != c.n {
			t.Fatalf("%d parts, want %d", len(parts), c.n)
		}
		for i, part := range parts {
			cont := must(part.UD.Decode(part.DCS))
			add(true, cpData(t, uint8(i%7), false, &rp.Data{MR: uint8(20 + i), Destination: rp.Number("+491700000001"), UserData: tpdu(&tp.Submit{
				MR: uint8(20 + i), DA: tp.Number("+4917012345"), DCS: part.DCS, UD: part.UD})}),
				want{"gsm_sms.sms_text", cont.Text}, want{"gsm_sms.tp-udhi", "1"}, want{"gsm_sms.udh.mm.msg_id", c.ref},
				want{"gsm_sms.udh.mm.msg_parts", strconv.Itoa(c.n)}, want{"gsm_sms.udh.mm.msg_part", strconv.Itoa(i + 1)})
		}
		lastParts = append(lastParts, len(msgs)-1)
	}
	add(true, must(cp.Marshal(&cp.Message{Type: cp.MsgError, TI: 1, Cause: cp.CauseMessageNotCompatible})),
		want{"gsm_a.dtap.msg_sms_type", "0x10"})

	frames := make([]capture.DCCHMessage, len(msgs))
	for i, m := range msgs {
		frames[i] = capture.DCCHMessage{Uplink: m.uplink, SAPI: 3, L3: m.l3}
	}
	path, last := writePcap(t, frames)
	pk := testtool.Dissect(t, path, "-o", "gsm_sms.reassemble:FALSE")
	if len(pk) != last[len(last)-1]+1 {
		t.Fatalf("tshark read %d packets, want %d", len(pk), last[len(last)-1]+1)
	}
	for i, p := range pk {
		for _, pr := range p.Problems() {
			t.Errorf("packet %d: %s", i+1, pr)
		}
	}
	for i, m := range msgs {
		p := pk[last[i]]
		for _, w := range m.want {
			if w.field == "text" {
				if !strings.Contains(p.Text, w.value) {
					t.Errorf("message %d (packet %d): no %q in the dissection", i, last[i]+1, w.value)
				}
				continue
			}
			if !slices.Contains(p.Values(w.field), w.value) {
				t.Errorf("message %d (packet %d): %s = %q, want %q", i, last[i]+1, w.field, p.Values(w.field), w.value)
			}
		}
	}
	// With its reassembly on, tshark shows every part's text on the
	// last part, in order: joined, they are our text.
	pk = testtool.Dissect(t, path)
	for i, text := range []string{long7, longU} {
		p := pk[last[lastParts[i]]]
		if got := p.Values("gsm_sms.sms_text"); strings.Join(got, "") != text {
			t.Errorf("reassembled text %d = %q, want %q", i, got, text)
		}
	}
	if t.Failed() {
		for i := range msgs {
			for _, f := range pk[last[i]].Fields {
				if strings.HasPrefix(f.Name, "gsm_sms") || strings.HasPrefix(f.Name, "gsm_a.rp") {
					t.Logf("message %d: %s = %q", i, f.Name, f.Show)
				}
			}
		}
	}
}
