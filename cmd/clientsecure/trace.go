package main

import (
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"sort"
	"strings"
	"sync"

	"github.com/clientsecure/clientsecure"
)

// tracer prints the document's trace ("connecting to", "certificate
// matches", "request sent", ...) to stderr when -v is given. It is safe
// for concurrent use: status fetches in parallel.
type tracer struct {
	mu      sync.Mutex
	w       io.Writer // nil: tracing off
	secrets []string  // credentials sent, redacted from what servers send back
}

func newTracer(w io.Writer, on bool) *tracer {
	if !on {
		return &tracer{}
	}
	return &tracer{w: w}
}

func (t *tracer) on() bool { return t.w != nil }

func (t *tracer) printf(format string, args ...any) {
	if t.w == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.w, format+"\n", args...)
}

// clientTrace reports connection events for requests under trust: the
// connection, the verification the handshake decided, its reuse.
// Requests are traced by whoever makes them (buildstatus for status; get
// itself). It sets trust.OnVerified (calling one already set), so call it
// before trust is first used.
func (t *tracer) clientTrace(trust *clientsecure.Trust) *httptrace.ClientTrace {
	if !t.on() {
		return nil
	}
	t.traceVerified(trust)
	return &httptrace.ClientTrace{
		ConnectStart: func(_, addr string) { t.printf("connecting to %s", addr) },
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			if err != nil {
				t.printf("certificate doesn't match")
			}
		},
		GotConn: func(info httptrace.GotConnInfo) {
			if info.Reused {
				t.printf("reusing connection")
			}
		},
	}
}

// traceVerified makes trust print "certificate matches (...)" with what
// each handshake decided.
func (t *tracer) traceVerified(trust *clientsecure.Trust) {
	prev := trust.OnVerified
	trust.OnVerified = func(cs tls.ConnectionState, v *clientsecure.Verification) {
		if prev != nil {
			prev(cs, v)
		}
		t.printf("certificate matches (%s)", verificationWords(trust, v, cs))
	}
}

// verificationWords says in a few words why the server was believed:
// the verification v the handshake of cs decided under trust.
func verificationWords(trust *clientsecure.Trust, v *clientsecure.Verification, cs tls.ConnectionState) string {
	proto := tls.VersionName(cs.Version)
	if cs.DidResume {
		proto += ", resumed"
	}
	var parts []string
	if v.Pin != nil {
		parts = append(parts, fmt.Sprintf("pin %v matched %s", v.Pin, v.Matched.Subject))
	}
	switch {
	case v.Chain != nil:
		parts = append(parts, fmt.Sprintf("chain verified to %s for %s", v.Chain[len(v.Chain)-1].Subject, v.Host))
	case trust.Insecure && v.Pin == nil:
		parts = append(parts, "NOT VERIFIED: --insecure")
	default:
		parts = append(parts, "chain not checked: --pin-only")
	}
	return strings.Join(append(parts, proto), "; ")
}

// secretHeaders are never printed.
var secretHeaders = map[string]bool{"Authorization": true, "Proxy-Authorization": true, "Cookie": true, "Set-Cookie": true}

// headers prints h, one "prefix Name: value" line each, secrets
// redacted: the values of credential headers by name, and, in headers a
// server sent (prefix "<"), any credential sent to it that it echoes.
// Only network text is searched for credentials, never the program's own
// words, so a short secret cannot mangle them.
func (t *tracer) headers(prefix string, h http.Header) {
	if !t.on() {
		return
	}
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	sort.Strings(names)
	fromNetwork := prefix == "<"
	for _, name := range names {
		for _, v := range h[name] {
			switch {
			case secretHeaders[http.CanonicalHeaderKey(name)]:
				if !fromNetwork {
					t.addSecret(v)
				}
				v = "[redacted]"
			case fromNetwork:
				v = t.redact(v)
			}
			t.printf("%s %s: %s", prefix, name, v)
		}
	}
}

// addSecret records a credential sent: the whole value and, for
// "Bearer TOKEN" and the like, the token alone.
func (t *tracer) addSecret(v string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.secrets = append(t.secrets, v)
	if _, token, ok := strings.Cut(v, " "); ok && strings.TrimSpace(token) != "" {
		t.secrets = append(t.secrets, strings.TrimSpace(token))
	}
}

// redact replaces every credential sent in s, text a server chose.
func (t *tracer) redact(s string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, secret := range t.secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}
