package crypto

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestParseHex(t *testing.T) {
	const want = "000102030405060708090a0b0c0d0e0f"
	tests := []struct {
		in string
		ok bool
	}{
		{"000102030405060708090a0b0c0d0e0f", true},
		{"000102030405060708090A0B0C0D0E0F", true},
		{"0x000102030405060708090a0b0c0d0e0f", true},
		{"  00:01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f ", true},
		{"00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f", true},
		{"00-01-02-03-04-05-06-07-08-09-0a-0b-0c-0d-0e-0f", true},
		{"000102030405060708090a0b0c0d0e", false},
		{"000102030405060708090a0b0c0d0e0f00", false},
		{"000102030405060708090a0b0c0d0e0", false},
		{"0:00102030405060708090a0b0c0d0e0f", false},
		{"000102030405060708090a0b0c0d0e0g", false},
		{"", false},
	}
	for _, tt := range tests {
		k, err := ParseKi(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParseKi(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if err != nil {
			if !errors.Is(err, ErrKeySyntax) {
				t.Errorf("ParseKi(%q) error = %v, want ErrKeySyntax", tt.in, err)
			}
			if k != (Ki{}) {
				t.Errorf("ParseKi(%q) left a partial key on error", tt.in)
			}
			if len(tt.in) > 8 && strings.Contains(err.Error(), tt.in[2:10]) {
				t.Errorf("ParseKi(%q) error %q echoes the input", tt.in, err)
			}
			continue
		}
		if got := k.HexSecret(); got != want {
			t.Errorf("ParseKi(%q) = %s, want %s", tt.in, got, want)
		}
	}
	if r, err := ParseRAND("00112233445566778899aabbccddeeff"); err != nil || r.String() != "00112233445566778899aabbccddeeff" {
		t.Errorf("ParseRAND = %v, %v", r, err)
	}
	if s, err := ParseSRES("46F8416A"); err != nil || s.String() != "46f8416a" {
		t.Errorf("ParseSRES = %v, %v", s, err)
	}
	if _, err := ParseKc("eae4be823af9a08b"); err != nil {
		t.Errorf("ParseKc = %v", err)
	}
}

// TestRedaction checks that no formatting path reveals a key.
func TestRedaction(t *testing.T) {
	ki, _ := ParseKi("0123456789abcdeffedcba9876543210")
	op, _ := ParseOP("0123456789abcdeffedcba9876543210")
	opc, _ := ParseOPc("0123456789abcdeffedcba9876543210")
	kc, _ := ParseKc("0123456789abcdef")
	type rec struct {
		Ki  Ki
		OPc OPc
	}
	secrets := []any{ki, op, opc, kc, &ki, &kc, rec{ki, opc}, []Ki{ki}}
	leaks := []string{"0123456789", "01 23 45", "0x1,", "[1 35", "1 35 69", "\\x01#E"}
	for _, v := range secrets {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%q", "%d", "% x", "%T %v"} {
			out := fmt.Sprintf(verb, v)
			for _, l := range leaks {
				if strings.Contains(out, l) {
					t.Errorf("Sprintf(%q, %T) = %q, leaks %q", verb, v, out, l)
				}
			}
		}
	}
	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&buf, nil), slog.NewJSONHandler(&buf, nil)} {
		slog.New(h).Info("auth", "ki", ki, "op", op, "opc", opc, "kc", kc)
	}
	out := buf.String()
	if strings.Contains(out, "0123456789") || strings.Contains(out, "[1,35") || !strings.Contains(out, redacted) {
		t.Errorf("slog output leaks a key or lacks the marker: %s", out)
	}
}

func FuzzParseKi(f *testing.F) {
	for _, s := range []string{"000102030405060708090a0b0c0d0e0f", "0x00:01", "zz", "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseKi(s)
		if err != nil {
			if k != (Ki{}) {
				t.Fatalf("ParseKi(%q) returned a partial key with error %v", s, err)
			}
			return
		}
		back, err := ParseKi(k.HexSecret())
		if err != nil || back != k {
			t.Errorf("ParseKi(HexSecret(ParseKi(%q))) = %v, %v", s, back, err)
		}
	})
}
