package registry

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Names are free text that ends up on terminals (gsmbox subscribers list),
// in reports written to USB sticks and, later, in web pages. Text that
// could move a cursor, clear a screen, end a string early (NUL) or turn
// the following text around (bidirectional overrides) is refused where it
// enters (the CLI, CSV imports); what is already stored is escaped on
// output.

// unsafeRune reports whether r must not appear in a name: C0 controls
// (tab and newline included: a name is one cell of a table), DEL, C1
// controls (ESC's 8-bit cousins), the bidirectional marks, embeddings,
// overrides and isolates, and the byte-order mark.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0xfeff:
		return true
	}
	return false
}

// CheckText returns an error naming the first character that may not be
// in a name (or invalid UTF-8), with its byte offset; nil if there is none.
func CheckText(s string) error {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n <= 1 {
				return fmt.Errorf("invalid UTF-8 at byte %d", i)
			}
		}
		if unsafeRune(r) {
			return fmt.Errorf("control character U+%04X at byte %d (not allowed in names)", r, i)
		}
	}
	return nil
}

// EscapeText returns s with every character CheckText refuses written as
// a Go escape (\x1b, \u202e), so that stored text printed to a terminal
// shows what it holds without acting on the terminal.
func EscapeText(s string) string {
	if CheckText(s) == nil {
		return s
	}
	out := make([]byte, 0, len(s)+8)
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			if _, n := utf8.DecodeRuneInString(s[i:]); n <= 1 {
				out = fmt.Appendf(out, `\x%02x`, s[i])
				continue
			}
			out = utf8.AppendRune(out, r)
		case unsafeRune(r) && r < 0x100:
			out = fmt.Appendf(out, `\x%02x`, r)
		case unsafeRune(r):
			out = fmt.Appendf(out, `\u%04x`, r)
		default:
			out = utf8.AppendRune(out, r)
		}
	}
	return string(out)
}

// validateInput is Validate for provisioning input (the CLI, CSV): it also
// refuses names CheckText refuses. Stored records are not held to it, so
// that a record written before the rule still decodes.
func (s *Subscriber) validateInput() error {
	err := s.Validate()
	if terr := CheckText(s.Name); terr != nil {
		return errors.Join(err, fieldErr("name", "%v", terr))
	}
	return err
}
