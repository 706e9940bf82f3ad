package bts

import (
	"testing"

	"github.com/gsmbox/gsmbox/gsm/coding"
	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

func testConfig() Config {
	c := rr.DefaultCellConfig()
	c.PLMN = l3.PLMN{MCC: "001", MNC: "01"}
	c.LAC, c.CI = 1, 1
	c.BSIC = tdma.BSIC{NCC: 0, BCC: 7}
	c.Band, c.ARFCN = tdma.GSM900, 62
	return Config{Cell: c}
}

// decodeBCCH runs the cell for n frames and decodes every BCCH block on
// TN0 from the bursts it sends, returning the RR message types seen per TC.
func decodeBCCH(t *testing.T, cell *Cell, n int) map[int]map[byte]int {
	t.Helper()
	seen := map[int]map[byte]int{}
	var out [tdma.Slots]tdma.TxBurst
	var soft [4][116]int8
	for fn := tdma.FN(0); int(fn) < n; fn++ {
		cell.Frame(fn, &out)
		t3 := fn.T3()
		if t3 < 2 || t3 > 5 {
			continue
		}
		b := &out[0]
		if b.Kind != tdma.KindNormal {
			t.Fatalf("FN %d TN0: burst kind %v, want normal", fn, b.Kind)
		}
		var data [tdma.NormalDataBits]byte
		tdma.NormalData(&data, (*[tdma.BurstBits]byte)(&b.Bits))
		for i, v := range data {
			soft[t3-2][i] = 127
			if v == 1 {
				soft[t3-2][i] = -127
			}
		}
		if t3 == 5 {
			var msg [23]byte
			if _, ok := coding.DecodeXCCH(&msg, &soft); !ok {
				t.Fatalf("FN %d: BCCH block does not decode", fn)
			}
			tc := int(fn/51) % 8
			if seen[tc] == nil {
				seen[tc] = map[byte]int{}
			}
			seen[tc][msg[2]]++
		}
	}
	return seen
}

func TestBCCHSchedule(t *testing.T) {
	cell, err := New(testConfig())
	if err != nil {
		t.Fatal(err)
	}
	seen := decodeBCCH(t, cell, 51*16)
	for tc, want := range map[int]byte{0: 0x19, 1: 0x1a, 2: 0x1b, 3: 0x1c, 6: 0x1b, 7: 0x1c} {
		if seen[tc][want] == 0 || len(seen[tc]) != 1 {
			t.Errorf("TC %d carries %v, want only type %#x", tc, seen[tc], want)
		}
	}
}

// A BA list too long for SI2 goes on in SI2bis, at TC 5.
func TestSI2bis(t *testing.T) {
	cfg := testConfig()
	// Neighbours spread over the whole E-GSM band need a range format
	// too wide for SI2's 16 octets.
	for _, a := range tdma.GSM900.Channels() {
		if a%5 == 0 && a != cfg.Cell.ARFCN {
			cfg.Cell.Neighbours = append(cfg.Cell.Neighbours, a)
		}
	}
	cell, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !cell.SystemInformation().HasSI2bis {
		t.Fatalf("%d neighbours across E-GSM fit SI2; the test needs a list that does not", len(cfg.Cell.Neighbours))
	}
	seen := decodeBCCH(t, cell, 51*16)
	if seen[5][0x02] == 0 {
		t.Errorf("TC 5 carries %v, want SI2bis (type 0x02)", seen[5])
	}
}

func TestNewRejects(t *testing.T) {
	cfg := testConfig()
	cfg.Cell.CombinedCCCH = false
	if _, err := New(cfg); err == nil {
		t.Error("New(non-combined without SDCCH/8) succeeded")
	}
	cfg.SDCCH8 = []tdma.TN{0}
	if _, err := New(cfg); err == nil {
		t.Error("New(SDCCH/8 on TN0) succeeded")
	}
	cfg = testConfig()
	cfg.Cell.ARFCN = 600
	if _, err := New(cfg); err == nil {
		t.Error("New(ARFCN outside band) succeeded")
	}
}

func TestTapSeesEveryBlock(t *testing.T) {
	cfg := testConfig()
	var n int
	cfg.Tap = func(ev *l1.TapEvent) { n++ }
	cell, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var out [tdma.Slots]tdma.TxBurst
	for fn := tdma.FN(0); fn < 51; fn++ {
		cell.Frame(fn, &out)
	}
	// Comb V: BCCH + 3 CCCH + 4 SDCCH + 2 SACCH blocks per 51-multiframe.
	if n != 10 {
		t.Errorf("tap saw %d blocks in one multiframe, want 10", n)
	}
}

func BenchmarkFrame(b *testing.B) {
	cell, err := New(testConfig())
	if err != nil {
		b.Fatal(err)
	}
	var out [tdma.Slots]tdma.TxBurst
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		cell.Frame(tdma.FN(i%tdma.HyperFrame), &out)
	}
}
