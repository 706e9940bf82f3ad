package registry_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/core/registry/registrytest"
	"github.com/gsmbox/gsmbox/gsm/crypto"
)

const goodCSV = `# provisioning for the lab
imsi,msisdn,algorithm,ki,opc,imei,authorized,name,sqn
001010000000001,1001,comp128v1,000102030405060708090a0b0c0d0e0f,,490154203237518,true,Alice,
001010000000002,1002,milenage,465b5ce8b199b49faa5f0a2ee238a6bc,cd63cb71954a9f4e48a5994e37a02baf,,,Bob,64
001010000000003,,,,,,false,,
`

func TestReadCSV(t *testing.T) {
	rows, err := registry.ReadCSV(strings.NewReader(goodCSV))
	if err != nil {
		t.Fatalf("ReadCSV = %v", err)
	}
	if len(rows) != 3 {
		t.Fatalf("ReadCSV rows = %d, want 3", len(rows))
	}
	a, b, c := rows[0].Subscriber, rows[1].Subscriber, rows[2].Subscriber
	if rows[0].Line != 3 || rows[2].Line != 5 {
		t.Errorf("lines = %d, %d, want 3, 5", rows[0].Line, rows[2].Line)
	}
	if a.Algorithm != crypto.COMP128v1 || a.Ki.HexSecret() != "000102030405060708090a0b0c0d0e0f" || a.IMEI.String() != "490154203237518" || a.Name != "Alice" || a.Barred {
		t.Errorf("row 1 = %+v", a)
	}
	if b.Algorithm != crypto.Milenage || b.OPc.HexSecret() != "cd63cb71954a9f4e48a5994e37a02baf" || b.SQN != 64 {
		t.Errorf("row 2 = %+v", b)
	}
	if !c.Barred || c.MSISDN != "" || c.HasKey() {
		t.Errorf("row 3 = %+v", c)
	}
}

// TestReadCSVOP: OPc derived from OP matches TS 35.207 test set 1
// (K 465b5ce8b199b49faa5f0a2ee238a6bc, OP cdc202d5123e20f62b6d676ac72cb318,
// OPc cd63cb71954a9f4e48a5994e37a02baf).
func TestReadCSVOP(t *testing.T) {
	rows, err := registry.ReadCSV(strings.NewReader("imsi,algorithm,ki,op\n001010000000002,milenage,465b5ce8b199b49faa5f0a2ee238a6bc,cdc202d5123e20f62b6d676ac72cb318\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := rows[0].Subscriber.OPc.HexSecret(); got != "cd63cb71954a9f4e48a5994e37a02baf" {
		t.Errorf("OPc = %s, want cd63cb71954a9f4e48a5994e37a02baf", got)
	}
}

func TestReadCSVErrors(t *testing.T) {
	const secret = "0badc0de0badc0de0badc0de0badc0"
	bad := `imsi,msisdn,algorithm,ki,imei
001010000000001,1001,comp128v1,000102030405060708090a0b0c0d0e0f,
00101000000000x,1002,,,
001010000000003,1003,comp128v9,000102030405060708090a0b0c0d0e0f,
001010000000004,1004,comp128v1,` + secret + `,
001010000000001,1005,,,
001010000000006,1001,,,
001010000000007,1007,,,490154203237510
001010000000008,1008,,
001010000000009,1009,,000102030405060708090a0b0c0d0e0f,
001010000000010,1010,milenage,000102030405060708090a0b0c0d0e0f,
`
	_, err := registry.ReadCSV(strings.NewReader(bad))
	if err == nil {
		t.Fatal("ReadCSV(bad) = nil error")
	}
	if !errors.Is(err, registry.ErrCSV) {
		t.Errorf("ReadCSV error does not wrap ErrCSV: %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"line 3:", "line 4:", "line 5:", "line 6: IMSI 001010000000001 already on line 2",
		"line 7: MSISDN 1001 already on line 2", "line 8:", "line 9: 4 fields", "line 10:", "line 11:"} {
		if !strings.Contains(msg, want) {
			t.Errorf("ReadCSV error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "line 2:") {
		t.Errorf("ReadCSV reports the good line 2:\n%s", msg)
	}
	if strings.Contains(msg, secret[:12]) || strings.Contains(msg, "0001020304") {
		t.Errorf("ReadCSV error leaks a key:\n%s", msg)
	}
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", "no header"},
		{"unknown column", "imsi,colour\n", `unknown column "colour"`},
		{"no imsi", "msisdn\n1000\n", "no imsi column"},
		{"dup column", "imsi,imsi\n", "twice"},
		{"op and opc", "imsi,op,opc\n", "both op and opc"},
		{"bare quote", "imsi,name\n001010000000001,a\"b\n", "line 2:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := registry.ReadCSV(strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ReadCSV(%q) = %v, want an error containing %q", tc.in, err, tc.want)
			}
		})
	}
}

func TestImportAtomic(t *testing.T) {
	stores(t, func(t *testing.T, st registry.Store) {
		r, _ := newReg(t, st, registry.Policy{})
		if _, err := r.Add(registrytest.Sub(50)); err != nil { // MSISDN 1050
			t.Fatal(err)
		}
		rows, err := registry.ReadCSV(strings.NewReader("imsi,msisdn\n001010000000001,2001\n001010000000002,1050\n001010000000003,2003\n"))
		if err != nil {
			t.Fatal(err)
		}
		// Row 3 (line 3) takes an MSISDN another subscriber holds: nothing
		// is imported.
		_, err = r.Import(rows, registry.ImportAdd)
		var le *registry.LineError
		if !errors.As(err, &le) || le.Line != 3 || !errors.Is(err, registry.ErrMSISDNInUse) {
			t.Fatalf("Import = %v, want a line 3 ErrMSISDNInUse", err)
		}
		if n, _ := r.Count(); n != 1 {
			t.Errorf("after a failed import Count() = %d, want 1", n)
		}
		rows[1].Subscriber.MSISDN = "2002"
		res, err := r.Import(rows, registry.ImportAdd)
		if err != nil || res.Added != 3 {
			t.Fatalf("Import = %+v, %v, want 3 added", res, err)
		}
		// Importing again: every row exists.
		if _, err := r.Import(rows, registry.ImportAdd); !errors.Is(err, registry.ErrExists) {
			t.Errorf("re-Import(add) = %v, want ErrExists", err)
		}
		// Update mode changes only the file's columns and keeps state.
		if _, err := r.UpdateLocation("001010000000001", lai, true); err != nil {
			t.Fatal(err)
		}
		up, err := registry.ReadCSV(strings.NewReader("imsi,name\n001010000000001,Carol\n"))
		if err != nil {
			t.Fatal(err)
		}
		if res, err := r.Import(up, registry.ImportUpdate); err != nil || res.Updated != 1 {
			t.Fatalf("Import(update) = %+v, %v", res, err)
		}
		got, _ := r.Get("001010000000001")
		if got.Name != "Carol" || got.MSISDN != "2001" || got.LAI != lai || !got.NewTMSI.Valid() {
			t.Errorf("after update import = %+v", got)
		}
	})
}

func TestExportReimport(t *testing.T) {
	r, _ := registrytest.NewRegistry(t, registry.Policy{})
	rows, err := registry.ReadCSV(strings.NewReader(goodCSV))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Import(rows, registry.ImportAdd); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := r.ExportCSV(&out); err != nil {
		t.Fatal(err)
	}
	r2, _ := registrytest.NewRegistry(t, registry.Policy{})
	rows2, err := registry.ReadCSV(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatalf("ReadCSV(export) = %v\n%s", err, out.String())
	}
	if _, err := r2.Import(rows2, registry.ImportAdd); err != nil {
		t.Fatal(err)
	}
	var out2 bytes.Buffer
	if err := r2.ExportCSV(&out2); err != nil {
		t.Fatal(err)
	}
	if out.String() != out2.String() {
		t.Errorf("export → import → export differs:\n%s\n---\n%s", out.String(), out2.String())
	}
	if !strings.HasPrefix(out.String(), "imsi,msisdn,algorithm,ki,opc,imei,authorized,name,sqn\n") {
		t.Errorf("export header = %q", strings.SplitN(out.String(), "\n", 2)[0])
	}
}

// TestCSVLimits: a huge file, a huge line, too many rows and a hopeless
// file each end with a short, clear error.
func TestCSVLimits(t *testing.T) {
	var bad strings.Builder
	bad.WriteString("imsi,msisdn\n")
	for range 200 {
		bad.WriteString("x,1\n")
	}
	var rows strings.Builder
	rows.WriteString("imsi\n")
	for i := range registry.MaxCSVRows + 1 {
		fmt.Fprintf(&rows, "00101%010d\n", i)
	}
	for _, tc := range []struct {
		name, in, want string
	}{
		{"huge", "imsi,name\n" + strings.Repeat("001010000000001,"+strings.Repeat("n", 200)+"\n", (registry.MaxCSVSize/216)+1), "the limit is 16 MiB"},
		{"many bad rows", "imsi\n" + strings.Repeat("001010000000001\n", registry.MaxCSVRows+1), "more than 100000 subscribers"},
		{"long line", "imsi,name\n001010000000001,\"" + strings.Repeat("n", 10000) + "\"\n", "line 2: line longer than 4096 bytes"},
		{"too many rows", rows.String(), fmt.Sprintf("line %d: more than %d subscribers", registry.MaxCSVRows+2, registry.MaxCSVRows)},
		{"200 bad lines", bad.String(), "... and 150 more problems"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := registry.ReadCSV(strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ReadCSV = %.300v, want %q", err, tc.want)
			}
			if n := len(err.Error()); n > 8<<10 {
				t.Errorf("error of %d bytes", n)
			}
			if d := time.Since(start); d > 5*time.Second*raceSlowdown {
				t.Errorf("took %v", d)
			}
		})
	}
}

// TestNamesSanitised: control characters in a name are refused from CSV
// (naming the line), Add and Update; stored ones are escaped on output.
func TestNamesSanitised(t *testing.T) {
	for _, name := range []string{"a\x00b", "\x1b[2J", "x\ny", "rtl\u202egnp", "c1\u009b", "bad\xffutf8"} {
		in := "imsi,name\n001010000000001,ok\n001010000000002,\"" + name + "\"\n"
		_, err := registry.ReadCSV(strings.NewReader(in))
		if err == nil || !strings.Contains(err.Error(), "line 3: name:") {
			t.Errorf("ReadCSV with name %q = %v, want a line 3 name error", name, err)
		}
		r, _ := registrytest.NewRegistry(t, registry.Policy{})
		if _, err := r.Add(registry.Subscriber{IMSI: "001010000000001", Name: name}); !errors.Is(err, registry.ErrInvalid) {
			t.Errorf("Add with name %q = %v, want ErrInvalid", name, err)
		}
		r.Add(registry.Subscriber{IMSI: "001010000000001", Name: "ok"})
		if _, err := r.Update("001010000000001", func(s *registry.Subscriber) error { s.Name = name; return nil }); !errors.Is(err, registry.ErrInvalid) {
			t.Errorf("Update to name %q = %v, want ErrInvalid", name, err)
		}
		esc := registry.EscapeText(name)
		if registry.CheckText(esc) != nil {
			t.Errorf("EscapeText(%q) = %q, still unsafe", name, esc)
		}
	}
	if got := registry.EscapeText("Ünïcödé ok"); got != "Ünïcödé ok" {
		t.Errorf("EscapeText changed safe text: %q", got)
	}
	if got := registry.EscapeText("\x1b[2J"); got != `\x1b[2J` {
		t.Errorf("EscapeText(ESC[2J) = %q", got)
	}
}
