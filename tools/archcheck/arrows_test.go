package archcheck

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

func listPackages(t *testing.T) []Package {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-f", `{{.ImportPath}}|{{join .Imports " "}}|{{join .Deps " "}}`, Module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	var pkgs []Package
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "|")
		if len(f) != 3 {
			continue
		}
		pkgs = append(pkgs, Package{Path: strings.TrimPrefix(f[0], Module+"/"), Imports: strings.Fields(f[1]), Deps: strings.Fields(f[2])})
	}
	if len(pkgs) < 5 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

// TestTree checks the real tree.
func TestTree(t *testing.T) {
	pkgs := listPackages(t)
	for _, v := range Check(pkgs) {
		t.Error(v)
	}
	// The rules must have something to bite on: a rename that makes them
	// vacuous fails here.
	seen := map[string]bool{}
	for _, p := range pkgs {
		seen[p.Path] = true
	}
	for _, want := range []string{"gsm/tdma", "gsm/l1", "gsm/core", "boards", "boards/rf/rfhost", "firmware/config", "tools/mkimage", "dsp/radio"} {
		if !seen[want] {
			t.Errorf("go list found no %s: update the rules", want)
		}
	}
}

func m(p string) string { return Module + "/" + p }

// TestRules runs each rule on small synthetic graphs: the legal shape
// passes, and each kind of break is reported.
func TestRules(t *testing.T) {
	for _, tc := range []struct {
		name string
		pkg  Package
		want string // a substring of the one violation; "" for none
	}{
		// The order inside gsm/.
		{"l1 imports coding", Package{Path: "gsm/l1", Imports: []string{m("gsm/coding"), m("gsm/tdma")}}, ""},
		{"core imports bts", Package{Path: "gsm/core", Imports: []string{m("gsm/bts"), m("gsm/mm")}}, ""},
		{"registry imports its policy leaf", Package{Path: "gsm/core/registry", Imports: []string{m("gsm/core/registry/policy"), m("gsm/mm")}}, ""},
		{"fake imports its package", Package{Path: "gsm/l1/l1test", Imports: []string{m("gsm/l1")}}, ""},
		{"coding imports l1", Package{Path: "gsm/coding", Imports: []string{m("gsm/l1")}}, "gsm/l1 is above gsm/coding"},
		{"lapdm imports rr", Package{Path: "gsm/lapdm", Imports: []string{m("gsm/rr")}}, "above gsm/lapdm"},
		{"bts imports core", Package{Path: "gsm/bts", Imports: []string{m("gsm/core")}}, "above gsm/bts"},
		{"bts imports registry", Package{Path: "gsm/bts", Imports: []string{m("gsm/core/registry")}}, "above gsm/bts"},
		{"mm imports rr", Package{Path: "gsm/mm", Imports: []string{m("gsm/rr")}}, "peers"},
		{"phy imports tdma", Package{Path: "gsm/phy", Imports: []string{m("gsm/tdma")}}, ""},
		{"phy imports bitio", Package{Path: "gsm/phy", Imports: []string{m("gsm/internal/bitio")}}, "may import only gsm/tdma"},
		{"rsl imports l3", Package{Path: "gsm/rsl", Imports: []string{m("gsm/l3"), m("gsm/tdma")}}, ""},
		{"rsl imports lapdm", Package{Path: "gsm/rsl", Imports: []string{m("gsm/lapdm")}}, "are peers"},
		{"rsl imports rr", Package{Path: "gsm/rsl", Imports: []string{m("gsm/rr")}}, "above gsm/rsl"},
		{"rsl imports l1", Package{Path: "gsm/rsl", Imports: []string{m("gsm/l1")}}, ""},
		{"unplaced gsm package", Package{Path: "gsm/paging"}, "no place in the order"},
		{"gsm imports dsp", Package{Path: "gsm/l1", Deps: []string{m("dsp/gmsk")}}, "gsm/ must not depend on dsp/"},
		{"gsm imports firmware", Package{Path: "gsm/core", Deps: []string{m("firmware/clock")}}, "gsm/ must not depend"},
		{"dsp uses phy", Package{Path: "dsp/trx", Deps: []string{m("gsm/phy"), m("gsm/tdma")}}, ""},
		{"dsp uses l1", Package{Path: "dsp/trx", Deps: []string{m("gsm/l1")}}, "dsp/ may use only"},

		// Boards are data.
		{"boards uses conn", Package{Path: "boards", Deps: []string{"periph.io/x/conn/v3/gpio", m("boards/rf")}}, ""},
		{"boards links host", Package{Path: "boards", Deps: []string{m("boards/rf"), "periph.io/x/host/v3"}}, "board descriptors are data"},
		{"rf links host", Package{Path: "boards/rf", Deps: []string{"periph.io/x/host/v3/sysfs"}}, "board descriptors are data"},
		{"rfhost links host", Package{Path: "boards/rf/rfhost", Imports: []string{"periph.io/x/host/v3"}, Deps: []string{"periph.io/x/host/v3"}}, ""},
		{"firmware inits host", Package{Path: "firmware", Imports: []string{"periph.io/x/host/v3"}}, "only boards/rf/rfhost"},

		// The host-side image builder.
		{"mkimage without bbolt", Package{Path: "tools/mkimage", Deps: []string{m("firmware/config"), m("boards")}}, ""},
		{"mkimage links bbolt", Package{Path: "tools/mkimage", Deps: []string{m("firmware/config"), "go.etcd.io/bbolt"}}, "must not link the subscriber database"},
		{"mkimage/image links bbolt", Package{Path: "tools/mkimage/image", Deps: []string{"go.etcd.io/bbolt/errors"}}, "subscriber database"},
		{"config links bbolt", Package{Path: "firmware/config", Deps: []string{m("gsm/core/registry"), "go.etcd.io/bbolt"}}, "subscriber database"},
		{"mkimage links host", Package{Path: "tools/mkimage", Deps: []string{"periph.io/x/host/v3"}}, "periph's host drivers"},
		{"cmd links bbolt", Package{Path: "cmd/gsmbox", Deps: []string{"go.etcd.io/bbolt"}}, ""},

		// The sample seam.
		{"radio uses tdma and iq", Package{Path: "dsp/radio", Deps: []string{m("gsm/tdma"), m("dsp/iq")}}, ""},
		{"radio uses filter", Package{Path: "dsp/radio", Deps: []string{m("dsp/filter"), m("gsm/tdma")}}, "imports no DSP processing"},
		{"radiotest uses gmsk", Package{Path: "dsp/radio/radiotest", Deps: []string{m("dsp/radio"), m("dsp/gmsk")}}, "imports no DSP processing"},
		{"iqfile uses channel", Package{Path: "dsp/radio/iqfile", Deps: []string{m("dsp/radio"), m("dsp/channel")}}, ""},

		// The outside modules' owners.
		{"toml outside config", Package{Path: "cmd/gsmbox", Imports: []string{"github.com/BurntSushi/toml"}}, "only firmware/config"},
		{"periph in dsp", Package{Path: "dsp/trx", Imports: []string{"periph.io/x/conn/v3/gpio"}}, "only boards/ and firmware/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Check([]Package{tc.pkg})
			switch {
			case tc.want == "" && len(got) != 0:
				t.Errorf("Check(%+v) = %q, want no violation", tc.pkg, got)
			case tc.want != "" && (len(got) != 1 || !strings.Contains(got[0], tc.want)):
				t.Errorf("Check(%+v) = %q, want one violation containing %q", tc.pkg, got, tc.want)
			}
		})
	}
}
