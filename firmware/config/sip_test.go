package config

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// [[sip.trunk]] parses, its bad values are reported by key and line, and
// the password never prints.
func TestSIPTrunkSection(t *testing.T) {
	good := `
[[sip.trunk]]
name = "provider-a"
registrar = "sip.example.net:5060"
username = "gsmbox"
password = "hunter2-very-secret"
dids = ["4930123456:1001", "+4930123457:1002"]
routes = ["00", "+49", "^\\+?1[0-9]{10}$"]
emergency = true
codecs = ["PCMA", "PCMU"]
register_expiry = "10m"
keepalive = "30s"

[[sip.trunk]]
name = "backup"
proxy = "192.0.2.10"
routes = ["00"]
`
	c, err := Parse([]byte(good), "good.toml", simBoard(t))
	if err != nil {
		t.Fatalf("Parse = %v", err)
	}
	if len(c.SIP.Trunk) != 2 || c.SIP.Trunk[0].Password.Reveal() != "hunter2-very-secret" || len(c.SIP.Trunk[0].DIDs) != 2 {
		t.Fatalf("parsed %+v", c.SIP)
	}
	var sb strings.Builder
	slog.New(slog.NewTextHandler(&sb, nil)).Info("t", "trunk", c.SIP.Trunk[0].Password, "all", c.SIP.Trunk[0])
	j, _ := json.Marshal(c.SIP)
	for _, s := range []string{sb.String(), string(j), fmt.Sprintf("%v %+v %#v %s", c.SIP, c.SIP, c.SIP, c.SIP.Trunk[0].Password)} {
		if strings.Contains(s, "hunter2") {
			t.Errorf("password printed: %s", s)
		}
	}
	bad := `
[[sip.trunk]]
name = "a b"
registrar = "host/x"
password = "p"
dids = ["12x:1001", "555:1001"]
routes = ["abc", "^(("]
codecs = ["G729"]
transport = "sctp"
external = "not-an-ip"
rtp_ports = "10"
register_expiry = "5s"
keepalive = "1s"

[[sip.trunk]]
name = "b"
dids = ["555:1002"]
`
	_, err = Parse([]byte(bad), "bad.toml", simBoard(t))
	if err == nil {
		t.Fatal("bad [[sip.trunk]] accepted")
	}
	for _, k := range []string{"sip.trunk.name", "sip.trunk.registrar", "sip.trunk.username", "sip.trunk.dids", "sip.trunk.routes",
		"sip.trunk.codecs", "sip.trunk.transport", "sip.trunk.external", "sip.trunk.rtp_ports", "sip.trunk.register_expiry",
		"sip.trunk.keepalive", "sip.trunk.proxy", "already mapped by trunk", "line 4"} {
		if !strings.Contains(err.Error(), k) {
			t.Errorf("error does not name %s:\n%v", k, err)
		}
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Error("password in the error")
	}
}

// A password change is a change (the trunk restarts with it), shown
// without the password.
func TestSIPDiffRedacted(t *testing.T) {
	a := Default()
	a.SIP.Trunk = []Trunk{{Name: "p", Proxy: "192.0.2.1", Password: "old-secret"}}
	b := a.Clone()
	b.SIP.Trunk = []Trunk{{Name: "p", Proxy: "192.0.2.1", Password: "new-secret"}}
	d := Diff(a, b)
	if len(d) != 1 || d[0].Key != "sip.trunk" || d[0].Service != "cell" {
		t.Fatalf("Diff = %v", d)
	}
	if s := d[0].String(); strings.Contains(s, "secret") {
		t.Errorf("diff shows the password: %s", s)
	}
}
