package registry

// Store is the subscriber table with its two unique indexes, TMSI → IMSI
// and MSISDN → IMSI. Open returns the durable one (a bbolt file);
// registrytest.NewStore an in-memory one for tests.
//
// View and Update run fn in a transaction. Update commits when fn returns
// nil (durably: when Update returns nil the change survives a power cut) and
// rolls back everything fn did when it returns an error, which Update then
// returns. A Tx must not be used after fn returns, nor from another
// goroutine. Update calls are serialised; View may run concurrently with
// other Views and with an Update (it sees the last committed state). Both
// block only on other transactions (and on the disk). fn must not call back
// into the Store. A store may group concurrent Updates into one commit and
// then call fn more than once (after a rollback caused by another fn): fn
// must read what it needs from the Tx each time and have no other effects.
type Store interface {
	View(fn func(Tx) error) error
	Update(fn func(Tx) error) error
	// Close releases the store; no call may follow.
	Close() error
}

// Tx is one transaction on a Store.
type Tx interface {
	// Get returns the record for an IMSI, or ErrNotFound.
	Get(imsi string) (Subscriber, error)
	// IMSIByTMSI and IMSIByMSISDN look an IMSI up in an index, or return
	// ErrNotFound. A TMSI index entry exists for both TMSI and NewTMSI.
	IMSIByTMSI(t TMSI) (string, error)
	IMSIByMSISDN(msisdn string) (string, error)
	// Put inserts or replaces the record with s.IMSI and updates both
	// indexes. It returns ErrMSISDNInUse or ErrTMSIInUse (and changes
	// nothing) when the index entry belongs to another IMSI, and a
	// validation error for an invalid record. Read-only transactions
	// return an error.
	Put(s *Subscriber) error
	// Delete removes the record and its index entries, or returns
	// ErrNotFound.
	Delete(imsi string) error
	// Ascend calls fn for each record in IMSI order, starting with the
	// first IMSI >= from, until fn returns false or an error (returned).
	Ascend(from string, fn func(s *Subscriber) (more bool, err error)) error
	// Len returns the number of records.
	Len() (int, error)
	// Meta and SetMeta keep small registry bookkeeping values (such as
	// where the next MSISDN search starts). Meta returns nil when unset.
	Meta(key string) ([]byte, error)
	SetMeta(key string, v []byte) error
}

// Checker is implemented by stores that can verify themselves; Check
// returns every inconsistency found (joined), or nil.
type Checker interface {
	Check() error
}
