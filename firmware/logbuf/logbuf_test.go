package logbuf

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gsmbox/gsmbox/firmware/clock"
	"github.com/gsmbox/gsmbox/firmware/storage/storagetest"
)

func TestRingKeepsLast(t *testing.T) {
	r := New(3)
	fmt.Fprint(r, "a\nb\nc")
	if got := r.Lines(); strings.Join(got, ",") != "a,b" {
		t.Errorf("Lines() = %v, want [a b] (c is partial)", got)
	}
	fmt.Fprint(r, "\nd\ne\n")
	if got := r.Lines(); strings.Join(got, ",") != "c,d,e" {
		t.Errorf("Lines() = %v, want [c d e]", got)
	}
}

func TestHandler(t *testing.T) {
	r := New(10)
	var console bytes.Buffer
	log := slog.New(NewHandler(r, &console, slog.LevelInfo))
	log.Debug("hidden")
	log.Info("on air", "arfcn", 62)
	lines := r.Lines()
	if len(lines) != 1 || !strings.Contains(lines[0], "msg=\"on air\" arfcn=62") {
		t.Errorf("Lines() = %q, want one on-air line", lines)
	}
	if !strings.Contains(console.String(), "on air") {
		t.Errorf("console = %q, want the line too", console.String())
	}
}

func TestPersister(t *testing.T) {
	st := storagetest.New()
	st.WriteFile(FileName, []byte("last boot\n"))
	clk := clock.NewFake(time.Unix(0, 0))
	r := New(10)
	p := &Persister{Ring: r, Store: st, Clock: clk, Interval: 10 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Serve(ctx) }()
	clk.BlockUntil(1, 5*time.Second)
	if b, _ := st.ReadFile(PrevFileName); string(b) != "last boot\n" {
		t.Errorf("prev log = %q, want the last boot's", b)
	}
	fmt.Fprintln(r, "hello")
	clk.Advance(10 * time.Second)
	clk.BlockUntil(1, 5*time.Second)
	if b, _ := st.ReadFile(FileName); string(b) != "hello\n" {
		t.Errorf("log = %q, want hello", b)
	}
	fmt.Fprintln(r, "bye")
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve = %v", err)
	}
	if b, _ := st.ReadFile(FileName); string(b) != "hello\nbye\n" {
		t.Errorf("log after stop = %q, want hello, bye", b)
	}
}
