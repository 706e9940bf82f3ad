package registry

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzUnmarshalBinary: stored bytes never panic the decoder, and a record
// that decodes re-encodes to the same bytes (the layout is canonical).
func FuzzUnmarshalBinary(f *testing.F) {
	s := fullSubscriber()
	b, _ := s.MarshalBinary()
	f.Add(b)
	m := Subscriber{IMSI: "001010000000001"}
	b, _ = m.MarshalBinary()
	f.Add(b)
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		var s Subscriber
		if err := s.UnmarshalBinary(b); err != nil {
			return
		}
		out, err := s.MarshalBinary()
		if err != nil {
			t.Fatalf("MarshalBinary(decoded) = %v", err)
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("re-encoding = % x, want % x", out, b)
		}
	})
}

// FuzzReadCSV: any file either parses into valid subscribers or gives
// line-numbered errors, and what parses survives export and re-import.
func FuzzReadCSV(f *testing.F) {
	f.Add("imsi,msisdn,algorithm,ki,opc,imei,authorized,name,sqn\n001010000000001,1001,comp128v1,000102030405060708090a0b0c0d0e0f,,490154203237518,true,Alice,\n")
	f.Add("imsi,algorithm,ki,op\n001010000000002,milenage,465b5ce8b199b49faa5f0a2ee238a6bc,cdc202d5123e20f62b6d676ac72cb318\n")
	f.Add("imsi\n\"001010000000003\"\n# comment\n")
	f.Add("imsi,name\n001010000000001,\"a,\"\"b\"\n")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := ReadCSV(strings.NewReader(in))
		if err != nil {
			if !strings.Contains(err.Error(), "line ") {
				t.Fatalf("ReadCSV error without a line number: %v", err)
			}
			return
		}
		subs := make([]Subscriber, len(rows))
		for i, r := range rows {
			if err := r.Subscriber.Validate(); err != nil {
				t.Fatalf("ReadCSV row %d invalid: %v", i, err)
			}
			subs[i] = r.Subscriber
		}
		var buf bytes.Buffer
		if err := WriteCSV(&buf, subs); err != nil {
			t.Fatalf("WriteCSV = %v", err)
		}
		again, err := ReadCSV(&buf)
		if err != nil {
			t.Fatalf("ReadCSV(WriteCSV(rows)) = %v\n%s", err, buf.String())
		}
		if len(again) != len(rows) {
			t.Fatalf("re-read %d rows, want %d", len(again), len(rows))
		}
		for i := range again {
			if again[i].Subscriber != rows[i].Subscriber {
				t.Fatalf("row %d: re-read %+v, want %+v", i, again[i].Subscriber, rows[i].Subscriber)
			}
		}
	})
}

// FuzzParseIMEI: never panics; what parses prints as 15 digits with a
// valid check digit and parses back to itself.
func FuzzParseIMEI(f *testing.F) {
	for _, s := range []string{"260531793113837", "26053179311383", "2605317931138312", "49-015420-323751-8", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseIMEI(s)
		if err != nil || m.IsZero() {
			return
		}
		out := m.String()
		back, err := ParseIMEI(out)
		if len(out) != 15 || err != nil || back != m {
			t.Fatalf("ParseIMEI(%q).String() = %q; re-parse %v, %v", s, out, back, err)
		}
	})
}
