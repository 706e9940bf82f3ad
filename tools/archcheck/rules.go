package archcheck

import (
	"fmt"
	"slices"
	"strings"
)

// Module is gsmbox's module path; Package paths are relative to it.
const Module = "github.com/gsmbox/gsmbox"

// Package is one package of the import graph.
type Package struct {
	// Path is the import path, relative to Module for gsmbox's own
	// packages ("gsm/l1").
	Path string
	// Imports are its direct imports and Deps its transitive ones (both
	// without tests), as full import paths.
	Imports, Deps []string
}

// Check applies every rule to the graph and returns the violations, one
// line each, in the order found.
func Check(pkgs []Package) []string {
	var out []string
	for _, p := range pkgs {
		for _, rule := range rules {
			out = append(out, rule(p)...)
		}
	}
	return out
}

var rules = []func(Package) []string{arrows, outsideModules, gsmLayers, boardsDataOnly, hostImageBuilder, radioSeam}

func under(p, dir string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }

// local returns the module-relative path of an import path of gsmbox's,
// and whether it is one.
func local(imp string) (string, bool) {
	if r, ok := strings.CutPrefix(imp, Module+"/"); ok {
		return r, true
	}
	return "", false
}

// dspMayUse are the gsm/ packages dsp/ may depend on: the time base and
// the burst-PHY seam, leaves both.
var dspMayUse = []string{"gsm/tdma", "gsm/phy"}

// arrows keeps the top-level layers apart: dsp/ does not reach into the GSM
// stack beyond its leaves, and gsm/ knows nothing of DSP, boards, firmware
// or hardware.
func arrows(p Package) []string {
	var out []string
	for _, d := range p.Deps {
		l, isLocal := local(d)
		switch {
		case under(p.Path, "dsp") && isLocal && under(l, "gsm") && !slices.ContainsFunc(dspMayUse, func(x string) bool { return under(l, x) }):
			out = append(out, fmt.Sprintf("%s depends on %s: dsp/ may use only %s from gsm/", p.Path, l, strings.Join(dspMayUse, ", ")))
		case under(p.Path, "gsm") && isLocal && (under(l, "dsp") || under(l, "boards") || under(l, "firmware") || under(l, "cmd") || under(l, "initramfs")):
			out = append(out, fmt.Sprintf("%s depends on %s: gsm/ must not depend on dsp/, boards/, firmware/ or initramfs/", p.Path, l))
		case under(p.Path, "gsm") && strings.HasPrefix(d, "periph.io/"):
			out = append(out, fmt.Sprintf("%s depends on %s: gsm/ must not touch hardware", p.Path, d))
		case (under(p.Path, "gsm") || under(p.Path, "dsp")) && strings.HasPrefix(d, "github.com/u-root/"):
			out = append(out, fmt.Sprintf("%s depends on %s", p.Path, d))
		}
	}
	return out
}

// outsideModules: the big outside modules are each imported only by the
// layer that owns them.
func outsideModules(p Package) []string {
	var out []string
	for _, d := range p.Imports {
		switch {
		case strings.HasPrefix(d, "periph.io/") && d != "periph.io/x/conn/v3/physic" && !under(p.Path, "boards") && !under(p.Path, "firmware"):
			// physic is units (Frequency, Power), no hardware: any layer may use it.
			out = append(out, fmt.Sprintf("%s imports %s: only boards/ and firmware/ import periph", p.Path, d))
		case strings.HasPrefix(d, "periph.io/x/host/") && p.Path != "boards/rf/rfhost":
			out = append(out, fmt.Sprintf("%s imports %s: only boards/rf/rfhost initialises periph's host drivers", p.Path, d))
		case strings.HasPrefix(d, "github.com/u-root/") && !under(p.Path, "firmware") && !under(p.Path, "initramfs"):
			out = append(out, fmt.Sprintf("%s imports %s: only firmware/ and initramfs/ import u-root", p.Path, d))
		case d == "github.com/BurntSushi/toml" && p.Path != "firmware/config":
			out = append(out, fmt.Sprintf("%s imports %s: only firmware/config imports the TOML library", p.Path, d))
		}
	}
	return out
}

// layer is a group of gsm/ packages (a directory and everything below it)
// at one rank of the GSM stack's order.
type layer struct {
	dir  string
	rank int
	// only, if set, lists every other gsm/ package the group may import
	// (a leaf with a contract narrower than its rank).
	only []string
}

// gsmOrder is the dependency order inside gsm/, bottom up (3GPP's layers:
// TS 45.002 time base, TS 45.003 coding, layer 1, TS 44.006 LAPDm, the
// TS 44.018/24.008/24.011 layer-3 protocols, the BTS, the core). A package
// imports only packages of a lower rank, or of its own group; packages of
// one rank are peers and do not import one another. A new gsm/ package
// needs a line here.
var gsmOrder = []layer{
	{dir: "gsm/tdma", rank: 0},
	{dir: "gsm/internal", rank: 0},
	{dir: "gsm/phy", rank: 1, only: []string{"gsm/tdma"}}, // the burst-PHY seam, beside tdma
	{dir: "gsm/crypto", rank: 1},
	{dir: "gsm/codec", rank: 1},
	{dir: "gsm/gsmtap", rank: 1},
	{dir: "gsm/trxproto", rank: 2}, // the TRX protocol carries the burst-PHY seam
	{dir: "gsm/l3", rank: 1},
	{dir: "gsm/sms/gsm7", rank: 1}, // TS 23.038 alphabet, shared by SMS and USSD
	{dir: "gsm/coding", rank: 2},
	{dir: "gsm/l1", rank: 3},
	{dir: "gsm/rsl", rank: 4}, // the Abis-RSL-shaped seam between BTS and core, above l1 (it names l1 channels)
	{dir: "gsm/lapdm", rank: 4},
	{dir: "gsm/rr", rank: 5},
	{dir: "gsm/mm", rank: 5},
	{dir: "gsm/cc", rank: 5},
	{dir: "gsm/sms", rank: 5},
	{dir: "gsm/ss", rank: 5}, // supplementary services (USSD), TS 24.080
	{dir: "gsm/bts", rank: 6},
	{dir: "gsm/ms", rank: 6}, // the phone's stack, the BTS's peer
	{dir: "gsm/core", rank: 7},
	{dir: "gsm/core/cdr", rank: 1},   // call detail records: a leaf the switch writes
	{dir: "gsm/core/media", rank: 5}, // RTP media of a SIP call leg: above rsl and the codecs, under the switch
	{dir: "gsm/core/trunk", rank: 8}, // the SIP trunk (sipgo): implements core.Trunk, above the core
}

// layerOf returns the group of a gsm/ package (the longest matching dir).
func layerOf(p string) (layer, bool) {
	var best layer
	found := false
	for _, l := range gsmOrder {
		if under(p, l.dir) && (!found || len(l.dir) > len(best.dir)) {
			best, found = l, true
		}
	}
	return best, found
}

// gsmLayers enforces gsmOrder on gsm/'s direct imports (which makes the
// transitive ones follow it too).
func gsmLayers(p Package) []string {
	if !under(p.Path, "gsm") {
		return nil
	}
	me, ok := layerOf(p.Path)
	if !ok {
		return []string{fmt.Sprintf("%s has no place in the order of gsm/: add its directory to gsmOrder in tools/archcheck", p.Path)}
	}
	var out []string
	for _, imp := range p.Imports {
		l, isLocal := local(imp)
		if !isLocal || !under(l, "gsm") || under(l, me.dir) {
			continue
		}
		them, ok := layerOf(l)
		switch {
		case !ok:
			// Reported where that package itself is checked.
		case me.only != nil && !slices.ContainsFunc(me.only, func(x string) bool { return under(l, x) }):
			out = append(out, fmt.Sprintf("%s imports %s: %s may import only %s from gsm/", p.Path, l, me.dir, strings.Join(me.only, ", ")))
		case them.rank > me.rank:
			out = append(out, fmt.Sprintf("%s imports %s: %s is above %s in the order of gsm/ (tdma → coding → l1 → lapdm → rr/mm/cc/sms → bts → core)", p.Path, l, them.dir, me.dir))
		case them.rank == me.rank:
			out = append(out, fmt.Sprintf("%s imports %s: %s and %s are peers in the order of gsm/ and must not import each other", p.Path, l, me.dir, them.dir))
		}
	}
	return out
}

// boardsDataOnly: reading a board's descriptor initialises no hardware.
// Nothing under boards/ but boards/rf/rfhost, the opener, links periph's
// host drivers.
func boardsDataOnly(p Package) []string {
	if !under(p.Path, "boards") || under(p.Path, "boards/rf/rfhost") {
		return nil
	}
	for _, d := range p.Deps {
		if under(d, "periph.io/x/host/v3") {
			return []string{fmt.Sprintf("%s depends on %s: board descriptors are data; periph's host init belongs to boards/rf/rfhost, where a board is opened", p.Path, d)}
		}
	}
	return nil
}

// hostImageBuilder: the host-side image builder (tools/mkimage) links
// neither the subscriber database (bbolt, through the registry) nor
// periph's host drivers. firmware/config, which it uses to check the
// shipped configuration, must not pull bbolt either.
func hostImageBuilder(p Package) []string {
	if !under(p.Path, "tools/mkimage") && p.Path != "firmware/config" {
		return nil
	}
	var out []string
	var bolt, host bool // one line for each, not one per sub-package
	for _, d := range p.Deps {
		switch {
		case under(d, "go.etcd.io/bbolt") && !bolt:
			bolt = true
			out = append(out, fmt.Sprintf("%s depends on %s: the host-side image builder and firmware/config must not link the subscriber database", p.Path, d))
		case under(d, "periph.io/x/host/v3") && under(p.Path, "tools/mkimage") && !host:
			host = true
			out = append(out, fmt.Sprintf("%s depends on %s: the host-side image builder must not link periph's host drivers", p.Path, d))
		}
	}
	return out
}

// radioSeam: dsp/radio, the sample seam between a front end and the
// transceiver (and its fake), imports no DSP processing; only the sample
// file format (dsp/iq) and gsm/tdma.
func radioSeam(p Package) []string {
	if p.Path != "dsp/radio" && p.Path != "dsp/radio/radiotest" {
		return nil
	}
	var out []string
	for _, d := range p.Deps {
		l, isLocal := local(d)
		if isLocal && under(l, "dsp") && l != "dsp/radio" && l != "dsp/iq" {
			out = append(out, fmt.Sprintf("%s depends on %s: the sample seam imports no DSP processing", p.Path, l))
		}
	}
	return out
}
