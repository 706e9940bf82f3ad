package cc

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"
)

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the fuzz seed corpora in testdata/fuzz from the codec tables")

// TestUpdateSeeds regenerates the committed seed corpora (go test
// -run UpdateSeeds -update-seeds).
func TestUpdateSeeds(t *testing.T) {
	if !*updateSeeds {
		t.Skip("run with -update-seeds to rewrite testdata/fuzz")
	}
	for _, target := range []string{"FuzzDecode", "FuzzCall", "FuzzTransactions"} {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, c := range codecCases {
			body := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(h(c.want))))
			if err := os.WriteFile(filepath.Join(dir, c.name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// checkRoundTrip is the codec property: a successful decode re-encodes to
// the canonical form of the input, which decodes to the same message and
// re-encodes to the same octets.
func checkRoundTrip(t *testing.T, b []byte) {
	m, err := Decode(b)
	if err != nil {
		return
	}
	out, err := Marshal(m)
	if err != nil {
		t.Fatalf("Marshal(Decode(% x) = %+v): %v", b, m, err)
	}
	if len(out) != m.MarshalSize() {
		t.Fatalf("MarshalSize() = %d, wrote %d", m.MarshalSize(), len(out))
	}
	back, err := Decode(out)
	if err != nil || !reflect.DeepEqual(back, m) {
		t.Fatalf("Decode(Marshal(%+v)) = %+v, %v (octets % x from % x)", m, back, err, out, b)
	}
	again, err := Marshal(back)
	if err != nil || !bytes.Equal(again, out) {
		t.Fatalf("re-encoding not stable: % x then % x", out, again)
	}
}

// FuzzDecode checks every CC decoder: no panic on any input, and the
// round-trip property.
func FuzzDecode(f *testing.F) {
	for _, c := range codecCases {
		f.Add(h(c.want))
	}
	f.Fuzz(checkRoundTrip)
}

// TestRoundTripMutations runs the round-trip property on seeded random
// mutations of the hand-made messages (bit flips, truncation, appended
// IEs), so that it is exercised on every test run and not only by go
// test -fuzz.
func TestRoundTripMutations(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 24008))
	decoded := 0
	for i := range 30000 {
		b := bytes.Clone(h(codecCases[i%len(codecCases)].want))
		switch rng.IntN(4) {
		case 0:
			k := rng.IntN(len(b))
			b[k] ^= 1 << rng.IntN(8)
		case 1:
			b = b[:rng.IntN(len(b)+1)]
		case 2:
			for range rng.IntN(6) + 1 {
				b = append(b, byte(rng.Uint32()))
			}
		case 3:
			for range 3 {
				if len(b) > 2 {
					b[2+rng.IntN(len(b)-2)] = byte(rng.Uint32())
				}
			}
		}
		if _, err := Decode(b); err == nil {
			decoded++
		}
		checkRoundTrip(t, b)
	}
	if decoded < 5000 {
		t.Errorf("only %d of 30000 mutated messages decoded; the property was barely tested", decoded)
	}
}

// FuzzCall feeds decoded messages (and decode errors) to network-side and
// MS-side calls in every starting situation, with timer ticks between
// them: no panic, every Send action carries a message that encodes, and a
// call never reports EvReleased twice.
func FuzzCall(f *testing.F) {
	for _, c := range codecCases {
		f.Add(h(c.want))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		now := time.Unix(0, 0)
		for _, mk := range callStarts {
			c, _ := mk(now)
			released := 0
			var out []Action
			// Split the input into messages at 0xff octets.
			for _, part := range bytes.Split(b, []byte{0xff}) {
				out = out[:0]
				hd, typ, err := Peek(part)
				if err == nil {
					hd.TI, hd.TIFlag = c.ti, c.origin
					part[0] = part[0]&0x0f | hd.TI<<4
					if hd.TIFlag {
						part[0] |= 0x80
					} else {
						part[0] &^= 0x80
					}
				}
				m, err := Decode(part)
				if err != nil {
					out = c.ReceiveError(now, typ, err, out)
				} else {
					out = c.Receive(now, m, out)
				}
				now = now.Add(11 * time.Second)
				out = c.Tick(now, out)
				for _, a := range out {
					if a.Kind == ActSend {
						if _, err := Marshal(a.Msg); err != nil {
							t.Fatalf("action %v: %v", a, err)
						}
					}
					if a.Kind == ActNotify && a.Event == EvReleased {
						released++
					}
				}
			}
			if released > 1 {
				t.Fatalf("EvReleased reported %d times", released)
			}
		}
	})
}

// FuzzTransactions feeds the input, split into messages at 0xff octets, to
// a network-side and an MS-side table with timer ticks between them: no
// panic, every answer encodes, at most seven calls per side of the TI.
func FuzzTransactions(f *testing.F) {
	for _, c := range codecCases {
		f.Add(h(c.want))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, side := range []Side{Network, Mobile} {
			tr := NewTransactions(side, testCfg)
			now := time.Unix(0, 0)
			if side == Mobile {
				c := tr.New()
				c.MMEstablished(now, c.Dial(now, moSetup(), nil))
			}
			check := func(out []Action) {
				for _, a := range out {
					if a.Kind == ActSend {
						if _, err := Marshal(a.Msg); err != nil {
							t.Fatalf("action %v: %v", a, err)
						}
					}
				}
			}
			for _, part := range bytes.Split(b, []byte{0xff}) {
				_, out := tr.Receive(now, part, nil)
				check(out)
				now = now.Add(17 * time.Second)
				tr.Tick(now, func(_ *Call, out []Action) { check(out) })
				tr.Sweep()
				if tr.Len() > 14 {
					t.Fatalf("%d calls", tr.Len())
				}
			}
		}
	})
}
