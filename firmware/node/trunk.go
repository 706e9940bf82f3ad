package node

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"

	"github.com/gsmbox/gsmbox/firmware/config"
	"github.com/gsmbox/gsmbox/gsm/codec/rtp"
	"github.com/gsmbox/gsmbox/gsm/core/media"
	"github.com/gsmbox/gsmbox/gsm/core/trunk"
)

// buildTrunks makes the [[sip.trunk]]s, in the order they are tried, or
// nil when there are none. The core is joined later (Group.SetEvents).
func buildTrunks(c *config.Config, log *slog.Logger) (*trunk.Group, error) {
	if len(c.SIP.Trunk) == 0 {
		return nil, nil
	}
	var ts []*trunk.Trunk
	closeAll := func() {
		for _, t := range ts {
			t.Close()
		}
	}
	for _, tc := range c.SIP.Trunk {
		tc = config.TrunkDefaults(tc)
		dids := map[string]string{}
		for _, d := range tc.DIDs {
			did, msisdn, ok := config.ParseDID(d)
			if !ok {
				closeAll()
				return nil, fmt.Errorf("%w: trunk %s: DID %q", ErrConfig, tc.Name, d)
			}
			dids[did] = msisdn
		}
		var routes []trunk.Route
		for _, r := range tc.Routes {
			rt, err := trunk.ParseRoute(r)
			if err != nil {
				closeAll()
				return nil, err
			}
			routes = append(routes, rt)
		}
		var codecs []uint8
		for _, k := range tc.Codecs {
			switch strings.ToUpper(k) {
			case "PCMA":
				codecs = append(codecs, rtp.PTPCMA)
			case "PCMU":
				codecs = append(codecs, rtp.PTPCMU)
			case "GSM":
				codecs = append(codecs, rtp.PTGSM)
			}
		}
		lo, hi, _ := config.ParsePortRange(tc.RTPPorts)
		listen := tc.Listen
		if listen == "" {
			listen = "0.0.0.0:5060"
		} else if strings.HasPrefix(listen, ":") {
			listen = "0.0.0.0" + listen
		}
		var tr *trunk.Trunk
		mlog := log.With("trunk", tc.Name)
		newMedia := func() (trunk.Media, error) {
			// RTP binds where SIP listens; SDP gives the external
			// address, or the address the provider is reached from.
			host, _, _ := net.SplitHostPort(tr.Addr())
			addr, _ := netip.ParseAddr(host)
			ext, err := netip.ParseAddr(tr.ContactHost())
			if err != nil {
				ext = addr
			}
			return media.New(media.Config{Addr: addr, External: ext, PortMin: uint16(lo), PortMax: uint16(hi),
				Codecs: codecs, Latch: true, Log: mlog})
		}
		t, err := trunk.New(trunk.Config{Name: tc.Name, Registrar: tc.Registrar, Proxy: tc.Proxy,
			Username: tc.Username, Password: tc.Password.Reveal(), Realm: tc.Realm, DIDs: dids, Routes: routes,
			Emergency: tc.Emergency, Transport: tc.Transport, Listen: listen, External: tc.External,
			Expiry: tc.RegisterExpiry.Duration, Keepalive: tc.Keepalive.Duration, NewMedia: newMedia, Log: log})
		if err != nil {
			closeAll()
			return nil, err
		}
		tr = t
		ts = append(ts, t)
	}
	return trunk.NewGroup(nil, log, ts...), nil
}
