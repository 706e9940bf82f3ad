package lapdm

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// pipe joins a network and an MS entity through a channel with the block
// timing of a real one: a downlink block every period frames starting at
// frame 0, an uplink block every period frames starting at offset, each
// delivered delay frames after its first frame, and each lost with
// probability loss.
type pipe struct {
	t              testing.TB
	net, ms        *Entity
	period, offset int
	delay          int
	loss           float64
	rng            *rand.Rand
	fn             tdma.FN
	toMS, toNet    []pending
	netGot, msGot  [][]byte
	netInd, msInd  []Indication
	log            []string
	sent           [2]int
	capture        bool
	captured       []airFrame
	polls          int
}

type pending struct {
	at  tdma.FN
	blk [BlockLen]byte
}

func newPipe(t testing.TB, ch Channel, seed uint64, loss float64) *pipe {
	t.Helper()
	p := &pipe{t: t, loss: loss, rng: rand.New(rand.NewPCG(seed, 1))}
	sapi := uint8(0)
	if ch == SACCH {
		sapi = 3 // SMS on the SACCH of a TCH
	}
	var err error
	if p.net, err = NewEntity(Config{Side: Network, SAPI: sapi, Channel: ch}); err != nil {
		t.Fatal(err)
	}
	if p.ms, err = NewEntity(Config{Side: MS, SAPI: sapi, Channel: ch}); err != nil {
		t.Fatal(err)
	}
	switch ch {
	case SDCCH: // SDCCH/8: uplink 15 frames after downlink (TS 45.002 §7 Table 3)
		p.period, p.offset, p.delay = 51, 15, 4
	case FACCHF, FACCHH:
		p.period, p.offset, p.delay = 4, 0, 8
	case SACCH: // SACCH/TF: one burst every 26 frames, a block ends 79 frames after it starts
		p.period, p.offset, p.delay = 104, 0, 92
	}
	return p
}

func (p *pipe) record(who string, ind []Indication) {
	for _, i := range ind {
		c := i
		if i.Msg != nil {
			c.Msg = bytes.Clone(i.Msg)
		}
		if who == "net" {
			p.netInd = append(p.netInd, c)
			if c.Kind == DataInd {
				p.netGot = append(p.netGot, c.Msg)
			}
		} else {
			p.msInd = append(p.msInd, c)
			if c.Kind == DataInd {
				p.msGot = append(p.msGot, c.Msg)
			}
		}
		p.log = append(p.log, fmt.Sprintf("%v %s: %v", p.fn, who, c))
	}
}

// step runs one TDMA frame.
func (p *pipe) step() {
	fn := p.fn
	p.record("net", p.net.Tick(fn))
	p.record("ms", p.ms.Tick(fn))
	for len(p.toMS) > 0 && p.toMS[0].at == fn {
		p.record("ms", p.ms.Receive(fn, p.toMS[0].blk[:]))
		p.toMS = p.toMS[1:]
	}
	for len(p.toNet) > 0 && p.toNet[0].at == fn {
		p.record("net", p.net.Receive(fn, p.toNet[0].blk[:]))
		p.toNet = p.toNet[1:]
	}
	if int(fn)%p.period == 0 {
		var b pending
		if p.net.Next(fn, &b.blk) {
			p.logFrame("dl", b.blk[:])
			p.sent[0]++
			if p.rng.Float64() >= p.loss {
				b.at = fn.Add(p.delay)
				p.toMS = append(p.toMS, b)
			}
		}
	}
	if int(fn)%p.period == p.offset {
		var b pending
		if p.ms.Next(fn, &b.blk) {
			p.logFrame("ul", b.blk[:])
			p.sent[1]++
			if p.rng.Float64() >= p.loss {
				b.at = fn.Add(p.delay)
				p.toNet = append(p.toNet, b)
			}
		}
	}
	p.fn = fn.Add(1)
}

func (p *pipe) logFrame(dir string, b []byte) {
	var f Frame
	if p.net.cfg.Channel == SACCH {
		b = b[SACCHL1HeaderLen:]
	}
	if err := f.Unmarshal(b); err != nil {
		p.t.Fatalf("%v %s: own frame % x does not decode: %v", p.fn, dir, b, err)
	}
	if f.Type == TypeI && f.PF {
		p.polls++
	}
	if p.capture {
		a := airFrame{uplink: dir == "ul", fn: p.fn, f: f}
		copy(a.blk[:], b)
		a.f.Info = bytes.Clone(f.Info)
		p.captured = append(p.captured, a)
	}
	p.log = append(p.log, fmt.Sprintf("%v %s %v", p.fn, dir, f))
}

func (p *pipe) run(frames int, done func() bool) bool {
	for range frames {
		p.step()
		if done != nil && done() {
			return true
		}
	}
	return false
}

func (p *pipe) dump() {
	p.t.Helper()
	for _, l := range p.log[max(0, len(p.log)-80):] {
		p.t.Log(l)
	}
}

func randMsg(rng *rand.Rand, i int) []byte {
	m := make([]byte, 1+rng.IntN(250))
	for j := range m {
		m[j] = byte(rng.IntN(256))
	}
	m[0] = byte(i)
	return m
}

// TestLossyPipe establishes a link through a channel losing frames at
// random in both directions, sends messages of 1..250 octets both ways
// and checks each is delivered once and in order, then releases.
func TestLossyPipe(t *testing.T) {
	type pipeCase struct {
		ch   Channel
		loss float64
		seed uint64
		msgs int
	}
	cases := []pipeCase{
		{SDCCH, 0, 1, 6},
		{SDCCH, 0.2, 2, 6},
		{FACCHF, 0.3, 3, 20},
		{FACCHH, 0.1, 4, 20},
		{FACCHF, 0.4, 5, 8},
		{SACCH, 0, 6, 2},
		{SACCH, 0.2, 7, 2},
	}
	// and a sweep of seeds and loss rates
	for i := range uint64(100) {
		cases = append(cases, pipeCase{[]Channel{SDCCH, FACCHF, FACCHH}[i%3], float64(i%5) * 0.1, 100 + i, 6})
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%v/loss%.1f/seed%d", tc.ch, tc.loss, tc.seed), func(t *testing.T) {
			p := newPipe(t, tc.ch, tc.seed, tc.loss)
			first := []byte{0x05, 0x08, 0x70, 0x11, 0x22}
			if err := p.ms.Establish(first); err != nil {
				t.Fatal(err)
			}
			established := func() bool {
				return p.ms.State() == StateEstablished && len(p.netInd) > 0
			}
			if !p.run(200*p.period, established) {
				p.dump()
				t.Fatalf("not established: ms %v, net %v", p.ms.State(), p.net.State())
			}
			if got := p.netInd[0]; got.Kind != EstablishInd || !bytes.Equal(got.Msg, first) {
				t.Fatalf("network indication = %v, want %v with % x", got, EstablishInd, first)
			}
			rng := rand.New(rand.NewPCG(tc.seed, 2))
			var up, down [][]byte
			for i := range tc.msgs {
				up = append(up, randMsg(rng, i))
				down = append(down, randMsg(rng, i))
			}
			nu, nd := 0, 0
			done := func() bool {
				for nu < len(up) && p.ms.Send(up[nu]) == nil {
					nu++
				}
				for nd < len(down) && p.net.Send(down[nd]) == nil {
					nd++
				}
				return len(p.netGot) >= len(up) && len(p.msGot) >= len(down)
			}
			if !p.run(5000*p.period, done) {
				p.dump()
				t.Logf("ms vs=%d va=%d vr=%d rc=%d t200=%v@%v txN=%d sendI=%v peerBusy=%v; net vs=%d va=%d vr=%d", p.ms.vs, p.ms.va, p.ms.vr, p.ms.rc, p.ms.t200On, p.ms.t200At, p.ms.txN, p.ms.sendI, p.ms.peerBusy, p.net.vs, p.net.va, p.net.vr)
				t.Fatalf("delivered %d/%d up, %d/%d down; states ms %v net %v", len(p.netGot), len(up), len(p.msGot), len(down), p.ms.State(), p.net.State())
			}
			p.run(50*p.period, nil) // let duplicates show up, if any
			check := func(dir string, got, want [][]byte) {
				if len(got) != len(want) {
					t.Errorf("%s: %d messages, want %d", dir, len(got), len(want))
				}
				for i := range min(len(got), len(want)) {
					if !bytes.Equal(got[i], want[i]) {
						t.Errorf("%s message %d = % x, want % x", dir, i, got[i], want[i])
					}
				}
			}
			check("uplink", p.netGot, up)
			check("downlink", p.msGot, down)
			for _, i := range append(p.netInd, p.msInd...) {
				if i.Kind == ReleaseInd || i.Kind == ErrorInd {
					t.Errorf("unexpected %v", i)
				}
			}
			p.net.Release()
			if !p.run(500*p.period, func() bool { return p.net.State() == StateIdle && p.ms.State() == StateIdle }) {
				p.dump()
				t.Fatalf("release: ms %v, net %v", p.ms.State(), p.net.State())
			}
			if tc.loss == 0 && p.polls > 0 {
				t.Errorf("%d retransmissions without loss: T200 shorter than the round trip of %v", p.polls, tc.ch)
			}
			t.Logf("frames sent dl %d ul %d in %d TDMA frames", p.sent[0], p.sent[1], p.fn)
		})
	}
}
