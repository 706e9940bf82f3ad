package config

import (
	"strings"
	"testing"
)

// [sms] and [ussd] parse, and their bad values are reported by key.
func TestSMSAndUSSDSections(t *testing.T) {
	good := `
[sms]
retry = ["10s", "1m"]
sender = "VillageNet"

[ussd]
codes = [{ code = "*100#", answer = "Call 5000 for help" }]
menus = [{ code = "*200#", title = "Services", options = [{ label = "Clinic", answer = "8-12" }, { label = "Market", answer = "Saturday" }] }]
`
	c, err := Parse([]byte(good), "good.toml", simBoard(t))
	if err != nil {
		t.Fatalf("Parse = %v", err)
	}
	if len(c.USSD.Menus) != 1 || len(c.USSD.Menus[0].Options) != 2 || c.USSD.Codes[0].Answer != "Call 5000 for help" || len(c.SMSRetry()) != 2 {
		t.Errorf("parsed %+v %+v", c.USSD, c.SMS)
	}
	bad := `
[sms]
max_queued = 0
validity = "1000h"
retry = []
sender = "A name far too long"
sc_address = "12a"

[ussd]
codes = [{ code = "100", answer = "x" }, { code = "*#100#", answer = "y" }]
menus = [{ code = "*200#", title = "T", options = [] }]
`
	_, err = Parse([]byte(bad), "bad.toml", simBoard(t))
	if err == nil {
		t.Fatal("bad [sms]/[ussd] accepted")
	}
	for _, k := range []string{"sms.max_queued", "sms.validity", "sms.retry", "sms.sender", "sms.sc_address", "ussd.codes", "ussd.menus"} {
		if !strings.Contains(err.Error(), k) {
			t.Errorf("error does not name %s:\n%v", k, err)
		}
	}
}
