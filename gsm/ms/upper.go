package ms

import (
	"github.com/gsmbox/gsmbox/gsm/l3"
	"github.com/gsmbox/gsmbox/gsm/rr"
	"github.com/gsmbox/gsmbox/gsm/tdma"
)

// Upper is the layer above RR on the phone: the MS side of MM (TS
// 24.008 §4). The Phone calls it from its own goroutine, on the
// per-frame path; it must not block.
type Upper interface {
	// Tick is called once per downlink frame while the phone is
	// synchronised, with the cell's frame number, for MM's timers. It
	// returns true when MM aborts the RR connection.
	Tick(fn tdma.FN) (abort bool)
	// Camped tells MM the phone camped on a cell of location area lai
	// whose SI3 gives the periodic updating period t3212 in deci-hours
	// (0: none).
	Camped(lai l3.LAI, t3212 uint8)
	// Paged reports whether a paging identity is one of the phone's; if
	// so, WantsConnection is asked next.
	Paged(id l3.MobileIdentity) bool
	// WantsConnection says whether MM needs an RR connection now, and for
	// which establishment cause. It is asked every frame in idle mode
	// unless a back-off (T3122, a failed access) runs.
	WantsConnection() (rr.EstCause, bool)
	// Initial writes the initial L3 message (sent in the SABM for
	// contention resolution, TS 44.006 §5.4.1.4) into dst and returns its
	// length; at most 20 octets fit.
	Initial(dst []byte) int
	// Identity gives what RR puts in a Paging Response (TS 44.018
	// §9.1.25): the ciphering key sequence number, the classmark and the
	// identity to answer with (the TMSI if the SIM has one).
	Identity() (cksn uint8, cm2 l3.Classmark2, id l3.MobileIdentity)
	// CipherKey gives RR the Kc for a Ciphering Mode Command with A5/alg
	// (TS 44.018 §3.4.7); ok is false when there is no key or the phone
	// does not implement alg. imeisv is sent in the Ciphering Mode
	// Complete when the network asks for it ("" to send none).
	CipherKey(alg uint8) (kc [8]byte, imeisv string, ok bool)
	// CipheringStarted tells MM ciphering is on.
	CipheringStarted()
	// Established tells MM the signalling link is up (contention
	// resolution passed).
	Established()
	// Data handles one L3 message from the network that is not RR. send
	// queues a reply on SAPI 0; msg is valid only during the call.
	Data(msg []byte, send func(l3 []byte) error)
	// Released tells MM the RR connection ended; normal is false when it
	// was lost (radio link failure, data link failure).
	Released(normal bool)
}

// Registrar is implemented by an Upper that can tell whether the phone
// is registered (its location update was accepted).
type Registrar interface {
	Registered() bool
}

// AccessFailer is implemented by an Upper that tells a repeated random
// access failure (TS 24.008 §4.4.4.9 (c): the access failed again after
// T3213) from a connection that never came up for another reason. The
// phone calls RandomAccessFailed instead of Released(false) then.
type AccessFailer interface {
	RandomAccessFailed()
}

// CellOptions is implemented by an Upper that wants the serving cell's
// options before it is told it camped: ATT, whether IMSI attach and
// detach are used (TS 44.018 §10.5.2.11).
type CellOptions interface {
	SetATT(att bool)
}
