package mm

import (
	"sync"
	"time"

	"github.com/gsmbox/gsmbox/gsm/crypto"
)

// Key reuse defaults (see Config.AuthEvery and Config.KeyMaxAge).
const (
	// DefaultAuthEvery: a subscriber is authenticated on at least every
	// fourth connection; the key of one authentication ciphers at most
	// three more.
	DefaultAuthEvery = 4
	// DefaultKeyMaxAge: a key older than this is not used again.
	DefaultKeyMaxAge = 30 * time.Minute
	// maxKeys bounds the cache; past it expired keys are swept, then
	// the oldest goes.
	maxKeys = 4096
)

// KeyCache holds the ciphering key of each subscriber's last
// authentication with its ciphering key sequence number (CKSN), so that
// a later connection on which the MS presents the same CKSN can be
// ciphered with that key without a new authentication (TS 24.008
// §4.3.2.4: the CKSN lets the network start ciphering without
// authenticating; §10.5.1.2). A network where every connection starts
// with an authentication takes two more round trips on the air per
// connection (on an SDCCH about half a second).
//
// The keys stay in memory only: a restart forgets them, and the next
// connection of every subscriber authenticates. They are never logged
// and are wiped when dropped. A key is used again only if the
// connection will be ciphered (Config.KeyReuseA51 says whether A5/1 is
// enough): a ciphered connection proves the MS holds the key, where an
// unciphered one without authentication would prove nothing.
//
// A KeyCache is safe for concurrent use; one serves every Conn of a
// core (Config.Keys).
type KeyCache struct {
	mu sync.Mutex
	m  map[string]*cachedKey
}

type cachedKey struct {
	cksn uint8
	kc   crypto.Kc
	at   time.Time // the authentication
	uses int       // connections ciphered with it since
}

// NewKeyCache returns an empty cache.
func NewKeyCache() *KeyCache { return &KeyCache{m: map[string]*cachedKey{}} }

// put records the key of a successful authentication of imsi at now.
func (k *KeyCache) put(imsi string, cksn uint8, kc crypto.Kc, now time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if old := k.m[imsi]; old != nil {
		old.kc.Zero()
	} else if len(k.m) >= maxKeys {
		k.sweep(now)
	}
	k.m[imsi] = &cachedKey{cksn: cksn, kc: kc, at: now}
}

// sweep drops the expired keys, and the oldest if none is; k.mu is held.
func (k *KeyCache) sweep(now time.Time) {
	var oldest string
	for imsi, c := range k.m {
		if now.Sub(c.at) > DefaultKeyMaxAge*4 {
			c.kc.Zero()
			delete(k.m, imsi)
			continue
		}
		if oldest == "" || c.at.Before(k.m[oldest].at) {
			oldest = imsi
		}
	}
	if len(k.m) >= maxKeys && oldest != "" {
		k.m[oldest].kc.Zero()
		delete(k.m, oldest)
	}
}

// take returns imsi's key for one more connection if the MS holds it
// (cksn) and it may still be used: fewer than every-1 uses since its
// authentication and younger than maxAge. A key that may not is dropped.
func (k *KeyCache) take(imsi string, cksn uint8, now time.Time, every int, maxAge time.Duration) (crypto.Kc, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	c := k.m[imsi]
	if c == nil {
		return crypto.Kc{}, false
	}
	if c.cksn != cksn || c.uses+1 >= every || now.Sub(c.at) >= maxAge || now.Before(c.at) {
		c.kc.Zero()
		delete(k.m, imsi)
		return crypto.Kc{}, false
	}
	c.uses++
	return c.kc, true
}

// Forget drops imsi's key (the MS did not cipher with it, or its
// authentication failed).
func (k *KeyCache) Forget(imsi string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if c := k.m[imsi]; c != nil {
		c.kc.Zero()
		delete(k.m, imsi)
	}
}

// Len returns the number of keys held.
func (k *KeyCache) Len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.m)
}
