package console

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/crypto/scrypt"
)

// Scopes a bearer token can hold. A browser session holds all of them.
const (
	ScopeRead    = "read"    // GET of the API
	ScopeWrite   = "write"   // changes: subscribers, configuration, tokens
	ScopeMetrics = "metrics" // /metrics
)

var allScopes = []string{ScopeRead, ScopeWrite, ScopeMetrics}

// AuthFile is the credential file in the console's state directory.
const AuthFile = "console-auth.json"

// scrypt parameters (RFC 7914): N=2^15, r=8, p=1 costs about 32 MiB and
// some tens of milliseconds on an ARM board: slow for a guesser, and the
// login limiter keeps a flood from spending the box's CPU on it.
const (
	scryptN = 1 << 15
	scryptR = 8
	scryptP = 1
	keyLen  = 32
)

// Password limits: long enough to resist guessing over the limiter,
// short enough that hashing cannot be used to waste memory.
const (
	MinPassword = 10
	MaxPassword = 256
)

type passwordHash struct {
	KDF  string    `json:"kdf"`
	N    int       `json:"n"`
	R    int       `json:"r"`
	P    int       `json:"p"`
	Salt string    `json:"salt"`
	Hash string    `json:"hash"`
	Set  time.Time `json:"set"`
}

// Token is a bearer token as the API lists it: never the secret.
type Token struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Scopes  []string  `json:"scopes"`
	Created time.Time `json:"created"`
	Hash    string    `json:"hash,omitempty"` // sha256 of the secret, hex; stripped from API output
}

type authFile struct {
	Admin  *passwordHash `json:"admin,omitempty"`
	Tokens []Token       `json:"tokens,omitempty"`
}

// Credentials is the administrator's password hash and the bearer
// tokens, kept in one file written atomically (temp, fsync, rename,
// fsync of the directory) so a power cut leaves the old or the new file.
type Credentials struct {
	mu   sync.Mutex
	path string
	f    authFile
	// stamp is the file's modification time and size when last read:
	// a password set by another process (gsmbox console passwd on the
	// serial console) is picked up at the next request.
	stamp [2]int64
}

// OpenCredentials reads dir's credential file; a missing file means no
// credential yet.
func OpenCredentials(dir string) (*Credentials, error) {
	c := &Credentials{path: filepath.Join(dir, AuthFile)}
	if err := c.load(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Credentials) load() error {
	fi, err := os.Stat(c.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	b, err := os.ReadFile(c.path)
	if err != nil {
		return err
	}
	var f authFile
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("%s: %w", c.path, err)
	}
	c.f, c.stamp = f, [2]int64{fi.ModTime().UnixNano(), fi.Size()}
	return nil
}

// refreshLocked re-reads the file when another process changed it.
func (c *Credentials) refreshLocked() {
	fi, err := os.Stat(c.path)
	if err != nil || [2]int64{fi.ModTime().UnixNano(), fi.Size()} == c.stamp {
		return
	}
	c.load()
}

// HasAdmin reports whether an administrator password is set.
func (c *Credentials) HasAdmin() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refreshLocked()
	return c.f.Admin != nil
}

// CheckPassword reports whether pw is the administrator's password. It
// costs one scrypt; callers rate-limit it.
func (c *Credentials) CheckPassword(pw string) bool {
	c.mu.Lock()
	h := c.f.Admin
	c.mu.Unlock()
	if h == nil || len(pw) > MaxPassword {
		return false
	}
	salt, err1 := base64.StdEncoding.DecodeString(h.Salt)
	want, err2 := base64.StdEncoding.DecodeString(h.Hash)
	if err1 != nil || err2 != nil || h.KDF != "scrypt" {
		return false
	}
	got, err := scrypt.Key([]byte(pw), salt, h.N, h.R, h.P, len(want))
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(got, want) == 1
}

// CheckPasswordText checks a new password: MinPassword..MaxPassword
// bytes, printable, not all one character.
func CheckPasswordText(pw string) error {
	if len(pw) < MinPassword || len(pw) > MaxPassword {
		return fmt.Errorf("%w: %d characters; use %d to %d", ErrBadPassword, len(pw), MinPassword, MaxPassword)
	}
	for _, r := range pw {
		if !unicode.IsPrint(r) {
			return fmt.Errorf("%w: control characters are not allowed", ErrBadPassword)
		}
	}
	if strings.Count(pw, pw[:1]) == len(pw) {
		return fmt.Errorf("%w: one character repeated", ErrBadPassword)
	}
	return nil
}

// SetPassword stores the hash of a new administrator password.
func (c *Credentials) SetPassword(pw string, now time.Time) error {
	if err := CheckPasswordText(pw); err != nil {
		return err
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	k, err := scrypt.Key([]byte(pw), salt, scryptN, scryptR, scryptP, keyLen)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.f.Admin
	c.f.Admin = &passwordHash{KDF: "scrypt", N: scryptN, R: scryptR, P: scryptP,
		Salt: base64.StdEncoding.EncodeToString(salt), Hash: base64.StdEncoding.EncodeToString(k), Set: now.UTC()}
	if err := c.saveLocked(); err != nil {
		c.f.Admin = old
		return err
	}
	return nil
}

// PasswordSet returns when the password was last set (zero: never).
func (c *Credentials) PasswordSet() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.f.Admin == nil {
		return time.Time{}
	}
	return c.f.Admin.Set
}

// tokenPrefix starts every bearer token, so a leaked one is recognisable
// (and scanners can find it).
const tokenPrefix = "gsmbox_"

// NewToken makes a bearer token with scopes and returns its secret text,
// shown once; only its hash is kept.
func (c *Credentials) NewToken(name string, scopes []string, now time.Time) (string, Token, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 64 || strings.ContainsFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }) {
		return "", Token{}, fmt.Errorf("%w: token name must be 1..64 printable characters", ErrConfig)
	}
	if len(scopes) == 0 {
		return "", Token{}, fmt.Errorf("%w: a token needs at least one scope", ErrScope)
	}
	for _, s := range scopes {
		if !slices.Contains(allScopes, s) {
			return "", Token{}, fmt.Errorf("%w: %q (have %s)", ErrScope, s, strings.Join(allScopes, ", "))
		}
	}
	idb, sec := make([]byte, 6), make([]byte, 24)
	rand.Read(idb)
	rand.Read(sec)
	id := hex.EncodeToString(idb)
	secret := base64.RawURLEncoding.EncodeToString(sec)
	sum := sha256.Sum256([]byte(secret))
	t := Token{ID: id, Name: name, Scopes: slices.Clone(scopes), Created: now.UTC(), Hash: hex.EncodeToString(sum[:])}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.f.Tokens = append(c.f.Tokens, t)
	if err := c.saveLocked(); err != nil {
		c.f.Tokens = c.f.Tokens[:len(c.f.Tokens)-1]
		return "", Token{}, err
	}
	t.Hash = ""
	return tokenPrefix + id + "_" + secret, t, nil
}

// Tokens lists the tokens without their hashes.
func (c *Credentials) Tokens() []Token {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Token, len(c.f.Tokens))
	for i, t := range c.f.Tokens {
		t.Hash = ""
		out[i] = t
	}
	return out
}

// RevokeToken removes a token; false when there was none with that id.
func (c *Credentials) RevokeToken(id string) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i := slices.IndexFunc(c.f.Tokens, func(t Token) bool { return t.ID == id })
	if i < 0 {
		return false, nil
	}
	old := c.f.Tokens
	c.f.Tokens = slices.Delete(slices.Clone(old), i, i+1)
	if err := c.saveLocked(); err != nil {
		c.f.Tokens = old
		return false, err
	}
	return true, nil
}

// CheckToken returns the token a bearer secret belongs to.
func (c *Credentials) CheckToken(text string) (Token, bool) {
	rest, ok := strings.CutPrefix(text, tokenPrefix)
	if !ok || len(text) > 200 {
		return Token{}, false
	}
	id, secret, ok := strings.Cut(rest, "_")
	if !ok {
		return Token{}, false
	}
	sum := sha256.Sum256([]byte(secret))
	got := hex.EncodeToString(sum[:])
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refreshLocked()
	for _, t := range c.f.Tokens {
		if t.ID == id && subtle.ConstantTimeCompare([]byte(t.Hash), []byte(got)) == 1 {
			t.Hash = ""
			return t, true
		}
	}
	return Token{}, false
}

func (c *Credentials) saveLocked() error {
	b, err := json.MarshalIndent(&c.f, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(c.path, b, 0o600); err != nil {
		return err
	}
	if fi, err := os.Stat(c.path); err == nil {
		c.stamp = [2]int64{fi.ModTime().UnixNano(), fi.Size()}
	}
	return nil
}

// writeFileAtomic writes path so that a power cut leaves either the old
// or the new content: temp file, fsync, rename, fsync of the directory.
func writeFileAtomic(path string, b []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
