package mm_test

import (
	"bufio"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/mm"
	"github.com/gsmbox/gsmbox/gsm/mm/mmtest"
	"github.com/gsmbox/gsmbox/gsm/rr"
)

var (
	cellLAI = l3.LAI{PLMN: l3.PLMN{MCC: "001", MNC: "01"}, LAC: 0x0017}
	t0      = time.Date(2026, 11, 22, 4, 0, 0, 0, time.FixedZone("CET", 3600))
)

// frame is one L3 message that crossed the air in a harness run.
type frame struct {
	uplink bool
	b      []byte
}

// harness connects a network Conn and an MS by passing encoded L3
// messages between them, the way gsm/bts and a virtual phone would over
// LAPDm, and plays the RR ciphering and classmark procedures itself with
// gsm/rr's codecs.
type harness struct {
	t     testing.TB
	now   time.Time
	cfg   *mm.Config
	reg   *mmtest.Registry
	ms    *mm.MS
	msCfg *mm.MSConfig
	net   *mm.Conn

	frames   []frame
	names    []string // "MS>" / "NW>" + message type, in order
	drop     func(f frame) bool
	cipher   mm.Cipher
	ciphered bool
	released bool
	pending  []mm.LUType // MSStartLU requests
	queue    []event
	pumping  bool
	lookups  []mm.Query // ActLookups of an asynchronous Conn, not yet answered
}

// asyncHarness makes the harness's network Conn asynchronous (no
// Registry): its lookups come out as ActLookup actions, which the harness
// answers from the registry after the batch, as a worker would.
var asyncHarness bool

func newHarness(t testing.TB, cfg *mm.Config, reg *mmtest.Registry, msCfg *mm.MSConfig, sim *mm.SIM) *harness {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Config.Validate: %v", err)
	}
	return &harness{t: t, now: t0, cfg: cfg, reg: reg, ms: mm.NewMS(msCfg, sim), msCfg: msCfg}
}

// connect opens a new dedicated channel and gives the MS's first message
// to a fresh Conn.
func (h *harness) connect(acts []mm.MSAction, rand interface{ Read([]byte) (int, error) }) {
	if asyncHarness {
		h.net = mm.NewConn(h.cfg, nil, rand)
	} else {
		h.net = mm.NewConn(h.cfg, h.reg, rand)
	}
	h.released, h.ciphered = false, false
	h.msActions(acts)
}

func (h *harness) encode(m mm.Message) []byte {
	h.t.Helper()
	b := make([]byte, m.MarshalSize())
	n, err := m.MarshalTo(b)
	if err != nil {
		h.t.Fatalf("MarshalTo(%v): %v", m.MsgType(), err)
	}
	return b[:n]
}

// event is one item in flight between the two sides.
type event struct {
	uplink bool
	msg    mm.Message // an MM message to encode and deliver
	kind   mm.ActionKind
	cipher mm.Cipher
	kc     crypto.Kc
}

// msActions queues the MS's actions; pump delivers them in order, so each
// side finishes a batch of actions before the other answers, as over the
// air.
func (h *harness) msActions(acts []mm.MSAction) {
	h.t.Helper()
	for _, a := range acts {
		switch a.Kind {
		case mm.MSSend:
			h.queue = append(h.queue, event{uplink: true, msg: a.Msg})
		case mm.MSRelease:
			h.queue = append(h.queue, event{uplink: true, kind: mm.ActRelease})
		case mm.MSStartLU:
			h.pending = append(h.pending, a.Type)
		}
	}
	h.pump()
}

func (h *harness) netActions(acts []mm.Action) {
	h.t.Helper()
	for _, a := range acts {
		switch a.Kind {
		case mm.ActSend:
			h.queue = append(h.queue, event{msg: a.Msg})
		case mm.ActCommit:
			if err := h.reg.Apply(a.Update); err != nil {
				h.t.Fatal(err)
			}
		case mm.ActMMConnection:
			h.names = append(h.names, "NW:mm-connection "+a.Service.String())
		case mm.ActLookup:
			h.lookups = append(h.lookups, a.Query)
		default:
			h.queue = append(h.queue, event{kind: a.Kind, cipher: a.Cipher, kc: a.Kc})
		}
	}
	for len(h.lookups) > 0 {
		q := h.lookups[0]
		h.lookups = h.lookups[1:]
		h.netActions(h.net.Answer(h.now, mm.Resolve(h.reg, q)))
	}
	h.pump()
}

func (h *harness) pump() {
	h.t.Helper()
	if h.pumping {
		return
	}
	h.pumping = true
	defer func() { h.pumping = false }()
	for len(h.queue) > 0 {
		e := h.queue[0]
		h.queue = h.queue[1:]
		h.deliver(e)
	}
}

func (h *harness) deliver(e event) {
	h.t.Helper()
	switch {
	case e.msg != nil:
		f := frame{e.uplink, h.encode(e.msg)}
		h.frames = append(h.frames, f)
		dir := "NW>"
		if e.uplink {
			dir = "MS>"
		}
		h.names = append(h.names, dir+e.msg.MsgType().String())
		if h.drop != nil && h.drop(f) {
			return
		}
		if !e.uplink {
			h.msActions(h.ms.Handle(h.now, f.b))
		} else if h.net != nil && !h.released {
			h.netActions(h.net.Handle(h.now, f.b))
		}
	case e.uplink && e.kind == mm.ActRelease:
		h.names = append(h.names, "MS>local release")
		if h.net != nil && !h.released {
			h.released = true
			h.netActions(h.net.Lost(h.now))
		}
	case e.kind == mm.ActStartCiphering:
		// RR: Ciphering Mode Command down, the MS's RR takes the key
		// from MM, Ciphering Mode Complete up.
		cmd := rr.CipheringModeCommand{Start: true, Algorithm: uint8(e.cipher)}
		b := make([]byte, rr.CipheringModeCommandLen)
		if _, err := cmd.MarshalTo(b); err != nil {
			h.t.Fatal(err)
		}
		h.frames = append(h.frames, frame{false, b})
		h.names = append(h.names, "NW>Ciphering Mode Command "+e.cipher.String())
		kc, ok := h.ms.CipherKey(e.cipher)
		if !ok || kc != e.kc {
			h.t.Fatalf("MS CipherKey(%v) = ok %v, equal %v, want the network's Kc", e.cipher, ok, kc == e.kc)
		}
		h.ms.CipheringStarted()
		h.cipher, h.ciphered = e.cipher, true
		var c rr.CipheringModeComplete
		cb := make([]byte, 8)
		n, _ := c.MarshalTo(cb)
		h.frames = append(h.frames, frame{true, cb[:n]})
		h.names = append(h.names, "MS>Ciphering Mode Complete")
		h.netActions(h.net.CipheringComplete(h.now))
	case e.kind == mm.ActClassmarkEnquiry:
		h.names = append(h.names, "NW>Classmark Enquiry")
		h.netActions(h.net.Classmark(h.now, h.msCfg.Classmark2, nil))
	case e.kind == mm.ActRelease:
		h.names = append(h.names, "NW>Channel Release")
		h.released = true
		h.msActions(h.ms.Released(h.now))
	}
}

// lu runs a location update of type t from the MS.
func (h *harness) lu(t mm.LUType) {
	h.t.Helper()
	h.connect(h.ms.LocationUpdate(h.now, cellLAI, t), &mmtest.SeqReader{})
}

// advance moves time to d later and ticks both sides.
func (h *harness) advance(d time.Duration) {
	h.t.Helper()
	h.now = h.now.Add(d)
	if h.net != nil && !h.released {
		h.netActions(h.net.Tick(h.now))
	}
	h.msActions(h.ms.Tick(h.now))
}

func (h *harness) trace() string { return strings.Join(h.names, "\n") }

// vector is a record of gsm/crypto's committed osmo-auc-gen vectors.
type vector struct {
	alg  crypto.Algorithm
	ki   crypto.Ki
	opc  crypto.OPc
	rand crypto.RAND
	sres crypto.SRES
	kc   crypto.Kc
}

// loadVector returns the first record for alg from
// gsm/crypto/testdata/osmo-auc-gen.txt whose Ki is not all 0 or all 1.
func loadVector(t *testing.T, alg crypto.Algorithm) vector {
	t.Helper()
	f, err := os.Open("../crypto/testdata/osmo-auc-gen.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) == 0 || fs[0] != alg.String() {
			continue
		}
		kv := map[string]string{}
		for _, p := range fs[1:] {
			k, v, _ := strings.Cut(p, "=")
			kv[k] = v
		}
		if strings.Trim(kv["ki"], "0") == "" || strings.Trim(kv["ki"], "f") == "" {
			continue
		}
		v := vector{alg: alg}
		var errs [6]error
		v.ki, errs[0] = crypto.ParseKi(kv["ki"])
		v.rand, errs[1] = crypto.ParseRAND(kv["rand"])
		v.sres, errs[2] = crypto.ParseSRES(kv["sres"])
		v.kc, errs[3] = crypto.ParseKc(kv["kc"])
		switch {
		case kv["opc"] != "":
			v.opc, errs[4] = crypto.ParseOPc(kv["opc"])
		case kv["op"] != "":
			var op crypto.OP
			op, errs[5] = crypto.ParseOP(kv["op"])
			v.opc = crypto.DeriveOPc(v.ki, op)
		}
		for _, err := range errs {
			if err != nil {
				t.Fatalf("vector %q: %v", sc.Text(), err)
			}
		}
		return v
	}
	t.Fatalf("no %v vector in osmo-auc-gen.txt", alg)
	return vector{}
}

// fixedRand is an io.Reader that returns the same RAND every time.
type fixedRand crypto.RAND

func (r *fixedRand) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r[i%16]
	}
	return len(p), nil
}

func hexBytes(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}
