package config

import (
	"fmt"
	"unicode/utf8"
)

// checkText refuses text that would act on a terminal, a report or a
// phone's display instead of being shown: invalid UTF-8, C0 and C1
// controls (NUL, ESC, newline, ...), DEL, the bidirectional marks,
// overrides and isolates, and the byte-order mark. The same rule as
// registry.CheckText for subscriber names; config keeps its own copy so
// that it does not need the registry.
func checkText(s string) error {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n <= 1 {
				return fmt.Errorf("invalid UTF-8 at byte %d", i)
			}
		}
		switch {
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f,
			r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0xfeff:
			return fmt.Errorf("control character U+%04X at byte %d is not allowed", r, i)
		}
	}
	return nil
}
