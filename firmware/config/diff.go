package config

import (
	"fmt"
	"reflect"
	"strings"
)

// Change is one setting that differs between two configurations.
type Change struct {
	Key      string
	Old, New string
	// Service names the service that must restart for the change to take
	// effect; empty when it applies live.
	Service string
}

func (c Change) String() string {
	s := fmt.Sprintf("%s: %s -> %s", c.Key, c.Old, c.New)
	if c.Service != "" {
		s += " (restarts " + c.Service + ")"
	}
	return s
}

// serviceOf says which service owns each section: what restarts when a key
// in it changes. Sections not listed apply live.
var serviceOf = map[string]string{
	"network":     "cell",
	"cell":        "cell",
	"radio":       "cell",
	"gsmtap":      "cell",
	"sim":         "cell",
	"subscribers": "cell",
	"security":    "cell",
	"sms":         "cell",
	"ussd":        "cell",
	"net":         "net",
	"sip":         "cell", // the trunks live in the node
}

// Diff lists every setting whose value differs from old to new, in schema
// order.
func Diff(old, new *Config) []Change {
	var out []Change
	diffValue(reflect.ValueOf(*old), reflect.ValueOf(*new), "", &out)
	return out
}

func diffValue(a, b reflect.Value, key string, out *[]Change) {
	if a.Kind() == reflect.Struct && a.Type().NumField() > 0 && a.Type().Field(0).Tag.Get("toml") != "" {
		for i := 0; i < a.NumField(); i++ {
			tag := a.Type().Field(i).Tag.Get("toml")
			k := tag
			if key != "" {
				k = key + "." + tag
			}
			diffValue(a.Field(i), b.Field(i), k, out)
		}
		return
	}
	as, bs := show(a), show(b)
	if as == bs && reflect.DeepEqual(a.Interface(), b.Interface()) {
		return // (a Secret shows "(redacted)" either way: compare the values)
	}
	section, _, _ := strings.Cut(key, ".")
	*out = append(*out, Change{Key: key, Old: as, New: bs, Service: serviceOf[section]})
}

func show(v reflect.Value) string {
	if s, ok := v.Interface().(fmt.Stringer); ok {
		return s.String()
	}
	if v.Kind() == reflect.String {
		return fmt.Sprintf("%q", v.String())
	}
	if v.Kind() == reflect.Slice && v.Len() == 0 {
		return "[]"
	}
	return fmt.Sprint(v.Interface())
}
