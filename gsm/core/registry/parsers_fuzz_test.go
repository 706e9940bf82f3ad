package registry

import (
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/crypto"
)

// The registry's small parsers take operator and stick input: none may
// panic, and what they accept must be what they promise.

func FuzzValidateIMSI(f *testing.F) {
	for _, s := range []string{"001010000000001", "00101", "1234567890123456", "00101x000000001", "", "+001010000000001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateIMSI(s) == nil && (len(s) < 6 || len(s) > 15 || strings.Trim(s, "0123456789") != "") {
			t.Fatalf("ValidateIMSI(%q) accepted it", s)
		}
	})
}

func FuzzValidateMSISDN(f *testing.F) {
	for _, s := range []string{"1001", "+491701234567", "+", "", "1234567890123456", "12a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateMSISDN(s) != nil {
			return
		}
		d := strings.TrimPrefix(s, "+")
		if len(d) < 1 || len(d) > 15 || strings.Trim(d, "0123456789") != "" {
			t.Fatalf("ValidateMSISDN(%q) accepted it", s)
		}
	})
}

// FuzzParseTMSI: what parses prints as 0x and 8 hex digits and parses
// back to itself.
func FuzzParseTMSI(f *testing.F) {
	for _, s := range []string{"0x1a2b3c4d", "1A2B3C4D", "0X0", "ffffffff", "123456789", "", " 0x12 ", "0xg"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		x, err := ParseTMSI(s)
		if err != nil {
			return
		}
		back, err := ParseTMSI(x.String())
		if x != NoTMSI && (err != nil || back != x) {
			t.Fatalf("ParseTMSI(%q) = %v; ParseTMSI(%q) = %v, %v", s, x, x.String(), back, err)
		}
	})
}

// FuzzParseKi: a Ki that parses prints back as the same 16 octets; an
// error never echoes the input (it may be a key).
func FuzzParseKi(f *testing.F) {
	for _, s := range []string{"000102030405060708090a0b0c0d0e0f", "000102030405060708090A0B0C0D0E0F", "0001", "zz0102030405060708090a0b0c0d0e0f", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := crypto.ParseKi(s)
		if err != nil {
			if len(s) >= 8 && strings.Contains(err.Error(), s) {
				t.Fatalf("ParseKi error %q echoes the input", err)
			}
			return
		}
		back, err := crypto.ParseKi(k.HexSecret())
		if err != nil || back != k {
			t.Fatalf("ParseKi(%q) does not round-trip: %v", s, err)
		}
	})
}

// FuzzCSVLine: one data line under the full header parses into a valid
// subscriber with a safe name, or gives errors naming line 2.
func FuzzCSVLine(f *testing.F) {
	for _, s := range []string{
		"001010000000001,1001,comp128v1,000102030405060708090a0b0c0d0e0f,,490154203237518,true,Alice,",
		"001010000000002,,milenage,465b5ce8b199b49faa5f0a2ee238a6bc,cd63cb71954a9f4e48a5994e37a02baf,,yes,,42",
		"001010000000003,,comp999,000102030405060708090a0b0c0d0e0f,,,,,",
		"001010000000004,,,,,,,\"a\x1bb\",",
		"\"unterminated,,,,,,,,",
	} {
		f.Add(s)
	}
	const header = "imsi,msisdn,algorithm,ki,opc,imei,authorized,name,sqn\n"
	f.Fuzz(func(t *testing.T, line string) {
		rows, err := ReadCSV(strings.NewReader(header + line))
		if err != nil {
			if !strings.Contains(err.Error(), "line ") {
				t.Fatalf("ReadCSV error without a line: %v", err)
			}
			return
		}
		for _, r := range rows {
			if err := r.Subscriber.validateInput(); err != nil {
				t.Fatalf("ReadCSV accepted an invalid row: %v", err)
			}
		}
	})
}
