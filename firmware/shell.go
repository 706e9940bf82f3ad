package firmware

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"syscall"

	"github.com/gsmbox/gsmbox/firmware/supervisor"
)

// shellService runs a debug shell on the console (gsmbox.shell=1).
type shellService struct{ console string }

func (s *shellService) Name() string { return "shell" }

func (s *shellService) Serve(ctx context.Context) error {
	tty, err := os.OpenFile(s.console, os.O_RDWR, 0)
	if err != nil {
		return supervisor.DoNotRestart(err)
	}
	defer tty.Close()
	cmd := exec.CommandContext(ctx, "/bin/sh")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
	cmd.Env = append(os.Environ(), "PATH=/bin", "HOME=/tmp")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	err = cmd.Run()
	if ctx.Err() != nil {
		return nil
	}
	if err == nil || errors.Is(err, syscall.ECHILD) {
		return errors.New("shell exited")
	}
	return err
}
