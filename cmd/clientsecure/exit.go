package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/clientsecure/clientsecure"
)

// Exit codes, DESIGN.md "Exit codes".
const (
	exitOK       = 0
	exitFailed   = 1 // status: a build failed
	exitPending  = 2 // status: still pending
	exitNoStatus = 3 // status: nothing reported
	exitIdentity = 4 // server identity not verified
	exitError    = 5 // network, timeout, HTTP, rate limit, malformed response
	exitUsage    = 64
)

// unknownCommand starts cobra's error for a subcommand it does not know,
// which it does not let us wrap as a usage error.
const unknownCommand = "unknown command"

// exitErr carries an exit code with its error. A nil err exits silently
// with code (a build that failed is an answer, not an error).
type exitErr struct {
	code int
	err  error
}

func (e *exitErr) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitErr) Unwrap() error { return e.err }

// usageErr marks err as a usage error (exit 64).
func usageErr(err error) error { return &exitErr{code: exitUsage, err: err} }

// usagef is a usage error built like fmt.Errorf.
func usagef(format string, args ...any) error {
	return usageErr(fmt.Errorf(format, args...))
}

// exitCode returns an error that exits with code, printing err if non-nil.
func exitCode(code int, err error) error { return &exitErr{code: code, err: err} }

// codeOf maps an error to its exit code: an explicit code wins, then an
// identity failure anywhere in the chain (4), a malformed pin (64), then 5.
func codeOf(err error) int {
	var ee *exitErr
	var ie *clientsecure.IdentityError
	var pe *clientsecure.PinError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ie):
		return exitIdentity
	case errors.As(err, &pe):
		return exitUsage
	case strings.HasPrefix(err.Error(), unknownCommand):
		return exitUsage
	}
	return exitError
}

// reportExit prints err (if any) as "clientsecure: ..." with the listing
// and hint describeError gives it, and returns the exit code. A usage
// error points at the help of the command that refused it (cmdPath,
// "clientsecure get").
func reportExit(stderr io.Writer, err error, hintArgs []string, cmdPath string) int {
	code := codeOf(err)
	var ee *exitErr
	if err != nil && !(errors.As(err, &ee) && ee.err == nil) {
		fmt.Fprintf(stderr, "clientsecure: %s\n", describeError(err, hintArgs))
		if code == exitUsage {
			fmt.Fprintf(stderr, "clientsecure: see '%s --help'\n", cmdPath)
		}
	}
	return code
}
