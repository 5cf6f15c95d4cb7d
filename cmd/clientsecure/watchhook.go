package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	"github.com/clientsecure/clientsecure/watch"
)

// hookWaitDelay is how long a hook's output may stay open after the hook
// was killed (a background child holding it) before we stop reading.
const hookWaitDelay = 2 * time.Second

// hook is --exec: a shell command run on each change, one at a time, in
// the watch's own goroutine, so that hooks see changes in order and never
// overlap; the timeout keeps one from holding the watch up for long.
type hook struct {
	command        string
	timeout        time.Duration
	stdout, stderr io.Writer
}

// newHook returns nil without a command. With --json the hook's stdout
// goes to our stderr, so that stdout stays one JSON object a line.
func newHook(command string, timeout time.Duration, e *env, asJSON bool) *hook {
	if command == "" {
		return nil
	}
	h := &hook{command: command, timeout: timeout, stdout: e.stdout, stderr: e.stderr}
	if asJSON {
		h.stdout = e.stderr
	}
	return h
}

// run runs the hook for c and reports, on stderr, a hook that failed or
// overran; the watch goes on either way.
func (h *hook) run(ctx context.Context, c watch.Change) {
	if h == nil {
		return
	}
	hctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	cmd := exec.CommandContext(hctx, "sh", "-c", h.command)
	cmd.Env = append(os.Environ(),
		"CLIENTSECURE_REPO="+c.Repo,
		"CLIENTSECURE_REF="+c.Ref,
		"CLIENTSECURE_STATE="+string(c.Current),
		"CLIENTSECURE_PREVIOUS="+string(c.Previous),
		"CLIENTSECURE_SHA="+c.SHA,
	)
	cmd.Stdout, cmd.Stderr = h.stdout, h.stderr
	cmd.WaitDelay = hookWaitDelay
	killGroup(cmd)
	err := cmd.Run()
	switch {
	case err == nil, ctx.Err() != nil: // stopping: the hook was cut short on purpose
	case errors.Is(hctx.Err(), context.DeadlineExceeded):
		fmt.Fprintf(h.stderr, "clientsecure: --exec for %s: killed after %v\n", changeName(c), h.timeout)
	default:
		fmt.Fprintf(h.stderr, "clientsecure: --exec for %s failed: %v\n", changeName(c), err)
	}
}
