package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/clientsecure/clientsecure"
	"github.com/clientsecure/clientsecure/inspect"
)

// The library's errors are one line with the detail in fields (DESIGN.md
// "The command"); this file turns them into what a person reads: the
// listing of an identity failure, the forms a pin may take, the hint of
// a command to run next, and network failures in words.

// describeError is err for a person, without the "clientsecure: " the
// caller puts in front: the first line says what failed; an identity
// error lists the pins expected, the certificates presented and a
// fingerprint command that works when pasted (hintArgs are the flags it
// needs besides the address, such as --resolve).
func describeError(err error, hintArgs []string) string {
	var ie *clientsecure.IdentityError
	if errors.As(err, &ie) {
		return describeIdentity(ie, hintArgs)
	}
	msg := errorLine(err)
	var pe *clientsecure.PinError
	if errors.As(err, &pe) {
		msg += "\n" + clientsecure.AcceptedPinForms
	}
	return msg
}

// describeIdentity lists an identity failure OkHttp style.
func describeIdentity(ie *clientsecure.IdentityError, hintArgs []string) string {
	var b strings.Builder
	b.WriteString(identityLine(ie))
	if len(ie.Pins) > 0 {
		b.WriteString("\n  pins expected (any one):")
		for _, p := range ie.Pins {
			fmt.Fprintf(&b, "\n    %v  [%v]", p, p.Kind())
		}
	}
	if len(ie.Presented) > 0 {
		b.WriteString("\n  certificates presented:")
		for i, c := range ie.Presented {
			if i == clientsecure.MaxListed {
				fmt.Fprintf(&b, "\n    ... and %d more", len(ie.Presented)-clientsecure.MaxListed)
				break
			}
			lines := strings.Split(inspect.Describe(c).Summary(), "\n")
			fmt.Fprintf(&b, "\n    %d. %s", i+1, strings.Join(lines, "\n       "))
		}
	}
	if hint := fingerprintHint(ie, hintArgs); hint != "" {
		fmt.Fprintf(&b, "\n  hint: %s shows the server's certificates and pins", hint)
	}
	return b.String()
}

// identityLine is the one line of an identity error, in the command's
// words: a file read without --servername had no name to check.
func identityLine(ie *clientsecure.IdentityError) string {
	if ie.Host != "" {
		return strings.TrimPrefix(ie.Error(), "clientsecure: ")
	}
	msg := "certificates not verified (no host name was checked): " + ie.Reason.String()
	if d := ie.Detail(); d != "" {
		msg += " (" + d + ")"
	}
	return msg
}

// fingerprintHint is the fingerprint command for the server ie came
// from, as it must be typed to reach it: the port unless 443,
// --servername when the name verified is not the host dialed, and
// hintArgs. It is "" when the address is unknown (the certificates came
// from a file, or are already shown).
func fingerprintHint(ie *clientsecure.IdentityError, hintArgs []string) string {
	if ie.Addr == "" {
		return ""
	}
	host, port, err := net.SplitHostPort(ie.Addr)
	if err != nil {
		return ""
	}
	args := []string{"clientsecure", "fingerprint"}
	if ie.Host != "" && !strings.EqualFold(ie.Host, host) {
		args = append(args, "--servername", ie.Host)
	}
	args = append(args, hintArgs...)
	target := ie.Addr
	if port == "443" {
		target = host
		if strings.Contains(host, ":") {
			target = "[" + host + "]"
		}
	}
	return shellJoin(append(args, target))
}

// shellJoin joins args for a POSIX shell, quoting the ones that need it.
func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = shellWord(a)
	}
	return strings.Join(q, " ")
}

// shellWord is s quoted for a POSIX shell when it holds anything but
// letters, digits and the punctuation of addresses, pins and paths.
func shellWord(s string) string {
	safe := s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@%+,[]", r))
	}) < 0
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// packagePrefixes are what the project's packages start their errors
// with; the command speaks for all of them as "clientsecure: ".
var packagePrefixes = []string{"clientsecure: ", "buildstatus: ", "inspect: ", "probe: "}

// errorLine is err's message without package prefixes, at its start or
// after a wrapping "...: ".
func errorLine(err error) string {
	msg := err.Error()
	for _, p := range packagePrefixes {
		msg = strings.TrimPrefix(msg, p)
		msg = strings.ReplaceAll(msg, ": "+p, ": ")
	}
	return msg
}

// wordsError is a failure said in the user's words, keeping its cause
// for errors.Is and errors.As.
type wordsError struct {
	words string
	err   error
}

func (e *wordsError) Error() string { return e.words }
func (e *wordsError) Unwrap() error { return e.err }

// inWords says what a dial, a name lookup or a handshake failed at,
// instead of net/http's `Get "URL": dial tcp ...: connect: ...` chain.
// An identity error comes out as itself (it names the host); anything
// else unchanged. A timeout is left to timeoutErr, which names the limit.
func inWords(err error) error {
	var (
		ie  *clientsecure.IdentityError
		dns *net.DNSError
		op  *net.OpError
		rh  tls.RecordHeaderError
		ue  *url.Error
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ie):
		return ie
	case errors.As(err, &dns):
		return &wordsError{fmt.Sprintf("cannot find the address of %s: %s", dns.Name, dns.Err), err}
	case errors.As(err, &op) && op.Op == "dial":
		return &wordsError{fmt.Sprintf("cannot connect to %s: %s", opAddr(op), causeText(op.Err)), err}
	case errors.As(err, &rh):
		addr := "the server"
		if rh.Conn != nil {
			addr = rh.Conn.RemoteAddr().String()
		}
		return &wordsError{fmt.Sprintf("TLS handshake with %s: the server did not answer TLS; it looks like plain HTTP (check the port)", addr), err}
	case errors.As(err, &ue):
		return &wordsError{fmt.Sprintf("requesting %s: %s", ue.URL, errorLine(ue.Err)), err}
	}
	return err
}

// opAddr is where a failed dial was going.
func opAddr(op *net.OpError) string {
	if op.Addr != nil {
		return op.Addr.String()
	}
	return "the server"
}

// causeText is the innermost reason of a network error, "connection
// refused" rather than "dial tcp 127.0.0.1:1: connect: connection refused".
func causeText(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}
