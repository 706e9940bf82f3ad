package config

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gsmbox/gsmbox/gsm/l3"
)

// SIP holds the SIP trunks to VoIP providers ([[sip.trunk]], issue #14).
type SIP struct {
	// Trunk lists the providers, tried in this order for a number more
	// than one of them routes.
	Trunk []Trunk `toml:"trunk"`
}

// Trunk is one provider.
type Trunk struct {
	// Name names the trunk in logs, status and CDRs.
	Name string `toml:"name"`
	// Registrar is HOST[:PORT] the trunk REGISTERs with; "" does not
	// register (a provider that knows our address, IP authentication).
	Registrar string `toml:"registrar"`
	// Proxy is HOST[:PORT] INVITEs go to; "" means the registrar.
	Proxy string `toml:"proxy"`
	// Username and Password are the digest credentials (RFC 8760/2617).
	// The password is write-only: it never appears in logs, status,
	// the console or JSON (Secret).
	Username string `toml:"username"`
	Password Secret `toml:"password"`
	// Realm, when set, is the only digest realm the credentials are
	// given to.
	Realm string `toml:"realm"`
	// DIDs maps the provider's numbers to local subscribers:
	// "DID:MSISDN", e.g. "4930123456:1001".
	DIDs []string `toml:"dids"`
	// Routes are the dialled numbers the trunk takes: a digit prefix
	// ("00", "+49", "0" — "+" matches a leading "+" or "00"), or a
	// regular expression starting with ^ ("^\\+?49[0-9]{6,12}$").
	Routes []string `toml:"routes"`
	// Emergency routes emergency calls to the trunk when
	// emergency.target is empty.
	Emergency bool `toml:"emergency"`
	// Codecs is the order of payload types offered: PCMA, PCMU, GSM.
	Codecs []string `toml:"codecs"`
	// Transport is udp or tcp.
	Transport string `toml:"transport"`
	// Listen is the local HOST:PORT for SIP ("" : any address, port
	// 5060).
	Listen string `toml:"listen"`
	// External is the address the provider sees us at (behind NAT):
	// put in Contact, Via and SDP. "" uses the local address (and
	// rport, RFC 3581, tells the provider where the answers go).
	External string `toml:"external"`
	// RTPPorts is the UDP port range for media, "FIRST-LAST" (even
	// ports for RTP, the odd one above each for RTCP).
	RTPPorts string `toml:"rtp_ports"`
	// RegisterExpiry is the Expires asked for; the trunk re-registers
	// before it runs out.
	RegisterExpiry Duration `toml:"register_expiry"`
	// Keepalive is how often an OPTIONS goes to the proxy (0: never).
	Keepalive Duration `toml:"keepalive"`
}

// Secret is a string that does not print: String, log values and JSON
// show "(redacted)". The TOML text keeps it (the configuration file is
// where it lives).
type Secret string

const redacted = "(redacted)"

func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString keeps %#v from printing it.
func (s Secret) GoString() string { return strconv.Quote(s.String()) }

// LogValue keeps slog from printing it.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON keeps JSON (the console API, status) from printing it.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(s.String())), nil }

// Reveal returns the secret itself, for the digest computation only.
func (s Secret) Reveal() string { return string(s) }

// TrunkDefaults fills a trunk's unset keys.
func TrunkDefaults(t Trunk) Trunk {
	if t.Transport == "" {
		t.Transport = "udp"
	}
	if len(t.Codecs) == 0 {
		t.Codecs = []string{"PCMA", "PCMU"}
	}
	if t.RTPPorts == "" {
		t.RTPPorts = "16384-16483"
	}
	if t.RegisterExpiry.Duration == 0 {
		t.RegisterExpiry = Duration{time.Hour}
	}
	return t
}

// ParseDID splits "DID:MSISDN".
func ParseDID(s string) (did, msisdn string, ok bool) {
	did, msisdn, ok = strings.Cut(s, ":")
	did = strings.TrimPrefix(did, "+")
	if !ok || !l3.Digits(did, 1, 20) || !l3.Digits(msisdn, 1, 15) {
		return "", "", false
	}
	return did, msisdn, true
}

// ParsePortRange splits "FIRST-LAST".
func ParsePortRange(s string) (lo, hi int, ok bool) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return 0, 0, false
	}
	lo, e1 := strconv.Atoi(a)
	hi, e2 := strconv.Atoi(b)
	if e1 != nil || e2 != nil || lo < 1024 || hi > 65535 || hi < lo+1 {
		return 0, 0, false
	}
	return lo, hi, true
}

// CheckRoute checks one routing rule.
func CheckRoute(r string) error {
	if strings.HasPrefix(r, "^") {
		if len(r) > 200 {
			return fmt.Errorf("pattern of %d characters: want at most 200", len(r))
		}
		if _, err := regexp.Compile(r); err != nil {
			return fmt.Errorf("%q: %v", r, err)
		}
		return nil
	}
	d := strings.TrimPrefix(r, "+")
	if d == "" && r == "+" {
		return nil
	}
	if !l3.Digits(d, 1, 20) {
		return fmt.Errorf("%q: want a digit prefix (\"00\", \"+49\") or a pattern starting with ^", r)
	}
	return nil
}

func checkSIPHost(s string, needed bool) error {
	if s == "" {
		if needed {
			return fmt.Errorf("must be set")
		}
		return nil
	}
	host, port := s, ""
	if h, p, err := net.SplitHostPort(s); err == nil {
		host, port = h, p
	}
	if host == "" || strings.ContainsAny(host, " /@;?") || len(host) > 253 {
		return fmt.Errorf("%q: want HOST or HOST:PORT", s)
	}
	if port != "" {
		p, err := strconv.Atoi(port)
		if err != nil {
			return fmt.Errorf("port %q: want 1..65535", port)
		}
		return CheckPort(p, 0)
	}
	return nil
}

// sipProblems checks [[sip.trunk]].
func (c *Config) sipProblems(lines map[string]int) []Problem {
	var ps []Problem
	names := map[string]bool{}
	dids := map[string]string{}
	for i, t := range c.SIP.Trunk {
		t = TrunkDefaults(t)
		name := t.Name
		if name == "" {
			name = fmt.Sprintf("#%d", i+1)
		}
		bad := func(key, format string, args ...any) {
			full := "sip.trunk." + key
			line := lines[full]
			if line == 0 {
				line = lines["sip.trunk"]
			}
			ps = append(ps, Problem{Key: full, Line: line, Msg: fmt.Sprintf("trunk %s: ", name) + fmt.Sprintf(format, args...)})
		}
		switch {
		case t.Name == "" || len(t.Name) > 32 || strings.Trim(strings.ToLower(t.Name), "abcdefghijklmnopqrstuvwxyz0123456789-_") != "":
			bad("name", "%q: want 1..32 letters, digits, - or _", t.Name)
		case names[t.Name]:
			bad("name", "%q is used by another trunk", t.Name)
		}
		names[t.Name] = true
		if err := checkSIPHost(t.Registrar, false); err != nil {
			bad("registrar", "%v", err)
		}
		if err := checkSIPHost(t.Proxy, t.Registrar == ""); err != nil {
			bad("proxy", "%v (with no registrar the proxy is where calls go)", err)
		}
		if t.Registrar != "" && (t.Username == "" || t.Password == "") {
			bad("username", "a trunk that registers needs username and password")
		}
		if len(t.Username) > 64 || strings.ContainsAny(t.Username, " \"@:;<>") {
			bad("username", "%q: want at most 64 characters without spaces, quotes, @ : ; < >", t.Username)
		}
		if len(t.Password) > 128 || strings.ContainsAny(string(t.Password), "\r\n") {
			bad("password", "want at most 128 characters on one line")
		}
		if strings.ContainsAny(t.Realm, "\"\r\n") {
			bad("realm", "%q: no quotes or line breaks", t.Realm)
		}
		if len(t.DIDs) > 10000 {
			bad("dids", "%d DIDs: want at most 10000", len(t.DIDs))
		}
		for _, d := range t.DIDs {
			did, _, ok := ParseDID(d)
			if !ok {
				bad("dids", "%q: want \"DID:MSISDN\", e.g. \"4930123456:1001\"", d)
				continue
			}
			if o, dup := dids[did]; dup {
				bad("dids", "DID %s is already mapped by trunk %s", did, o)
			}
			dids[did] = name
		}
		if len(t.Routes) > 100 {
			bad("routes", "%d routes: want at most 100", len(t.Routes))
		}
		for _, r := range t.Routes {
			if err := CheckRoute(r); err != nil {
				bad("routes", "%v", err)
			}
		}
		for _, k := range t.Codecs {
			switch strings.ToUpper(k) {
			case "PCMA", "PCMU", "GSM":
			default:
				bad("codecs", "%q: want PCMA, PCMU or GSM", k)
			}
		}
		if t.Transport != "udp" && t.Transport != "tcp" {
			bad("transport", "%q: want \"udp\" or \"tcp\"", t.Transport)
		}
		if t.Listen != "" {
			if err := CheckHostPort(t.Listen); err != nil {
				if _, p, err2 := net.SplitHostPort(t.Listen); err2 != nil || p == "" {
					bad("listen", "%v", err)
				}
			}
		}
		if t.External != "" {
			host := t.External
			if h, _, err := net.SplitHostPort(t.External); err == nil {
				host = h
			}
			if _, err := netip.ParseAddr(host); err != nil {
				bad("external", "%q: want the public IP address (optionally :PORT)", t.External)
			}
		}
		if _, _, ok := ParsePortRange(t.RTPPorts); !ok {
			bad("rtp_ports", "%q: want FIRST-LAST within 1024..65535, at least two ports", t.RTPPorts)
		}
		if d := t.RegisterExpiry.Duration; d < time.Minute || d > 24*time.Hour {
			bad("register_expiry", "%v: want 1m..24h", d)
		}
		if d := t.Keepalive.Duration; d != 0 && (d < 5*time.Second || d > time.Hour) {
			bad("keepalive", "%v: want 5s..1h, or 0s for none", d)
		}
	}
	return ps
}
