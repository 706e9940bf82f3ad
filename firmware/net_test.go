package firmware

import "testing"

func TestParseStaticIPv4(t *testing.T) {
	iface, p, err := parseStaticIPv4("eth0 10.0.2.15/24")
	if err != nil || iface != "eth0" || p.String() != "10.0.2.15/24" {
		t.Errorf("parseStaticIPv4 = %q %v %v", iface, p, err)
	}
	for _, bad := range []string{"", "eth0", "eth0 10.0.2.15", "eth0 fe80::1/64", "eth0 10.0.2.15/24 x"} {
		if _, _, err := parseStaticIPv4(bad); err == nil {
			t.Errorf("parseStaticIPv4(%q) = nil error", bad)
		}
	}
}
