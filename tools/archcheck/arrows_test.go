package archcheck

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

const mod = "github.com/gsmbox/gsmbox/"

type pkg struct {
	path    string
	imports []string // direct, non-test
	deps    []string // transitive, non-test
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-f", `{{.ImportPath}}|{{join .Imports " "}}|{{join .Deps " "}}`, "github.com/gsmbox/gsmbox/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	var pkgs []pkg
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "|")
		if len(f) != 3 {
			continue
		}
		pkgs = append(pkgs, pkg{path: strings.TrimPrefix(f[0], mod), imports: strings.Fields(f[1]), deps: strings.Fields(f[2])})
	}
	if len(pkgs) < 5 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

func under(p, dir string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }

func TestArrows(t *testing.T) {
	for _, p := range listPackages(t) {
		for _, d := range p.deps {
			local := strings.TrimPrefix(d, mod)
			isLocal := local != d
			switch {
			case under(p.path, "dsp") && isLocal && under(local, "gsm") && local != "gsm/tdma" && local != "gsm/phy":
				t.Errorf("%s depends on %s: dsp/ may use only gsm/tdma and gsm/phy (the burst seam) from gsm/", p.path, local)
			case p.path == "gsm/phy" && isLocal && local != "gsm/tdma":
				t.Errorf("%s depends on %s: the burst seam is a leaf beside gsm/tdma", p.path, local)
			case under(p.path, "gsm") && isLocal && (under(local, "dsp") || under(local, "boards") || under(local, "firmware") || under(local, "cmd") || under(local, "initramfs")):
				t.Errorf("%s depends on %s: gsm/ must not depend on dsp/, boards/, firmware/ or initramfs/", p.path, local)
			case under(p.path, "gsm") && strings.HasPrefix(d, "periph.io/"):
				t.Errorf("%s depends on %s: gsm/ must not touch hardware", p.path, d)
			case (under(p.path, "gsm") || under(p.path, "dsp")) && strings.HasPrefix(d, "github.com/u-root/"):
				t.Errorf("%s depends on %s", p.path, d)
			}
		}
		for _, d := range p.imports {
			switch {
			case strings.HasPrefix(d, "periph.io/") && !under(p.path, "boards") && !under(p.path, "firmware"):
				t.Errorf("%s imports %s: only boards/ and firmware/ import periph", p.path, d)
			case strings.HasPrefix(d, "github.com/u-root/") && !under(p.path, "firmware") && !under(p.path, "initramfs"):
				t.Errorf("%s imports %s: only firmware/ and initramfs/ import u-root", p.path, d)
			case d == "github.com/BurntSushi/toml" && p.path != "firmware/config":
				t.Errorf("%s imports %s: only firmware/config imports the TOML library", p.path, d)
			}
		}
	}
}
