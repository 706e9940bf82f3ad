package config

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestNetValidation(t *testing.T) {
	board := simBoard(t)
	static := func(c *Config) {
		c.Net.Mode, c.Net.Address, c.Net.Gateway, c.Net.DNS = "static", "192.168.1.20/24", "192.168.1.1", []string{"192.168.1.1"}
	}
	cases := []struct {
		name string
		mod  func(*Config)
		key  string
	}{
		{"dhcp default", func(c *Config) {}, ""},
		{"static ok", static, ""},
		{"off", func(c *Config) { c.Net.Mode = "off" }, ""},
		{"mode", func(c *Config) { c.Net.Mode = "auto" }, "net.mode"},
		{"static without address", func(c *Config) { c.Net.Mode = "static" }, "net.address"},
		{"address without prefix", func(c *Config) { static(c); c.Net.Address = "192.168.1.20" }, "net.address"},
		{"address IPv6", func(c *Config) { static(c); c.Net.Address = "fd00::2/64" }, "net.address"},
		{"address network", func(c *Config) { static(c); c.Net.Address = "192.168.1.0/24" }, "net.address"},
		{"address broadcast", func(c *Config) { static(c); c.Net.Address = "192.168.1.255/24" }, "net.address"},
		{"address /31", func(c *Config) { static(c); c.Net.Address = "192.168.1.20/31" }, "net.address"},
		{"address multicast", func(c *Config) { static(c); c.Net.Address = "224.0.0.5/24" }, "net.address"},
		{"gateway off net", func(c *Config) { static(c); c.Net.Gateway = "10.0.0.1" }, "net.gateway"},
		{"gateway own", func(c *Config) { static(c); c.Net.Gateway = "192.168.1.20" }, "net.gateway"},
		{"gateway name", func(c *Config) { static(c); c.Net.Gateway = "router" }, "net.gateway"},
		{"no gateway ok", func(c *Config) { static(c); c.Net.Gateway = "" }, ""},
		{"dns name", func(c *Config) { c.Net.DNS = []string{"dns.example"} }, "net.dns"},
		{"dns four", func(c *Config) { c.Net.DNS = []string{"1.1.1.1", "1.0.0.1", "8.8.8.8", "9.9.9.9"} }, "net.dns"},
		{"ntp address", func(c *Config) { c.Net.NTP = []string{"10.0.2.2"} }, ""},
		{"ntp none", func(c *Config) { c.Net.NTP = nil }, ""},
		{"ntp bad", func(c *Config) { c.Net.NTP = []string{"pool ntp org"} }, "net.ntp"},
		{"ntp port", func(c *Config) { c.Net.NTP = []string{"10.0.2.2:12300"} }, ""},
		{"ntp bad port", func(c *Config) { c.Net.NTP = []string{"pool.ntp.org:0"} }, "net.ntp"},
		{"interface", func(c *Config) { c.Net.Interface = "eth0; reboot" }, "net.interface"},
		{"interface long", func(c *Config) { c.Net.Interface = "abcdefghijklmnop" }, "net.interface"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.mod(c)
			err := c.Validate(board)
			if tc.key == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Validate() = %v, want a problem with %s", err, tc.key)
			}
			for _, p := range e.Problems {
				if p.Key == tc.key {
					return
				}
			}
			t.Fatalf("Validate() = %v, want a problem with %s", err, tc.key)
		})
	}
}

// A bad [net] in a file is reported with its line, like every key (the
// USB workflow and the console show these).
func TestNetProblemLines(t *testing.T) {
	file := "[cell]\narfcn = 62\n\n[net]\nmode = \"static\"\naddress = \"192.168.1.20/24\"\ngateway = \"10.9.9.9\"\ndns = [\"x\"]\n"
	_, err := Parse([]byte(file), "gsmbox.toml", simBoard(t))
	if err == nil {
		t.Fatal("Parse = nil error")
	}
	for _, want := range []string{"line 7: net.gateway", "line 8: net.dns"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Parse error lacks %q:\n%v", want, err)
		}
	}
}

func TestNetStaticAndDiff(t *testing.T) {
	c, err := Parse([]byte("[net]\nmode = \"static\"\naddress = \"192.168.1.20/24\"\ngateway = \"192.168.1.1\"\ndns = [\"192.168.1.1\", \"9.9.9.9\"]\n"), "n.toml", simBoard(t))
	if err != nil {
		t.Fatal(err)
	}
	a, gw, dns := c.NetStatic()
	if a != netip.MustParsePrefix("192.168.1.20/24") || gw != netip.MustParseAddr("192.168.1.1") || len(dns) != 2 {
		t.Errorf("NetStatic() = %v %v %v", a, gw, dns)
	}
	ch := Diff(Default(), c)
	if len(ch) == 0 || ch[0].Service != "net" {
		t.Errorf("Diff = %v, want changes restarting net", ch)
	}
}
