package mm

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
)

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the fuzz seed corpora in testdata/fuzz from the codec tables")

// writeSeeds writes inputs as Go fuzz corpus files for target.
func writeSeeds(t *testing.T, target string, inputs map[string][]byte) {
	t.Helper()
	dir := filepath.Join("testdata", "fuzz", target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range inputs {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(b)))
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestUpdateSeeds regenerates the committed seed corpora (go test
// -run UpdateSeeds -update-seeds).
func TestUpdateSeeds(t *testing.T) {
	if !*updateSeeds {
		t.Skip("run with -update-seeds to rewrite testdata/fuzz")
	}
	msgs := map[string][]byte{}
	names := map[string][]byte{}
	for _, c := range codecCases {
		b := h(c.want)
		msgs[c.name] = b
		var m MMInformation
		if c.m.MsgType() == MsgMMInformation && m.Unmarshal(b) == nil && m.HasFullName {
			n := m.FullName
			v := make([]byte, n.MarshalSize())
			n.MarshalTo(v)
			names[c.name] = v
		}
	}
	writeSeeds(t, "FuzzDecode", msgs)
	names["hellohello"] = h("82 e8329bfd4697d9ec37")
	names["ucs2-surrogates"] = h("90 d83d de42 d83d")
	names["escape-escape"] = h("82 1b1b")
	writeSeeds(t, "FuzzNetworkName", names)
}

// FuzzDecode checks every MM decoder: no panic on any input, and a
// successful decode re-encodes to the canonical form of the input, which
// decodes to the same message and re-encodes to the same octets (for
// canonical inputs, such as the seeds, the octets are the input's).
func FuzzDecode(f *testing.F) {
	for _, c := range codecCases {
		f.Add(h(c.want))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			return
		}
		out, err := Marshal(m)
		if err != nil {
			t.Fatalf("Marshal(Decode(% x) = %+v): %v", b, m, err)
		}
		back, err := Decode(out)
		if err != nil || !reflect.DeepEqual(back, m) {
			t.Fatalf("Decode(Marshal(%+v)) = %+v, %v (octets % x from % x)", m, back, err, out, b)
		}
		again, err := Marshal(back)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("re-encoding not stable: % x then % x", out, again)
		}
	})
}

// FuzzNetworkName checks the Network Name value decoder (GSM 7-bit and
// UCS2 unpacking) the same way.
func FuzzNetworkName(f *testing.F) {
	f.Add(h("86 e7795bfcc603"))
	f.Add(h("90 039403bc"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var n NetworkName
		if n.Unmarshal(b) != nil {
			return
		}
		out := make([]byte, n.MarshalSize())
		k, err := n.MarshalTo(out)
		if err != nil {
			t.Fatalf("MarshalTo(%+v) after Unmarshal(% x): %v", n, b, err)
		}
		var back NetworkName
		if err := back.Unmarshal(out[:k]); err != nil || back != n {
			t.Fatalf("Unmarshal(MarshalTo(%+v)) = %+v, %v", n, back, err)
		}
	})
}
