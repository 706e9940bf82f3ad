package main

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/firmware/node/simphones"
	"github.com/gsmbox/gsmbox/tools/testtool"
)

var (
	simSMSPhones = flag.Int("simsms.phones", 50, "TestSimSMS: phones")
	simSMSEach   = flag.Int("simsms.each", 20, "TestSimSMS: messages each phone sends")
)

// The CI proof: gsmbox sim --phones 50 --sms 20, a thousand
// messages over the simulated air (GSM 7-bit with the extension table,
// 8-bit data, UCS2, and long concatenated messages) while phones go off
// and come back. Every message the network accepted is delivered exactly
// once, and the JSON report (--report) says so.
func TestSimSMS(t *testing.T) {
	if testing.Short() {
		t.Skip("a thousand messages over the air")
	}
	report := filepath.Join(t.TempDir(), "report.json")
	var out, errb testtool.Buffer
	start := time.Now()
	err := run(context.Background(), []string{"gsmbox", "sim", "--phones", strconv.Itoa(*simSMSPhones), "--sms", strconv.Itoa(*simSMSEach),
		"--report", report, "--live", "0", "--duration", "30m"}, &out, &errb)
	wall := time.Since(start)
	if err != nil {
		t.Fatalf("gsmbox sim: %v\n%s", err, out.String())
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		AirTimeS float64              `json:"air_time_s"`
		SMS      *simphones.SMSReport `json:"sms"`
	}
	if err := json.Unmarshal(b, &rep); err != nil || rep.SMS == nil {
		t.Fatalf("report: %v\n%s", err, b)
	}
	r := rep.SMS
	t.Logf("%.0f s of air in %v (loaded): %+v", rep.AirTimeS, wall.Round(time.Second), *r)
	want := *simSMSPhones * *simSMSEach
	if r.Sent != want || r.Accepted != want || r.Refused != 0 || r.Pending != 0 {
		t.Errorf("sent %d, accepted %d, refused %d, pending %d; want all %d sent and accepted", r.Sent, r.Accepted, r.Refused, r.Pending, want)
	}
	if r.Delivered != r.Accepted || r.Lost != 0 || r.StillQueued != 0 {
		t.Errorf("delivered %d of %d accepted, %d lost, %d still queued: want every accepted message delivered", r.Delivered, r.Accepted, r.Lost, r.StillQueued)
	}
	if r.Duplicated != 0 {
		t.Errorf("%d messages shown twice in an inbox, want 0 (no power cut in this run)", r.Duplicated)
	}
	for _, k := range []string{"gsm7_extension", "8bit", "ucs2", "long_gsm7", "long_ucs2"} {
		a := r.Alphabets[k]
		if a.Sent == 0 || a.Delivered != a.Sent {
			t.Errorf("alphabet %s: %d sent, %d delivered; want some, all delivered", k, a.Sent, a.Delivered)
		}
	}
	if r.PowerCycles == 0 {
		t.Error("no phone went off and came back")
	}
}
