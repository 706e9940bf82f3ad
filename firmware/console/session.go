package console

import (
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"
)

// session is a logged-in browser.
type session struct {
	id, csrf string
	user     string
	created  time.Time
	last     time.Time
}

// sessions holds the browsers logged in; in memory only, so a reboot
// logs everyone out.
type sessions struct {
	mu      sync.Mutex
	m       map[string]*session
	idle    time.Duration // a session unused this long has expired
	maxAge  time.Duration // and one older than this, used or not
	maxSess int
}

func newSessions(idle, maxAge time.Duration) *sessions {
	return &sessions{m: map[string]*session{}, idle: idle, maxAge: maxAge, maxSess: 64}
}

func randomID(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// create starts a session; past maxSess the oldest is dropped.
func (s *sessions) create(user string, now time.Time) *session {
	ss := &session{id: randomID(32), csrf: randomID(32), user: user, created: now, last: now}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked(now)
	if len(s.m) >= s.maxSess {
		var oldest *session
		for _, v := range s.m {
			if oldest == nil || v.last.Before(oldest.last) {
				oldest = v
			}
		}
		delete(s.m, oldest.id)
	}
	s.m[ss.id] = ss
	return ss
}

// get returns the live session of id and marks it used.
func (s *sessions) get(id string, now time.Time) (session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.m[id]
	if ss == nil {
		return session{}, false
	}
	if now.Sub(ss.last) > s.idle || now.Sub(ss.created) > s.maxAge {
		delete(s.m, id)
		return session{}, false
	}
	ss.last = now
	return *ss, true
}

func (s *sessions) remove(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, id)
}

// removeAll ends every session (after a password change).
func (s *sessions) removeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.m)
}

func (s *sessions) expireLocked(now time.Time) {
	for k, v := range s.m {
		if now.Sub(v.last) > s.idle || now.Sub(v.created) > s.maxAge {
			delete(s.m, k)
		}
	}
}

// limiter rate-limits logins: per client address, a few failures then a
// lock-out that doubles; overall, a token bucket on password checks so a
// flood from many addresses cannot spend the CPU on scrypt.
type limiter struct {
	mu      sync.Mutex
	clients map[string]*clientLimit
	tokens  float64
	last    time.Time
	rate    float64 // password checks per second, overall
	burst   float64
}

type clientLimit struct {
	fails    int
	until    time.Time
	lastFail time.Time
}

// freeFails is how many wrong passwords a client may send before the
// lock-outs start.
const freeFails = 5

func newLimiter(rate, burst float64) *limiter {
	return &limiter{clients: map[string]*clientLimit{}, rate: rate, burst: burst, tokens: burst}
}

// allow reports whether client may try a password now, and if not, how
// long until it may.
func (l *limiter) allow(client string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c := l.clients[client]; c != nil && now.Before(c.until) {
		return false, c.until.Sub(now)
	}
	if !l.last.IsZero() {
		l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.rate)
	}
	l.last = now
	if l.tokens < 1 {
		return false, time.Duration((1 - l.tokens) / l.rate * float64(time.Second))
	}
	l.tokens--
	return true, 0
}

// result records a login's outcome for client.
func (l *limiter) result(client string, ok bool, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if ok {
		delete(l.clients, client)
		return
	}
	c := l.clients[client]
	if c == nil {
		if len(l.clients) > 4096 { // bounded memory under a flood of addresses
			for k, v := range l.clients {
				if now.Sub(v.lastFail) > time.Hour || now.After(v.until) {
					delete(l.clients, k)
				}
			}
		}
		c = &clientLimit{}
		l.clients[client] = c
	}
	if now.Sub(c.lastFail) > time.Hour {
		c.fails = 0
	}
	c.fails++
	c.lastFail = now
	if c.fails > freeFails {
		d := time.Second << min(c.fails-freeFails, 10) // 2 s .. 17 min
		c.until = now.Add(d)
	}
}
