package lan

import (
	"net"
	"strings"
)

// ConsoleURLs are the web console's addresses as an operator types them:
// each listen address, with ip for a wildcard host.
func ConsoleURLs(listen []string, ip string) []string {
	var out []string
	for _, l := range listen {
		host, port, err := net.SplitHostPort(l)
		if err != nil {
			continue
		}
		if host == "" || host == "0.0.0.0" || host == "::" {
			if ip == "" {
				continue
			}
			host = ip
		}
		if port != "443" {
			host = net.JoinHostPort(host, port)
		} else if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		out = append(out, "https://"+host+"/")
	}
	return out
}
