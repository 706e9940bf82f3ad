package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/gsmbox/gsmbox/firmware"
	"github.com/gsmbox/gsmbox/firmware/console"
)

// Where the console keeps its state on a board (the data partition) and
// where its local socket is.
const (
	consoleStateDir = "/perm/console"
	consoleSocket   = firmware.ConsoleSocket
)

func init() {
	register(command{
		name:    "console",
		summary: "the operator's web console: set its password, show its fingerprint, call its API",
		run:     runConsole,
	})
}

const consoleUsage = `Usage: gsmbox console passwd [--state DIR]     set the administrator password (read from the terminal or stdin)
       gsmbox console fingerprint [--state DIR] print the TLS certificate's SHA-256 fingerprint
       gsmbox console token [--url URL --token T | --socket PATH] NAME SCOPE...   make an API token
       gsmbox console get [--url URL --token T | --socket PATH] /api/PATH        call the API
       gsmbox console post|put|delete [flags] /api/PATH [JSON]                   change something through the API
                 (e.g. gsmbox console post /api/subscribers '{"imsi":"001010000000001","msisdn":"1001"}')
`

func runConsole(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, consoleUsage)
		return errUsage
	}
	switch args[0] {
	case "passwd":
		fs := newFlagSet("console passwd", "", stderr)
		state := fs.String("state", consoleStateDir, "the console's state directory")
		if err := fs.Parse(args[1:]); err != nil {
			return errUsage
		}
		pw, err := readPassword(os.Stdin, stderr)
		if err != nil {
			return err
		}
		return setConsolePassword(*state, pw, stdout)
	case "fingerprint":
		fs := newFlagSet("console fingerprint", "", stderr)
		state := fs.String("state", consoleStateDir, "the console's state directory")
		if err := fs.Parse(args[1:]); err != nil {
			return errUsage
		}
		fp := console.CertFingerprint(*state)
		if fp == "" {
			return errors.New("no console certificate yet (it is made when the console first starts)")
		}
		fmt.Fprintln(stdout, fp)
		return nil
	case "get":
		c, rest, err := apiClientFlags("console get", args[1:], stderr)
		if err != nil {
			return err
		}
		if len(rest) != 1 || !strings.HasPrefix(rest[0], "/") {
			return fmt.Errorf("%w: console get /api/PATH", errUsage)
		}
		var out json.RawMessage
		if err := c.do(ctx, "GET", rest[0], nil, &out); err != nil {
			return err
		}
		_, err = fmt.Fprintln(stdout, string(out))
		return err
	case "post", "put", "delete":
		c, rest, err := apiClientFlags("console "+args[0], args[1:], stderr)
		if err != nil {
			return err
		}
		if len(rest) < 1 || len(rest) > 2 || !strings.HasPrefix(rest[0], "/") {
			return fmt.Errorf("%w: console %s /api/PATH [JSON]", errUsage, args[0])
		}
		var in any
		if len(rest) == 2 {
			var raw json.RawMessage
			if err := json.Unmarshal([]byte(rest[1]), &raw); err != nil {
				return fmt.Errorf("the JSON argument: %w", err)
			}
			in = raw
		}
		var out json.RawMessage
		if err := c.do(ctx, strings.ToUpper(args[0]), rest[0], in, &out); err != nil {
			return err
		}
		_, err = fmt.Fprintln(stdout, string(out))
		return err
	case "token":
		c, rest, err := apiClientFlags("console token", args[1:], stderr)
		if err != nil {
			return err
		}
		if len(rest) < 2 {
			return fmt.Errorf("%w: console token NAME SCOPE... (scopes: read, write, metrics)", errUsage)
		}
		var out struct {
			Token string `json:"token"`
		}
		if err := c.do(ctx, "POST", "/api/tokens", map[string]any{"name": rest[0], "scopes": rest[1:]}, &out); err != nil {
			return err
		}
		fmt.Fprintln(stdout, out.Token)
		return nil
	}
	fmt.Fprint(stderr, consoleUsage)
	return errUsage
}

// readPassword reads a new password twice from a terminal, or once from
// a pipe.
func readPassword(in *os.File, stderr io.Writer) (string, error) {
	fd := int(in.Fd())
	if !term.IsTerminal(fd) {
		line, err := bufio.NewReader(io.LimitReader(in, console.MaxPassword+2)).ReadString('\n')
		if err != nil && err != io.EOF {
			return "", err
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	fmt.Fprint(stderr, "New console password: ")
	a, err := term.ReadPassword(fd)
	fmt.Fprintln(stderr)
	if err != nil {
		return "", err
	}
	fmt.Fprint(stderr, "Again: ")
	b, err := term.ReadPassword(fd)
	fmt.Fprintln(stderr)
	if err != nil {
		return "", err
	}
	if string(a) != string(b) {
		return "", errors.New("the passwords differ")
	}
	return string(a), nil
}

func setConsolePassword(state, pw string, stdout io.Writer) error {
	c, err := console.OpenCredentials(state)
	if err != nil {
		return err
	}
	if err := c.SetPassword(pw, time.Now()); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "console password set (only its scrypt hash is stored); log in as admin")
	return nil
}

// apiClient calls the running box's console API: over the local Unix
// socket on the box (root only, every scope), or over HTTPS with a
// bearer token from elsewhere.
type apiClient struct {
	base  string
	token string
	hc    *http.Client
}

func apiClientFlags(name string, args []string, stderr io.Writer) (*apiClient, []string, error) {
	fs := newFlagSet(name, "", stderr)
	u := fs.String("url", os.Getenv("GSMBOX_URL"), "the console's URL, e.g. https://192.168.1.20 (default: the local socket)")
	tok := fs.String("token", os.Getenv("GSMBOX_TOKEN"), "API token for --url (or $GSMBOX_TOKEN)")
	sock := fs.String("socket", consoleSocket, "the console's local socket")
	fp := fs.String("fingerprint", "", "with --url: the certificate's SHA-256 fingerprint to pin (the box's certificate is self-signed)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, nil, err
		}
		return nil, nil, errUsage
	}
	c, err := newAPIClient(*u, *tok, *sock, *fp)
	return c, fs.Args(), err
}

func newAPIClient(url, token, sock, fingerprint string) (*apiClient, error) {
	if url == "" {
		tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		}}
		return &apiClient{base: "http://local", hc: &http.Client{Transport: tr, Timeout: 30 * time.Second}}, nil
	}
	if token == "" {
		return nil, errors.New("--url needs --token (or $GSMBOX_TOKEN): make one on the console's Security page")
	}
	want := strings.ToUpper(strings.ReplaceAll(fingerprint, ":", ""))
	tc := &tls.Config{InsecureSkipVerify: true, VerifyConnection: func(cs tls.ConnectionState) error {
		// The certificate is self-signed: trust comes from the pinned
		// fingerprint; without one, the connection is encrypted but the
		// box unverified (as a browser's first visit).
		if want == "" {
			return nil
		}
		got := strings.ReplaceAll(console.Fingerprint(tls.Certificate{Certificate: [][]byte{cs.PeerCertificates[0].Raw}}), ":", "")
		if got != want {
			return fmt.Errorf("certificate fingerprint %s, want %s", got, want)
		}
		return nil
	}}
	return &apiClient{base: strings.TrimRight(url, "/"), token: token, hc: &http.Client{Transport: &http.Transport{TLSClientConfig: tc}, Timeout: 30 * time.Second}}, nil
}

func (c *apiClient) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, _ := json.Marshal(in)
		body = strings.NewReader(string(b))
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error string `json:"error"`
		}
		msg := resp.Status
		if json.Unmarshal(b, &e) == nil && e.Error != "" {
			msg = e.Error
		}
		return &apiStatusError{Method: method, Path: path, Code: resp.StatusCode, Msg: msg}
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// apiStatusError is an answer of the console's API other than 2xx.
type apiStatusError struct {
	Method, Path string
	Code         int
	Msg          string
}

func (e *apiStatusError) Error() string { return fmt.Sprintf("%s %s: %s", e.Method, e.Path, e.Msg) }

// randomPassword is a fresh password for a simulator's console.
func randomPassword() string {
	b := make([]byte, 12)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// consoleLog is the console's logger for host commands.
func consoleLogger(log *slog.Logger) *slog.Logger { return log.With("service", "console") }
