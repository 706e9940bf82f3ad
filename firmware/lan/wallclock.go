package lan

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"time"
)

// stepThreshold is the smallest NTP offset that sets the clock; below it
// the clock is left alone (SNTP cannot slew, RFC 4330 §1).
const stepThreshold = 500 * time.Millisecond

// initClock sets the wall clock at start to the latest of the system
// clock, the RTC and the last-known time: a box without a battery-backed
// RTC boots in 1970 (or at the kernel's build date), and logs, CDRs,
// certificates and the SMS validity all need a time that does not go
// back.
func (s *Service) initClock() {
	now := s.Clock.Now()
	best, src := now, "system"
	if s.RTC != nil {
		if t, err := s.RTC.Read(); err == nil {
			if !t.Before(best.Add(-2 * time.Second)) {
				src = "rtc"
				if t.After(best) {
					best = t
				}
			}
		} else if !errors.Is(err, ErrNoRTC) {
			s.Log.Warn("RTC not read", "err", err)
		}
	}
	last := s.readLastKnown()
	if last.After(best) {
		best, src = last, "last-known"
	}
	if best.After(now.Add(time.Second)) {
		if err := s.setTime(best); err != nil {
			s.Log.Warn("wall clock not set", "to", best, "err", err)
		}
	}
	s.mu.Lock()
	s.last = best
	s.st.Clock.Source, s.st.Clock.LastKnown = src, best
	s.mu.Unlock()
	s.Log.Info("wall clock", "source", src, "time", best.UTC().Format(time.RFC3339))
}

func (s *Service) setTime(t time.Time) error {
	if s.SetTime == nil {
		return nil
	}
	return s.SetTime(t)
}

// readLastKnown reads LastKnownFile; zero when absent or unreadable.
func (s *Service) readLastKnown() time.Time {
	if s.Store == nil {
		return time.Time{}
	}
	b, err := s.Store.ReadFile(LastKnownFile)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			s.Log.Warn("last-known time not read", "err", err)
		}
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(string(b)))
	if err != nil {
		s.Log.Warn("last-known time unreadable; ignored", "file", LastKnownFile)
		return time.Time{}
	}
	return t
}

// saveLastKnown persists the clock now (never a time below the last
// known one) when SaveInterval has passed, or always with force.
func (s *Service) saveLastKnown(force bool) {
	now := s.Clock.Now()
	s.mu.Lock()
	if now.After(s.last) {
		s.last = now
	}
	t := s.last
	due := force || s.lastSave.IsZero() || now.Sub(s.lastSave) >= s.SaveInterval || now.Before(s.lastSave)
	if due {
		s.lastSave = now
	}
	s.st.Clock.LastKnown = t
	s.mu.Unlock()
	if !due || s.Store == nil {
		return
	}
	if err := s.Store.WriteFile(LastKnownFile, []byte(t.UTC().Format(time.RFC3339Nano)+"\n")); err != nil {
		s.Log.Warn("last-known time not saved", "err", err)
	}
}

// clockLoop synchronizes the clock by SNTP once there is an address
// (the lease's servers first, then cfg.NTP) and persists the last-known
// time, until ctx ends.
func (s *Service) clockLoop(ctx context.Context, cfg Settings) {
	defer s.saveLastKnown(true)
	b := s.backoff()
	for {
		s.saveLastKnown(false)
		next := s.SaveInterval
		if s.Status().HasAddress() && s.NTP != nil {
			if err := s.syncNTP(ctx, cfg.NTP); err != nil {
				s.update(func(st *Status) { st.Clock.Error = err.Error() })
				next = min(b(), s.NTPInterval)
				s.Log.Info("NTP", "err", err, "retry_in", next)
			} else {
				b = s.backoff()
				next = s.NTPInterval
			}
		}
		next = min(next, s.SaveInterval)
		select {
		case <-ctx.Done():
			return
		case <-s.kick:
			b = s.backoff()
		case <-s.Clock.After(next):
		}
	}
}

// syncNTP asks each server in turn and steps the clock with the first
// answer, unless that would go below the last-known time.
func (s *Service) syncNTP(ctx context.Context, configured []string) error {
	s.mu.Lock()
	var servers []string
	for _, a := range s.leaseNTP {
		servers = append(servers, a.String())
	}
	s.mu.Unlock()
	servers = append(servers, configured...)
	if len(servers) == 0 {
		return errNoServers
	}
	var errs []error
	for _, srv := range servers {
		r, err := s.NTP.Query(ctx, srv)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		return s.applyNTP(srv, r.Offset)
	}
	return errors.Join(errs...)
}

func (s *Service) applyNTP(server string, offset time.Duration) error {
	now := s.Clock.Now()
	t := now.Add(offset)
	s.mu.Lock()
	last := s.last
	s.mu.Unlock()
	if t.Before(last) {
		s.Log.Warn("NTP answer refused: before the last-known time", "server", server, "answer", t.UTC().Format(time.RFC3339), "last_known", last.UTC().Format(time.RFC3339))
		return ErrBackwards
	}
	if offset > stepThreshold || offset < -stepThreshold {
		if err := s.setTime(t); err != nil {
			return err
		}
		s.Log.Info("wall clock set by NTP", "server", server, "offset", offset)
	}
	if s.RTC != nil {
		if err := s.RTC.Set(t); err != nil && !errors.Is(err, ErrNoRTC) {
			s.Log.Warn("RTC not set", "err", err)
		}
	}
	s.mu.Lock()
	if t.After(s.last) {
		s.last = t
	}
	s.st.Clock = Clock{Source: "ntp", Server: server, Offset: offset, Synced: t, LastKnown: s.last}
	s.mu.Unlock()
	s.saveLastKnown(true)
	return nil
}
