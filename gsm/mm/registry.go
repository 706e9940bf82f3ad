package mm

import (
	"time"

	"github.com/gsmbox/gsmbox/gsm/crypto"
	"github.com/gsmbox/gsmbox/gsm/l3"
)

// NoTMSI is the TMSI value meaning "none" (TS 23.003 §2.4: all ones).
const NoTMSI uint32 = 0xffffffff

// Registry is what the network-side state machine asks of the core (the
// VLR/HLR in gsm/core). Conn calls it synchronously from Handle and its
// other event methods, at most a few times per procedure, so an
// implementation over an embedded database is fine; it must not block on
// the network. Writes are not made through it: they come out of Conn as
// ActCommit actions, in protocol order, for the caller to apply.
//
// Over gsm/core/registry the mapping is direct: IMSIByTMSI is ByTMSI;
// Decide is Registry.Decide (plus "attached" for a CM service request);
// AuthVector is crypto.Authenticate on the record's Algorithm, Ki and OPc;
// AllocateTMSI is AllocateTMSI's NewTMSI; and the updates are
// UpdateLocation (attach, without a second allocation), ConfirmTMSI,
// Detach and SetIMEI.
type Registry interface {
	// IMSIByTMSI returns the IMSI of the subscriber holding tmsi, or
	// whose newly allocated, unconfirmed TMSI it is (TS 24.008
	// §4.3.1.5: the network keeps both until the MS uses one). ok is
	// false for a TMSI nobody holds, which makes Conn ask for the IMSI.
	IMSIByTMSI(tmsi uint32) (imsi string, ok bool)

	// Decide applies the registration policy to a subscriber asking for
	// a location update or a CM service. It may provision the
	// subscriber (open policy). A refusal is a Decision with Accept
	// false and the reject cause, not an error.
	Decide(req Request) Decision

	// AuthVector runs the subscriber's A3/A8 (gsm/crypto.Authenticate)
	// on rand and returns the expected SRES and the Kc. It is called
	// only for a subscriber whose Decision has HasKey. An error
	// releases the connection with cause #17 network failure.
	AuthVector(imsi string, rand crypto.RAND) (crypto.SRES, crypto.Kc, error)

	// AllocateTMSI returns a TMSI that no subscriber holds or has
	// pending, reserved for imsi, avoiding NoTMSI and the P-TMSI space
	// (TS 23.003 §2.4). The TMSI is committed by an ActCommit.
	AllocateTMSI(imsi string) (uint32, error)
}

// Request is what Decide is asked about.
type Request struct {
	IMSI    string
	Type    LUType      // for a location update
	Service ServiceType // for a CM service request; 0 for a location update
	OldLAI  l3.LAI      // the LAI the MS says it was registered in
}

// Decision is the registry's answer.
type Decision struct {
	Accept bool
	Cause  Cause  // the reject cause when !Accept
	HasKey bool   // the subscriber has a Ki: authenticate (and cipher)
	MSISDN string // informational, for the Result
}

// UpdateKind says what an Update records.
type UpdateKind uint8

// Update kinds.
const (
	// UpdateAttach: a location update was accepted: the subscriber is
	// attached in LAI, seen at Time; NewTMSI, unless NoTMSI, was sent
	// and awaits confirmation.
	UpdateAttach UpdateKind = iota + 1
	// UpdateTMSI: the MS confirmed NewTMSI (TMSI Reallocation
	// Complete); it replaces the old TMSI.
	UpdateTMSI
	// UpdateDetach: IMSI detach at Time.
	UpdateDetach
	// UpdateIMEI: the MS told its IMEI (or IMEISV, whose first 14
	// digits are the IMEI without check digit).
	UpdateIMEI
)

func (k UpdateKind) String() string {
	switch k {
	case UpdateAttach:
		return "attach"
	case UpdateTMSI:
		return "tmsi"
	case UpdateDetach:
		return "detach"
	case UpdateIMEI:
		return "imei"
	}
	return "UpdateKind(?)"
}

// Update is one registry write, carried by an ActCommit action.
type Update struct {
	Kind    UpdateKind
	IMSI    string
	LAI     l3.LAI
	NewTMSI uint32 // UpdateAttach, UpdateTMSI
	IMEI    l3.MobileIdentity
	Time    time.Time
}

// QueryKind says which Registry method a Query stands for.
type QueryKind uint8

// Query kinds.
const (
	QueryIMSIByTMSI QueryKind = iota + 1
	QueryDecide
	QueryAuthVector
	QueryAllocateTMSI
)

var queryNames = [...]string{"?", "imsi-by-tmsi", "decide", "auth-vector", "allocate-tmsi"}

func (k QueryKind) String() string {
	if int(k) < len(queryNames) {
		return queryNames[k]
	}
	return "QueryKind(?)"
}

// Query is one registry lookup a Conn without a Registry asks its caller
// to make (ActLookup): the same questions as the Registry methods, as
// data, so that the answer can come from a worker goroutine, a database
// or an HLR over the network (GSUP) while the Conn's owner carries on.
type Query struct {
	Kind QueryKind
	// Seq numbers the Conn's queries; the Answer carries it back.
	Seq     uint32
	TMSI    uint32      // QueryIMSIByTMSI
	Request Request     // QueryDecide
	IMSI    string      // QueryAuthVector, QueryAllocateTMSI
	RAND    crypto.RAND // QueryAuthVector
}

// Answer is the registry's answer to a Query, for Conn.Answer.
type Answer struct {
	Kind     QueryKind
	Seq      uint32
	IMSI     string      // QueryIMSIByTMSI
	OK       bool        // QueryIMSIByTMSI: the TMSI is known
	Decision Decision    // QueryDecide
	SRES     crypto.SRES // QueryAuthVector
	Kc       crypto.Kc   // QueryAuthVector
	TMSI     uint32      // QueryAllocateTMSI
	Err      error       // QueryAuthVector, QueryAllocateTMSI
}

// Resolve answers q from reg, synchronously. A worker that owns the
// registry calls it for each Query it takes off its queue.
func Resolve(reg Registry, q Query) Answer {
	a := Answer{Kind: q.Kind, Seq: q.Seq}
	switch q.Kind {
	case QueryIMSIByTMSI:
		a.IMSI, a.OK = reg.IMSIByTMSI(q.TMSI)
	case QueryDecide:
		a.Decision = reg.Decide(q.Request)
	case QueryAuthVector:
		a.SRES, a.Kc, a.Err = reg.AuthVector(q.IMSI, q.RAND)
	case QueryAllocateTMSI:
		a.TMSI, a.Err = reg.AllocateTMSI(q.IMSI)
	}
	return a
}
