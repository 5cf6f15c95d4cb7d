// Command clientsecure is a TLS client that verifies a server's identity
// before anything is sent, and the tools around it: the build failure
// detector (status), fingerprint, probe, and an embedded GitHub-like server
// (serve, demo). See the README and DESIGN.md for the contract.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// env is everything a command touches outside itself, so tests can hand
// it buffers, a fixed clock and a fake environment.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	now    func() time.Time
}

// warnf prints a warning (a weakened check, a withheld token) to stderr,
// in the command's voice.
func (e *env) warnf(format string, args ...any) {
	fmt.Fprintf(e.stderr, "clientsecure: "+format+"\n", args...)
}

func main() { os.Exit(processMain()) }

// processMain runs the command line of this process, cancelled by SIGINT
// or SIGTERM (serve and --watch stop cleanly on them).
func processMain() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, os.Args[1:], &env{
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		getenv: os.Getenv,
		now:    time.Now,
	})
}

// run executes one command line and returns its exit code.
func run(ctx context.Context, args []string, e *env) int {
	root := newRootCmd(e)
	root.SetArgs(args)
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if cmd == nil {
		cmd = root
	}
	return reportExit(e.stderr, err, hintArgs(cmd), cmd.CommandPath())
}
