package config

import (
	"fmt"
)

// Limits on a configuration file. A gsmbox.toml is a few KiB; these are far
// above any real one and far below what would hurt the box. The file is
// read in PID 1 (at boot, and from any USB stick), so a hostile or broken
// file must fail fast, in little memory, with one clear error and the
// running configuration kept.
const (
	// MaxFileSize is the largest file Parse reads.
	MaxFileSize = 256 << 10
	// MaxLineLength is the longest line, in bytes.
	MaxLineLength = 4096
	// MaxDepth is the deepest nesting of arrays and inline tables.
	MaxDepth = 16
	// MaxKeyParts is the most dotted parts in a key or table header
	// (gsmbox's own keys have two).
	MaxKeyParts = 8
	// MaxProblems is how many problems an Error lists; the rest are
	// counted in a last "and N more" line.
	MaxProblems = 50
)

// checkLimits scans data once, before the TOML decoder sees it, and
// returns the first limit it exceeds (nil if none). It tracks strings and
// comments so that brackets and dots inside them do not count.
func checkLimits(data []byte) *Problem {
	if len(data) > MaxFileSize {
		return &Problem{Msg: fmt.Sprintf("the file is %d bytes; the limit is %d KiB (nothing was read)", len(data), MaxFileSize>>10)}
	}
	line, lineStart := 1, 0
	depth, dots := 0, 0
	header := false // the line is a table header
	var str string  // open string delimiter: ", ', """ or '''
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c == '\n' {
			if i-lineStart > MaxLineLength {
				return &Problem{Line: line, Msg: fmt.Sprintf("line is %d bytes long; the limit is %d", i-lineStart, MaxLineLength)}
			}
			if len(str) == 1 {
				str = "" // an unterminated one-line string: the decoder reports it
			}
			line, lineStart, dots, header = line+1, i+1, 0, false
			continue
		}
		if str != "" {
			switch {
			case c == '\\' && str[0] == '"':
				i++ // the escaped character, never a delimiter
			case c == str[0] && (len(str) == 1 || hasAt(data, i, str)):
				i += len(str) - 1
				str = ""
			}
			continue
		}
		switch c {
		case '#':
			for i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
		case '"', '\'':
			str = string(c)
			if hasAt(data, i, string([]byte{c, c, c})) {
				str = string([]byte{c, c, c})
				i += 2
			}
		case '[', '{':
			if depth == 0 && c == '[' && blank(data[lineStart:i]) {
				header = true
			}
			depth++
			if depth > MaxDepth {
				return &Problem{Line: line, Msg: fmt.Sprintf("arrays or tables nested more than %d deep", MaxDepth)}
			}
		case ']', '}':
			depth = max(depth-1, 0)
		case '.':
			if depth == 0 || header { // a key or a table header, not an array's values
				dots++
				if dots > MaxKeyParts {
					return &Problem{Line: line, Msg: fmt.Sprintf("a key or table header with more than %d dotted parts", MaxKeyParts)}
				}
			}
		}
	}
	if len(data)-lineStart > MaxLineLength {
		return &Problem{Line: line, Msg: fmt.Sprintf("line is %d bytes long; the limit is %d", len(data)-lineStart, MaxLineLength)}
	}
	return nil
}

func blank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

func hasAt(b []byte, i int, s string) bool {
	return len(b)-i >= len(s) && string(b[i:i+len(s)]) == s
}

// capProblems keeps the first MaxProblems and counts the rest.
func capProblems(ps []Problem) []Problem {
	if len(ps) <= MaxProblems {
		return ps
	}
	n := len(ps) - MaxProblems
	ps = append(ps[:MaxProblems:MaxProblems], Problem{Msg: fmt.Sprintf("... and %d more problems", n)})
	return ps
}
