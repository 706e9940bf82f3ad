package config

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/gsmbox/gsmbox/boards"
)

// ResetKey is the top-level key that makes a file replace the whole
// configuration: with "reset = true" (before any table) ParseOver decodes
// the file over the built-in defaults instead of over the running
// configuration.
const ResetKey = "reset"

// Parse decodes a gsmbox.toml over the defaults and validates the result
// against board (nil means no board limits are checked). The filename only
// labels errors. On any problem it returns *Error listing all of them and
// a nil Config: a bad file never yields a half-applied configuration.
func Parse(data []byte, filename string, board *boards.Descriptor) (*Config, error) {
	return ParseOver(data, filename, nil, board)
}

// ParseOver decodes a gsmbox.toml over base, the configuration in force,
// so that the file changes only the keys it names (a USB stick's file
// holding just "[cell] arfcn = 70" moves the carrier and nothing else; an
// empty file changes nothing). A file that starts with "reset = true" is
// decoded over the built-in defaults instead: everything it does not name
// goes back to its default. base nil means the defaults; base is not
// modified. Validation and errors are Parse's.
func ParseOver(data []byte, filename string, base *Config, board *boards.Descriptor) (*Config, error) {
	c := Default()
	if base != nil {
		c = base.Clone()
	}
	e := &Error{File: filename}
	if p := checkLimits(data); p != nil {
		e.Problems = []Problem{*p}
		return nil, e
	}
	var raw map[string]any
	if _, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&raw); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			msg := fmt.Sprintf("syntax error at column %d: %s", pe.Position.Col, pe.Message)
			if pe.LastKey != "" {
				msg += fmt.Sprintf(" (after key %q)", pe.LastKey)
			}
			e.Problems = append(e.Problems, Problem{Line: pe.Position.Line, Msg: msg})
			// The decoder stops at the first syntax error; the keys the
			// rest of the file names can still be checked against the
			// schema, so that one stray quote does not hide every typo.
			e.Problems = append(e.Problems, unknownKeys(keyLines(data), pe.Position.Line)...)
			sortProblems(e.Problems)
			e.Problems = capProblems(e.Problems)
		} else {
			e.Problems = append(e.Problems, Problem{Msg: "syntax: " + err.Error()})
		}
		return nil, e
	}
	lines := keyLines(data)
	if v, ok := raw[ResetKey]; ok {
		delete(raw, ResetKey)
		switch b, isBool := v.(bool); {
		case !isBool:
			e.Problems = append(e.Problems, Problem{Key: ResetKey, Line: lines[ResetKey], Msg: "want true or false (true: every key the file does not name goes back to its default)"})
		case b:
			c = Default()
		}
	}
	if cell, ok := raw["cell"].(map[string]any); ok {
		if v, ok := cell["arfcn"]; ok {
			if sv, isStr := v.(string); isStr && sv == "auto" {
				c.Cell.ARFCNAuto = true
				delete(cell, "arfcn")
			} else {
				c.Cell.ARFCNAuto = false
			}
		}
	}
	e.Problems = append(e.Problems, unify(reflect.ValueOf(c).Elem(), raw, "", lines)...)
	e.Problems = append(e.Problems, c.problems(board, lines)...)
	if len(e.Problems) > 0 {
		sortProblems(e.Problems)
		e.Problems = capProblems(e.Problems)
		return nil, e
	}
	return c, nil
}

// sortProblems orders problems by line, those without one last.
func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.Line == 0 || b.Line == 0 {
			return a.Line != 0 && b.Line == 0
		}
		return a.Line < b.Line
	})
}

// unknownKeys reports every key in lines (from keyLines) that the schema
// does not have, except on line skip (where the syntax error is).
func unknownKeys(lines map[string]int, skip int) []Problem {
	var out []Problem
	for key, line := range lines {
		if line == skip || key == ResetKey {
			continue
		}
		t := reflect.TypeFor[Config]()
		parts := strings.Split(key, ".")
		for i, part := range parts {
			if t.Kind() != reflect.Struct {
				break // a value's inner structure: not schema keys
			}
			f, ok := fieldByTag(t, part)
			if !ok {
				full := strings.Join(parts[:i+1], ".")
				if lines[full] == line || lines[full] == 0 {
					out = append(out, Problem{Key: full, Line: line, Msg: "unknown key"})
				}
				break
			}
			t = f.Type
		}
	}
	return out
}

func fieldByTag(t reflect.Type, tag string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		if t.Field(i).Tag.Get("toml") == tag {
			return t.Field(i), true
		}
	}
	return reflect.StructField{}, false
}

// Load reads and parses the file at path.
func Load(path string, board *boards.Descriptor) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(data, path, board)
}

// Marshal writes c as TOML, every key present, in schema order.
func (c *Config) Marshal() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("# gsmbox configuration\n")
	if err := toml.NewEncoder(&b).Encode(c); err != nil {
		return nil, fmt.Errorf("config: encode: %w", err)
	}
	return b.Bytes(), nil
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// unify sets the fields of the struct v from the decoded table m, and
// returns a problem for every unknown key and every value of the wrong
// type, instead of stopping at the first.
func unify(v reflect.Value, m map[string]any, prefix string, lines map[string]int) []Problem {
	var out []Problem
	fields := map[string]int{}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		if tag := t.Field(i).Tag.Get("toml"); tag != "" {
			fields[tag] = i
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		full := prefix + k
		i, ok := fields[k]
		if !ok {
			msg := "unknown key"
			if s := suggest(k, fields); s != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", prefix+s)
			}
			out = append(out, Problem{Key: full, Line: lines[full], Msg: msg})
			continue
		}
		if err := set(v.Field(i), m[k], full, lines, &out); err != nil {
			out = append(out, Problem{Key: full, Line: lines[full], Msg: err.Error()})
		}
	}
	return out
}

func set(f reflect.Value, val any, key string, lines map[string]int, out *[]Problem) error {
	if f.CanAddr() && f.Addr().Type().Implements(textUnmarshaler) {
		s, ok := val.(string)
		if !ok {
			return fmt.Errorf("want a string, have %s", tomlType(val))
		}
		if err := f.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			return fmt.Errorf("%q: %v", s, err)
		}
		return nil
	}
	switch f.Kind() {
	case reflect.Struct:
		sub, ok := val.(map[string]any)
		if !ok {
			return fmt.Errorf("want a table [%s], have %s", key, tomlType(val))
		}
		*out = append(*out, unify(f, sub, key+".", lines)...)
	case reflect.String:
		s, ok := val.(string)
		if !ok {
			return fmt.Errorf("want a string (in quotes), have %s", tomlType(val))
		}
		f.SetString(s)
	case reflect.Bool:
		b, ok := val.(bool)
		if !ok {
			return fmt.Errorf("want true or false, have %s", tomlType(val))
		}
		f.SetBool(b)
	case reflect.Int, reflect.Int64:
		n, ok := val.(int64)
		if !ok {
			return fmt.Errorf("want a whole number, have %s", tomlType(val))
		}
		f.SetInt(n)
	case reflect.Float64:
		switch x := val.(type) {
		case int64:
			f.SetFloat(float64(x))
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return fmt.Errorf("want a finite number, have %v", x)
			}
			f.SetFloat(x)
		default:
			return fmt.Errorf("want a number, have %s", tomlType(val))
		}
	case reflect.Slice:
		arr, ok := val.([]any)
		if tables, isTables := val.([]map[string]any); isTables {
			// [[section]]: an array of tables.
			arr, ok = make([]any, len(tables)), true
			for i, t := range tables {
				arr[i] = t
			}
		}
		if !ok {
			return fmt.Errorf("want an array [...], have %s", tomlType(val))
		}
		s := reflect.MakeSlice(f.Type(), len(arr), len(arr))
		for i, x := range arr {
			if err := set(s.Index(i), x, fmt.Sprintf("%s[%d]", key, i), lines, out); err != nil {
				return fmt.Errorf("element %d: %v", i+1, err)
			}
		}
		f.Set(s)
	default:
		return fmt.Errorf("internal: unsupported field kind %s", f.Kind())
	}
	return nil
}

func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "a whole number"
	case float64:
		return "a decimal number"
	case bool:
		return "a boolean"
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprintf("a %T", v)
}

// suggest returns the known key closest to k when it is a likely typo.
func suggest(k string, fields map[string]int) string {
	best, bestD := "", 3
	for f := range fields {
		if len(k) > len(f)+bestD || len(f) > len(k)+bestD {
			continue // too far apart to suggest (and cheap to tell)
		}
		if d := editDistance(k, f); d < bestD || (d == bestD && f < best) {
			best, bestD = f, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	var pa, ca [65]int // no allocation for the keys gsmbox has
	prev, cur := pa[:], ca[:]
	if len(b) >= len(pa) {
		prev, cur = make([]int, len(b)+1), make([]int, len(b)+1)
	}
	prev, cur = prev[:len(b)+1], cur[:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// keyLines maps each dotted key (and table name) in a TOML text to the
// line that defines it, so problems found after decoding can name a line.
// It understands tables, dotted and quoted keys, comments, and values
// that span lines (multi-line strings and arrays).
func keyLines(data []byte) map[string]int {
	out := map[string]int{}
	table := ""
	depth := 0 // open brackets of a multi-line array value
	inML := "" // open multi-line string delimiter
	for i, line := range strings.Split(string(data), "\n") {
		n := i + 1
		s := strings.TrimSpace(line)
		if inML != "" {
			if strings.Contains(s, inML) {
				inML = ""
			}
			continue
		}
		if depth > 0 {
			depth += bracketDelta(s)
			continue
		}
		if s == "" || s[0] == '#' {
			continue
		}
		if strings.HasPrefix(s, "[") {
			name := strings.Trim(stripComment(s), "[] \t")
			table = normKey(name)
			addKey(out, table, n)
			continue
		}
		eq := indexOutsideQuotes(s, '=')
		if eq < 0 {
			continue
		}
		key := normKey(strings.TrimSpace(s[:eq]))
		if table != "" {
			key = table + "." + key
		}
		addKey(out, key, n)
		val := strings.TrimSpace(s[eq+1:])
		for _, d := range []string{`"""`, `'''`} {
			if strings.HasPrefix(val, d) && !strings.Contains(val[3:], d) {
				inML = d
			}
		}
		if inML == "" {
			depth = bracketDelta(val)
			if depth < 0 {
				depth = 0
			}
		}
	}
	return out
}

// addKey records the line of key and of each table it implies ("a" and
// "a.b" for "a.b.c"), where not already known, so that a problem with an
// implied table ([foo.bar] makes foo) can name a line.
func addKey(out map[string]int, key string, line int) {
	for i := 0; i <= len(key); i++ {
		if i == len(key) || key[i] == '.' {
			if _, ok := out[key[:i]]; !ok {
				out[key[:i]] = line
			}
		}
	}
}

func stripComment(s string) string {
	if i := indexOutsideQuotes(s, '#'); i >= 0 {
		return s[:i]
	}
	return s
}

func indexOutsideQuotes(s string, c byte) int {
	var q byte
	for i := 0; i < len(s); i++ {
		switch {
		case q != 0:
			if s[i] == '\\' && q == '"' {
				i++
			} else if s[i] == q {
				q = 0
			}
		case s[i] == '"' || s[i] == '\'':
			q = s[i]
		case s[i] == c:
			return i
		}
	}
	return -1
}

func bracketDelta(s string) int {
	s = stripComment(s)
	d := 0
	var q byte
	for i := 0; i < len(s); i++ {
		switch {
		case q != 0:
			if s[i] == q {
				q = 0
			}
		case s[i] == '"' || s[i] == '\'':
			q = s[i]
		case s[i] == '[':
			d++
		case s[i] == ']':
			d--
		}
	}
	return d
}

func normKey(k string) string {
	parts := strings.Split(k, ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"'`)
	}
	return strings.Join(parts, ".")
}
