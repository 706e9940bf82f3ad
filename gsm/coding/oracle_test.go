package coding

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/gsmbox/gsmbox/tools/testtool"
)

// oracle is a Python helper from testdata that answers one line per
// command line: our judge of what independent implementations produce.
type oracle struct {
	t   *testing.T
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

// python returns the interpreter that sees Debian's Python packages
// (gnuradio): a pyenv python3 on PATH does not (INTEROP.md).
func python(t *testing.T) string {
	t.Helper()
	p := testtool.Need(t, "python3")
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		return "/usr/bin/python3"
	}
	return p
}

// skipOrFail ends the test for a missing dependency the way testtool does.
func skipOrFail(t *testing.T, msg string) {
	t.Helper()
	if testtool.Required() {
		t.Fatal(msg + " (" + testtool.RequireEnv + "=1 makes this a failure)")
	}
	t.Skip(msg)
}

// startOracle runs testdata/<script> with args. If the script cannot load
// what it judges with (exit status 3, reported on its first answer) the test
// is skipped, or failed in CI.
func startOracle(t *testing.T, script string, args ...string) *oracle {
	t.Helper()
	py := python(t)
	cmd := exec.Command(py, append([]string{"testdata/" + script}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", script, err)
	}
	o := &oracle{t: t, cmd: cmd, in: in, out: bufio.NewScanner(out)}
	o.out.Buffer(make([]byte, 1<<20), 1<<20)
	t.Cleanup(func() {
		in.Close()
		cmd.Wait()
	})
	// A ping to learn early whether the oracle is usable.
	if _, err := io.WriteString(in, "ping\n"); err != nil || !o.out.Scan() {
		in.Close()
		err := cmd.Wait()
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 3 {
			skipOrFail(t, script+": "+strings.TrimSpace(stderr.String()))
		}
		t.Fatalf("%s did not answer: %v: %s", script, err, stderr.String())
	}
	return o
}

// ask sends one command line and returns the answer line.
func (o *oracle) ask(line string) string {
	o.t.Helper()
	if _, err := io.WriteString(o.in, line+"\n"); err != nil {
		o.t.Fatalf("oracle write: %v", err)
	}
	if !o.out.Scan() {
		o.t.Fatalf("oracle gave no answer to %.40q", line)
	}
	return o.out.Text()
}

func bitString(b []byte) string {
	var sb strings.Builder
	for _, v := range b {
		sb.WriteByte('0' + v)
	}
	return sb.String()
}
