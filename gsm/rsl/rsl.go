package rsl

import (
	"fmt"
	"sync/atomic"

	"github.com/gsmbox/gsmbox/gsm/l1"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// CellID names one cell (a BCCH carrier and, later, its other TRXs) to
// the core. The node that wires cells to the core assigns them.
type CellID uint16

// UpKind is the kind of an upward event, BTS to core.
type UpKind uint8

// Upward events. The TS 48.058 message each one stands for is named.
const (
	// ChanRequired: a Channel Request (RACH) was decoded (§8.5.3 CHANNEL
	// REQUIRED). The cell allocates the channel itself and has queued
	// the Immediate Assignment (Chan, Ref), or the Reject when Chan.Kind
	// is 0 (none free). Msg is the Channel Description it sent (TS
	// 44.018 §10.5.2.5, 3 octets). RA and FN are the request reference, Cause the
	// establishment cause (rr.EstCause).
	ChanRequired UpKind = iota + 1
	// ChanActivAck / ChanActivNack answer a ChanActivate (§8.4.2,
	// §8.4.3): Chan and Ref are the channel activated, Cause says why
	// not.
	ChanActivAck
	ChanActivNack
	// EstablishInd: the MS established SAPI's link (§8.3.6); on SAPI 0
	// Msg is the initial L3 message of the connection (the contention
	// resolution information).
	EstablishInd
	// DataInd: an L3 message in acknowledged mode on SAPI (§8.3.2).
	DataInd
	// UnitDataInd: an L3 message in a UI frame (§8.3.4), other than a
	// measurement report.
	UnitDataInd
	// MeasResult: a SACCH block with the MS's Measurement Report (Msg,
	// TS 44.018 §9.1.21) and the uplink as the BTS measured it (Meas)
	// (§8.4.8 MEASUREMENT RESULT).
	MeasResult
	// ReleaseInd: the MS released SAPI's link (DISC, Cause 0) or the link
	// failed (Cause is the RLM cause, lapdm.Cause) (§8.3.8). On SAPI 0 the
	// channel is being freed; a ChanReleased follows.
	ReleaseInd
	// ErrorInd: a LAPDm protocol error on SAPI (§8.3.9, Cause).
	ErrorInd
	// ConnFailure: the radio link is lost (TS 45.008 §5.2, §8.4.4
	// CONNECTION FAILURE INDICATION); the channel is freed, a
	// ChanReleased follows.
	ConnFailure
	// ChanReleased: the channel (Chan, Ref) is free again (§8.4.15 RF
	// CHANNEL RELEASE ACKNOWLEDGE): after a ChanRelease, a release by
	// the MS, a lost radio link, or an assignment the MS never used.
	// Nothing more comes for Ref.
	ChanReleased
)

var upNames = [...]string{"?", "CHAN RQD", "CHAN ACTIV ACK", "CHAN ACTIV NACK", "EST IND", "DATA IND", "UNIT DATA IND", "MEAS RES", "REL IND", "ERROR IND", "CONN FAIL", "RF CHAN REL ACK"}

func (k UpKind) String() string {
	if int(k) < len(upNames) {
		return upNames[k]
	}
	return fmt.Sprintf("UpKind(%d)", uint8(k))
}

// Meas is the BTS's measurement of a channel's uplink (TS 48.058
// §9.3.25, in physical units rather than RXLEV/RXQUAL).
type Meas struct {
	RSSI    float32 // dBm
	ToA     float32 // symbols, relative to the ordered timing advance
	TA      uint8   // the timing advance ordered
	MSPower uint8   // the MS power control level ordered
}

// Up is one upward event.
type Up struct {
	Kind UpKind
	Cell CellID
	Chan l1.Chan // the main channel (SDCCH or TCH); SACCH events name it too
	// Ref tells one activation of Chan from the next; the BTS numbers
	// them. Events of an old Ref are stale.
	Ref   uint32
	SAPI  uint8
	FN    tdma.FN
	Cause uint8
	RA    uint8 // ChanRequired
	Msg   []byte
	Meas  Meas // MeasResult
	// Tag echoes the ChanActivate's Tag in its ChanActivAck/Nack.
	Tag uint32
}

// DownKind is the kind of a downward request, core to BTS.
type DownKind uint8

// Downward requests.
const (
	// DataReq: send Msg in acknowledged mode on SAPI (§8.3.1). On a
	// SAPI 3 link not yet up the BTS establishes it first.
	DataReq DownKind = iota + 1
	// UnitDataReq: send Msg in a UI frame on SAPI (§8.3.3).
	UnitDataReq
	// EncryptionCmd: start ciphering with Alg (A5/Alg; 0 is none) and Kc
	// (§8.4.6 ENCRYPTION COMMAND). Msg is the Ciphering Mode Command
	// (TS 44.018 §9.1.9) the BTS sends on SAPI 0; the BTS starts
	// deciphering the uplink at once and enciphering the downlink when
	// the first enciphered uplink block decodes (TS 44.018 §3.4.7.2). The
	// BTS wipes Kc when the channel is freed.
	EncryptionCmd
	// ChanActivate: reserve Chan for an MS the core will send to it
	// (an assignment or handover target, §8.4.1); answered by
	// ChanActivAck with the Ref of the activation, or ChanActivNack.
	// A TCH/F on TN 0 (which never carries one) asks for any free
	// TCH/F; the ACK names the one taken. The ACK's Msg is the
	// channel's Channel Description (TS 44.018 §10.5.2.5, 3 octets) for
	// the Assignment Command. With Alg not 0 the channel is enciphered
	// with Kc from its first burst (ciphering carried over, §3.4.3.1).
	// Peer, when set, is the channel the MS is on now: its timing
	// advance and MS power carry over to the new one (the Timing
	// Advance and MS Power IEs of CHAN ACTIV, §9.3.24, §9.3.13).
	ChanActivate
	// ChanRelease: release the channel (Chan, Ref). With Msg (the RR
	// Channel Release, TS 44.018 §9.1.7), the BTS sends it on SAPI 0 and
	// runs the release: T3109 from when LAPDm has delivered it, the
	// MS's DISC answered with UA, T3111, then the channel is freed. With
	// no Msg the channel is freed at once (a local end release). Either
	// way a ChanReleased follows (§8.4.14, §8.4.15).
	ChanRelease
	// PagingCmd: page the MS whose identity is Msg (a Mobile Identity
	// value, TS 24.008 §10.5.1.4, without IEI or length) in the paging
	// group of IMSI (TS 45.002 §6.5.2), with Cause the channel needed
	// (§8.5.5 PAGING COMMAND).
	PagingCmd
	// TrafficConnect: relay the speech frames of the TCH/F (Chan, Ref)
	// and the TCH/F (Peer, PeerRef) of the same cell to each other, as
	// they are, without decoding them (transcoder-free; the role of the
	// TS 48.058 §8.4.1 CHANNEL MODE and of a local switching point).
	// The relay runs in the cell's frame loop through bounded queues;
	// it ends when either channel is freed. A Peer of Kind 0 ends it.
	// With Port set (Peer ignored) the channel is joined to a SpeechPort
	// instead: its uplink frames go to Port.Up and its downlink frames
	// come from Port.Down (a call leg to the outside, gsm/core/media);
	// it ends when the channel is freed or on a TrafficConnect with
	// neither Port nor Peer.
	TrafficConnect
)

var downNames = [...]string{"?", "DATA REQ", "UNIT DATA REQ", "ENCR CMD", "CHAN ACTIV", "RF CHAN REL", "PAGING CMD", "TRAFFIC CONNECT"}

func (k DownKind) String() string {
	if int(k) < len(downNames) {
		return downNames[k]
	}
	return fmt.Sprintf("DownKind(%d)", uint8(k))
}

// Down is one downward request.
type Down struct {
	Kind DownKind
	Cell CellID
	Chan l1.Chan
	Ref  uint32
	SAPI uint8
	Msg  []byte
	// EncryptionCmd
	Alg uint8
	Kc  [8]byte
	// PagingCmd
	IMSI  string
	Cause uint8
	// TrafficConnect
	Peer    l1.Chan
	PeerRef uint32
	Port    *SpeechPort // joins Chan to an external speech port
	// Tag is the requester's own reference for a ChanActivate, echoed
	// in the answer.
	Tag uint32
}

// Queue is a bounded queue between two goroutines (or two state machines
// on one goroutine). Put never blocks: when the queue is full the item is
// dropped and counted. The receiver drains it with Get, or selects on C.
type Queue[T any] struct {
	ch      chan T
	dropped atomic.Uint64
}

// NewQueue returns a queue holding at most n items.
func NewQueue[T any](n int) *Queue[T] {
	return &Queue[T]{ch: make(chan T, max(n, 1))}
}

// Put queues v; false means the queue was full and v was dropped.
func (q *Queue[T]) Put(v T) bool {
	select {
	case q.ch <- v:
		return true
	default:
		q.dropped.Add(1)
		return false
	}
}

// Get returns the next item, if one is waiting; it never blocks.
func (q *Queue[T]) Get() (T, bool) {
	select {
	case v := <-q.ch:
		return v, true
	default:
		var zero T
		return zero, false
	}
}

// C is the receiving end, for a select.
func (q *Queue[T]) C() <-chan T { return q.ch }

// Len returns how many items are waiting.
func (q *Queue[T]) Len() int { return len(q.ch) }

// Dropped returns how many items were dropped because the queue was full.
func (q *Queue[T]) Dropped() uint64 { return q.dropped.Load() }
