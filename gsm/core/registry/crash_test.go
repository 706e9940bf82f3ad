package registry_test

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/gsm/core/registry"
	"github.com/gsmbox/gsmbox/gsm/core/registry/registrytest"
)

// crashEnv names the database a child process writes to until killed.
const crashEnv = "GSMBOX_REGISTRY_CRASH_DB"

func TestMain(m *testing.M) {
	if path := os.Getenv(crashEnv); path != "" {
		os.Exit(crashChild(path))
	}
	os.Exit(m.Run())
}

// crashOp is operation k of the deterministic workload: add subscribers,
// run their location updates with TMSI allocation and confirmation,
// advance SQNs and remove every third subscriber again. Each operation is
// one Registry call, so one commit.
func crashOp(r *registry.Registry, k int) error {
	n := k / 4
	imsi := registrytest.Sub(n).IMSI
	var err error
	switch k % 4 {
	case 0:
		_, err = r.Add(registrytest.Sub(n))
	case 1:
		_, err = r.UpdateLocation(imsi, lai, true)
	case 2:
		_, err = r.ConfirmTMSI(imsi)
	case 3:
		if n%3 == 2 {
			err = r.Remove(registrytest.Sub(n - 1).IMSI)
		} else {
			_, err = r.NextSQN(imsi)
		}
	}
	return err
}

// crashChild runs the workload from the operation in GSMBOX_CRASH_FROM,
// printing each operation's number after it has committed, until killed.
func crashChild(path string) int {
	from, _ := strconv.Atoi(os.Getenv("GSMBOX_CRASH_FROM"))
	db, err := registry.Open(path, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	r, _ := registry.New(registry.Config{Store: db, Now: func() time.Time { return registrytest.Epoch }})
	for k := from; k < from+100000; k++ {
		if err := crashOp(r, k); err != nil {
			fmt.Fprintln(os.Stderr, "op", k, err)
			return 1
		}
		fmt.Fprintf(os.Stdout, "%d\n", k) // unbuffered: one write per committed op
	}
	return 0
}

// modelAfter returns the registry state after ops [0, n) on the in-memory
// store, for comparison with what survived the crash.
func modelAfter(t *testing.T, n int) map[string]registry.Subscriber {
	r, err := registry.New(registry.Config{Store: registrytest.NewStore(), Now: func() time.Time { return registrytest.Epoch }})
	if err != nil {
		t.Fatal(err)
	}
	for k := range n {
		if err := crashOp(r, k); err != nil {
			t.Fatalf("model op %d: %v", k, err)
		}
	}
	return snapshot(t, r)
}

func snapshot(t *testing.T, r *registry.Registry) map[string]registry.Subscriber {
	p, err := r.List("", 0)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	m := map[string]registry.Subscriber{}
	for _, s := range p.Subscribers {
		// TMSI values are random: compare only whether they are set.
		s.TMSI, s.NewTMSI = min(s.TMSI, 1), min(s.NewTMSI, 1)
		m[s.IMSI] = s
	}
	return m
}

func sameState(a, b map[string]registry.Subscriber) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestCrashConsistency kills a writing child process (SIGKILL) at seeded
// random instants, over and over on the same file, and checks after each
// kill that the file opens, that bbolt's page check and the index
// cross-check pass, and that the state is exactly that after every
// operation the child reported committed (or one more: the operation in
// flight may have committed before it could print).
//
// A SIGKILL loses no page cache, so this proves atomicity of commits and
// recovery at open, not the ordering of writes to the medium; that rests on
// bbolt's fsync of data pages before the meta page (see doc.go).
func TestCrashConsistency(t *testing.T) {
	kills := 12
	if testing.Short() {
		kills = 4
	}
	rng := rand.New(rand.NewPCG(0x6b696c6c, 1))
	path := filepath.Join(t.TempDir(), "subscribers.db")
	done := 0 // operations known committed
	for i := range kills {
		delay := time.Duration(rng.IntN(40)) * time.Millisecond
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashEnv+"="+path, "GSMBOX_CRASH_FROM="+strconv.Itoa(done))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		last := make(chan int, 1)
		first := make(chan struct{}) // closed at the child's first commit
		go func() {
			l := done - 1
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if k, err := strconv.Atoi(sc.Text()); err == nil {
					if l == done-1 {
						close(first)
					}
					l = k
				}
			}
			if l == done-1 {
				close(first) // the child ended without a commit: Wait says why
			}
			last <- l
		}()
		// Kill at a random instant after the child has committed once in
		// this run (its start-up under -race takes longer than any fixed
		// sleep would allow for), so that every kill tests a commit in
		// flight.
		select {
		case <-first:
		case <-time.After(time.Minute):
			t.Fatalf("kill %d: the child committed nothing in a minute", i)
		}
		time.Sleep(delay)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		werr := cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(werr, &ee) {
			t.Fatalf("kill %d: child ended with %v, want killed", i, werr)
		}
		committed := <-last + 1

		db, err := registry.Open(path, nil)
		if err != nil {
			t.Fatalf("kill %d: reopen after crash: %v", i, err)
		}
		if err := db.Check(); err != nil {
			t.Fatalf("kill %d: Check after crash: %v", i, err)
		}
		r, _ := registry.New(registry.Config{Store: db})
		got := snapshot(t, r)
		db.Close()
		switch {
		case sameState(got, modelAfter(t, committed)):
			done = committed
		case sameState(got, modelAfter(t, committed+1)):
			done = committed + 1
		default:
			t.Fatalf("kill %d after %v: state (%d subscribers) is neither that after %d nor %d operations", i, delay, len(got), committed, committed+1)
		}
		t.Logf("kill %d after %v: %d operations committed, state consistent", i, delay, done)
	}
	if done < kills {
		t.Errorf("%d operations committed in %d runs, want at least one per run", done, kills)
	}
}
