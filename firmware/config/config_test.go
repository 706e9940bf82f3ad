package config

import (
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/boards"
)

func simBoard(t *testing.T) *boards.Descriptor {
	t.Helper()
	b, err := boards.Lookup("sim")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDefaultValid(t *testing.T) {
	if err := Default().Validate(simBoard(t)); err != nil {
		t.Fatalf("Default().Validate() = %v, want nil", err)
	}
}

// The example file documents every key with its default value.
func TestExampleFile(t *testing.T) {
	data, err := os.ReadFile("../../docs/gsmbox.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(data, "gsmbox.example.toml", simBoard(t))
	if err != nil {
		t.Fatalf("Parse(example) = %v", err)
	}
	if !reflect.DeepEqual(c, Default()) {
		t.Errorf("example file differs from defaults: %v", Diff(Default(), c))
	}
	lines := keyLines(data)
	for _, k := range allKeys(reflect.TypeFor[Config](), "") {
		if lines[k] == 0 {
			t.Errorf("example file does not document %s", k)
		}
	}
}

func allKeys(t reflect.Type, prefix string) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Tag.Get("toml") == "-" {
			continue
		}
		k := prefix + f.Tag.Get("toml")
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeFor[Duration]() {
			out = append(out, allKeys(f.Type, k+".")...)
			continue
		}
		out = append(out, k)
	}
	return out
}

func TestParseOverDefaults(t *testing.T) {
	c, err := Parse([]byte(`
[network]
mcc = "310"
mnc = "260"
[cell]
band = "DCS1800"
arfcn = 871
periodic_lu = "30m"
neighbours = [
  512, 513,   # two
  885,
]
`), "t.toml", simBoard(t))
	if err != nil {
		t.Fatal(err)
	}
	if c.Network.MCC != "310" || c.Network.MNC != "260" || c.ARFCN() != 871 || c.Cell.PeriodicLU.Duration != 30*time.Minute {
		t.Errorf("Parse = %+v", c)
	}
	if c.Cell.LAC != 1 || c.Network.Name != Default().Network.Name {
		t.Errorf("defaults lost: %+v", c)
	}
	if len(c.Cell.Neighbours) != 3 {
		t.Errorf("neighbours = %v", c.Cell.Neighbours)
	}
}

func TestParseReportsEverything(t *testing.T) {
	src := `[network]
mcc = "1"
mnc = 1
nmae = "x"

[cell]
band = "GSM900"
arfcn = 600
lac = 0
bcc = 9
tx_power_dbm = 99
frobnicate = true
`
	_, err := Parse([]byte(src), "bad.toml", simBoard(t))
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Parse(bad) = %v, want *Error", err)
	}
	want := map[string]int{
		"network.mcc":       2,
		"network.mnc":       3,
		"network.nmae":      4,
		"cell.arfcn":        8,
		"cell.lac":          9,
		"cell.bcc":          10,
		"cell.tx_power_dbm": 11,
		"cell.frobnicate":   12,
	}
	got := map[string]int{}
	for _, p := range e.Problems {
		got[p.Key] = p.Line
	}
	for k, line := range want {
		if l, ok := got[k]; !ok || l != line {
			t.Errorf("problem for %s at line %d, want line %d\n%v", k, l, line, e)
		}
	}
	if !strings.Contains(e.Error(), `did you mean "network.name"`) {
		t.Errorf("no suggestion for typo in %v", e)
	}
	// Problems come in file order.
	for i := 1; i < len(e.Problems); i++ {
		if e.Problems[i].Line != 0 && e.Problems[i].Line < e.Problems[i-1].Line {
			t.Errorf("problems out of order: %v", e)
		}
	}
}

func TestSyntaxError(t *testing.T) {
	_, err := Parse([]byte("[cell]\narfcn = = 3\n"), "s.toml", nil)
	var e *Error
	if !errors.As(err, &e) || len(e.Problems) != 1 || e.Problems[0].Line != 2 {
		t.Fatalf("Parse(syntax error) = %v, want one problem on line 2", err)
	}
}

func TestValidation(t *testing.T) {
	board := simBoard(t)
	cases := []struct {
		name string
		mod  func(*Config)
		key  string
	}{
		{"3-digit MNC", func(c *Config) { c.Network.MNC = "001" }, ""},
		{"MNC letters", func(c *Config) { c.Network.MNC = "0a" }, "network.mnc"},
		{"MCC too long", func(c *Config) { c.Network.MCC = "0010" }, "network.mcc"},
		{"E-GSM ARFCN 0", func(c *Config) { c.Cell.ARFCN = 0 }, ""},
		{"E-GSM 975", func(c *Config) { c.Cell.ARFCN = 975 }, ""},
		{"GSM900 974", func(c *Config) { c.Cell.ARFCN = 974 }, "cell.arfcn"},
		{"GSM850 ok", func(c *Config) { c.Cell.Band = "GSM850"; c.Cell.ARFCN = 128 }, ""},
		{"GSM850 bad", func(c *Config) { c.Cell.Band = "GSM850"; c.Cell.ARFCN = 62 }, "cell.arfcn"},
		{"PCS1900 810", func(c *Config) { c.Cell.Band = "PCS1900"; c.Cell.ARFCN = 810; c.Cell.MSTxPowerMaxDBm = 30 }, ""},
		{"PCS1900 811", func(c *Config) { c.Cell.Band = "PCS1900"; c.Cell.ARFCN = 811; c.Cell.MSTxPowerMaxDBm = 30 }, "cell.arfcn"},
		{"unknown band", func(c *Config) { c.Cell.Band = "LTE" }, "cell.band"},
		{"LAC reserved", func(c *Config) { c.Cell.LAC = 0xFFFE }, "cell.lac"},
		{"CI range", func(c *Config) { c.Cell.CI = 70000 }, "cell.ci"},
		{"NCC range", func(c *Config) { c.Cell.NCC = 8 }, "cell.ncc"},
		{"power over board", func(c *Config) { c.Cell.TxPowerDBm = 50 }, "cell.tx_power_dbm"},
		{"neighbour own", func(c *Config) { c.Cell.Neighbours = []int{62} }, "cell.neighbours"},
		{"neighbour other band", func(c *Config) { c.Cell.Neighbours = []int{600} }, "cell.neighbours"},
		{"T3212 step", func(c *Config) { c.Cell.PeriodicLU = Duration{7 * time.Minute} }, "cell.periodic_lu"},
		{"non-combined needs SDCCH/8", func(c *Config) { c.Cell.CombinedCCCH = false; c.Cell.SDCCH8Timeslots = nil }, "cell.sdcch8_timeslots"},
		{"non-combined ok", func(c *Config) { c.Cell.CombinedCCCH = false; c.Cell.SDCCH8Timeslots = []int{1} }, ""},
		{"TCH/F on TN0", func(c *Config) { c.Cell.TCHFTimeslots = []int{0} }, "cell.tchf_timeslots"},
		{"TCH/F twice", func(c *Config) { c.Cell.TCHFTimeslots = []int{3, 3} }, "cell.tchf_timeslots"},
		{"TCH/F on SDCCH/8", func(c *Config) {
			c.Cell.CombinedCCCH = false
			c.Cell.SDCCH8Timeslots = []int{4}
		}, "cell.tchf_timeslots"},
		{"no TCH/F ok", func(c *Config) { c.Cell.TCHFTimeslots = nil }, ""},
		{"dynamic timeslots range", func(c *Config) { c.Cell.DynamicTimeslots = 8 }, "cell.dynamic_timeslots"},
		{"dynamic timeslots negative", func(c *Config) { c.Cell.DynamicTimeslots = -1 }, "cell.dynamic_timeslots"},
		{"dynamic timeslots beyond TCH/F ok", func(c *Config) { c.Cell.TCHFTimeslots = []int{3}; c.Cell.DynamicTimeslots = 7 }, ""},
		{"no answer short", func(c *Config) { c.Calls.NoAnswer = Duration{time.Second} }, "calls.no_answer"},
		{"emergency target", func(c *Config) { c.Emergency.Target = "11x" }, "emergency.target"},
		{"emergency number", func(c *Config) { c.Emergency.Numbers = []string{"1-1-2"} }, "emergency.numbers"},
		{"emergency ok", func(c *Config) { c.Emergency.Target = "1000" }, ""},
		{"gsmtap addr", func(c *Config) { c.GSMTAP.Enabled = true; c.GSMTAP.Remote = "nowhere" }, "gsmtap.remote"},
		{"log level", func(c *Config) { c.Log.Level = "loud" }, "log.level"},
		{"negative sim phones", func(c *Config) { c.Sim.Phones = -1 }, "sim.phones"},
		{"too many sim phones", func(c *Config) { c.Sim.Phones = MaxSimPhones + 1 }, "sim.phones"},
		{"console listen without port", func(c *Config) { c.Console.Listen = []string{"0.0.0.0"} }, "console.listen"},
		{"console listen bad port", func(c *Config) { c.Console.Listen = []string{":99999"} }, "console.listen"},
		{"tx integer", func(c *Config) { c.Cell.RACHTxInteger = 13 }, "cell.rach_tx_integer"},
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

func TestBoardBands(t *testing.T) {
	b := &boards.Descriptor{Name: "tiny", RF: boards.RFChain{MaxPowerDBm: 10, MinPowerDBm: 0}}
	_, err := Parse([]byte("[cell]\ntx_power_dbm = 5\n"), "b.toml", b)
	if err == nil || !strings.Contains(err.Error(), "cannot transmit on GSM900") {
		t.Fatalf("Parse with band-less board = %v, want band refusal", err)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	c := Default()
	c.Cell.Neighbours = []int{60, 64}
	c.Network.MNC = "001"
	data, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(data, "m.toml", simBoard(t))
	if err != nil {
		t.Fatalf("Parse(Marshal()) = %v\n%s", err, data)
	}
	if !reflect.DeepEqual(back, c) {
		t.Fatalf("round trip differs: %v", Diff(c, back))
	}
}

func TestDiff(t *testing.T) {
	a, b := Default(), Default()
	b.Cell.ARFCN = 64
	b.Log.Level = "debug"
	got := Diff(a, b)
	if len(got) != 2 || got[0].Key != "cell.arfcn" || got[0].Service != "cell" || got[1].Key != "log.level" || got[1].Service != "" {
		t.Fatalf("Diff = %v", got)
	}
	if got[0].Old != "62" || got[0].New != "64" {
		t.Fatalf("Diff values = %v", got[0])
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("[cell]\narfcn = 62\n"))
	f.Add([]byte("[network]\nmcc = \"001\"\nmnc = \"01\"\n"))
	f.Add([]byte("a = [\n1,\n]\n[[x]]\ny = '''\nz\n'''\n"))
	board, _ := boards.Lookup("sim")
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "fuzz.toml", board)
		if err == nil {
			if verr := c.Validate(board); verr != nil {
				t.Fatalf("Parse accepted a config Validate rejects: %v", verr)
			}
		} else if c != nil {
			t.Fatal("Parse returned a config with an error")
		}
	})
}

// TestParseOver: a file changes only the keys it names over the base,
// which it leaves untouched; "reset = true" starts from the defaults.
func TestParseOver(t *testing.T) {
	base, err := Parse([]byte("[network]\nmcc = \"262\"\nmnc = \"42\"\n[cell]\nlac = 1234\nneighbours = [70, 72]\n"), "base", nil)
	if err != nil {
		t.Fatal(err)
	}
	keep := base.Clone()
	c, err := ParseOver([]byte("[cell]\narfcn = 70\nneighbours = [75]\n"), "stick", base, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := Diff(base, c); len(d) != 2 || d[0].Key != "cell.arfcn" || d[1].Key != "cell.neighbours" {
		t.Errorf("Diff(base, stick over base) = %v, want cell.arfcn and cell.neighbours", d)
	}
	if d := Diff(keep, base); len(d) != 0 {
		t.Errorf("ParseOver changed its base: %v", d)
	}
	if c, err := ParseOver(nil, "empty", base, nil); err != nil || len(Diff(base, c)) != 0 {
		t.Errorf("empty file over base: %v, %v", err, Diff(base, c))
	}
	c, err = ParseOver([]byte("reset = true\n"), "reset", base, nil)
	if err != nil || len(Diff(Default(), c)) != 0 {
		t.Errorf("reset = true: %v, differs from the defaults: %v", err, Diff(Default(), c))
	}
	_, err = ParseOver([]byte("reset = \"yes\"\n"), "reset", base, nil)
	if err == nil || !strings.Contains(err.Error(), "line 1: reset: want true or false") {
		t.Errorf("reset = \"yes\": %v", err)
	}
}

// TestNameControlCharacters: NUL and terminal controls in names are
// refused with their line.
func TestNameControlCharacters(t *testing.T) {
	for _, in := range []string{"[network]\nname = \"a\\u0000b\"\n", "[network]\nname = \"\\u001b[2J\"\n", "[network]\nname = \"x\\u202ey\"\n"} {
		_, err := Parse([]byte(in), "gsmbox.toml", nil)
		if err == nil || !strings.Contains(err.Error(), "line 2: network.name: control character") {
			t.Errorf("Parse(%q) = %v, want a line 2 control character error", in, err)
		}
	}
	_, err := Parse([]byte("[network]\nshort_name = \"a\\tb\"\n"), "gsmbox.toml", nil)
	if err == nil || !strings.Contains(err.Error(), "line 2: network.short_name") {
		t.Errorf("tab in short_name: %v", err)
	}
}

// TestProblemLines: the problems without a line now have one, and
// a syntax error no longer hides the other problems.
func TestProblemLines(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"implied table", "[cell]\narfcn = 62\n\n[foo.bar]\nx = 1\n", "line 4: foo: unknown key"},
		{"combined_ccch", "[cell]\nband = \"GSM900\"\ncombined_ccch = false\nsdcch8_timeslots = []\n", "line 4: cell.sdcch8_timeslots: with combined_ccch = false"},
		{"syntax line and column", "[cell]\narfcn = 62\nlac = \"12\n", "line 3: syntax error at column"},
		{"syntax keeps other problems", "[cell]\narfcnn = 62\nlac = = 1\n[netwrk]\nmcc = \"001\"\n", "line 2: cell.arfcnn: unknown key"},
		{"syntax keeps later problems", "[cell]\nlac = = 1\n[netwrk]\nmcc = \"001\"\n", "line 3: netwrk: unknown key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.in), "gsmbox.toml", nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse = %v, want %q", err, tc.want)
			}
		})
	}
}

// The shared value checks refuse what neither a key nor a flag may hold:
// NaN and the infinities, negative counts and durations, ports beyond
// 65535 (with the ports a base port brings along).
func TestValueChecks(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	cases := []struct {
		name string
		err  error
		ok   bool
	}{
		{"snr 30", CheckSNR(30), true},
		{"snr NaN", CheckSNR(nan), false},
		{"snr +Inf", CheckSNR(inf), false},
		{"snr -11", CheckSNR(-11), false},
		{"phones 0", CheckSimPhones(0), true},
		{"phones -1", CheckSimPhones(-1), false},
		{"phones 1001", CheckSimPhones(MaxSimPhones + 1), false},
		{"rate 2e6", CheckSampleRate(2e6), true},
		{"rate 0", CheckSampleRate(0), false},
		{"rate NaN", CheckSampleRate(nan), false},
		{"rate -1e6", CheckSampleRate(-1e6), false},
		{"duration 0", CheckDuration(0, 0), true},
		{"duration -1s", CheckDuration(-time.Second, 0), false},
		{"duration 2h over 1h", CheckDuration(2*time.Hour, time.Hour), false},
		{"positive 0", CheckPositiveDuration(0, time.Hour), false},
		{"port 5700+102", CheckPort(5700, 102), true},
		{"port 70000", CheckPort(70000, 0), false},
		{"port 65500+102", CheckPort(65500, 102), false},
		{"port 0", CheckPort(0, 0), false},
		{"hostport", CheckHostPort("127.0.0.1:4729"), true},
		{"hostport 70000", CheckHostPort("127.0.0.1:70000"), false},
		{"hostport no host", CheckHostPort(":4729"), false},
		{"finite NaN", CheckFinite(nan, 0, 1), false},
		{"ip", CheckIP("::1"), true},
		{"ip name", CheckIP("localhost"), false},
	}
	for _, c := range cases {
		if (c.err == nil) != c.ok {
			t.Errorf("%s: error %v, want ok %v", c.name, c.err, c.ok)
		}
	}
	// The config refuses NaN where a flag does.
	cfg := Default()
	cfg.Sim.SNRdB = nan
	cfg.Cell.TxPowerDBm = nan
	err := cfg.Validate(nil)
	if err == nil || !strings.Contains(err.Error(), "sim.snr_db") || !strings.Contains(err.Error(), "cell.tx_power_dbm") {
		t.Errorf("Validate(NaN SNR and power) = %v, want both named", err)
	}
}

// arfcn = "auto" turns the boot-time choice on, allowed_arfcns limits it
// to channels of the band, and a number turns it off again.
func TestARFCNAuto(t *testing.T) {
	c, err := Parse([]byte("[cell]\narfcn = \"auto\"\nallowed_arfcns = [\"10-12\", \"40\", \"975-976\"]\n"), "t.toml", simBoard(t))
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.AllowedARFCNs()
	if !c.Cell.ARFCNAuto || err != nil || fmt.Sprint(a) != "[10 11 12 40 975 976]" {
		t.Errorf("auto %v, allowed %v, %v", c.Cell.ARFCNAuto, a, err)
	}
	c2, err := ParseOver([]byte("[cell]\narfcn = 70\n"), "t.toml", c, simBoard(t))
	if err != nil || c2.Cell.ARFCNAuto || c2.Cell.ARFCN != 70 {
		t.Errorf("a number after auto: %+v, %v", c2.Cell, err)
	}
	for _, bad := range []string{"[cell]\narfcn = \"any\"\n", "[cell]\narfcn = \"auto\"\nallowed_arfcns = [\"600-610\"]\n", "[cell]\nallowed_arfcns = [\"x\"]\n"} {
		if _, err := Parse([]byte(bad), "t.toml", simBoard(t)); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

// cell.dynamic_timeslots picks the highest TCH/F timeslots, never more
// than there are.
func TestDynamicTS(t *testing.T) {
	for _, tc := range []struct {
		tch  []int
		n    int
		want []int
	}{
		{[]int{3, 4, 5, 6, 7}, 2, []int{6, 7}},
		{[]int{7, 3, 5}, 2, []int{5, 7}},
		{[]int{3}, 7, []int{3}},
		{[]int{3, 4}, 0, []int{}},
		{nil, 2, []int{}},
	} {
		c := Default()
		c.Cell.TCHFTimeslots, c.Cell.DynamicTimeslots = tc.tch, tc.n
		got := c.DynamicTS()
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("DynamicTS(tchf %v, %d) = %v, want %v", tc.tch, tc.n, got, tc.want)
		}
		if len(tc.tch) > 0 && len(got) > 0 && c.Cell.TCHFTimeslots[0] != tc.tch[0] {
			t.Errorf("DynamicTS changed tchf_timeslots")
		}
	}
}
