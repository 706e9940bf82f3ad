package crypto

import (
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
)

// Ki is a subscriber's 128-bit secret key (K for MILENAGE). Its value never
// appears through String, fmt verbs or slog; use HexSecret to store it.
type Ki [16]byte

// OP is the 128-bit operator variant configuration field of MILENAGE.
// It is secret and redacted like Ki.
type OP [16]byte

// OPc is OP mixed with K (3GPP TS 35.206 §4.1), what a USIM stores. Secret.
type OPc [16]byte

// Kc is the 64-bit ciphering key from A8. Secret.
type Kc [8]byte

// RAND is the 128-bit authentication challenge. It is public.
type RAND [16]byte

// SRES is the 32-bit signed response. It travels in clear over the air.
type SRES [4]byte

const redacted = "[redacted]"

// formatRedacted makes every fmt verb print the redaction marker.
//
// The String, GoString, Format and LogValue methods below make Ki, OP, OPc
// and Kc print as "Ki[redacted]" (and so on) with every fmt verb, inside
// structs and slices too, and as "[redacted]" through log/slog.
func formatRedacted(f fmt.State, name string) { fmt.Fprintf(f, "%s%s", name, redacted) }

func (Ki) String() string              { return "Ki" + redacted }
func (k Ki) GoString() string          { return k.String() }
func (Ki) Format(f fmt.State, _ rune)  { formatRedacted(f, "Ki") }
func (Ki) LogValue() slog.Value        { return slog.StringValue(redacted) }
func (OP) String() string              { return "OP" + redacted }
func (k OP) GoString() string          { return k.String() }
func (OP) Format(f fmt.State, _ rune)  { formatRedacted(f, "OP") }
func (OP) LogValue() slog.Value        { return slog.StringValue(redacted) }
func (OPc) String() string             { return "OPc" + redacted }
func (k OPc) GoString() string         { return k.String() }
func (OPc) Format(f fmt.State, _ rune) { formatRedacted(f, "OPc") }
func (OPc) LogValue() slog.Value       { return slog.StringValue(redacted) }
func (Kc) String() string              { return "Kc" + redacted }
func (k Kc) GoString() string          { return k.String() }
func (Kc) Format(f fmt.State, _ rune)  { formatRedacted(f, "Kc") }
func (Kc) LogValue() slog.Value        { return slog.StringValue(redacted) }

// HexSecret returns the key in lower-case hex, for the subscriber store.
// Every call site is a place where a secret leaves memory: keep them few.
func (k Ki) HexSecret() string  { return hex.EncodeToString(k[:]) }
func (k OP) HexSecret() string  { return hex.EncodeToString(k[:]) }
func (k OPc) HexSecret() string { return hex.EncodeToString(k[:]) }
func (k Kc) HexSecret() string  { return hex.EncodeToString(k[:]) }

// Zero overwrites the key.
func (k *Ki) Zero()  { clear(k[:]) }
func (k *OP) Zero()  { clear(k[:]) }
func (k *OPc) Zero() { clear(k[:]) }
func (k *Kc) Zero()  { clear(k[:]) }

// IsZero reports whether every octet is zero (for "not configured" checks).
func (k OPc) IsZero() bool { return k == OPc{} }

func (r RAND) String() string { return hex.EncodeToString(r[:]) }
func (s SRES) String() string { return hex.EncodeToString(s[:]) }

// parseHex decodes s, which must be exactly len(dst) octets of hex, into
// dst. An optional "0x" prefix and ':', '-', ' ' separators are accepted
// (SIM vendors' key files use all of these). On error dst is left zero and
// the message never echoes the input, which may be a secret.
func parseHex(dst []byte, s, what string) error {
	t := strings.TrimSpace(s)
	if len(t) >= 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X') {
		t = t[2:]
	}
	n := 0
	var hi byte
	half := false
	for i := 0; i < len(t); i++ {
		c := t[i]
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		case (c == ':' || c == '-' || c == ' ') && !half:
			continue
		default:
			clear(dst)
			return fmt.Errorf("%w: %s: invalid character at offset %d", ErrKeySyntax, what, i)
		}
		if !half {
			hi, half = v, true
			continue
		}
		if n == len(dst) {
			clear(dst)
			return fmt.Errorf("%w: %s: more than %d octets", ErrKeySyntax, what, len(dst))
		}
		dst[n] = hi<<4 | v
		n++
		half = false
	}
	if half || n != len(dst) {
		clear(dst)
		return fmt.Errorf("%w: %s: want %d octets (%d hex digits)", ErrKeySyntax, what, len(dst), 2*len(dst))
	}
	return nil
}

// ParseKi parses a Ki from hex.
func ParseKi(s string) (k Ki, err error) { err = parseHex(k[:], s, "Ki"); return k, err }

// ParseOP parses an OP from hex.
func ParseOP(s string) (k OP, err error) { err = parseHex(k[:], s, "OP"); return k, err }

// ParseOPc parses an OPc from hex.
func ParseOPc(s string) (k OPc, err error) { err = parseHex(k[:], s, "OPc"); return k, err }

// ParseKc parses a Kc from hex.
func ParseKc(s string) (k Kc, err error) { err = parseHex(k[:], s, "Kc"); return k, err }

// ParseRAND parses a RAND from hex.
func ParseRAND(s string) (r RAND, err error) { err = parseHex(r[:], s, "RAND"); return r, err }

// ParseSRES parses an SRES from hex.
func ParseSRES(s string) (r SRES, err error) { err = parseHex(r[:], s, "SRES"); return r, err }

// UnmarshalText implements encoding.TextUnmarshaler (config and DB decode).
// There is deliberately no MarshalText: use HexSecret.
func (k *Ki) UnmarshalText(b []byte) error  { return parseHex(k[:], string(b), "Ki") }
func (k *OP) UnmarshalText(b []byte) error  { return parseHex(k[:], string(b), "OP") }
func (k *OPc) UnmarshalText(b []byte) error { return parseHex(k[:], string(b), "OPc") }
